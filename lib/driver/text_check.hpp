#pragma once
/// @file lib/driver/text_check.hpp
/// Text a server cannot store exactly, refused before any SQL is sent (the server's own error
/// would not say which column): PostgreSQL text holds no NUL byte and only valid UTF-8, MariaDB's
/// utf8mb4 only valid UTF-8. The drivers check every text they bind; the SQL printer checks where
/// it knows the column, so that the error names it.
#include <string_view>

namespace dorm::detail {

/// What a server's text type stores exactly (the default: any bytes, as SQLite's TEXT does).
struct text_storage {
    bool nul = true;             ///< a NUL (0x00) byte
    bool invalid_utf8 = true;    ///< bytes that are not well-formed UTF-8
    std::string_view name = "";  ///< how an error names the type, e.g. "PostgreSQL text"
};
/// PostgreSQL text: valid UTF-8 without NUL (the databases dorm creates are UTF8).
inline constexpr text_storage postgresql_text{false, false, "PostgreSQL text"};
/// MariaDB's utf8mb4 text: valid UTF-8.
inline constexpr text_storage mariadb_text{true, false, "MariaDB's utf8mb4 text"};

/// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s) noexcept;

/// Refuses text that `storage` cannot hold exactly. @throws data_error.
void check_text_storable(std::string_view v, const text_storage& storage);

}  // namespace dorm::detail
