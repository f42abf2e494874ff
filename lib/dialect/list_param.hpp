#pragma once
// A list of values as ONE parameter (issue 16 item 3): the encodings the dialects' long-IN forms
// decode on the server (PostgreSQL `= ANY($1)`, SQLite json_each, MariaDB JSON_TABLE).
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <dorm/dialect/dialect.hpp>
#include <dorm/engine/value.hpp>

#include "driver/text_check.hpp"  // valid_utf8: the JSON list form carries only valid UTF-8 text

namespace dorm::detail {

/// Lists up to this many values stay inline (`IN (?, ?, ...)`: its SQL is cached by shape);
/// longer ones become one parameter where the dialect has a form for it. PostgreSQL's budget is
/// small (7,498 parameters per statement, see postgres_driver.hpp): 500 keeps the selectin
/// loader's chunks (loaders.hpp selectin_chunk) inline and cached, and leaves room for 14 such
/// lists in one statement. SQLite's budget (250,000 in Debian's build, 32,766 upstream) and
/// MariaDB's (65,535) are larger.
inline constexpr std::size_t inline_list_max_postgresql = 500;
inline constexpr std::size_t inline_list_max = 1000;

/// PostgreSQL array literal: `{1,NULL,"a\"b","\\x00ff"}`; every element is the text the driver
/// would send for it alone (text quoted with `"` and `\` escaped; bytea as \x hex).
/// @throws data_error for text holding a NUL byte (PostgreSQL text cannot store it).
std::string postgresql_array(std::span<const value* const> values);

/// A JSON array of the values: integers and finite reals as numbers, NULL as null; text as JSON
/// strings (`hex` false: bytes >= 0x80 as they are) or text and blobs as hex digit strings
/// (`hex` true). nullopt when a value has no exact form (NaN/infinity; without `hex`: a blob or
/// text holding a NUL byte).
std::optional<std::string> json_array(std::span<const value* const> values, bool hex);

/// The kind shared by the list's non-null values (null when all are null), or nullopt when they differ.
std::optional<value_kind> common_kind(std::span<const value* const> values);

}  // namespace dorm::detail
