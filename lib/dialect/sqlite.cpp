// The SQLite dialect: what SQLite spells differently from the SQL standard (see hooks.hpp).
#include "dialect/dialects.hpp"

#include "dialect/list_param.hpp"

namespace dorm::detail {

namespace {

class sqlite_hooks final : public dialect_hooks {
public:
    dorm::dialect kind() const override { return dialect::sqlite; }
    std::string_view name() const override { return "sqlite"; }
    // One writer holds the database, and each new rowid is the table's largest + 1: the rows of
    // one INSERT get consecutive keys in VALUES order, the last one's is sqlite3_last_insert_rowid.
    // Unless the largest key would pass 2^63-1 (then SQLite picks free rowids at random), or a
    // trigger on the table may insert rows of its own in between: the check below.
    bool multi_row_insert_keys() const override { return true; }
    std::string multi_row_insert_check(const schema::table& t, std::size_t rows,
                                       std::vector<value>& params) const override {
        std::string key;
        quote(key, t.columns[static_cast<std::size_t>(t.autoincrement_column)].name);
        std::string table;
        quote(table, t.name);
        params = {value(static_cast<std::int64_t>(rows)), value(t.name)};
        return "SELECT (SELECT coalesce(max(" + key + "), 0) FROM " + table +
               ") <= 9223372036854775807 - ? AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' "
               "AND tbl_name = ?)";
    }
    // SQLite's LIKE ignores ASCII case, stops at a NUL byte, lets invalid UTF-8 bytes match each
    // other and refuses patterns over 50,000 bytes: the text matches compare bytes instead
    const char* text_match_form(ast::text_match m) const override {
        switch (m) {
            case ast::text_match::contains: return "instr(CAST({x} AS BLOB), CAST({v} AS BLOB)) > 0";
            case ast::text_match::starts_with: return "instr(CAST({x} AS BLOB), CAST({v} AS BLOB)) = 1";
            case ast::text_match::ends_with:
                // a sentinel byte on both sides: substr() of an empty blob is NULL, not x''
                return "substr(CAST({x} || x'00' AS BLOB), length(CAST({x} AS BLOB)) - length(CAST({v} AS BLOB)) + 1) "
                       "= CAST({v} || x'00' AS BLOB)";
            case ast::text_match::none: break;
        }
        return nullptr;
    }
    // long lists: json_each(?) of a JSON array (exact for integers, reals and text without NUL;
    // blobs and such text stay inline, within SQLite's 250,000 parameters)
    std::optional<list_param> in_list_param(std::span<const value* const> values, bool negated,
                                            const schema::column*, bool) const override {
        if (values.size() <= inline_list_max) return std::nullopt;
        auto json = json_array(values, false);
        if (!json) return std::nullopt;
        return list_param{negated ? " NOT IN (SELECT value FROM json_each(" : " IN (SELECT value FROM json_each(",
                          "))", value(std::move(*json))};
    }
    std::string type_name(const schema::table&, const schema::column& c) const override {
        switch (c.type) {
            case column_type::boolean: return "BOOLEAN";
            case column_type::integer: return int_type(c.int_bytes, "SMALLINT", "SMALLINT", "INTEGER", "BIGINT");
            case column_type::real: return c.int_bytes == 4 ? "REAL" : "FLOAT";
            case column_type::text: return c.length > 0 ? "VARCHAR(" + std::to_string(c.length) + ")" : "VARCHAR";
            case column_type::blob: return "BLOB";
            case column_type::timestamp: return "DATETIME";
            case column_type::date: return "DATE";
        }
        return "BLOB";
    }
    // INTEGER PRIMARY KEY is SQLite's rowid alias: it must be spelled exactly INTEGER.
    std::string autoincrement_type(const schema::column&) const override { return "INTEGER NOT NULL"; }
    // SQLite transactions are serializable; the choice is when the write lock is taken
    bool has_isolation(isolation level) const override {
        return level == isolation::serializable || level == isolation::deferred || level == isolation::immediate ||
               level == isolation::exclusive;
    }
    bool begin_statements(isolation level, std::vector<std::string>& out) const override {
        out.push_back(level == isolation::immediate   ? "BEGIN IMMEDIATE"
                      : level == isolation::exclusive ? "BEGIN EXCLUSIVE"
                                                      : "BEGIN");
        return true;
    }
    lock_spelling locking() const override {
        lock_spelling l;
        l.rows = false;  // the session takes the database's write lock instead (BEGIN IMMEDIATE)
        return l;
    }
    void limit_offset(std::string& out, const std::string& lim, const std::string& off) const override {
        if (!lim.empty() || !off.empty()) out += " \nLIMIT " + (lim.empty() ? std::string("-1") : lim);
        if (!off.empty()) out += " OFFSET " + off;
    }
    // SQLite's ALTER TABLE adds, renames and drops columns; everything else is a table rebuild
    std::size_t max_identifier_length() const override { return 1000; }
    std::vector<std::string> alter_column(const std::string&, const column_def&, char) const override { return {}; }
    std::string drop_constraint(const std::string&, char, const std::string&) const override { return {}; }
    std::string add_constraint(const std::string&, const std::string&) const override { return {}; }
    bool can_add_column(const schema::column& c, bool has_default) const override {
        // no NOT NULL without a default, no expression default, and REFERENCES only with a NULL default
        const bool constant_default = c.server_default_sql.empty();
        return !((!c.nullable && !has_default) || !constant_default || c.primary_key || (c.references && has_default));
    }
    bool can_drop_column(bool key_or_indexed) const override { return !key_or_indexed; }
    bool foreign_key_in_add_column() const override { return true; }
    bool foreign_keys_off_for_rebuild() const override { return true; }
    migration_lock migration_locking() const override {
        migration_lock l;
        l.step_isolation = isolation::immediate;  // the write lock, before the record is read
        return l;
    }
    std::optional<isolation> write_lock_isolation() const override { return isolation::immediate; }
    sql_lexing lexing() const override {
        sql_lexing l;
        l.bracket_identifiers = true;
        return l;
    }
    catalog_spelling catalog() const override {
        catalog_spelling c;
        c.timestamp_precision = false;  // SQLite stores text: no precision
        return c;
    }
};

}  // namespace

const dialect_hooks& sqlite_dialect() {
    static const sqlite_hooks hooks;
    return hooks;
}

}  // namespace dorm::detail
