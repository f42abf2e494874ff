// The four dialects: SQL-standard defaults in dialect_hooks, differences in the overrides.
#include "dialect/hooks.hpp"

#include <algorithm>
#include "dialect/list_param.hpp"

#include <dorm/detail/data_errors.hpp>
#include <dorm/error.hpp>

namespace dorm {

std::string_view dialect_name(dialect d) noexcept {
    switch (d) {
        case dialect::sqlite: return "sqlite";
        case dialect::postgresql: return "postgresql";
        case dialect::mysql: return "mysql";
        case dialect::oracle: return "oracle";
    }
    return "unknown";
}

std::string_view isolation_name(isolation level) noexcept {
    switch (level) {
        case isolation::read_committed: return "READ COMMITTED";
        case isolation::repeatable_read: return "REPEATABLE READ";
        case isolation::serializable: return "SERIALIZABLE";
        case isolation::deferred: return "DEFERRED";
        case isolation::immediate: return "IMMEDIATE";
        case isolation::exclusive: return "EXCLUSIVE";
    }
    return "UNKNOWN";
}

void check_isolation(dialect d, isolation level, std::string_view where) {
    if (detail::hooks(d).has_isolation(level)) return;
    std::string msg(where);
    msg += ": isolation level ";
    msg += isolation_name(level);
    msg += " does not exist on ";
    msg += dialect_name(d);
    msg += " (valid there: ";
    bool first = true;
    for (auto l : {isolation::read_committed, isolation::repeatable_read, isolation::serializable, isolation::deferred,
                   isolation::immediate, isolation::exclusive}) {
        if (!detail::hooks(d).has_isolation(l)) continue;
        if (!first) msg += ", ";
        first = false;
        msg += isolation_name(l);
    }
    msg += ")";
    if (d == dialect::sqlite)
        msg += "; SQLite transactions are always serializable: choose when the write lock is taken "
               "(deferred, immediate, exclusive)";
    throw argument_error(msg);
}

}  // namespace dorm

namespace dorm::detail {

void dialect_hooks::quote(std::string& out, std::string_view ident) const {
    out += '"';
    for (char c : ident) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

void dialect_hooks::placeholder(std::string& out, int) const { out += '?'; }

void dialect_hooks::limit_offset(std::string& out, const std::string& lim, const std::string& off) const {
    if (!lim.empty()) out += " \nLIMIT " + lim;
    if (!off.empty()) out += (lim.empty() ? " \nOFFSET " : " OFFSET ") + off;
}

bool dialect_hooks::begin_statements(isolation level, std::vector<std::string>& out) const {
    out.push_back("START TRANSACTION ISOLATION LEVEL " + std::string(isolation_name(level)));
    return true;
}

// -- schema evolution: the SQL-standard / PostgreSQL spellings ---------------------------------

std::string dialect_hooks::add_column(const std::string& table, const std::string& definition) const {
    std::string out = "ALTER TABLE ";
    quote(out, table);
    return out + " ADD COLUMN " + definition;
}

std::string dialect_hooks::drop_column(const std::string& table, const std::string& column) const {
    std::string out = "ALTER TABLE ";
    quote(out, table);
    out += " DROP COLUMN ";
    quote(out, column);
    return out;
}

std::vector<std::string> dialect_hooks::alter_column(const std::string& table, const column_def& c, char what) const {
    std::string out = "ALTER TABLE ";
    quote(out, table);
    out += " ALTER COLUMN ";
    quote(out, c.name);
    switch (what) {
        case 't': out += " TYPE " + c.type; break;
        case 'n': out += c.nullable ? " DROP NOT NULL" : " SET NOT NULL"; break;
        default: out += c.default_sql.empty() ? " DROP DEFAULT" : " SET DEFAULT " + c.default_sql; break;
    }
    return {out};
}

std::string dialect_hooks::drop_index(const std::string&, const std::string& name) const {
    std::string out = "DROP INDEX ";
    quote(out, name);
    return out;
}

std::string dialect_hooks::drop_constraint(const std::string& table, char, const std::string& name) const {
    std::string out = "ALTER TABLE ";
    quote(out, table);
    out += " DROP CONSTRAINT ";
    quote(out, name);
    return out;
}

std::string dialect_hooks::add_constraint(const std::string& table, const std::string& clause) const {
    std::string out = "ALTER TABLE ";
    quote(out, table);
    return out + " ADD " + clause;
}

std::string dialect_hooks::fk_action_words(fk_action a, bool) const {
    switch (a) {
        case fk_action::no_action: return {};
        case fk_action::restrict: return "RESTRICT";
        case fk_action::cascade: return "CASCADE";
        case fk_action::set_null: return "SET NULL";
        case fk_action::set_default: return "SET DEFAULT";
    }
    return {};
}

std::string sql_literal(const value& v, const schema::column& c, dorm::dialect d) {
    switch (v.kind()) {
        case value_kind::null: return "NULL";
        case value_kind::integer:
            if (c.type == column_type::boolean && d == dialect::postgresql) return v.as_int() ? "true" : "false";
            return std::to_string(v.as_int());
        case value_kind::real: return v.repr();
        case value_kind::text: {
            std::string out = "'";
            for (char ch : v.as_text()) {
                if (ch == '\'') out += '\'';
                if (ch == '\\' && d == dialect::mysql) out += '\\';  // MySQL string literals escape with backslash
                out += ch;
            }
            return out + "'";
        }
        case value_kind::blob: throw argument_error("dorm: a BLOB column cannot have a server default");
    }
    return "NULL";
}

namespace {

std::string int_type(int bytes, const char* b1, const char* b2, const char* b4, const char* b8) {
    return bytes <= 1 ? b1 : bytes == 2 ? b2 : bytes == 4 ? b4 : b8;
}

class sqlite_hooks final : public dialect_hooks {
public:
    dorm::dialect kind() const override { return dialect::sqlite; }
    std::string_view name() const override { return "sqlite"; }
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
                                            const schema::column*) const override {
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
};

class postgresql_hooks final : public dialect_hooks {
public:
    dorm::dialect kind() const override { return dialect::postgresql; }
    std::string_view name() const override { return "postgresql"; }
    void placeholder(std::string& out, int n) const override {
        out += '$';
        out += std::to_string(n);
    }
    std::string type_name(const schema::table&, const schema::column& c) const override {
        switch (c.type) {
            case column_type::boolean: return "BOOLEAN";
            case column_type::integer: return int_type(c.int_bytes, "SMALLINT", "SMALLINT", "INTEGER", "BIGINT");
            case column_type::real: return c.int_bytes == 4 ? "REAL" : "DOUBLE PRECISION";
            case column_type::text: return c.length > 0 ? "VARCHAR(" + std::to_string(c.length) + ")" : "TEXT";
            case column_type::blob: return "BYTEA";
            case column_type::timestamp: return "TIMESTAMP WITHOUT TIME ZONE";
            case column_type::date: return "DATE";
        }
        return "TEXT";
    }
    std::string autoincrement_type(const schema::column& c) const override {
        return c.int_bytes <= 2 ? "SMALLSERIAL NOT NULL" : c.int_bytes == 4 ? "SERIAL NOT NULL" : "BIGSERIAL NOT NULL";
    }
    bool use_returning() const override { return true; }
    bool native_ilike() const override { return true; }
    // long lists: one array parameter; its element type is inferred from the left side
    // (`x = ANY($1)` makes $1 an array of x's type), `x <> ALL($1)` is NOT IN (NULLs alike)
    std::optional<list_param> in_list_param(std::span<const value* const> values, bool negated,
                                            const schema::column*) const override {
        if (values.size() <= inline_list_max_postgresql) return std::nullopt;
        return list_param{negated ? " <> ALL(" : " = ANY(", ")", value(postgresql_array(values))};
    }
    bool begin_statements(isolation level, std::vector<std::string>& out) const override {
        out.push_back("BEGIN ISOLATION LEVEL " + std::string(isolation_name(level)));
        return true;
    }
    std::string connection_isolation_sql(isolation level) const override {
        return "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + std::string(isolation_name(level));
    }
};

class mysql_hooks final : public dialect_hooks {
public:
    dorm::dialect kind() const override { return dialect::mysql; }
    std::string_view name() const override { return "mysql"; }
    void quote(std::string& out, std::string_view ident) const override {
        out += '`';
        for (char c : ident) {
            if (c == '`') out += '`';
            out += c;
        }
        out += '`';
    }
    std::string type_name(const schema::table& t, const schema::column& c) const override {
        switch (c.type) {
            case column_type::boolean: return "BOOL";
            case column_type::integer: return int_type(c.int_bytes, "TINYINT", "SMALLINT", "INTEGER", "BIGINT");
            case column_type::real: return c.int_bytes == 4 ? "FLOAT" : "DOUBLE";
            case column_type::text:
                if (c.length > 0) return "VARCHAR(" + std::to_string(c.length) + ")";
                if (c.primary_key || c.unique || c.index || c.references)
                    throw argument_error("dorm: (in table '" + t.name + "', column '" + c.name +
                                         "') VARCHAR requires a length on dialect mysql: declare the member with "
                                         "dorm::varchar(n) in DORM_TABLE (" + t.type_name + "::" + c.member + ")");
                return "LONGTEXT";  // TEXT holds 65,535 bytes: a std::string may hold more
            case column_type::blob: return "LONGBLOB";
            case column_type::timestamp: return "DATETIME(6)";
            case column_type::date: return "DATE";
        }
        return "TEXT";
    }
    std::string autoincrement_type(const schema::column& c) const override {
        return int_type(c.int_bytes, "TINYINT", "SMALLINT", "INTEGER", "BIGINT") + " NOT NULL AUTO_INCREMENT";
    }
    void limit_offset(std::string& out, const std::string& lim, const std::string& off) const override {
        // MySQL has no OFFSET without LIMIT: use the largest row count.
        if (!lim.empty() || !off.empty()) out += " \nLIMIT " + (lim.empty() ? std::string("18446744073709551615") : lim);
        if (!off.empty()) out += " OFFSET " + off;
    }
    int distinct_from_style() const override { return 1; }
    int upsert_style() const override { return 1; }
    std::string_view function_name(std::string_view name) const override {
        return name == "length" ? "char_length" : name;
    }
    // long lists: JSON_TABLE over a JSON array; numbers as BIGINT / DOUBLE, text and blobs as hex
    // (JSON cannot hold every byte string) decoded by UNHEX, text in the column's collation. The
    // decoded values go through a DISTINCT derived table: MariaDB gives it a key (derived_with_keys),
    // so each row is one lookup (without it: a scan of the list per row, minutes for 200,000 values
    // in an UPDATE). Its key is only right on a bounded column (a LONGTEXT one gets a 1-byte key
    // and finds nothing): longer texts are compared without the derived table, correct but slow.
    std::optional<list_param> in_list_param(std::span<const value* const> values, bool negated,
                                            const schema::column* c) const override {
        if (values.size() <= inline_list_max) return std::nullopt;
        const auto kind = common_kind(values);
        if (!kind) return std::nullopt;
        auto json = json_array(values, true);
        if (!json) return std::nullopt;
        std::string expr = "j.v", type = "BIGINT";
        bool keyed = true;
        if (*kind == value_kind::real) {
            type = "DOUBLE";
        } else if (*kind == value_kind::text || *kind == value_kind::blob) {
            std::size_t longest = 1;
            for (const value* v : values) {
                if (v->is_null()) continue;
                if (*kind == value_kind::text && !valid_utf8(v->as_text()))
                    // hex carries any bytes, but utf8mb4 text holds only UTF-8 (an inline parameter
                    // would be compared after a lossy conversion)
                    throw_bad_write(quote_value(v->as_text()),
                                    "is not valid UTF-8, which MariaDB's utf8mb4 text cannot hold");
                longest = std::max(longest, *kind == value_kind::text ? v->as_text().size() : v->as_blob().size());
            }
            keyed = longest <= 255;
            type = keyed ? "VARCHAR(" + std::to_string(2 * longest) + ") CHARACTER SET ascii" : "LONGTEXT";
            if (c && c->type == column_type::text)
                expr = "CONVERT(UNHEX(j.v) USING utf8mb4) COLLATE " + collation_of(*c);
            else if (c && (c->type == column_type::date || c->type == column_type::timestamp))
                // the column's type, so that the derived table's key is one (a DATE compared with a
                // binary string finds no key); the same conversion an inline parameter gets
                expr = std::string("CAST(CONVERT(UNHEX(j.v) USING utf8mb4) AS ") +
                       (c->type == column_type::date ? "DATE)" : "DATETIME(6))");
            else
                expr = "UNHEX(j.v)";
        }
        std::string before = negated ? " NOT IN (SELECT " : " IN (SELECT ";
        before += keyed ? "d.v FROM (SELECT DISTINCT " + expr + " AS v" : expr;
        before += " FROM JSON_TABLE(";
        std::string after = ", '$[*]' COLUMNS (v " + type + " PATH '$')) AS j" + (keyed ? ") AS d)" : ")");
        return list_param{std::move(before), std::move(after), value(std::move(*json))};
    }
    /// The collation of a text column (the tables' default unless the column names one).
    static std::string collation_of(const schema::column& c) {
        return c.collation.empty() ? "utf8mb4_nopad_bin" : c.collation;
    }
    // Text compares byte for byte, as on SQLite and PostgreSQL (the server's default collation,
    // utf8mb4_general_ci, ignores case and accents, and PAD SPACE collations such as utf8mb4_bin
    // make 'a' = 'a '); dorm::collation picks another one per column.
    std::string table_suffix() const override {
        return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin";
    }
    std::string collation_clause(const schema::column& c) const override {
        return c.collation.empty() ? std::string() : " COLLATE " + c.collation;
    }
    // START TRANSACTION takes no level. The one-shot SET TRANSACTION ISOLATION LEVEL (next
    // transaction only; inside one it is error 1568) is not reliable in MariaDB 10.11: a
    // transaction whose statements are prepared statements the connection ran before kept the
    // session's level (INNODB_TRX showed it). The session level is set instead, and set back.
    bool begin_statements(isolation, std::vector<std::string>&) const override { return false; }
    std::string connection_isolation_sql(isolation level) const override {
        return "SET SESSION TRANSACTION ISOLATION LEVEL " + std::string(isolation_name(level));
    }
    std::string connection_isolation_reset_sql() const override {
        return "SET SESSION tx_isolation = @@GLOBAL.tx_isolation";
    }
    std::size_t max_identifier_length() const override { return 64; }
    bool same_fk_action(fk_action model, fk_action live) const override {
        auto norm = [](fk_action a) { return a == fk_action::no_action ? fk_action::restrict : a; };
        return norm(model) == norm(live);
    }
    // named after the constraint, as InnoDB names the index it makes itself (inspect leaves it out)
    std::string foreign_key_index(const std::string& table, const std::string& fk_name,
                                  const std::string& column_list) const override {
        std::string out = "CREATE INDEX IF NOT EXISTS ";
        quote(out, fk_name);
        out += " ON ";
        quote(out, table);
        out += " (" + column_list + ")";
        return out;
    }
    // MODIFY COLUMN restates the whole column: type, default and nullability together
    std::vector<std::string> alter_column(const std::string& table, const column_def& c, char) const override {
        std::string out = "ALTER TABLE ";
        quote(out, table);
        out += " MODIFY COLUMN ";
        quote(out, c.name);
        out += ' ' + c.type;
        if (!c.default_sql.empty()) out += " DEFAULT " + c.default_sql;
        out += c.nullable ? " NULL" : " NOT NULL";
        return {out};
    }
    std::string drop_index(const std::string& table, const std::string& name) const override {
        std::string out = "DROP INDEX ";
        quote(out, name);
        out += " ON ";
        quote(out, table);
        return out;
    }
    // a UNIQUE constraint is an index, a foreign key has its own words; CHECK uses DROP CONSTRAINT
    std::string drop_constraint(const std::string& table, char kind, const std::string& name) const override {
        std::string out = "ALTER TABLE ";
        quote(out, table);
        out += kind == 'u' ? " DROP INDEX " : kind == 'f' ? " DROP FOREIGN KEY " : " DROP CONSTRAINT ";
        quote(out, name);
        return out;
    }
    lock_spelling locking() const override {
        lock_spelling l;
        l.share = " LOCK IN SHARE MODE";
        l.of = lock_spelling::of_kind::ignored;  // MariaDB has no FOR UPDATE OF: every joined table's rows are locked
        return l;
    }
};

class oracle_hooks final : public dialect_hooks {
public:
    dorm::dialect kind() const override { return dialect::oracle; }
    std::string_view name() const override { return "oracle"; }
    std::size_t in_list_limit() const override { return 1000; }  // ORA-01795 past 1000 expressions
    void placeholder(std::string& out, int n) const override {
        out += ':';
        out += std::to_string(n);
    }
    std::string type_name(const schema::table& t, const schema::column& c) const override {
        switch (c.type) {
            case column_type::boolean: return "NUMBER(1)";
            case column_type::integer: return int_type(c.int_bytes, "NUMBER(3)", "NUMBER(5)", "NUMBER(10)", "NUMBER(19)");
            case column_type::real: return c.int_bytes == 4 ? "BINARY_FLOAT" : "BINARY_DOUBLE";
            case column_type::text:
                if (c.length > 0) return "VARCHAR2(" + std::to_string(c.length) + " CHAR)";
                if (c.primary_key || c.unique || c.index || c.references)
                    throw argument_error("dorm: (in table '" + t.name + "', column '" + c.name +
                                         "') an unbounded string is a CLOB on dialect oracle, which cannot be a key "
                                         "or indexed: declare the member with dorm::varchar(n) in DORM_TABLE (" +
                                         t.type_name + "::" + c.member + ")");
                return "CLOB";
            case column_type::blob: return "BLOB";
            case column_type::timestamp: return "TIMESTAMP";
            case column_type::date: return "DATE";
        }
        return "CLOB";
    }
    std::string autoincrement_type(const schema::column& c) const override {
        return int_type(c.int_bytes, "NUMBER(3)", "NUMBER(5)", "NUMBER(10)", "NUMBER(19)") +
               " GENERATED BY DEFAULT AS IDENTITY NOT NULL";
    }
    bool use_returning() const override { return true; }
    void limit_offset(std::string& out, const std::string& lim, const std::string& off) const override {
        if (!off.empty()) out += " \nOFFSET " + off + " ROWS";
        if (!lim.empty()) out += " \nFETCH FIRST " + lim + " ROWS ONLY";
    }
    int distinct_from_style() const override { return 2; }
    int upsert_style() const override { return -1; }
    bool needs_dual() const override { return true; }
    bool has_isolation(isolation level) const override {
        return level == isolation::read_committed || level == isolation::serializable;
    }
    bool begin_statements(isolation level, std::vector<std::string>& out) const override {
        out.push_back("SET TRANSACTION ISOLATION LEVEL " + std::string(isolation_name(level)));
        return true;
    }
    std::size_t max_identifier_length() const override { return 128; }
    std::string add_column(const std::string& table, const std::string& definition) const override {
        std::string out = "ALTER TABLE ";
        quote(out, table);
        return out + " ADD (" + definition + ")";
    }
    std::vector<std::string> alter_column(const std::string& table, const column_def& c, char what) const override {
        std::string out = "ALTER TABLE ";
        quote(out, table);
        out += " MODIFY (";
        quote(out, c.name);
        switch (what) {
            case 't': out += ' ' + c.type; break;
            case 'n': out += c.nullable ? " NULL" : " NOT NULL"; break;
            default: out += " DEFAULT " + (c.default_sql.empty() ? std::string("NULL") : c.default_sql); break;
        }
        return {out + ")"};
    }
    // Oracle's foreign keys know ON DELETE CASCADE / SET NULL only, and no ON UPDATE
    std::string fk_action_words(fk_action a, bool on_update) const override {
        if (a == fk_action::no_action) return {};
        if (on_update || a == fk_action::restrict || a == fk_action::set_default)
            throw argument_error(std::string("dorm: dialect oracle has no foreign key action ") +
                                 (on_update ? "ON UPDATE " : "ON DELETE ") + dialect_hooks::fk_action_words(a, on_update) +
                                 " (it knows ON DELETE CASCADE and ON DELETE SET NULL)");
        return dialect_hooks::fk_action_words(a, on_update);
    }
    lock_spelling locking() const override {
        lock_spelling l;
        l.share = " FOR UPDATE";  // Oracle has no shared row locks
        l.of = lock_spelling::of_kind::key_columns;  // FOR UPDATE OF takes columns
        return l;
    }
};

}  // namespace

const dialect_hooks& hooks(dorm::dialect d) {
    static const sqlite_hooks sqlite;
    static const postgresql_hooks postgresql;
    static const mysql_hooks mysql;
    static const oracle_hooks oracle;
    switch (d) {
        case dialect::sqlite: return sqlite;
        case dialect::postgresql: return postgresql;
        case dialect::mysql: return mysql;
        case dialect::oracle: return oracle;
    }
    throw argument_error("dorm: unknown dialect");
}

}  // namespace dorm::detail
