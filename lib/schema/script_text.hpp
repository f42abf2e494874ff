#pragma once
// Statements written as an SQL script (a migration file, schema_diff::sql()): each ended by `;`,
// a refused one commented out line by line, and SQLite's foreign-key switch around a rebuild.
#include <string>
#include <string_view>
#include <vector>

#include <dorm/dialect/dialect.hpp>

namespace dorm::schema {

/// The statement ended by `;` (not doubled when it has one already).
std::string terminated(std::string_view sql);

/// Appends the statements, each ended by `;`, every line behind `-- ` when `commented`.
void append_statements(std::string& out, const std::vector<std::string>& statements, bool commented);

/// `PRAGMA foreign_keys = OFF;` with the comment that says why, for a script of dialect `d` that
/// rebuilds a table (SQLite: dropping the old table would otherwise delete or orphan the rows
/// that reference it); empty when `d` needs no switch or `rebuilds` is false.
std::string foreign_keys_off_text(dialect d, bool rebuilds);

}  // namespace dorm::schema
