#pragma once
// Internals of the schema diff shared between lib/schema/diff.cpp, rebuild.cpp and upgrade.cpp.
#include <string>
#include <vector>

#include <dorm/schema/inspect.hpp>
#include <dorm/schema/table.hpp>

namespace dorm::schema {

/// SQLite's table-rebuild recipe (https://www.sqlite.org/lang_altertable.html#otheralter) for
/// giving `live` the shape of the model `t`: create the new table under a temporary name, copy
/// the columns both have, drop the old table, rename the new one, create the model's indexes.
/// Foreign keys must be OFF around it and checked (PRAGMA foreign_key_check) before COMMIT:
/// upgrade() and the migrations runner do both.
std::vector<std::string> rebuild_statements(const table& t, const live_table& live);
/// The same recipe back to the live table's own CREATE TABLE text and indexes (the down step).
std::vector<std::string> rebuild_back_statements(const live_table& live);

}  // namespace dorm::schema
