/// @file lib/postgres/postgres_statement.cpp
/// A PostgreSQL prepared statement's life: PQprepare + PQdescribePrepared under a generated name,
/// execution (prepared again after a schema change), stepping through the rows, DEALLOCATE.
#include "postgres_statement.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <libpq-fe.h>

#include <dorm/error.hpp>

#include "../driver/messages.hpp"
#include "../driver/numbers.hpp"
#include "postgres_errors.hpp"

namespace dorm::driver::postgres {

statement::statement(std::shared_ptr<session_state> state, std::string_view sql)
    : statement_base(sql), state_(std::move(state)) {
    prepare_named();
    storage_.resize(static_cast<std::size_t>(nparams_));
    values_.assign(static_cast<std::size_t>(nparams_), nullptr);
    lengths_.assign(static_cast<std::size_t>(nparams_), 0);
    formats_.assign(static_cast<std::size_t>(nparams_), 0);
}

namespace {
/// The highest $n in `sql` (a $n inside a literal counts too: harmless, it only makes the check
/// below stricter for SQL that holds thousands of them).
long highest_placeholder(const std::string& sql) {
    long top = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        if (sql[i] != '$' || i + 1 >= sql.size() || sql[i + 1] < '0' || sql[i + 1] > '9') continue;
        long n = 0;
        for (++i; i < sql.size() && sql[i] >= '0' && sql[i] <= '9' && n < 1'000'000; ++i) n = n * 10 + (sql[i] - '0');
        top = std::max(top, n);
    }
    return top;
}
}  // namespace

void statement::prepare_named() {
    PGconn* conn = state_->conn.get();
    if (conn == nullptr) throw_closed(sql_);
    // past max_params libpq loses the connection describing the statement: say so instead
    if (const long n = highest_placeholder(sql_); n > max_statement_params)
        throw argument_error("dorm: the statement has " + std::to_string(n) + " parameters; PostgreSQL takes at most " +
                             std::to_string(max_statement_params) +
                             " per statement through libpq (an IN list longer than 500 values is one parameter, so "
                             "this comes from many lists or values): split the statement");
    state_->flush_pending();
    if (state_->transaction_pooling) {
        // unnamed: nothing is left on the server to deallocate (name_ stays empty)
        desc_ = state_->describe_unnamed(sql_);
        if (!desc_ || PQresultStatus(desc_.get()) != PGRES_COMMAND_OK) {
            result_ptr keep = std::move(desc_);
            throw_error(state_->conn.get(), keep.get(), sql_);
        }
    } else {
        name_ = "dorm_" + std::to_string(++state_->next_id);
        const bool timed = state_->statement_timeout > 0;
        {
            result_ptr prep;
            if (!timed)
                prep.reset(PQprepare(conn, name_.c_str(), sql_.c_str(), 0, nullptr));
            else if (PQsendPrepare(conn, name_.c_str(), sql_.c_str(), 0, nullptr) == 1)
                prep = state_->collect(sql_);
            if (!prep || PQresultStatus(prep.get()) != PGRES_COMMAND_OK)
                throw_error(state_->conn.get(), prep.get(), sql_);
        }
        conn = state_->conn.get();
        if (conn == nullptr) throw_closed(sql_);
        if (!timed)
            desc_.reset(PQdescribePrepared(conn, name_.c_str()));
        else if (PQsendDescribePrepared(conn, name_.c_str()) == 1)
            desc_ = state_->collect(sql_);
        if (!desc_ || PQresultStatus(desc_.get()) != PGRES_COMMAND_OK) {
            result_ptr keep = std::move(desc_);
            state_->pending_deallocate.push_back(name_);  // prepared, but this object will not exist
            throw_error(state_->conn.get(), keep.get(), sql_);
        }
    }
    const int nparams = PQnparams(desc_.get());
    if (!storage_.empty() && nparams != nparams_)
        throw operational_error(make_message(operational_label,
                                             "the statement takes " + std::to_string(nparams) +
                                                 " parameters after the schema changed, not " + std::to_string(nparams_),
                                             {}, sql_),
                                0);
    nparams_ = nparams;
    const int ncols = PQnfields(desc_.get());
    ncols_ = ncols;
    types_.resize(static_cast<std::size_t>(ncols));
    for (int c = 0; c < ncols; ++c) types_[static_cast<std::size_t>(c)] = PQftype(desc_.get(), c);
    blobs_.resize(static_cast<std::size_t>(ncols));
    blob_rows_.assign(static_cast<std::size_t>(ncols), -1);
    stale_ = false;
}

void statement::prepare_again() {
    // the old server-side statement goes when the connection is usable (now, or after ROLLBACK)
    if (!name_.empty()) state_->pending_deallocate.push_back(name_);
    desc_.reset();
    prepare_named();
}

statement::~statement() {
    abandon_queue();
    state_->settle();
    res_.reset();
    desc_.reset();
    try {
        if (name_.empty()) {  // unnamed (transaction pooling): nothing to deallocate
        } else if (state_->usable()) {
            const std::string sql = "DEALLOCATE " + name_;
            state_->exec(sql.c_str());
        } else if (state_->conn && PQstatus(state_->conn.get()) == CONNECTION_OK) {
            // Inside an aborted transaction: deallocate once the connection is usable again.
            state_->pending_deallocate.push_back(name_);
        }
    } catch (...) {  // allocation failure: the server frees the statement when the session ends
    }
}

void statement::execute() {
    PGconn* conn = state_->conn.get();
    if (conn == nullptr) throw_closed(sql_);
    state_->settle();
    executed_ = true;
    row_ = -1;
    nrows_ = 0;
    affected_ = 0;
    if (stale_) prepare_again();
    res_ = run_prepared();
    conn = state_->conn.get();
    if (!res_) throw_error(conn, nullptr, sql_);
    auto status = PQresultStatus(res_.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY) {
        result_ptr failed = std::move(res_);
        if (is_stale_plan(failed.get())) {
            // A column's type changed since the statement was prepared. Outside a transaction
            // it is prepared again and run once more, transparently; inside one the transaction
            // is aborted already: it is prepared again at its next use (after the ROLLBACK), and
            // the error says the transaction may be run again (dorm::is_retryable).
            if (PQtransactionStatus(conn) == PQTRANS_IDLE) {
                prepare_again();
                res_ = run_prepared();
                conn = state_->conn.get();
                if (!res_) throw_error(conn, nullptr, sql_);
                status = PQresultStatus(res_.get());
                if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY) {
                    result_ptr again = std::move(res_);
                    check_result(conn, again.get(), sql_, state_->statement_timeout);
                }
            } else {
                stale_ = true;
                check_result(conn, failed.get(), sql_, state_->statement_timeout);
            }
        } else {
            check_result(conn, failed.get(), sql_, state_->statement_timeout);
        }
    }
    if (name_.empty()) adopt_result_columns();
    nrows_ = PQntuples(res_.get());
    std::int64_t n = 0;
    if (numbers::parse_whole(PQcmdTuples(res_.get()), n)) affected_ = n;
}

void statement::adopt_result_columns() {
    const int n = PQnfields(res_.get());
    if (n != ncols_) {
        ncols_ = n;
        types_.resize(static_cast<std::size_t>(n));
        blobs_.resize(static_cast<std::size_t>(n));
        blob_rows_.assign(static_cast<std::size_t>(n), -1);
    }
    for (int c = 0; c < n; ++c) types_[static_cast<std::size_t>(c)] = PQftype(res_.get(), c);
}

result_ptr statement::run_prepared() {
    PGconn* conn = state_->conn.get();
    if (state_->statement_timeout > 0) return send_execution(conn) ? state_->collect(sql_) : nullptr;
    if (name_.empty())
        return result_ptr(
            PQexecParams(conn, sql_.c_str(), nparams_, nullptr, values_.data(), lengths_.data(), formats_.data(), 0));
    return result_ptr(
        PQexecPrepared(conn, name_.c_str(), nparams_, values_.data(), lengths_.data(), formats_.data(), 0));
}

bool statement::send_execution(pg_conn* conn) {
    // unnamed (transaction pooling): Parse, Bind, Describe, Execute in one batch, with the
    // parameter types inferred as PQprepare inferred them when the statement was described
    if (name_.empty())
        return PQsendQueryParams(conn, sql_.c_str(), nparams_, nullptr, values_.data(), lengths_.data(),
                                 formats_.data(), 0) == 1;
    return PQsendQueryPrepared(conn, name_.c_str(), nparams_, values_.data(), lengths_.data(), formats_.data(), 0) ==
           1;
}

bool statement::step() {
    if (!executed_) execute();
    if (row_ + 1 < nrows_) {
        ++row_;
        return true;
    }
    row_ = nrows_;
    return false;
}

void statement::reset() {
    if (queued_ > 0) abandon_queue();  // queued, never synced; results being read stay readable
    res_.reset();
    executed_ = false;
    row_ = -1;
    nrows_ = 0;
    std::fill(blob_rows_.begin(), blob_rows_.end(), -1);
}

std::int64_t statement::last_insert_id() {
    throw unsupported_error(
        "PostgreSQL has no last insert id: use INSERT ... RETURNING (the postgresql dialect does)\n[SQL: " + sql_ +
        "]");
}

}  // namespace dorm::driver::postgres
