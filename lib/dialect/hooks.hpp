#pragma once
// Per-dialect hooks: every difference between the dialects, for the one SQL printer
// (lib/query/print_*.cpp), the text() scanner, the DDL printer (lib/schema/ddl.cpp), the schema
// diff and the migration runner. A dialect (lib/dialect/<name>.cpp) overrides only what differs
// from the SQL-standard default (lib/dialect/hooks.cpp); nothing outside lib/dialect asks which
// dialect it prints for.
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

#include "driver/text_check.hpp"

namespace dorm::detail {

class dialect_hooks {
public:
    virtual ~dialect_hooks() = default;
    /// The dialect these hooks spell, to pass on (never compared outside lib/dialect: ask a hook).
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
    /// Whether a flush may write the new rows of a table as one INSERT ... VALUES (...), (...)
    /// and give the generated keys back to the objects by order: the keys one such statement
    /// generates ascend in the order of its VALUES rows by a fixed step (multi_row_insert_check),
    /// and the driver's last insert id is the first row's or the last row's
    /// (last_insert_id_is_first_row).
    virtual bool multi_row_insert_keys() const { return false; }
    /// The query (one row, one integer) that tells the step between the keys of one multi-row
    /// INSERT into t of up to `rows` rows (0: the keys cannot be told apart by order now; the
    /// flush then writes t's rows one statement each), its parameters into `params`. Run once per
    /// table and flush, inside its transaction, before its first multi-row INSERT with generated
    /// keys.
    virtual std::string multi_row_insert_check(const schema::table& /*t*/, std::size_t /*rows*/,
                                               std::vector<value>& /*params*/) const {
        return {};
    }
    /// After a multi-row INSERT: the driver's last insert id is the key of its first row (MariaDB,
    /// like LAST_INSERT_ID()), not of its last (SQLite).
    virtual bool last_insert_id_is_first_row() const { return false; }
    /// Appends LIMIT/OFFSET; the values are already bound by the caller through `bind`.
    /// `lim`/`off` are the placeholder texts (empty when absent).
    virtual void limit_offset(std::string& out, const std::string& lim, const std::string& off) const;
    /// Native ILIKE (PostgreSQL) or lower(x) LIKE lower(y).
    virtual bool native_ilike() const { return false; }
    /// What the dialect's text type stores exactly: the SQL printer refuses other text where it
    /// knows the column, so that the error names it (the driver refuses it too, without the name).
    virtual text_storage stored_text() const { return {}; }
    /// How `a IS [NOT] DISTINCT FROM b` (NULL-safe comparison) is spelled.
    enum class distinct_from_spelling : unsigned char {
        standard,         ///< a IS DISTINCT FROM b
        null_safe_equal,  ///< NOT (a <=> b) (MariaDB)
        decode,           ///< DECODE(a, b, 1, 0) = 0: DECODE treats two NULLs as equal (Oracle)
    };
    virtual distinct_from_spelling distinct_from() const { return distinct_from_spelling::standard; }
    /// How an INSERT that meets a duplicate key is spelled (insert::on_conflict).
    enum class upsert_spelling : unsigned char {
        on_conflict,       ///< ON CONFLICT (cols) DO NOTHING / DO UPDATE SET c = excluded.c (SQLite, PostgreSQL)
        on_duplicate_key,  ///< INSERT IGNORE / ON DUPLICATE KEY UPDATE c = VALUES(c) (MariaDB)
        unsupported,       ///< unsupported_error
    };
    virtual upsert_spelling upsert() const { return upsert_spelling::on_conflict; }
    /// How text concatenation is spelled.
    enum class concat_spelling : unsigned char {
        pipes,     ///< a || b
        function,  ///< concat(a, b) (MariaDB: || is OR)
    };
    virtual concat_spelling concat() const { return concat_spelling::pipes; }
    /// How the remainder `a % b` is spelled.
    enum class modulo_spelling : unsigned char {
        percent,       ///< a % b
        mod_function,  ///< MOD(a, b) (Oracle)
    };
    virtual modulo_spelling modulo() const { return modulo_spelling::percent; }
    /// How the division of two integers is spelled so that it truncates, as in C++.
    enum class integer_division_spelling : unsigned char {
        slash,           ///< a / b (integers divide truncating: SQLite, PostgreSQL)
        div_operator,    ///< a DIV b (MariaDB's / is exact)
        trunc_quotient,  ///< TRUNC(a / b) (Oracle's / is exact)
    };
    virtual integer_division_spelling integer_division_operator() const { return integer_division_spelling::slash; }
    /// What introduces a table's alias in FROM / JOIN: ` AS ` (standard) or ` ` (Oracle takes no AS there).
    virtual const char* table_alias_keyword() const { return " AS "; }
    /// Whether a bare boolean value (a column, a parameter) is a condition by itself; false: it is
    /// compared with 1 (NOT x: with 0), the dialect having no boolean type (Oracle's NUMBER(1)).
    virtual bool bare_boolean_conditions() const { return true; }
    /// Whether limit_offset prints OFFSET before LIMIT (Oracle: OFFSET n ROWS FETCH FIRST m ROWS
    /// ONLY); the printer binds the two values in the order they are printed.
    virtual bool offset_before_limit() const { return false; }
    /// Whether an INSERT of no columns is `INSERT INTO t DEFAULT VALUES` (standard) or
    /// `INSERT INTO t () VALUES ()` (MariaDB).
    virtual bool insert_default_values() const { return true; }

    /// What ends a literal, a quoted identifier or a comment: the text() parameter scanner and the
    /// migration script splitter skip those. `'...'`, `"..."`, `-- ` and `/* */` (SQL standard)
    /// and MariaDB's backticks are known everywhere.
    struct sql_lexing {
        bool backslash_escapes = false;         ///< '...' and "..." take \x escapes (MariaDB)
        bool escape_string_prefix = false;      ///< E'...' takes \x escapes (PostgreSQL)
        bool dollar_quoting = false;            ///< $tag$ ... $tag$ literals (PostgreSQL)
        bool nested_comments = false;           ///< /* /* */ */ nest (PostgreSQL)
        bool hash_comments = false;             ///< # to the end of the line (MariaDB)
        bool dash_comment_needs_space = false;  ///< only `-- ` (a space or control character after) is a comment (MariaDB)
        bool executable_comments = false;       ///< /*! ... */ and /*M! ... */ are SQL, not comments (MariaDB)
        bool bracket_identifiers = false;       ///< [identifier] (SQLite)
    };
    virtual sql_lexing lexing() const { return {}; }
    /// ` COLLATE x` after a column's type when the column names a collation the dialect takes.
    virtual std::string collation_clause(const schema::column&) const { return {}; }
    /// Text appended after CREATE TABLE (...) (e.g. MySQL's engine/charset).
    virtual std::string table_suffix() const { return {}; }
    /// Whether `FROM DUAL` is needed for a SELECT without tables.
    virtual bool needs_dual() const { return false; }
    /// The dialect's name of a SQL function (dorm::length() counts characters everywhere:
    /// MySQL's length() counts bytes, its char_length() characters).
    virtual std::string_view function_name(std::string_view name) const { return name; }
    /// A type the arguments of SQL function `name` are cast to (empty: none), so that its result is
    /// the same as elsewhere: MariaDB's AVG of integers is a DECIMAL with only 4 more digits
    /// (div_precision_increment), its AVG of doubles a double.
    virtual std::string_view function_argument_type(std::string_view) const { return {}; }
    /// What follows the placeholder of a floating-point value beside an integer expression
    /// (expr::typed_double): PostgreSQL infers an unknown parameter's type from the other operand
    /// and would read `2.5` as an integer; elsewhere the driver binds it as a double.
    virtual std::string_view double_cast() const { return {}; }
    /// The dialect's name, as dialect_name() spells it.
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
    /// (nullptr when the left side is another expression); `doubles` is set when the values are
    /// floating-point beside an integer expression (expr::typed_double).
    virtual std::optional<list_param> in_list_param(std::span<const value* const> /*values*/, bool /*negated*/,
                                                    const schema::column* /*c*/, bool /*doubles*/) const {
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
    /// The steps of a two-phase commit (dorm::binds::two_phase).
    enum class two_phase_step : unsigned char { prepare, commit, rollback };
    /// Whether NULL sorts above every value (ASC puts NULLs last: PostgreSQL, Oracle) or below
    /// (SQLite, MariaDB): how dorm merges ordered rows of several shards.
    virtual bool nulls_sort_high() const { return false; }
    /// A statement giving 1 when the database orders text by its bytes (the order dorm merges the
    /// text keys of several shards' rows in), else 0; empty when the backend always does for a
    /// column without dorm::collation (SQLite's BINARY, the utf8mb4_nopad_bin dorm gives MariaDB
    /// tables). PostgreSQL orders by the database's collation: byte order only under C / POSIX.
    virtual std::string text_orders_bytewise_sql() const { return {}; }
    /// Whether a column declared with dorm::collation(`name`) orders its text by its bytes (only
    /// MariaDB spells the option: collation_clause).
    virtual bool collation_is_bytewise(std::string_view /*name*/) const { return true; }
    /// Whether ORDER BY spells NULLS FIRST / NULLS LAST (MariaDB does not: dorm orders by
    /// `x IS NULL` before the item there).
    virtual bool nulls_first_last() const { return true; }
    /// Whether the backend has a two-phase commit dorm can use (two_phase_sql spells its steps).
    virtual bool two_phase_commit() const { return false; }
    /// The statement of one step for the transaction named `gid` (a name dorm makes: letters,
    /// digits and '-'); only asked for when two_phase_commit() is true.
    virtual std::string two_phase_sql(two_phase_step, std::string_view /*gid*/) const { return {}; }
    /// How SELECT ... FOR UPDATE is spelled.
    struct lock_spelling {
        bool rows = true;                      ///< false: the dialect cannot lock rows (nothing is printed)
        const char* update = " FOR UPDATE";
        const char* share = " FOR SHARE";      ///< read locks
        enum class of_kind : unsigned char { tables, key_columns, ignored } of = of_kind::tables;
        bool nowait = true, skip_locked = true;
    };
    virtual lock_spelling locking() const { return {}; }
    /// The level whose BEGIN takes the database's write lock, or nullopt where writers lock rows
    /// (SQLite: IMMEDIATE; run_in_transaction retries with it after a busy failure, since a deferred
    /// transaction that read and then could not write would fail the same way again).
    virtual std::optional<isolation> write_lock_isolation() const { return std::nullopt; }

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
    /// The statements that give the generated key `column` of `table` the integer type `type`
    /// (its sequence or counter included), or empty where a generated key is always 64-bit
    /// (SQLite's INTEGER PRIMARY KEY: nothing to change).
    virtual std::vector<std::string> alter_autoincrement_type(const std::string& /*table*/, const std::string& /*column*/,
                                                              const std::string& /*type*/) const {
        return {};
    }
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
    /// Whether a column's type cannot change while a foreign key uses it, on either side (InnoDB:
    /// errors 1832 and 1833): the diff drops those foreign keys first and adds them again after.
    virtual bool type_change_needs_foreign_keys_dropped() const { return false; }
    /// CREATE INDEX for a foreign key that must keep an index while the one serving it is dropped,
    /// or empty when the dialect needs none (InnoDB refuses to drop the last index that starts
    /// with a foreign key's columns: error 1553).
    virtual std::string foreign_key_index(const std::string&, const std::string&, const std::string&) const { return {}; }
    /// Whether ALTER TABLE ADD COLUMN can add `c` (`has_default`: it gets a DEFAULT); false: the
    /// column comes with a table rebuild (SQLite: not NOT NULL without a default, an expression
    /// default, a primary key, or REFERENCES with a default).
    virtual bool can_add_column(const schema::column& /*c*/, bool /*has_default*/) const { return true; }
    /// Whether ALTER TABLE DROP COLUMN can drop a column that is part of the primary key or of an
    /// index (`key_or_indexed`); false: a table rebuild (SQLite).
    virtual bool can_drop_column(bool /*key_or_indexed*/) const { return true; }
    /// Whether a new column's foreign key goes inline into its ADD COLUMN (REFERENCES ...), the
    /// dialect having no ALTER TABLE ADD CONSTRAINT (SQLite).
    virtual bool foreign_key_in_add_column() const { return false; }
    /// Whether a table rebuild runs with foreign keys switched off: PRAGMA foreign_keys = OFF before
    /// its transaction (inside one it does nothing), PRAGMA foreign_key_check before COMMIT, ON
    /// after; else dropping the old table would delete or orphan the rows that reference it (SQLite).
    virtual bool foreign_keys_off_for_rebuild() const { return false; }
    /// Whether DDL is transactional: a migration step and its record commit together. False: each
    /// DDL statement commits itself (MariaDB), so a failed step leaves what ran applied.
    virtual bool transactional_ddl() const { return true; }
    /// How dorm::migrations keeps two upgraders from applying the same step.
    struct migration_lock {
        /// The level each step's transaction begins with (IMMEDIATE takes SQLite's write lock).
        isolation step_isolation = isolation::read_committed;
        /// Run first in each step's transaction: a lock its end releases (empty: none).
        std::string step_lock;
        /// Without transactional DDL: a SELECT taking a lock held for the whole run, answering 1
        /// when it was granted within `run_lock_wait` seconds (empty: none), `run_lock_name` what
        /// an error calls it, and the statement that releases it.
        std::string run_lock, run_lock_name, run_unlock;
        int run_lock_wait = 0;
    };
    virtual migration_lock migration_locking() const { return {}; }

    // -- catalog type names (lib/schema/sql_type.cpp parses them; SQL standard by default) --------
    /// What a type name or DEFAULT expression means on this dialect where the words alone do not say.
    struct catalog_spelling {
        bool tinyint1_is_boolean = false;     ///< TINYINT(1) is BOOL (MariaDB)
        bool real_is_double = false;          ///< REAL is 8 bytes (MariaDB)
        bool float_precision_sets_size = false;  ///< FLOAT is 4 bytes up to FLOAT(24), then 8 (MariaDB); else FLOAT is 8
        bool bounded_text_types = false;      ///< TINYTEXT/TEXT/MEDIUMTEXT (and BLOBs) hold 255/65,535/16,777,215 bytes (MariaDB)
        bool timestamp_precision = true;      ///< false: timestamps are stored as text, without precision (SQLite)
        int timestamp_default_digits = 6;     ///< fractional-second digits of a TIMESTAMP that names none (MariaDB: 0)
        bool defaults_have_casts = false;     ///< DEFAULT expressions come as 'x'::type (PostgreSQL)
        bool boolean_literals = false;        ///< true/false are kept as words; else they are 1/0
    };
    virtual catalog_spelling catalog() const { return {}; }
};

/// The hooks of a dialect (static instances).
const dialect_hooks& hooks(dorm::dialect d);

/// Literal for a DDL DEFAULT clause of column `c` (strings quoted with the dialect's escaping,
/// booleans as the dialect spells them).
std::string sql_literal(const value& v, const schema::column& c, dorm::dialect d);

}  // namespace dorm::detail
