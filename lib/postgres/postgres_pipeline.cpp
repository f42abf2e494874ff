/// @file lib/postgres/postgres_pipeline.cpp
/// Queued executions of a PostgreSQL statement (libpq pipeline mode: many executions per round
/// trip): queue(), next_queued(), and ending a batch that was not read to its end.
#include "postgres_statement.hpp"

#include <libpq-fe.h>

#include <dorm/error.hpp>

#include "../driver/numbers.hpp"
#include "postgres_errors.hpp"

namespace dorm::driver::postgres {

void statement::queue() {
    PGconn* conn = state_->conn.get();
    if (conn == nullptr) throw_closed(sql_);
    // another statement's batch, or this one's previous batch not read to its end, is discarded
    if (state_->pipeline != this || unread_ > 0) state_->settle();
    if (queued_ == 0 && stale_) prepare_again();
    if (queued_ == 0 && PQpipelineStatus(conn) == PQ_PIPELINE_OFF && PQenterPipelineMode(conn) != 1)
        throw_error(conn, nullptr, sql_);
    state_->pipeline = this;
    if (!send_execution(conn)) {
        abandon_queue();
        throw_error(conn, nullptr, sql_);
    }
    ++queued_;
}

void statement::next_queued() {
    PGconn* conn = state_->conn.get();
    if (queued_ > 0) {
        // one round trip for the batch: the sync ends it; the results are then read one by one
        // (each freed before the next is read, not all held at once)
        if (conn == nullptr) throw_closed(sql_);
        if (PQpipelineSync(conn) != 1) {
            abandon_queue();
            throw_error(conn, nullptr, sql_);
        }
        unread_ = queued_;
        queued_ = 0;
    }
    if (unread_ == 0 || state_->pipeline != this)
        throw argument_error("next_queued(): no queued execution is left to read\n[SQL: " + sql_ + "]");
    try {
        state_->await(sql_);
    } catch (...) {  // the connection was closed: nothing is left to read
        queued_ = 0;
        unread_ = 0;
        throw;
    }
    res_.reset(PQgetResult(conn));
    if (!res_) {  // the connection failed
        abandon_queue();
        throw_error(conn, nullptr, sql_);
    }
    for (;;) {  // NULL ends this execution's results
        state_->await(sql_);
        result_ptr extra(PQgetResult(state_->conn.get()));
        if (!extra) break;
    }
    --unread_;
    const auto status = PQresultStatus(res_.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        // the first failure: the executions after it were not run; their results and the sync
        // are drained so that the connection can ROLLBACK
        result_ptr failed = std::move(res_);
        if (is_stale_plan(failed.get())) stale_ = true;
        abandon_queue();
        throw_error(conn, failed.get(), sql_, state_->statement_timeout);
    }
    if (unread_ == 0) abandon_queue();  // reads the sync, leaves pipeline mode
    executed_ = true;
    row_ = -1;
    if (name_.empty()) adopt_result_columns();
    nrows_ = PQntuples(res_.get());
    affected_ = 0;
    std::int64_t n = 0;
    if (numbers::parse_whole(PQcmdTuples(res_.get()), n)) affected_ = n;
}

void statement::abandon_queue() noexcept {
    PGconn* conn = state_->conn.get();
    if (state_->pipeline == this) {
        state_->pipeline = nullptr;
        if (conn != nullptr && (queued_ == 0 || PQpipelineSync(conn) == 1)) {
            for (;;) {  // to the sync point: results not read, and the NULL after each execution's
                try {
                    state_->await(sql_);
                } catch (...) {  // no answer: the connection is closed now
                    conn = nullptr;
                    break;
                }
                PGresult* r = PQgetResult(conn);
                if (r == nullptr) {
                    if (PQstatus(conn) != CONNECTION_OK) break;
                    continue;
                }
                const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
                PQclear(r);
                if (sync) break;
            }
        }
        if (conn != nullptr) PQexitPipelineMode(conn);
    }
    queued_ = 0;
    unread_ = 0;
}

}  // namespace dorm::driver::postgres
