// SQLite's table rebuild (see diff_internal.hpp).
#include <dorm/error.hpp>
#include <dorm/schema/ddl.hpp>

#include "dialect/hooks.hpp"
#include "schema/ddl_parts.hpp"
#include "schema/diff_internal.hpp"
#include "schema/sql_type.hpp"

namespace dorm::schema {

namespace {

std::string q(std::string_view ident) { return ddl_parts::quoted(dialect::sqlite, ident); }

std::string temp_name(const std::string& table) { return "_dorm_new_" + table; }

// The copy of the rows: the columns both tables have, by name.
std::string copy_rows(const std::string& into, const std::string& from, const std::vector<std::string>& columns) {
    std::string list;
    for (const auto& c : columns) list += (list.empty() ? "" : ", ") + q(c);
    return "INSERT INTO " + q(into) + " (" + list + ") SELECT " + list + " FROM " + q(from);
}

// `CREATE TABLE <name> (...` with the name replaced (the name may be quoted in any of SQLite's
// ways, or bare).
std::string rename_create(const std::string& sql, const std::string& new_name) {
    auto upper = [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); };
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    };
    auto word = [&](std::string_view w) {
        skip_space();
        for (std::size_t k = 0; k < w.size(); ++k)
            if (i + k >= sql.size() || upper(sql[i + k]) != w[k]) return false;
        i += w.size();
        return true;
    };
    if (!word("CREATE") || !word("TABLE"))
        throw migration_error("dorm: cannot read the CREATE TABLE text of a SQLite table: " + sql);
    skip_space();
    std::size_t start = i;
    if (i < sql.size() && (sql[i] == '"' || sql[i] == '`' || sql[i] == '[')) {
        const char close = sql[i] == '[' ? ']' : sql[i];
        for (++i; i < sql.size(); ++i) {
            if (sql[i] == close) {
                if (close != ']' && i + 1 < sql.size() && sql[i + 1] == close) {
                    ++i;
                    continue;
                }
                ++i;
                break;
            }
        }
    } else {
        while (i < sql.size() && !std::isspace(static_cast<unsigned char>(sql[i])) && sql[i] != '(') ++i;
    }
    return sql.substr(0, start) + q(new_name) + sql.substr(i);
}

// The new table takes the old one's name. Views that name the old table keep naming it: with
// legacy_alter_table off, SQLite would check every view and trigger of the schema at the rename
// and refuse it, because the table they name has just been dropped (SQLite's "Making Other Kinds
// Of Table Schema Changes", step 7 and the note on ALTER TABLE RENAME).
void append_rename(std::vector<std::string>& out, const std::string& from, const std::string& to) {
    out.push_back("PRAGMA legacy_alter_table = ON");
    out.push_back("ALTER TABLE " + q(from) + " RENAME TO " + q(to));
    out.push_back("PRAGMA legacy_alter_table = OFF");
}

}  // namespace

std::vector<std::string> rebuild_statements(const table& t, const live_table& live) {
    table shaped = t;  // the model's table under the temporary name (foreign keys still name their targets)
    shaped.name = temp_name(t.name);
    auto create = create_statements(shaped, dialect::sqlite);
    std::vector<std::string> common;
    for (const auto& c : t.columns)
        if (live.column(c.name)) common.push_back(c.name);
    std::vector<std::string> out{create.front(), copy_rows(shaped.name, t.name, common), drop_statement(t, dialect::sqlite)};
    append_rename(out, shaped.name, t.name);
    auto indexes = create_statements(t, dialect::sqlite);  // the model's indexes, named after the real table
    out.insert(out.end(), indexes.begin() + 1, indexes.end());
    out.insert(out.end(), live.triggers.begin(), live.triggers.end());  // dropped with the old table
    return out;
}

std::vector<std::string> rebuild_back_statements(const live_table& live, const table& rebuilt) {
    if (live.sql.empty()) return {};
    const std::string tmp = temp_name(live.name);
    // Only the columns the rebuilt table has are copied back: a column the up step dropped comes
    // back empty (NULL or its default; a NOT NULL one without default stops the step). Naming it
    // in the copy would not fail: SQLite reads a double-quoted name that is no column as a string
    // literal, and would write the column's name into every row.
    std::vector<std::string> common;
    for (const auto& c : live.columns)
        if (rebuilt.find_column(c.name) >= 0) common.push_back(c.name);
    std::vector<std::string> out;
    // A VARCHAR(n) of the old table that the rebuild widened may hold longer values by now:
    // copying them back would keep them silently (SQLite does not enforce the length; dorm does,
    // on every write), so the step fails first, naming the column. (SQLite has no RAISE outside
    // triggers: a temporary table's named CHECK refuses the row that says a value is too long.)
    std::string guard_columns, guard_checks;
    for (std::size_t i = 0; i < live.columns.size(); ++i) {
        const auto& c = live.columns[i];
        if (rebuilt.find_column(c.name) < 0) continue;  // (the same trap: it would measure the name)
        const sql_type t = parse_sql_type(dialect::sqlite, c.type);
        if (!t.known || t.family != column_type::text || t.length <= 0) continue;
        const std::string n = std::to_string(t.length);
        const std::string flag = q("fits_" + std::to_string(i));
        guard_columns += (guard_columns.empty() ? "" : ", ") + flag + " INTEGER CONSTRAINT " +
                         q(live.name + "." + c.name + " holds a value longer than VARCHAR(" + n + ")") + " CHECK (" +
                         flag + ")";
        guard_checks += std::string(guard_checks.empty() ? "" : ", ") + "NOT EXISTS (SELECT 1 FROM " + q(live.name) +
                        " WHERE length(" + q(c.name) + ") > " + n + ")";
    }
    if (!guard_columns.empty()) {
        const std::string guard = q("_dorm_fits_" + live.name);
        out.push_back("CREATE TEMP TABLE " + guard + " (" + guard_columns + ")");
        out.push_back("INSERT INTO " + guard + " SELECT " + guard_checks);
        out.push_back("DROP TABLE " + guard);
    }
    out.push_back(rename_create(live.sql, tmp));
    out.push_back(copy_rows(tmp, live.name, common));
    out.push_back("DROP TABLE " + q(live.name));
    append_rename(out, tmp, live.name);
    for (const auto& ix : live.indexes) {
        std::string cols;
        for (const auto& c : ix.columns) cols += (cols.empty() ? "" : ", ") + (c.starts_with("(") ? c : q(c));
        out.push_back(std::string(ix.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + q(ix.name) + " ON " +
                      q(live.name) + " (" + cols + ")");
    }
    out.insert(out.end(), live.triggers.begin(), live.triggers.end());
    return out;
}

}  // namespace dorm::schema
