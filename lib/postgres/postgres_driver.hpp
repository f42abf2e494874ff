#pragma once
/// @file lib/postgres/postgres_driver.hpp
/// The PostgreSQL driver (libpq). Every driver::statement is a named server-side prepared
/// statement; parameters go as text (the server infers their types from the SQL), blobs as
/// binary bytea; results come back in text format and are parsed on access.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/driver/driver.hpp>

struct pg_conn;
struct pg_result;

namespace dorm {
struct url;
}

namespace dorm::driver::postgres {

/// Opens a libpq connection for a `postgresql://user:password@host:port/db?key=value` URL.
/// Query entries are passed to libpq as connection keywords (sslmode, connect_timeout, ...).
/// @throws argument_error for an unknown keyword, operational_error when the server cannot be reached.
std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options);

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

/// What a connection and its statements share: the PGconn, the prepared-statement name
/// counter and the names whose DEALLOCATE had to wait (a statement destroyed inside an
/// aborted transaction cannot deallocate right away).
class statement;

/// The most parameters one statement can have through libpq: every statement is described after
/// it is prepared (PQdescribePrepared), and libpq (15, at least) drops the connection ("lost
/// synchronization with server") on a ParameterDescription message over 30000 bytes: 6 + 4 bytes
/// per parameter, so 7498 (7499 fail). statement::prepare_named refuses more with an argument_error.
inline constexpr int max_statement_params = 7498;

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
};

/// A named prepared statement on one connection.
class statement final : public driver::statement {
public:
    /// Prepares `sql` on the server (PQprepare + PQdescribePrepared).
    statement(std::shared_ptr<session_state> state, std::string_view sql);
    ~statement() override;

    int param_count() const override { return nparams_; }
    void bind_null(int i) override;
    void bind_int(int i, std::int64_t v) override;
    void bind_double(int i, double v) override;
    void bind_text(int i, std::string_view v) override;
    void bind_blob(int i, std::span<const std::byte> v) override;

    bool step() override;
    void reset() override;
    std::int64_t rows_affected() override { return affected_; }
    /// @throws unsupported_error: the PostgreSQL dialect uses RETURNING.
    std::int64_t last_insert_id() override;

    int column_count() override;
    std::string_view column_name(int c) override;
    bool is_null(int c) override;
    value_kind column_kind(int c) override;
    std::int64_t get_int(int c) override;
    double get_double(int c) override;
    std::string_view get_text(int c) override;
    std::span<const std::byte> get_blob(int c) override;

    const std::string& sql() const override { return sql_; }

    bool can_queue() const override { return true; }
    void queue() override;
    void next_queued() override;

private:
    void check_index(int i);
    void execute();
    /// PQexecPrepared with the bound parameters, through session_state::await with a timeout.
    result_ptr run_prepared();
    /// PQprepare + PQdescribePrepared under a new name (the constructor, and after a schema change).
    void prepare_named();
    /// Prepares the statement anew (its old server-side statement is deallocated when possible).
    void prepare_again();
    /// Ends a pipeline whose results were not collected (an abandoned batch): sync, drain, exit.
    void abandon_queue() noexcept;
    friend struct session_state;
    const pg_result* meta() const noexcept;
    unsigned column_type(int c) const noexcept;
    std::string_view raw(int c) const noexcept;

    std::shared_ptr<session_state> state_;
    std::string sql_;
    std::string name_;
    result_ptr desc_;  ///< PQdescribePrepared: parameter and column types
    result_ptr res_;   ///< the current execution's rows
    int ncols_ = 0;                ///< result columns (as described at prepare time)
    std::vector<unsigned> types_;  ///< their type oids
    int nparams_ = 0;
    std::vector<std::string> storage_;  ///< NUL-terminated text of each parameter
    std::vector<const char*> values_;
    std::vector<int> lengths_;
    std::vector<int> formats_;
    bool executed_ = false;
    int row_ = -1;
    int nrows_ = 0;
    std::int64_t affected_ = 0;
    int queued_ = 0;  ///< executions sent in pipeline mode, not synced yet
    bool stale_ = false;  ///< "cached plan must not change result type" met: prepare again first
    int unread_ = 0;  ///< synced executions whose results next_queued() has not read yet
    std::vector<std::vector<std::byte>> blobs_;  ///< decoded bytea per column
    std::vector<int> blob_rows_;                 ///< the row each decoded bytea belongs to
};

/// A libpq connection.
class connection final : public driver::connection {
public:
    explicit connection(std::shared_ptr<session_state> state);
    ~connection() override;

    dorm::dialect dialect() const override { return dorm::dialect::postgresql; }
    std::unique_ptr<driver::statement> prepare(std::string_view sql) override;
    void execute(std::string_view sql) override;
    bool ping() override;
    bool lost() noexcept override;
    bool table_exists(std::string_view name) override;
    // The protocol allows 65535 parameters, but every statement is described after it is
    // prepared (PQdescribePrepared), and libpq (15, at least) drops the connection ("lost
    // synchronization with server: got message type "t"") on a ParameterDescription message over
    // 30000 bytes: 6 + 4 bytes per parameter, so at most 7498 parameters (7499 fail).
    int max_params() const override { return max_statement_params; }

private:
    std::shared_ptr<session_state> state_;
};

}  // namespace dorm::driver::postgres
