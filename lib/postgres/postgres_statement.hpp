#pragma once
/// @file lib/postgres/postgres_statement.hpp
/// A named prepared statement on one PostgreSQL connection. Its members are defined by concept:
/// postgres_statement.cpp (prepare, execute, step), postgres_pipeline.cpp (queued executions),
/// postgres_values.cpp (binding parameters, reading the current row).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/driver/driver.hpp>

#include "../driver/statement_base.hpp"
#include "postgres_driver.hpp"
#include "postgres_session.hpp"

namespace dorm::driver::postgres {

/// A prepared statement on one connection: named on the server, or unnamed behind a
/// transaction-pooling proxy (session_state::transaction_pooling).
class statement final : public driver::statement_base {
public:
    /// Prepares `sql` on the server (PQprepare + PQdescribePrepared).
    statement(std::shared_ptr<session_state> state, std::string_view sql);
    ~statement() override;

    void bind_null(int i) override;
    void bind_int(int i, std::int64_t v) override;
    void bind_double(int i, double v) override;
    void bind_text(int i, std::string_view v) override;
    void bind_blob(int i, std::span<const std::byte> v) override;

    bool step() override;
    void reset() override;
    /// @throws unsupported_error: the PostgreSQL dialect uses RETURNING.
    std::int64_t last_insert_id() override;

    int column_count() override;
    std::string_view column_name(int c) override;
    std::string column_table(int c) override;
    bool is_null(int c) override;
    value_kind column_kind(int c) override;
    std::int64_t get_int(int c) override;
    double get_double(int c) override;
    std::string_view get_text(int c) override;
    std::span<const std::byte> get_blob(int c) override;

    bool can_queue() const override { return true; }
    void queue() override;
    void next_queued() override;

private:
    /// Points parameter k at its text in storage_.
    void send_text(std::size_t k) noexcept;
    void execute();
    /// PQexecPrepared (unnamed: PQexecParams) with the bound parameters, through
    /// session_state::await with a timeout.
    result_ptr run_prepared();
    /// Sends one execution with the bound parameters (PQsendQueryPrepared, or PQsendQueryParams
    /// when unnamed); false when libpq could not send it.
    bool send_execution(pg_conn* conn);
    /// Unnamed: the columns of the execution just read (res_) replace the described ones (a
    /// column's type may have changed since: there is no server-side plan to go stale).
    void adopt_result_columns();
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
    std::string name_;  ///< the server-side name; empty when unnamed (transaction pooling)
    result_ptr desc_;  ///< PQdescribePrepared: parameter and column types
    result_ptr res_;   ///< the current execution's rows
    int ncols_ = 0;                ///< result columns (as described at prepare time)
    std::vector<unsigned> types_;  ///< their type oids
    std::vector<std::string> storage_;  ///< NUL-terminated text of each parameter
    std::vector<const char*> values_;
    std::vector<int> lengths_;
    std::vector<int> formats_;
    int row_ = -1;
    int nrows_ = 0;
    int queued_ = 0;  ///< executions sent in pipeline mode, not synced yet
    bool stale_ = false;  ///< "cached plan must not change result type" met: prepare again first
    int unread_ = 0;  ///< synced executions whose results next_queued() has not read yet
    std::vector<std::vector<std::byte>> blobs_;  ///< decoded bytea per column
    std::vector<int> blob_rows_;                 ///< the row each decoded bytea belongs to
};

}  // namespace dorm::driver::postgres
