#pragma once
/// @file lib/sqlite/sqlite_errors.hpp
/// SQLite result codes as dorm errors (extended codes pick the integrity_error subclass); the
/// message is SQLAlchemy's `(sqlite3.X) message\n[SQL: ...]`.
#include <string_view>

struct sqlite3;

namespace dorm::driver::sqlite {

inline constexpr std::string_view integrity = "sqlite3.IntegrityError";
inline constexpr std::string_view operational = "sqlite3.OperationalError";
inline constexpr std::string_view programming = "sqlite3.ProgrammingError";
inline constexpr std::string_view data = "sqlite3.DataError";

/// Throws the dorm error for SQLite result code `rc` on `db` (extended code taken from `db`).
/// `at_prepare` marks errors raised while compiling SQL (SQLITE_ERROR there is a programming_error).
[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view sql, bool at_prepare);

}  // namespace dorm::driver::sqlite
