#pragma once
/// @file dorm/schema/inspect.hpp
/// dorm::inspect(engine): the live schema of a database, read from its catalog
/// (SQLite: sqlite_master and the pragma table-valued functions; PostgreSQL: pg_catalog;
/// MariaDB: information_schema). The diff (dorm/schema/diff.hpp) compares it with the models.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/detail/lazy.hpp>
#include <dorm/dialect/dialect.hpp>
#include <dorm/reflect/options.hpp>

namespace dorm {

class engine;

/// A column as the database has it.
struct live_column {
    std::string name;
    /// The type as the catalog spells it: SQLite the declared type ("VARCHAR(30)", "INTEGER"),
    /// PostgreSQL format_type() ("character varying(30)", "bigint"), MariaDB COLUMN_TYPE
    /// ("varchar(30)", "int(11)", "tinyint(1)").
    std::string type;
    bool nullable = true;
    /// The DEFAULT expression as the catalog holds it ("0", "'abc'", "CURRENT_TIMESTAMP",
    /// PostgreSQL "'abc'::character varying", MariaDB "current_timestamp()"), or nothing. A
    /// sequence default of an autoincrement column is not reported here (see autoincrement). An
    /// explicit DEFAULT NULL is reported as no default on every backend (MariaDB's catalog cannot
    /// tell the two apart, and they behave alike). A generated column reports no default
    /// (its expression is not one).
    std::optional<std::string> default_sql;
    bool primary_key = false;
    /// The database generates it: SQLite INTEGER PRIMARY KEY (rowid), PostgreSQL serial or
    /// identity, MariaDB AUTO_INCREMENT.
    bool autoincrement = false;

    friend bool operator==(const live_column&, const live_column&) = default;
};

/// An index (not the primary key's; unique constraints are listed in live_table::uniques).
struct live_index {
    std::string name;
    std::vector<std::string> columns;  ///< in index order; an expression part is "(expression)"
    bool unique = false;

    friend bool operator==(const live_index&, const live_index&) = default;
};

/// A UNIQUE constraint (on MariaDB, every unique index that is not the primary key).
struct live_unique {
    std::string name;  ///< empty on SQLite for an unnamed constraint
    std::vector<std::string> columns;

    friend bool operator==(const live_unique&, const live_unique&) = default;
};

/// A foreign key.
struct live_foreign_key {
    std::string name;  ///< empty on SQLite for an unnamed constraint
    std::vector<std::string> columns;
    /// The referred table as it is named in the catalog (SQLite and MariaDB with
    /// lower_case_table_names resolve the REFERENCES name case-insensitively: the table's own
    /// spelling is reported).
    std::string referred_table;
    /// In key order. SQLite: the referred table's primary key when REFERENCES names no columns.
    std::vector<std::string> referred_columns;
    /// As the catalog holds it. MariaDB reports a foreign key declared without an action (and
    /// one declared SET DEFAULT, which InnoDB ignores) as restrict; InnoDB enforces restrict and
    /// no_action alike, so a comparison on that backend should treat them as equal.
    fk_action on_delete = fk_action::no_action;
    fk_action on_update = fk_action::no_action;

    friend bool operator==(const live_foreign_key&, const live_foreign_key&) = default;
};

/// A CHECK constraint.
struct live_check {
    std::string name;        ///< empty on SQLite for an unnamed constraint
    std::string expression;  ///< as the catalog holds it (PostgreSQL and MariaDB normalise it)

    friend bool operator==(const live_check&, const live_check&) = default;
};

/// A table as the database has it. Its uniques, indexes, foreign keys and checks are each sorted
/// by name, then by columns (checks: by expression), so two inspections compare equal.
/// (Used as dorm::live_table: a template only so that a program that never inspects does not
/// compile its containers; see dorm/detail/lazy.hpp.)
template <class V = void>
struct basic_live_table {
    std::string name;
    std::vector<detail::lazy_t<live_column, V>> columns;       ///< in table order
    std::vector<std::string> primary_key;   ///< column names, in key order
    std::vector<detail::lazy_t<live_unique, V>> uniques;
    /// Excludes the indexes behind the primary key and unique constraints, and on MariaDB the
    /// index InnoDB creates for a foreign key (named after the constraint or, for an unnamed
    /// one, after its first column; see lib/schema/inspect_mysql.cpp). A PostgreSQL or SQLite
    /// CREATE UNIQUE INDEX is here with unique = true.
    std::vector<detail::lazy_t<live_index, V>> indexes;
    std::vector<detail::lazy_t<live_foreign_key, V>> foreign_keys;
    std::vector<detail::lazy_t<live_check, V>> checks;
    std::string sql;  ///< SQLite: the CREATE TABLE statement from sqlite_master; empty elsewhere
    /// SQLite: the CREATE TRIGGER statements of the table's triggers, in the order they were
    /// created (a table rebuild drops them with the old table and creates them again); empty elsewhere.
    std::vector<std::string> triggers;

    /// The column named `name` (exact match), or nullptr.
    const live_column* column(std::string_view name) const;

    friend bool operator==(const basic_live_table&, const basic_live_table&) = default;
};
using live_table = basic_live_table<>;

/// The tables of a database (the current schema / database on PostgreSQL and MariaDB; SQLite's
/// main database, not TEMP or ATTACHed ones), sorted by name (byte order). Internal tables are left out (sqlite_*; dorm's own dorm_migrations is listed).
/// (Used as dorm::live_schema; see basic_live_table.)
template <class V = void>
struct basic_live_schema {
    dorm::dialect dialect = dorm::dialect::sqlite;
    std::vector<detail::lazy_t<live_table, V>> tables;

    /// The table named `name` (exact match), or nullptr.
    const live_table* table(std::string_view name) const;

    friend bool operator==(const basic_live_schema&, const basic_live_schema&) = default;
};
using live_schema = basic_live_schema<>;

/// Reads the live schema of the engine's database on one connection of its pool (SQLite: in one
/// read transaction; PostgreSQL: in one REPEATABLE READ transaction; MariaDB's
/// information_schema has no snapshot). Statements are echoed like any others.
/// @throws database_error subclasses when the catalog cannot be read; unsupported_error on Oracle.
live_schema inspect(const engine& e);

}  // namespace dorm
