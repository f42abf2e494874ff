#pragma once
// Internals of the schema diff shared between lib/schema/diff.cpp, rebuild.cpp and upgrade.cpp.
#include <map>
#include <span>
#include <string>
#include <vector>

#include <dorm/error.hpp>
#include <dorm/schema/diff.hpp>
#include <dorm/schema/inspect.hpp>
#include <dorm/schema/table.hpp>

namespace dorm::schema {

/// The parts each lossy SQLite table rebuild refuses, by table: one entry per part (column,
/// what, why), as the other backends' separate operations give them (upgrade()'s
/// migration_error::refused() lists these instead of the one rebuild).
using rebuild_refusals = std::map<std::string, std::vector<refused_operation>>;

/// diff(), also filling `refusals` (when not null).
schema_diff diff(const live_schema& live, std::span<const table* const> tables, dialect d, const diff_options& options,
                 const data_probe* probe, rebuild_refusals* refusals);

/// SQLite's table-rebuild recipe (https://www.sqlite.org/lang_altertable.html#otheralter) for
/// giving `live` the shape of the model `t`: create the new table under a temporary name, copy
/// the columns both have, drop the old table, rename the new one, create the model's indexes.
/// Foreign keys must be OFF around it and checked (PRAGMA foreign_key_check) before COMMIT:
/// upgrade() and the migrations runner do both.
std::vector<std::string> rebuild_statements(const table& t, const live_table& live);
/// The same recipe back to the live table's own CREATE TABLE text and indexes (the down step),
/// from the table `rebuilt` made (the columns it lacks come back empty).
std::vector<std::string> rebuild_back_statements(const live_table& live, const table& rebuilt);

}  // namespace dorm::schema
