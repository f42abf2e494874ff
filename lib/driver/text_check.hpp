#pragma once
/// @file lib/driver/text_check.hpp
/// Text a server cannot store exactly, refused before any SQL is sent (the server's own error
/// would not say which column): PostgreSQL text holds no NUL byte and only valid UTF-8, MariaDB's
/// utf8mb4 only valid UTF-8. The drivers check every text they bind; the SQL printer checks where
/// it knows the column, so that the error names it.
#include <string_view>

#include <dorm/dialect/dialect.hpp>

namespace dorm::detail {

/// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s) noexcept;

/// Refuses text the server of dialect `d` cannot store exactly. @throws data_error.
void check_text_storable(std::string_view v, dorm::dialect d);

}  // namespace dorm::detail
