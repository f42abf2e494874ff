// DDL printing and the foreign-key dependency sort.
#include <dorm/schema/ddl.hpp>

#include <algorithm>
#include <map>

#include <dorm/engine/engine.hpp>
#include <dorm/error.hpp>
#include <dorm/schema/table_of.hpp>

#include "dialect/hooks.hpp"
#include "schema/ddl_parts.hpp"
#include "util/hash.hpp"

namespace dorm::schema {

namespace ddl_parts {

std::string fit_name(const std::string& name, dialect d) {
    const std::size_t limit = detail::hooks(d).max_identifier_length();
    if (name.size() <= limit) return name;
    static const char* hex = "0123456789abcdef";
    std::size_t h = detail::fast_hash(name);
    std::string tail = "_";
    for (int i = 0; i < 8; ++i, h >>= 4) tail += hex[h & 15];
    return name.substr(0, limit - tail.size()) + tail;
}

std::string default_sql(const column& c, dialect d) {
    if (!c.server_default_sql.empty()) return c.server_default_sql;
    if (c.server_default) return detail::sql_literal(*c.server_default, c, d);
    return {};
}

detail::dialect_hooks::column_def column_def(const table& t, const column& c, dialect d) {
    // the collation goes with the type: MariaDB's MODIFY COLUMN would reset it to the table's
    const auto& h = detail::hooks(d);
    return {c.name, h.type_name(t, c) + h.collation_clause(c), default_sql(c, d), c.nullable};
}

std::string column_definition(const table& t, const column& c, dialect d) {
    const auto& h = detail::hooks(d);
    std::string sql;
    h.quote(sql, c.name);
    sql += ' ';
    if (c.autoincrement) return sql + h.autoincrement_type(c);
    sql += h.type_name(t, c);
    sql += h.collation_clause(c);
    if (auto def = default_sql(c, d); !def.empty()) sql += " DEFAULT " + def;
    if (!c.nullable) sql += " NOT NULL";
    return sql;
}

std::string foreign_key_clause(const table&, const column& c, dialect d) {
    const auto& h = detail::hooks(d);
    const table& p = c.references();
    std::string sql = "FOREIGN KEY(";
    h.quote(sql, c.name);
    sql += ") REFERENCES ";
    h.quote(sql, p.name);
    sql += " (";
    h.quote(sql, p.columns[static_cast<std::size_t>(c.references_column)].name);
    sql += ')';
    if (auto w = h.fk_action_words(c.on_delete, false); !w.empty()) sql += " ON DELETE " + w;
    if (auto w = h.fk_action_words(c.on_update, true); !w.empty()) sql += " ON UPDATE " + w;
    return sql;
}

namespace {
void column_list(std::string& sql, const table& t, const column_set& s, dialect d) {
    const auto& h = detail::hooks(d);
    sql += '(';
    for (std::size_t i = 0; i < s.columns.size(); ++i) {
        if (i) sql += ", ";
        h.quote(sql, t.columns[static_cast<std::size_t>(s.columns[i])].name);
    }
    sql += ')';
}
}  // namespace

std::string quoted(dialect d, std::string_view ident) {
    std::string out;
    detail::hooks(d).quote(out, ident);
    return out;
}

std::string quoted_list(dialect d, const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += ", ";
        if (n.starts_with("("))
            out += n;
        else
            detail::hooks(d).quote(out, n);
    }
    return out;
}

std::vector<std::string> column_names(const table& t, const column_set& s) {
    std::vector<std::string> out;
    for (int i : s.columns) out.push_back(t.columns[static_cast<std::size_t>(i)].name);
    return out;
}

std::string unique_clause(const table& t, const column_set& u, dialect d) {
    std::string sql;
    if (!u.name.empty()) {
        sql += "CONSTRAINT ";
        detail::hooks(d).quote(sql, fit_name(u.name, d));
        sql += ' ';
    }
    sql += "UNIQUE ";
    column_list(sql, t, u, d);
    return sql;
}

std::string check_clause(const check_constraint& c, dialect d) {
    std::string sql = "CONSTRAINT ";
    detail::hooks(d).quote(sql, fit_name(c.name, d));
    return sql + " CHECK (" + c.expression + ")";
}

std::string create_index(const table& t, const column_set& ix, dialect d) {
    const auto& h = detail::hooks(d);
    std::string sql = ix.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
    h.quote(sql, fit_name(ix.name, d));
    sql += " ON ";
    h.quote(sql, t.name);
    sql += ' ';
    column_list(sql, t, ix, d);
    return sql;
}

std::vector<column_set> indexes(const table& t) {
    std::vector<column_set> out;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        const column& c = t.columns[i];
        if (c.index && !c.unique && !c.primary_key) out.push_back({"ix_" + t.name + "_" + c.name, {static_cast<int>(i)}, false});
    }
    out.insert(out.end(), t.indexes.begin(), t.indexes.end());
    return out;
}

std::vector<column_set> uniques(const table& t) {
    std::vector<column_set> out;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        const column& c = t.columns[i];
        if (c.unique && !c.primary_key) out.push_back({{}, {static_cast<int>(i)}, true});
    }
    out.insert(out.end(), t.uniques.begin(), t.uniques.end());
    return out;
}

}  // namespace ddl_parts

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
        sql += ddl_parts::column_definition(t, c, d);
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
    for (const auto& u : ddl_parts::uniques(t)) {
        line();
        sql += ddl_parts::unique_clause(t, u, d);
    }
    for (const auto& c : t.columns) {
        if (!c.references) continue;
        line();
        sql += ddl_parts::foreign_key_clause(t, c, d);
    }
    for (const auto& ck : t.checks) {
        line();
        sql += ddl_parts::check_clause(ck, d);
    }
    sql += "\n)";
    sql += h.table_suffix();
    std::vector<std::string> out{std::move(sql)};
    for (const auto& ix : ddl_parts::indexes(t)) out.push_back(ddl_parts::create_index(t, ix, d));
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
