// The SQL printer, INSERT (multi-row VALUES, the dialect's upsert), UPDATE and DELETE (see
// sql_writer.hpp).
#include "query/sql_writer.hpp"

#include <dorm/error.hpp>

namespace dorm::detail {

void sql_writer::insert(const ast::insert& s) {
    using upsert_spelling = dialect_hooks::upsert_spelling;
    const auto& t = *s.table;
    const upsert_spelling upsert = h_.upsert();
    const bool ignore = s.on_conflict == ast::insert::conflict::do_nothing && upsert == upsert_spelling::on_duplicate_key;
    if (s.on_conflict != ast::insert::conflict::none && upsert == upsert_spelling::unsupported)
        throw unsupported_error("dorm: upsert (on_conflict) is not supported on dialect " + std::string(h_.name()));
    out_ += ignore ? "INSERT IGNORE INTO " : "INSERT INTO ";
    ident(t.name);
    out_ += " (";
    column_names(t, s.columns);
    out_ += ") VALUES ";
    if (s.columns.empty() && h_.insert_default_values()) {
        out_.resize(out_.size() - std::string_view(" () VALUES ").size());
        out_ += " DEFAULT VALUES";
    } else {
        for (std::size_t r = 0; r < s.rows.size(); ++r) {
            if (r) out_ += ", ";
            out_ += '(';
            for (std::size_t i = 0; i < s.rows[r].size(); ++i) {
                if (i) out_ += ", ";
                check_for_column(s.rows[r][i], t, s.columns[i]);
                bind(s.rows[r][i], &s.rows[r][i]);
            }
            out_ += ')';
        }
    }
    if (s.on_conflict != ast::insert::conflict::none && !ignore) {
        if (upsert == upsert_spelling::on_conflict) {
            if (s.on_conflict == ast::insert::conflict::do_update && s.conflict_columns.empty())
                throw argument_error("dorm: do_update() needs on_conflict(columns...): the unique key that "
                                     "detects the duplicate");
            out_ += " ON CONFLICT";
            if (!s.conflict_columns.empty()) {
                out_ += " (";
                column_names(t, s.conflict_columns);
                out_ += ')';
            }
            if (s.on_conflict == ast::insert::conflict::do_nothing || s.update_columns.empty()) {
                out_ += " DO NOTHING";
            } else {
                out_ += " DO UPDATE SET ";
                for (std::size_t i = 0; i < s.update_columns.size(); ++i) {
                    if (i) out_ += ", ";
                    const auto& name = t.columns[static_cast<std::size_t>(s.update_columns[i])].name;
                    ident(name);
                    out_ += " = excluded.";
                    ident(name);
                }
            }
        } else {
            out_ += " ON DUPLICATE KEY UPDATE ";
            std::vector<int> cols = s.update_columns;
            if (cols.empty()) cols = s.conflict_columns;  // a no-op update
            for (std::size_t i = 0; i < cols.size(); ++i) {
                if (i) out_ += ", ";
                const auto& name = t.columns[static_cast<std::size_t>(cols[i])].name;
                ident(name);
                out_ += " = VALUES(";
                ident(name);
                out_ += ')';
            }
        }
    }
    if (!s.returning.empty()) {
        out_ += " RETURNING ";
        column_names(t, s.returning);
    }
}

void sql_writer::column_names(const schema::table& t, const std::vector<int>& cols) {
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (i) out_ += ", ";
        ident(t.columns[static_cast<std::size_t>(cols[i])].name);
    }
}

void sql_writer::update(const ast::update& s) {
    if (s.sets.empty()) throw argument_error("dorm: update<T>() needs at least one set(column, value)");
    out_ += "UPDATE ";
    ident(s.table->name);
    out_ += " SET ";
    for (std::size_t i = 0; i < s.sets.size(); ++i) {
        if (i) out_ += ", ";
        ident(s.table->columns[static_cast<std::size_t>(s.sets[i].first)].name);
        out_ += '=';
        const ast::expr& v = *s.sets[i].second;
        if (v.k == ast::expr::kind::param && v.name.empty()) check_for_column(v.val, *s.table, s.sets[i].first);
        expr(v);
    }
    scopes_.push_back({{s.table, std::string()}});
    where(s.where, " WHERE ");
    scopes_.pop_back();
}

void sql_writer::delete_(const ast::delete_& s) {
    out_ += "DELETE FROM ";
    ident(s.table->name);
    scopes_.push_back({{s.table, std::string()}});
    where(s.where, " WHERE ");
    scopes_.pop_back();
}

}  // namespace dorm::detail
