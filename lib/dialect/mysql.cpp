// The MariaDB / MySQL dialect: what MariaDB spells differently from the SQL standard (see hooks.hpp).
#include "dialect/dialects.hpp"

#include <algorithm>

#include <dorm/detail/data_errors.hpp>
#include <dorm/error.hpp>

#include "dialect/list_param.hpp"

namespace dorm::detail {

namespace {

class mysql_hooks final : public dialect_hooks {
public:
    text_storage stored_text() const override { return mariadb_text; }
    dorm::dialect kind() const override { return dialect::mysql; }
    bool collation_is_bytewise(std::string_view name) const override {
        return name.empty() || name.ends_with("_nopad_bin") || name == "binary";
    }
    std::string_view name() const override { return "mysql"; }
    // A multi-row INSERT is a "simple insert" (its row count is known): InnoDB reserves its
    // AUTO_INCREMENT values as one consecutive block unless innodb_autoinc_lock_mode is 2
    // (interleaved); they step by auto_increment_increment (Galera sets it to the cluster size).
    // LAST_INSERT_ID() / mysql_stmt_insert_id is the first row's. A trigger cannot insert into
    // the table its statement writes (error 1442), so none can come in between.
    bool multi_row_insert_keys() const override { return true; }
    bool last_insert_id_is_first_row() const override { return true; }
    std::string multi_row_insert_check(const schema::table&, std::size_t, std::vector<value>& params) const override {
        params.clear();
        return "SELECT CASE WHEN @@innodb_autoinc_lock_mode < 2 THEN @@auto_increment_increment ELSE 0 END";
    }
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
    distinct_from_spelling distinct_from() const override { return distinct_from_spelling::null_safe_equal; }
    upsert_spelling upsert() const override { return upsert_spelling::on_duplicate_key; }
    concat_spelling concat() const override { return concat_spelling::function; }
    integer_division_spelling integer_division_operator() const override { return integer_division_spelling::div_operator; }
    bool insert_default_values() const override { return false; }
    sql_lexing lexing() const override {
        sql_lexing l;
        l.backslash_escapes = true;
        l.hash_comments = true;
        l.dash_comment_needs_space = true;
        l.executable_comments = true;
        return l;
    }
    catalog_spelling catalog() const override {
        catalog_spelling c;
        c.tinyint1_is_boolean = true;        // MariaDB's BOOL
        c.real_is_double = true;
        c.float_precision_sets_size = true;  // FLOAT is 4 bytes
        c.bounded_text_types = true;         // dorm writes LONGTEXT / LONGBLOB
        c.timestamp_default_digits = 0;      // DATETIME keeps no fraction unless told
        return c;
    }
    // DDL commits itself: a migration step cannot be one transaction with its record
    bool transactional_ddl() const override { return false; }
    // GET_LOCK, held for the whole run. Its names are server-wide: one lock per database (names are
    // limited to 64 characters); another upgrader may hold it 600 seconds before this one gives up.
    migration_lock migration_locking() const override {
        const std::string name = "CONCAT('dorm_migrations.', LEFT(COALESCE(DATABASE(), ''), 48))";
        migration_lock l;
        l.run_lock_wait = 600;
        l.run_lock = "SELECT GET_LOCK(" + name + ", " + std::to_string(l.run_lock_wait) + ")";
        l.run_lock_name = "GET_LOCK";
        l.run_unlock = "DO RELEASE_LOCK(" + name + ")";
        return l;
    }
    std::string_view function_name(std::string_view name) const override {
        return name == "length" ? "char_length" : name;
    }
    std::string_view function_argument_type(std::string_view name) const override {
        return name == "avg" ? "DOUBLE" : std::string_view();
    }
    // long lists: JSON_TABLE over a JSON array; numbers as BIGINT / DOUBLE, text and blobs as hex
    // (JSON cannot hold every byte string) decoded by UNHEX, text in the column's collation. The
    // decoded values go through a DISTINCT derived table: MariaDB gives it a key (derived_with_keys),
    // so each row is one lookup (without it: a scan of the list per row, minutes for 200,000 values
    // in an UPDATE). Its key is only right on a bounded column (a LONGTEXT one gets a 1-byte key
    // and finds nothing): longer texts are compared without the derived table, correct but slow.
    std::optional<list_param> in_list_param(std::span<const value* const> values, bool negated,
                                            const schema::column* c, bool) const override {
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
    /// ALTER TABLE t MODIFY COLUMN c <definition>.
    std::string modify_column(const std::string& table, const std::string& column, const std::string& definition) const {
        std::string out = "ALTER TABLE ";
        quote(out, table);
        out += " MODIFY COLUMN ";
        quote(out, column);
        out += ' ' + definition;
        return out;
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
    bool type_change_needs_foreign_keys_dropped() const override { return true; }
    bool nulls_first_last() const override { return false; }
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
    std::vector<std::string> alter_autoincrement_type(const std::string& table, const std::string& column,
                                                      const std::string& type) const override {
        return {modify_column(table, column, type + " NOT NULL AUTO_INCREMENT")};
    }
    // MODIFY COLUMN restates the whole column: type, default and nullability together
    std::vector<std::string> alter_column(const std::string& table, const column_def& c, char) const override {
        std::string definition = c.type;
        if (!c.default_sql.empty()) definition += " DEFAULT " + c.default_sql;
        definition += c.nullable ? " NULL" : " NOT NULL";
        return {modify_column(table, c.name, definition)};
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

}  // namespace

const dialect_hooks& mysql_dialect() {
    static const mysql_hooks hooks;
    return hooks;
}

}  // namespace dorm::detail
