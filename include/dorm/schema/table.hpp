#pragma once
/// @file dorm/schema/table.hpp
/// The runtime description of a mapped table, built once per struct from its compile-time model
/// (see dorm/schema/table_of.hpp). Everything below the templates (DDL, the SQL printer, the
/// session's flush) works on these descriptions, so it is compiled once in lib/.
#include <optional>
#include <string>
#include <vector>

#include <dorm/engine/value.hpp>
#include <dorm/reflect/column_traits.hpp>
#include <dorm/reflect/options.hpp>

namespace dorm::schema {

struct table;

/// One column of a table.
struct column {
    // special members are defined in lib/ (not re-generated in every translation unit)
    column();
    column(const column&);
    column(column&&) noexcept;
    column& operator=(const column&);
    column& operator=(column&&) noexcept;
    ~column();

    std::string name;    ///< SQL name
    std::string member;  ///< C++ member name
    column_type type = column_type::integer;
    int int_bytes = 8;             ///< width of integer members (1, 2, 4, 8); 4 or 8 for floating point
    int length = 0;                ///< VARCHAR(n); 0 means unbounded text
    bool nullable = false;
    bool primary_key = false;
    bool autoincrement = false;    ///< the database generates it (single integer primary key, no FK)
    bool unique = false;
    bool index = false;
    std::optional<value> server_default;  ///< DDL DEFAULT <literal> (dorm::default_value)
    std::string server_default_sql;       ///< DDL DEFAULT <expression> (dorm::server_default), empty if none
    std::string collation;                ///< dorm::collation (MariaDB's name), empty: the table's (exact) one
    const table& (*references)() = nullptr;  ///< foreign key target table (lazy: tables may reference each other)
    int references_column = -1;              ///< index of the referenced column in that table
    fk_action on_delete = fk_action::no_action;  ///< dorm::on_delete (foreign keys only)
    fk_action on_update = fk_action::no_action;  ///< dorm::on_update (foreign keys only)
};

/// A table-level UNIQUE constraint or index over one or more columns.
struct column_set {
    std::string name;          ///< constraint or index name (never empty: dorm names it when the user did not)
    std::vector<int> columns;  ///< column indexes, in the order given
    bool unique = false;       ///< for indexes: CREATE UNIQUE INDEX
};

/// A CHECK constraint (column-level dorm::check is stored here as well, named after the column).
struct check_constraint {
    std::string name;        ///< never empty: `ck_<table>_<column>` or `ck_<table>_<n>` unless the user named it
    std::string expression;  ///< SQL, as the user wrote it
};

/// A mapped struct's table.
struct table {
    table();
    table(const table&);
    table(table&&) noexcept;
    table& operator=(const table&);
    table& operator=(table&&) noexcept;
    ~table();

    std::string name;       ///< SQL name
    std::string type_name;  ///< the C++ struct's name (for messages)
    std::vector<column> columns;
    std::vector<int> primary_key;  ///< column indexes, in declaration order
    int autoincrement_column = -1;
    int version_column = -1;  ///< dorm::version: the row's version counter (optimistic concurrency), or -1
    std::vector<column_set> uniques;        ///< multi-column UNIQUE constraints (table_args); column-level ones are column::unique
    std::vector<column_set> indexes;        ///< multi-column indexes (table_args); column-level ones are column::index
    std::vector<check_constraint> checks;   ///< CHECK constraints, column-level and table-level

    /// Index of the column whose C++ member is `member`, or -1.
    int find_member(std::string_view member) const;
    /// Index of the column named `name`, or -1.
    int find_column(std::string_view name) const;
};

}  // namespace dorm::schema
