#pragma once
// dorm::inspect's per-backend catalog readers (inspect_sqlite.cpp, inspect_postgresql.cpp,
// inspect_mysql.cpp; lib/schema/inspect.cpp dispatches on the dialect) and what they share.
// Each reader returns the tables in any order with their lists unsorted: inspect() sorts them.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/engine/engine.hpp>
#include <dorm/schema/inspect.hpp>

namespace dorm::detail::inspect {

/// One row of a catalog query, every column read as text (nullopt for NULL).
using catalog_row = std::vector<std::optional<std::string>>;

/// Runs a catalog query without parameters on `c` (echoed like any statement) and reads all of
/// its rows: the statement is released before the next query is prepared.
std::vector<catalog_row> query(connection& c, std::string_view sql);

/// Column `i` of a row as text ("" for NULL).
const std::string& text(const catalog_row& r, std::size_t i);
/// Column `i` of a row as an integer (PostgreSQL booleans "t"/"f" read as 1/0).
/// @throws operational_error when the catalog returned something else.
std::int64_t integer(const catalog_row& r, std::size_t i);

/// The referential action spelled as SQLite's pragma and information_schema spell it ("NO ACTION",
/// "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT").
/// @throws operational_error for another word.
fk_action fk_action_from_word(std::string_view word);

/// ASCII case-insensitive equality (SQLite identifiers; MariaDB table names under
/// lower_case_table_names).
bool iequals(std::string_view a, std::string_view b) noexcept;

/// `text` in parentheses unless the whole of it already is one parenthesised group: the spelling
/// of an expression part of an index.
std::string parenthesised(std::string_view text);

/// Tables by their exact name.
using table_map = std::map<std::string, live_table, std::less<>>;

/// The table called `name`: the exact name, else the one table whose name differs only in ASCII
/// case; nullptr when there is none (or several).
live_table* find_table(table_map& tables, std::string_view name);

live_schema read_sqlite(connection& c);
live_schema read_postgresql(connection& c);
live_schema read_mysql(connection& c);

}  // namespace dorm::detail::inspect
