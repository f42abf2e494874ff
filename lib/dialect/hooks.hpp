#pragma once
// Per-dialect hooks of the one SQL printer (lib/query/compile.cpp) and the DDL printer
// (lib/schema/ddl.cpp). A dialect overrides only what differs from the SQL-standard default.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/dialect/dialect.hpp>
#include <dorm/engine/isolation.hpp>
#include <dorm/query/ast.hpp>
#include <dorm/schema/table.hpp>

namespace dorm::detail {

class dialect_hooks {
public:
    virtual ~dialect_hooks() = default;
    virtual dorm::dialect kind() const = 0;

    /// Appends a quoted identifier ("x" by default).
    virtual void quote(std::string& out, std::string_view ident) const;
    /// Appends the n-th (1-based) positional placeholder (`?` by default).
    virtual void placeholder(std::string& out, int n) const;
    /// The SQL type of a column (without NULL / NOT NULL).
    virtual std::string type_name(const schema::table& t, const schema::column& c) const = 0;
    /// The full type and key words of an autoincrement primary key column.
    virtual std::string autoincrement_type(const schema::column& c) const = 0;
    /// Whether INSERT ... RETURNING is used to read generated keys.
    virtual bool use_returning() const { return false; }
    /// Appends LIMIT/OFFSET; the values are already bound by the caller through `bind`.
    /// `lim`/`off` are the placeholder texts (empty when absent).
    virtual void limit_offset(std::string& out, const std::string& lim, const std::string& off) const;
    /// Native ILIKE (PostgreSQL) or lower(x) LIKE lower(y).
    virtual bool native_ilike() const { return false; }
    /// `a IS DISTINCT FROM b` spelling: 0 standard, 1 MySQL `NOT (a <=> b)`, 2 Oracle DECODE.
    virtual int distinct_from_style() const { return 0; }
    /// Upsert: 0 ON CONFLICT (SQLite/PostgreSQL), 1 ON DUPLICATE KEY UPDATE (MySQL), -1 unsupported.
    virtual int upsert_style() const { return 0; }
    /// ` COLLATE x` after a column's type when the column names a collation the dialect takes.
    virtual std::string collation_clause(const schema::column&) const { return {}; }
    /// Text appended after CREATE TABLE (...) (e.g. MySQL's engine/charset).
    virtual std::string table_suffix() const { return {}; }
    /// Whether `FROM DUAL` is needed for a SELECT without tables.
    virtual bool needs_dual() const { return false; }
    /// The dialect's name of a SQL function (dorm::length() counts characters everywhere:
    /// MySQL's length() counts bytes, its char_length() characters).
    virtual std::string_view function_name(std::string_view name) const { return name; }
    /// Whether the dialect renders booleans as TRUE/FALSE literal-capable (unused for params).
    virtual std::string_view name() const = 0;

    // -- long IN lists (issue 16 item 3) ---------------------------------------------------------
    /// A list of values sent as ONE parameter: printed as `lhs` + before + placeholder + after.
    struct list_param {
        std::string before, after;
        value param;
    };
    /// The one-parameter form of `lhs IN (values...)` (`negated`: NOT IN), or nullopt to print the
    /// list inline (the default). A dialect answers only for lists too long for its parameter
    /// limit and only where its form is exact for every value given. `c` is the column on the left
    /// (nullptr when the left side is another expression).
    virtual std::optional<list_param> in_list_param(std::span<const value* const> /*values*/, bool /*negated*/,
                                                    const schema::column* /*c*/) const {
        return std::nullopt;
    }
    /// Values per inline IN list (0: no limit); a longer list is printed as ORed lists (Oracle: 1000).
    virtual std::size_t in_list_limit() const { return 0; }

    // -- contains / starts_with / ends_with (issue 16 item 4) --------------------------------------
    /// The exact form of a text match, with `{x}` for the text and `{v}` for the value (each one
    /// printed where it appears), or nullptr for `x LIKE pattern ESCAPE '/'` (the default: exact
    /// where LIKE compares case and every byte, as PostgreSQL's and MariaDB's binary collation do).
    virtual const char* text_match_form(ast::text_match) const { return nullptr; }

    // -- transactions and row locks (issue 14) ---------------------------------------------------
    /// Whether `level` exists on this dialect (the three SQL levels by default).
    virtual bool has_isolation(isolation level) const {
        return level == isolation::read_committed || level == isolation::repeatable_read ||
               level == isolation::serializable;
    }
    /// The statements that begin one transaction at `level` (SQL standard: one
    /// `START TRANSACTION ISOLATION LEVEL ...`), or false when the dialect cannot give one
    /// transaction its own level: then the connection's level is set (connection_isolation_sql)
    /// before a plain BEGIN.
    virtual bool begin_statements(isolation level, std::vector<std::string>& out) const;
    /// A statement that sets `level` for every later transaction of a connection (the engine's
    /// level, run once when the engine opens it), or empty when the level must be given at each BEGIN.
    virtual std::string connection_isolation_sql(isolation) const { return {}; }
    /// A statement that gives a connection the server's default level back (after
    /// connection_isolation_sql set another one for a transaction).
    virtual std::string connection_isolation_reset_sql() const { return {}; }
    /// How SELECT ... FOR UPDATE is spelled.
    struct lock_spelling {
        bool rows = true;                      ///< false: the dialect cannot lock rows (nothing is printed)
        const char* update = " FOR UPDATE";
        const char* share = " FOR SHARE";      ///< read locks
        enum class of_kind : unsigned char { tables, key_columns, ignored } of = of_kind::tables;
        bool nowait = true, skip_locked = true;
    };
    virtual lock_spelling locking() const { return {}; }

    // -- schema evolution (issue 15): ALTER spellings; the standard/PostgreSQL one by default -----
    /// The longest identifier the dialect keeps (PostgreSQL silently truncates at 63 bytes,
    /// MariaDB refuses past 64): generated constraint names are shortened to fit.
    virtual std::size_t max_identifier_length() const { return 63; }
    /// ALTER TABLE t ADD COLUMN <definition>.
    virtual std::string add_column(const std::string& table, const std::string& definition) const;
    /// ALTER TABLE t DROP COLUMN c.
    virtual std::string drop_column(const std::string& table, const std::string& column) const;
    /// A column as DDL needs it: quoted name, SQL type, DEFAULT expression (empty: none), nullability.
    struct column_def {
        std::string name, type, default_sql;
        bool nullable = true;
    };
    /// The statements that give column `c` of `table` the type / nullability / default of `c`
    /// (`what`: 't', 'n' or 'd'; `c` is the whole new definition), or empty when the dialect
    /// cannot ALTER it (SQLite: rebuild the table).
    virtual std::vector<std::string> alter_column(const std::string& table, const column_def& c, char what) const;
    /// DROP INDEX for index `name` of table `t`.
    virtual std::string drop_index(const std::string& table, const std::string& name) const;
    /// Drops constraint `name` of `table`; `kind` is 'u' (unique), 'f' (foreign key) or 'c' (check).
    /// Empty when the dialect cannot (SQLite: rebuild).
    virtual std::string drop_constraint(const std::string& table, char kind, const std::string& name) const;
    /// ALTER TABLE t ADD <clause> for a table constraint, or empty when the dialect cannot (SQLite).
    virtual std::string add_constraint(const std::string& table, const std::string& clause) const;
    /// The ON DELETE / ON UPDATE words of an action (empty: the default, NO ACTION).
    /// @throws argument_error for an action the dialect lacks.
    virtual std::string fk_action_words(fk_action a, bool on_update) const;
    /// Whether the catalog's action `live` is what the model's `model` creates (InnoDB reports
    /// the default NO ACTION as RESTRICT, which it is there).
    virtual bool same_fk_action(fk_action model, fk_action live) const { return model == live; }
    /// CREATE INDEX for a foreign key that must keep an index while the one serving it is dropped,
    /// or empty when the dialect needs none (InnoDB refuses to drop the last index that starts
    /// with a foreign key's columns: error 1553).
    virtual std::string foreign_key_index(const std::string&, const std::string&, const std::string&) const { return {}; }
};

/// The hooks of a dialect (static instances).
const dialect_hooks& hooks(dorm::dialect d);

/// Literal for a DDL DEFAULT clause of column `c` (strings quoted with the dialect's escaping,
/// booleans as the dialect spells them).
std::string sql_literal(const value& v, const schema::column& c, dorm::dialect d);

}  // namespace dorm::detail
