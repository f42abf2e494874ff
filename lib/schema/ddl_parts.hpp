#pragma once
// The pieces of DDL shared by CREATE TABLE (lib/schema/ddl.cpp), the schema diff's ALTERs and
// SQLite's table rebuild (lib/schema/diff.cpp): one spelling of each piece for every user.
#include <string>
#include <string_view>
#include <vector>

#include <dorm/dialect/dialect.hpp>
#include <dorm/schema/table.hpp>

#include "dialect/hooks.hpp"

namespace dorm::schema::ddl_parts {

/// The DEFAULT expression of a column (literal or dorm::server_default), empty when none.
std::string default_sql(const column& c, dialect d);
/// The column as hooks::alter_column needs it.
detail::dialect_hooks::column_def column_def(const table& t, const column& c, dialect d);
/// `"name" TYPE [DEFAULT x] [NOT NULL]` (an autoincrement key: the dialect's spelling).
std::string column_definition(const table& t, const column& c, dialect d);
/// `FOREIGN KEY("c") REFERENCES "p" ("id")[ ON DELETE ...][ ON UPDATE ...]`.
std::string foreign_key_clause(const table& t, const column& c, dialect d);
/// `[CONSTRAINT "n" ]UNIQUE ("a", "b")` (column-level uniques are unnamed, as before).
std::string unique_clause(const table& t, const column_set& u, dialect d);
/// `CONSTRAINT "n" CHECK (expr)`.
std::string check_clause(const check_constraint& c, dialect d);
/// `CREATE [UNIQUE] INDEX "n" ON "t" ("a", "b")`.
std::string create_index(const table& t, const column_set& ix, dialect d);
/// Every index of a table: column-level dorm::index (`ix_<table>_<column>`) then table_args ones.
std::vector<column_set> indexes(const table& t);
/// Every UNIQUE constraint: column-level dorm::unique (unnamed) then table_args ones.
std::vector<column_set> uniques(const table& t);
/// A generated name shortened to the dialect's identifier limit (a hash keeps it unique).
std::string fit_name(const std::string& name, dialect d);
/// The column names of a column set.
std::vector<std::string> column_names(const table& t, const column_set& s);
/// `ident` quoted as dialect d quotes identifiers.
std::string quoted(dialect d, std::string_view ident);
/// `"a", "b"`: names quoted and joined (an entry in parentheses, an expression, as it is).
std::string quoted_list(dialect d, const std::vector<std::string>& names);

}  // namespace dorm::schema::ddl_parts
