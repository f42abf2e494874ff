#pragma once
/// @file lib/postgres/postgres_driver.hpp
/// The PostgreSQL driver (libpq): its entry point. Every driver::statement is a named server-side
/// prepared statement; parameters go as text (the server infers their types from the SQL), blobs
/// as binary bytea; results come back in text format and are parsed on access. The parts:
/// postgres_session (the PGconn shared by a connection and its statements, every wait for the
/// server), postgres_errors (libpq errors as dorm errors), postgres_statement (prepare and run),
/// postgres_pipeline (queued executions), postgres_values (binding and reading values),
/// postgres_connection (connection setup and commands).
#include <memory>

#include <dorm/driver/driver.hpp>

namespace dorm {
struct url;
}

namespace dorm::driver::postgres {

/// Opens a libpq connection for a `postgresql://user:password@host:port/db?key=value` URL.
/// Query entries are passed to libpq as connection keywords (sslmode, connect_timeout, ...).
/// @throws argument_error for an unknown keyword, operational_error when the server cannot be reached.
std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options);

/// The most parameters one statement can have through libpq: every statement is described after
/// it is prepared (PQdescribePrepared), and libpq (15, at least) drops the connection ("lost
/// synchronization with server") on a ParameterDescription message over 30000 bytes: 6 + 4 bytes
/// per parameter, so 7498 (7499 fail). statement::prepare_named refuses more with an argument_error.
inline constexpr int max_statement_params = 7498;

}  // namespace dorm::driver::postgres
