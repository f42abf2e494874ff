#pragma once
/// @file lib/mysql/mysql_errors.hpp
/// MariaDB / MySQL errors as dorm errors: the error number (then the SQLSTATE class) picks the
/// type; the message is SQLAlchemy's `(mysql.X) (code, "message")\n[SQL: ...]`.
#include <string>
#include <string_view>

struct st_mysql;

namespace dorm::driver::mysql {

struct session_state;

inline constexpr std::string_view integrity_label = "mysql.IntegrityError";
inline constexpr std::string_view operational_label = "mysql.OperationalError";
inline constexpr std::string_view programming_label = "mysql.ProgrammingError";
inline constexpr std::string_view data_label = "mysql.DataError";

/// `(mysql.IntegrityError) (1062, "Duplicate entry 'a' for key 'name'")\n[SQL: ...]`.
std::string coded_message(std::string_view label, unsigned code, std::string_view what, std::string_view sql);

/// Throws the dorm error for a MariaDB error. `session` (when known) is marked lost for the
/// client errors that mean the connection is gone, and gives the statement timeout that
/// explains a cancelled statement or a read that timed out.
[[noreturn]] void throw_error(unsigned code, const char* state, const char* msg, std::string_view sql,
                              session_state* session = nullptr);

/// throw_error for the last error on a connection handle.
[[noreturn]] void throw_conn_error(st_mysql* m, std::string_view sql, session_state* session = nullptr);

/// @throws operational_error (2006, 08003): the connection is closed.
[[noreturn]] void throw_closed(std::string_view sql);

}  // namespace dorm::driver::mysql
