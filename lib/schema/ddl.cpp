// DDL printing and the foreign-key dependency sort.
#include <dorm/schema/ddl.hpp>

#include <algorithm>
#include <map>

#include <dorm/engine/engine.hpp>
#include <dorm/error.hpp>
#include <dorm/schema/table_of.hpp>

#include "dialect/hooks.hpp"

namespace dorm::schema {

std::vector<std::string> create_statements(const table& t, dialect d) {
    const auto& h = detail::hooks(d);
    std::string sql = "CREATE TABLE ";
    h.quote(sql, t.name);
    sql += " (\n";
    bool first = true;
    auto line = [&] {
        if (!first) sql += ", \n";
        first = false;
        sql += '\t';
    };
    for (const auto& c : t.columns) {
        line();
        h.quote(sql, c.name);
        sql += ' ';
        if (c.autoincrement) {
            sql += h.autoincrement_type(c);
        } else {
            sql += h.type_name(t, c);
            if (c.server_default) sql += " DEFAULT " + detail::sql_literal(*c.server_default, c, d);
            sql += c.nullable ? "" : " NOT NULL";
        }
    }
    if (!t.primary_key.empty()) {
        line();
        sql += "PRIMARY KEY (";
        for (std::size_t i = 0; i < t.primary_key.size(); ++i) {
            if (i) sql += ", ";
            h.quote(sql, t.columns[static_cast<std::size_t>(t.primary_key[i])].name);
        }
        sql += ')';
    }
    for (const auto& c : t.columns) {
        if (c.unique && !c.primary_key) {
            line();
            sql += "UNIQUE (";
            h.quote(sql, c.name);
            sql += ')';
        }
    }
    for (const auto& c : t.columns) {
        if (!c.references) continue;
        const table& p = c.references();
        line();
        sql += "FOREIGN KEY(";
        h.quote(sql, c.name);
        sql += ") REFERENCES ";
        h.quote(sql, p.name);
        sql += " (";
        h.quote(sql, p.columns[static_cast<std::size_t>(c.references_column)].name);
        sql += ')';
    }
    sql += "\n)";
    sql += h.table_suffix();
    std::vector<std::string> out{std::move(sql)};
    for (const auto& c : t.columns) {
        if (!c.index || c.unique || c.primary_key) continue;
        std::string ix = "CREATE INDEX ";
        h.quote(ix, "ix_" + t.name + "_" + c.name);
        ix += " ON ";
        h.quote(ix, t.name);
        ix += " (";
        h.quote(ix, c.name);
        ix += ')';
        out.push_back(std::move(ix));
    }
    return out;
}

std::string drop_statement(const table& t, dialect d) {
    std::string sql = "DROP TABLE ";
    detail::hooks(d).quote(sql, t.name);
    return sql;
}

std::vector<const table*> sorted_by_dependency(std::span<const table* const> tables) {
    // Kahn's algorithm, stable: among ready tables, keep the given order.
    const std::size_t n = tables.size();
    std::vector<std::vector<std::size_t>> parents(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (const auto& c : tables[i]->columns) {
            if (!c.references) continue;
            const table* p = &c.references();
            if (p == tables[i]) continue;  // self-reference
            for (std::size_t j = 0; j < n; ++j)
                if (tables[j] == p && std::find(parents[i].begin(), parents[i].end(), j) == parents[i].end())
                    parents[i].push_back(j);
        }
    }
    std::vector<bool> done(n, false);
    std::vector<const table*> out;
    out.reserve(n);
    while (out.size() < n) {
        bool progress = false;
        for (std::size_t i = 0; i < n; ++i) {
            if (done[i]) continue;
            bool ready = std::all_of(parents[i].begin(), parents[i].end(), [&](std::size_t j) { return done[j]; });
            if (!ready) continue;
            done[i] = true;
            out.push_back(tables[i]);
            progress = true;
        }
        if (!progress) {
            // name only the tables on the cycle: drop, repeatedly, the tables no remaining table needs
            std::vector<bool> on_cycle(n);
            for (std::size_t i = 0; i < n; ++i) on_cycle[i] = !done[i];
            for (bool pruned = true; pruned;) {
                pruned = false;
                for (std::size_t i = 0; i < n; ++i) {
                    if (!on_cycle[i]) continue;
                    bool needed = false;
                    for (std::size_t k = 0; k < n && !needed; ++k)
                        if (on_cycle[k] && k != i &&
                            std::find(parents[k].begin(), parents[k].end(), i) != parents[k].end())
                            needed = true;
                    if (!needed) {
                        on_cycle[i] = false;
                        pruned = true;
                    }
                }
            }
            std::string names;
            for (std::size_t i = 0; i < n; ++i)
                if (on_cycle[i]) names += (names.empty() ? "" : ", ") + tables[i]->name;
            throw argument_error("dorm: the foreign keys between tables " + names +
                                 " form a cycle, so there is no order to create them in; make one of the foreign "
                                 "keys nullable and set it in a second step, or split the cycle");
        }
    }
    return out;
}

void create_all(const engine& e, std::span<const table* const> tables) {
    auto order = sorted_by_dependency(tables);
    std::vector<std::vector<std::string>> stmts;
    for (auto* t : order) stmts.push_back(create_statements(*t, e.dialect()));  // errors before any SQL
    auto conn = e.connect();
    conn.begin();
    try {
        for (std::size_t i = 0; i < order.size(); ++i) {
            if (conn.raw().table_exists(order[i]->name)) continue;
            for (auto& s : stmts[i]) conn.execute_ddl(s);
        }
        conn.commit();
    } catch (...) {
        conn.rollback();
        throw;
    }
}

void drop_all(const engine& e, std::span<const table* const> tables) {
    auto order = sorted_by_dependency(tables);
    std::reverse(order.begin(), order.end());
    auto conn = e.connect();
    conn.begin();
    try {
        for (auto* t : order)
            if (conn.raw().table_exists(t->name)) conn.execute_ddl(drop_statement(*t, e.dialect()));
        conn.commit();
    } catch (...) {
        conn.rollback();
        throw;
    }
}

std::string ddl(std::span<const table* const> tables, dialect d) {
    std::string out;
    for (auto* t : sorted_by_dependency(tables))
        for (auto& s : create_statements(*t, d)) {
            if (!out.empty()) out += ";\n\n";
            out += s;
        }
    return out;
}

}  // namespace dorm::schema
