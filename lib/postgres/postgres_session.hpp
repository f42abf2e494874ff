#pragma once
/// @file lib/postgres/postgres_session.hpp
/// What a PostgreSQL connection and its statements share (the PGconn, prepared-statement names,
/// the pipeline in progress) and every wait for the server: with a statement timeout the
/// connection is in libpq's nonblocking mode and each wait is bounded.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace dorm::driver::postgres {

/// Closes a PGconn (PQfinish). Never throws.
struct conn_deleter {
    void operator()(pg_conn* c) const noexcept;
};
/// Frees a PGresult (PQclear). Never throws.
struct result_deleter {
    void operator()(pg_result* r) const noexcept;
};
using conn_ptr = std::unique_ptr<pg_conn, conn_deleter>;
using result_ptr = std::unique_ptr<pg_result, result_deleter>;

class statement;

/// What a connection and its statements share: the PGconn, the prepared-statement name
/// counter and the names whose DEALLOCATE had to wait (a statement destroyed inside an
/// aborted transaction cannot deallocate right away).
struct session_state {
    conn_ptr conn;
    std::uint64_t next_id = 0;
    std::vector<std::string> pending_deallocate;
    /// The statement whose queued executions are on the wire or not read to their end: the
    /// connection is in pipeline mode until it settles.
    statement* pipeline = nullptr;

    /// Ends pipeline mode before another command: the executions `pipeline` queued are synced
    /// and their unread results discarded. Never throws.
    void settle() noexcept;

    /// Whether the connection is up and can run a command now (not in an aborted transaction).
    bool usable() const noexcept;
    /// Runs the DEALLOCATEs that had to wait. Never throws.
    void flush_pending() noexcept;

    // -- engine_options::statement_timeout ------------------------------------------------------
    /// Seconds (0: none). With a timeout the connection is in libpq's nonblocking mode and every
    /// wait for the server goes through await(): the server cancels a long statement itself
    /// (statement_timeout, SQLSTATE 57014); a server that does not answer at all within
    /// timeouts::client_wait is given up on: the connection is closed.
    double statement_timeout = 0;
    /// Set when await() gave up (the connection was closed).
    bool lost = false;
    /// Returns once PQgetResult will not block (everything sent, a result complete); without a
    /// timeout at once. @throws timeout_error after closing the connection when the server did
    /// not answer in time.
    void await(std::string_view sql);
    /// After a PQsend* call: reads the command's results to their end; the first error result, or
    /// the last result (PQexec's answer). Null when the connection failed.
    result_ptr collect(std::string_view sql);
    /// PQexec through await() (PQexec itself ignores nonblocking mode and could block forever).
    result_ptr exec(const char* sql);

    // -- transaction pooling (URL option transaction_pooling=true) -------------------------------
    /// Set behind a transaction-pooling proxy (PgBouncer): between transactions the proxy may hand
    /// this connection's commands to another server connection, where a named prepared statement
    /// does not exist (or another client's of the same name does) and session settings differ.
    /// Statements are then unnamed: described once (describe_unnamed) and run with
    /// PQsendQueryParams (Parse, Bind, Execute, Sync: one batch, one server connection).
    bool transaction_pooling = false;
    /// Parse and Describe of the unnamed statement in one pipeline, ended by one Sync (so the
    /// proxy keeps both on one server connection): the description (PGRES_COMMAND_OK), or the
    /// first error, or null when the connection failed.
    result_ptr describe_unnamed(const std::string& sql);
};

}  // namespace dorm::driver::postgres
