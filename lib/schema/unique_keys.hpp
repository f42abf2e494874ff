#pragma once
// The unique keys of a table, as its column index lists: the primary key, each dorm::unique
// column, each unique constraint and unique index of table_args (each key once, in that order).
// An upsert's conflict target must be one (query/written_values.cpp); a session's upsert finds
// the rows it may update by them (session/bulk.cpp). Defined in schema/table.cpp.
#include <vector>

#include <dorm/schema/table.hpp>

namespace dorm::schema {

std::vector<std::vector<int>> unique_keys(const table& t);

}  // namespace dorm::schema
