#pragma once
/// @file lib/postgres/postgres_errors.hpp
/// libpq's failures as dorm errors: the SQLSTATE class picks the error type (23 integrity, 42
/// programming, 22 data, 08 and a lost connection operational, 57014 under a statement timeout
/// timeout_error); the message is SQLAlchemy's `(postgresql.X) primary\nDETAIL:  ...\n[SQL: ...]`.
#include <string>
#include <string_view>

struct pg_conn;
struct pg_result;

namespace dorm::driver::postgres {

inline constexpr std::string_view integrity_label = "postgresql.IntegrityError";
inline constexpr std::string_view operational_label = "postgresql.OperationalError";
inline constexpr std::string_view programming_label = "postgresql.ProgrammingError";
inline constexpr std::string_view data_label = "postgresql.DataError";

/// A libpq message without its trailing newline.
std::string trim_message(std::string_view s);

/// Whether a failed execution of a prepared statement is PostgreSQL's "cached plan must not change
/// result type" (a column's type changed under it: ALTER TABLE ... TYPE). Recognised by SQLSTATE
/// and the reporting function, not the (translatable) message.
bool is_stale_plan(const pg_result* res) noexcept;

/// Throws the dorm error for a failed command. `res` may be null (libpq could not even send it).
/// `timeout`: the connection's statement timeout, which explains a cancelled statement (57014).
[[noreturn]] void throw_error(pg_conn* conn, const pg_result* res, std::string_view sql, double timeout = 0);

/// Fails (throw_error) unless the command succeeded; COPY is refused.
void check_result(pg_conn* conn, const pg_result* res, std::string_view sql, double timeout = 0);

/// @throws operational_error (08003): the connection is closed.
[[noreturn]] void throw_closed(std::string_view sql);

}  // namespace dorm::driver::postgres
