#pragma once
/// @file dorm/schema/ddl.hpp
/// DDL for runtime table descriptions: CREATE/DROP statements per dialect and the
/// foreign-key dependency order. Compiled in lib/schema/ddl.cpp.
#include <span>
#include <string>
#include <vector>

#include <dorm/dialect/dialect.hpp>
#include <dorm/schema/table.hpp>

namespace dorm {
class engine;
}

namespace dorm::schema {

/// CREATE TABLE (and CREATE INDEX for `dorm::index` columns) for one table.
/// @throws argument_error when the dialect cannot express a column (e.g. an indexed
///         unbounded string on MySQL).
std::vector<std::string> create_statements(const table& t, dialect d);
/// DROP TABLE for one table.
std::string drop_statement(const table& t, dialect d);
/// Parents before children (foreign keys within `tables`; self-references are fine).
/// @throws argument_error naming the tables of a foreign-key cycle.
std::vector<const table*> sorted_by_dependency(std::span<const table* const> tables);
/// Creates the missing tables, parents first, in one transaction.
void create_all(const engine& e, std::span<const table* const> tables);
/// Drops the existing tables, children first, in one transaction.
void drop_all(const engine& e, std::span<const table* const> tables);
/// Every CREATE statement, parents first, separated by ";\n\n".
std::string ddl(std::span<const table* const> tables, dialect d);

}  // namespace dorm::schema
