/// @file lib/postgres/postgres_driver.cpp
/// PostgreSQL driver on libpq.
#include "postgres_driver.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include <libpq-fe.h>
#include <poll.h>

#include <dorm/engine/url.hpp>
#include <dorm/detail/data_errors.hpp>
#include <dorm/error.hpp>

#include "../dialect/list_param.hpp"
#include "../driver/numbers.hpp"
#include "../driver/retry_hints.hpp"
#include "../driver/timeouts.hpp"

namespace dorm::driver::postgres {

namespace {

// Type oids (from pg_type.dat; the server headers are not needed for these few).
constexpr Oid bool_oid = 16;
constexpr Oid bytea_oid = 17;
constexpr Oid int8_oid = 20;
constexpr Oid int2_oid = 21;
constexpr Oid int4_oid = 23;
constexpr Oid oid_oid = 26;
constexpr Oid float4_oid = 700;
constexpr Oid float8_oid = 701;
constexpr Oid numeric_oid = 1700;

constexpr std::string_view integrity_label = "postgresql.IntegrityError";
constexpr std::string_view operational_label = "postgresql.OperationalError";
constexpr std::string_view programming_label = "postgresql.ProgrammingError";
constexpr std::string_view data_label = "postgresql.DataError";

/// A non-null pointer for empty binary values (a null pointer means SQL NULL to libpq).
constexpr char empty_value[1] = {0};

std::string trim(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
    return std::string(s);
}

std::string make_message(std::string_view label, std::string_view what, std::string_view detail,
                         std::string_view sql) {
    std::string m;
    m.reserve(label.size() + what.size() + detail.size() + sql.size() + 24);
    m += '(';
    m += label;
    m += ") ";
    m += what;
    if (!detail.empty()) {
        m += "\nDETAIL:  ";
        m += detail;
    }
    if (!sql.empty()) {
        m += "\n[SQL: ";
        m += sql;
        m += ']';
    }
    return m;
}

/// Whether a failed execution of a prepared statement is PostgreSQL's "cached plan must not change
/// result type" (a column's type changed under it: ALTER TABLE ... TYPE). Recognised by SQLSTATE
/// and the reporting function, not the (translatable) message.
bool is_stale_plan(const PGresult* res) noexcept {
    if (res == nullptr) return false;
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char* where = PQresultErrorField(res, PG_DIAG_SOURCE_FUNCTION);
    const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (state == nullptr || std::string_view(state) != "0A000") return false;
    return (where != nullptr && std::string_view(where) == "RevalidateCachedQuery") ||
           (primary != nullptr && std::string_view(primary) == "cached plan must not change result type");
}

/// Throws the dorm error for a failed command. `res` may be null (libpq could not even send it).
/// `timeout`: the connection's statement timeout, which explains a cancelled statement (57014).
[[noreturn]] void throw_error(PGconn* conn, const PGresult* res, std::string_view sql, double timeout = 0) {
    const char* state_field = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state_field != nullptr ? state_field : "";
    const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string what;
    if (primary != nullptr) {
        what = primary;
    } else if (res != nullptr && *PQresultErrorMessage(res) != '\0') {
        what = trim(PQresultErrorMessage(res));
    } else if (conn != nullptr) {
        what = trim(PQerrorMessage(conn));
    }
    if (what.empty()) what = "the command failed without a message from libpq";
    const char* detail_field = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : nullptr;
    const std::string_view detail = detail_field != nullptr ? detail_field : "";

    const bool connection_lost = conn == nullptr || PQstatus(conn) == CONNECTION_BAD;
    if (connection_lost || sqlstate.starts_with("08")) {
        if (sqlstate.empty()) sqlstate = "08006";
        throw operational_error(make_message(operational_label, what, detail, sql), 0, std::move(sqlstate));
    }
    if (sqlstate.starts_with("23")) {
        std::string m = make_message(integrity_label, what, detail, sql);
        if (sqlstate == "23505") throw unique_violation(m, 0, std::move(sqlstate));
        if (sqlstate == "23503") throw foreign_key_violation(m, 0, std::move(sqlstate));
        if (sqlstate == "23502") throw not_null_violation(m, 0, std::move(sqlstate));
        if (sqlstate == "23514") throw check_violation(m, 0, std::move(sqlstate));
        throw integrity_error(m, 0, std::move(sqlstate));
    }
    if (sqlstate.starts_with("42")) {
        throw programming_error(make_message(programming_label, what, detail, sql), 0, std::move(sqlstate));
    }
    if (sqlstate.starts_with("22")) {  // data exception: value too long, out of range, bad date, ...
        throw data_error(make_message(data_label, what, detail, sql), 0, std::move(sqlstate));
    }
    if (sqlstate == "57014" && timeout > 0) {  // query_canceled: by statement_timeout (or a cancel request)
        what += ": ";
        what += timeouts::cancelled(timeout);
        throw timeout_error(make_message(operational_label, what, detail, sql), 0, std::move(sqlstate));
    }
    if (is_stale_plan(res)) {
        // the statement is prepared again at its next use; dorm::is_retryable recognises this
        what += " (";
        what += driver::stale_plan_hint;
        what += ")";
    }
    throw operational_error(make_message(operational_label, what, detail, sql), 0, std::move(sqlstate));
}

/// Fails unless the command succeeded.
void check_result(PGconn* conn, const PGresult* res, std::string_view sql, double timeout = 0) {
    if (res != nullptr) {
        switch (PQresultStatus(res)) {
            case PGRES_COMMAND_OK:
            case PGRES_TUPLES_OK:
            case PGRES_EMPTY_QUERY:
                return;
            case PGRES_COPY_IN:
            case PGRES_COPY_OUT:
            case PGRES_COPY_BOTH:
                throw programming_error(
                    make_message(programming_label, "COPY is not supported through dorm", {}, sql), 0);
            default:
                break;
        }
    }
    throw_error(conn, res, sql, timeout);
}

[[noreturn]] void throw_closed(std::string_view sql) {
    throw operational_error(make_message(operational_label, "the connection is closed", {}, sql), 0, "08003");
}

/// Parses a whole integer; false when the text is not one.
bool parse_int(std::string_view s, std::int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

/// Parses a whole floating-point number (PostgreSQL spells infinities `Infinity`, from_chars accepts them).
bool parse_double(std::string_view s, double& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Decodes bytea text output (`\x0a1b...`, or the old escape format) into `out`.
void decode_bytea(std::string_view s, std::vector<std::byte>& out) {
    out.clear();
    if (s.size() >= 2 && s[0] == '\\' && s[1] == 'x') {
        out.reserve((s.size() - 2) / 2);
        for (std::size_t i = 2; i + 1 < s.size(); i += 2) {
            const int hi = hex_digit(s[i]);
            const int lo = hex_digit(s[i + 1]);
            if (hi < 0 || lo < 0) break;
            out.push_back(static_cast<std::byte>(hi * 16 + lo));
        }
        return;
    }
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\\') {
            out.push_back(std::byte{'\\'});
            ++i;
        } else if (s[i] == '\\' && i + 3 < s.size()) {
            const int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
            out.push_back(static_cast<std::byte>(v));
            i += 3;
        } else {
            out.push_back(static_cast<std::byte>(s[i]));
        }
    }
}

/// Removes the password from a libpq message (defence in depth: libpq does not print it).
std::string scrub(std::string msg, const std::optional<std::string>& password) {
    if (password && !password->empty()) {
        for (auto pos = msg.find(*password); pos != std::string::npos; pos = msg.find(*password, pos + 3)) {
            msg.replace(pos, password->size(), "***");
        }
    }
    return msg;
}

/// `postgresql://user:***@host:port/db` for messages.
std::string describe(const url& u) {
    std::string s = "postgresql://";
    if (u.username) {
        s += *u.username;
        if (u.password) s += ":***";
        s += '@';
    }
    if (u.host) s += *u.host;
    if (u.port) s += ':' + std::to_string(*u.port);
    if (u.database) s += '/' + *u.database;
    return s;
}

void ignore_notice(void*, const char*) noexcept {}

}  // namespace

void conn_deleter::operator()(pg_conn* c) const noexcept { PQfinish(c); }
void result_deleter::operator()(pg_result* r) const noexcept { PQclear(r); }

bool session_state::usable() const noexcept {
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) return false;
    const auto ts = PQtransactionStatus(conn.get());
    return ts == PQTRANS_IDLE || ts == PQTRANS_INTRANS;
}

void session_state::settle() noexcept {
    if (pipeline != nullptr) pipeline->abandon_queue();
}

void session_state::flush_pending() noexcept {
    settle();
    while (!pending_deallocate.empty() && usable()) {
        try {
            const std::string sql = "DEALLOCATE " + pending_deallocate.back();
            exec(sql.c_str());
        } catch (...) {  // the server did not answer (the connection is closed now), or no memory
        }
        pending_deallocate.pop_back();
    }
}

void session_state::await(std::string_view sql) {
    PGconn* c = conn.get();
    if (statement_timeout <= 0 || c == nullptr) return;
    using clock = std::chrono::steady_clock;
    const auto deadline =
        clock::now() + std::chrono::duration_cast<clock::duration>(
                           std::chrono::duration<double>(timeouts::client_wait(statement_timeout)));
    for (;;) {
        const int unsent = PQflush(c);  // 0: all sent, 1: more to send, -1: failed (reported by PQgetResult)
        if (unsent < 0 || (unsent == 0 && PQisBusy(c) == 0)) return;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) {
            // a live server would have cancelled the statement by now: it is stopped, or gone
            // with its host; the socket is closed without waiting for anything more
            if (pipeline != nullptr) pipeline = nullptr;
            lost = true;
            conn.reset();
            throw timeout_error(make_message(operational_label, timeouts::no_answer(statement_timeout), {}, sql), 0,
                                "08006");
        }
        pollfd p{PQsocket(c), static_cast<short>(POLLIN | (unsent == 1 ? POLLOUT : 0)), 0};
        const int ready = poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
        if (ready < 0 && errno != EINTR) return;  // PQgetResult reports the broken socket
        if (ready > 0 && (p.revents & (POLLIN | POLLERR | POLLHUP)) != 0 && PQconsumeInput(c) == 0) return;
    }
}

result_ptr session_state::collect(std::string_view sql) {
    result_ptr kept;
    bool kept_failed = false;
    for (;;) {
        await(sql);
        result_ptr r(PQgetResult(conn.get()));
        if (!r) break;
        if (!kept_failed) {  // the last result, or the first failure
            const auto status = PQresultStatus(r.get());
            kept_failed = status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY;
            kept = std::move(r);
        }
        if (PQstatus(conn.get()) == CONNECTION_BAD) break;
    }
    return kept;
}

result_ptr session_state::exec(const char* sql) {
    PGconn* c = conn.get();
    if (statement_timeout <= 0 || c == nullptr) return result_ptr(PQexec(c, sql));
    if (PQsendQuery(c, sql) != 1) return nullptr;
    return collect(sql);
}

// ---------------------------------------------------------------------------------------------
// statement

statement::statement(std::shared_ptr<session_state> state, std::string_view sql)
    : state_(std::move(state)), sql_(sql) {
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
    name_ = "dorm_" + std::to_string(++state_->next_id);
    const bool timed = state_->statement_timeout > 0;
    {
        result_ptr prep;
        if (!timed)
            prep.reset(PQprepare(conn, name_.c_str(), sql_.c_str(), 0, nullptr));
        else if (PQsendPrepare(conn, name_.c_str(), sql_.c_str(), 0, nullptr) == 1)
            prep = state_->collect(sql_);
        if (!prep || PQresultStatus(prep.get()) != PGRES_COMMAND_OK) throw_error(state_->conn.get(), prep.get(), sql_);
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
    state_->pending_deallocate.push_back(name_);
    desc_.reset();
    prepare_named();
}

statement::~statement() {
    abandon_queue();
    state_->settle();
    res_.reset();
    desc_.reset();
    try {
        if (state_->usable()) {
            const std::string sql = "DEALLOCATE " + name_;
            state_->exec(sql.c_str());
        } else if (state_->conn && PQstatus(state_->conn.get()) == CONNECTION_OK) {
            // Inside an aborted transaction: deallocate once the connection is usable again.
            state_->pending_deallocate.push_back(name_);
        }
    } catch (...) {  // allocation failure: the server frees the statement when the session ends
    }
}

void statement::check_index(int i) {
    if (i < 0 || i >= nparams_) {
        throw argument_error("parameter index " + std::to_string(i) + " is out of range: the statement has " +
                             std::to_string(nparams_) + " parameter(s)\n[SQL: " + sql_ + "]");
    }
    if (executed_) reset();
}

void statement::bind_null(int i) {
    check_index(i);
    const auto k = static_cast<std::size_t>(i);
    values_[k] = nullptr;
    formats_[k] = 0;
}

void statement::bind_int(int i, std::int64_t v) {
    check_index(i);
    const auto k = static_cast<std::size_t>(i);
    // As text: the server converts to the parameter's inferred type (int4, int8, numeric, and
    // boolean: '0'/'1' are valid boolean input, so the ORM's 0/1 for bool works).
    std::string& s = storage_[k];
    s.resize(24);
    auto [p, ec] = std::to_chars(s.data(), s.data() + s.size(), v);
    (void)ec;
    s.resize(static_cast<std::size_t>(p - s.data()));
    values_[k] = s.c_str();
    formats_[k] = 0;
}

void statement::bind_double(int i, double v) {
    check_index(i);
    const auto k = static_cast<std::size_t>(i);
    std::string& s = storage_[k];
    if (std::isnan(v)) {
        s = "NaN";
    } else if (std::isinf(v)) {
        s = v > 0 ? "Infinity" : "-Infinity";
    } else {
        s.resize(32);
        // Shortest text that reads back as exactly v (-0.0 prints as "-0").
        auto [p, ec] = std::to_chars(s.data(), s.data() + s.size(), v);
        (void)ec;
        s.resize(static_cast<std::size_t>(p - s.data()));
    }
    values_[k] = s.c_str();
    formats_[k] = 0;
}

void statement::bind_text(int i, std::string_view v) {
    check_index(i);
    // a value PostgreSQL cannot store (SQLAlchemy/psycopg: DataError), refused before sending:
    // a NUL byte, invalid UTF-8 (the server's error would not say which column)
    detail::check_text_storable(v, dorm::dialect::postgresql);
    const auto k = static_cast<std::size_t>(i);
    storage_[k].assign(v);  // libpq needs NUL-terminated text
    values_[k] = storage_[k].c_str();
    formats_[k] = 0;
}

void statement::bind_blob(int i, std::span<const std::byte> v) {
    check_index(i);
    const auto k = static_cast<std::size_t>(i);
    // Binary format: the bytes as they are (bytea's binary representation), not copied.
    values_[k] = v.empty() ? empty_value : reinterpret_cast<const char*>(v.data());
    lengths_[k] = static_cast<int>(v.size());
    formats_[k] = 1;
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
    nrows_ = PQntuples(res_.get());
    std::int64_t n = 0;
    if (parse_int(PQcmdTuples(res_.get()), n)) affected_ = n;
}

result_ptr statement::run_prepared() {
    PGconn* conn = state_->conn.get();
    if (state_->statement_timeout <= 0)
        return result_ptr(
            PQexecPrepared(conn, name_.c_str(), nparams_, values_.data(), lengths_.data(), formats_.data(), 0));
    if (PQsendQueryPrepared(conn, name_.c_str(), nparams_, values_.data(), lengths_.data(), formats_.data(), 0) != 1)
        return nullptr;
    return state_->collect(sql_);
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

void statement::queue() {
    PGconn* conn = state_->conn.get();
    if (conn == nullptr) throw_closed(sql_);
    // another statement's batch, or this one's previous batch not read to its end, is discarded
    if (state_->pipeline != this || unread_ > 0) state_->settle();
    if (queued_ == 0 && stale_) prepare_again();
    if (queued_ == 0 && PQpipelineStatus(conn) == PQ_PIPELINE_OFF && PQenterPipelineMode(conn) != 1)
        throw_error(conn, nullptr, sql_);
    state_->pipeline = this;
    if (PQsendQueryPrepared(conn, name_.c_str(), nparams_, values_.data(), lengths_.data(), formats_.data(), 0) != 1) {
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
    nrows_ = PQntuples(res_.get());
    affected_ = 0;
    std::int64_t n = 0;
    if (parse_int(PQcmdTuples(res_.get()), n)) affected_ = n;
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

const pg_result* statement::meta() const noexcept { return res_ ? res_.get() : desc_.get(); }

unsigned statement::column_type(int c) const noexcept {
    return c >= 0 && c < ncols_ ? types_[static_cast<std::size_t>(c)] : PQftype(meta(), c);
}

std::string_view statement::raw(int c) const noexcept {
    if (!res_ || row_ < 0 || row_ >= nrows_ || c < 0 || c >= ncols_) return {};
    const char* p = PQgetvalue(res_.get(), row_, c);
    if (p == nullptr) return {};
    return {p, static_cast<std::size_t>(PQgetlength(res_.get(), row_, c))};
}

int statement::column_count() { return PQnfields(meta()); }

std::string_view statement::column_name(int c) {
    const char* n = PQfname(meta(), c);
    return n != nullptr ? std::string_view(n) : std::string_view();
}

bool statement::is_null(int c) {
    if (!res_ || row_ < 0 || row_ >= nrows_ || c < 0 || c >= ncols_) return true;
    return PQgetisnull(res_.get(), row_, c) != 0;
}

value_kind statement::column_kind(int c) {
    if (is_null(c)) return value_kind::null;
    switch (column_type(c)) {
        case bool_oid:
        case int2_oid:
        case int4_oid:
        case int8_oid:
        case oid_oid:
            return value_kind::integer;
        case float4_oid:
        case float8_oid:
        case numeric_oid:
            return value_kind::real;
        case bytea_oid:
            return value_kind::blob;
        default:
            return value_kind::text;
    }
}

// Results are text: integer columns parse as integers (the hot path); every other type follows
// lib/driver/numbers.hpp (reals — float, numeric — by the real rule, exactly; texts must be
// integer literals; bytea is refused). NULL reads as 0.
std::int64_t statement::get_int(int c) {
    const std::string_view s = raw(c);
    if (s.empty() && is_null(c)) return 0;  // an empty non-NULL value goes on (and is refused)
    switch (column_type(c)) {
        case int2_oid:
        case int4_oid:
        case int8_oid:
        case oid_oid: {
            std::int64_t i = 0;
            if (parse_int(s, i)) return i;
            return numbers::text_to_int(s);  // oid beyond int64 cannot happen; throws for anything odd
        }
        case bool_oid:
            return s == "t" ? 1 : 0;
        case float4_oid:
        case float8_oid:
        case numeric_oid:
            return numbers::decimal_to_int(s);
        case bytea_oid:
            numbers::blob_is_not_a_number(get_blob(c), true);
        default:
            return numbers::text_to_int(s);
    }
}

double statement::get_double(int c) {
    const std::string_view s = raw(c);
    if (s.empty() && is_null(c)) return 0.0;
    switch (column_type(c)) {
        case float4_oid:
        case float8_oid:
        case numeric_oid: {
            double d = 0;
            if (parse_double(s, d)) return d;  // also Infinity, -Infinity, NaN
            return numbers::text_to_double(s);
        }
        case int2_oid:
        case int4_oid:
        case int8_oid:
        case oid_oid: {
            std::int64_t i = 0;
            if (parse_int(s, i)) return numbers::int_to_double(i);
            return numbers::text_to_double(s);
        }
        case bool_oid:
            return s == "t" ? 1.0 : 0.0;
        case bytea_oid:
            numbers::blob_is_not_a_number(get_blob(c), false);
        default:
            return numbers::text_to_double(s);
    }
}

std::string_view statement::get_text(int c) { return raw(c); }

std::span<const std::byte> statement::get_blob(int c) {
    const std::string_view s = raw(c);
    if (column_type(c) != bytea_oid) return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
    const auto k = static_cast<std::size_t>(c);
    if (k >= blobs_.size()) return {};
    if (blob_rows_[k] != row_) {
        decode_bytea(s, blobs_[k]);
        blob_rows_[k] = row_;
    }
    return blobs_[k];
}

// ---------------------------------------------------------------------------------------------
// connection

connection::connection(std::shared_ptr<session_state> state) : state_(std::move(state)) {}

connection::~connection() {
    // Closing here (not when the last statement goes) keeps "connection destroyed" meaning
    // "network connection closed"; statements left behind see a closed connection.
    state_->conn.reset();
}

std::unique_ptr<driver::statement> connection::prepare(std::string_view sql) {
    return std::make_unique<statement>(state_, sql);
}

void connection::execute(std::string_view sql) {
    PGconn* conn = state_->conn.get();
    const std::string text(sql);
    if (conn == nullptr) throw_closed(text);
    state_->flush_pending();  // settles a pipeline too
    result_ptr res = state_->exec(text.c_str());
    check_result(state_->conn.get(), res.get(), text, state_->statement_timeout);
}

bool connection::ping() {
    PGconn* conn = state_->conn.get();
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) return false;
    state_->settle();
    try {
        result_ptr res = state_->exec("SELECT 1");
        return res && PQresultStatus(res.get()) == PGRES_TUPLES_OK;
    } catch (...) {
        return false;
    }
}

bool connection::lost() noexcept {
    PGconn* conn = state_->conn.get();
    return conn == nullptr || state_->lost || PQstatus(conn) == CONNECTION_BAD;
}

bool connection::table_exists(std::string_view name) {
    PGconn* conn = state_->conn.get();
    static constexpr const char* sql =
        "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
        "AND n.nspname <> 'pg_catalog' AND pg_catalog.pg_table_is_visible(c.oid)";
    if (conn == nullptr) throw_closed(sql);
    const std::string n(name);
    const char* values[1] = {n.c_str()};
    state_->settle();
    result_ptr res;
    if (state_->statement_timeout <= 0)
        res.reset(PQexecParams(conn, sql, 1, nullptr, values, nullptr, nullptr, 0));
    else if (PQsendQueryParams(conn, sql, 1, nullptr, values, nullptr, nullptr, 0) == 1)
        res = state_->collect(sql);
    check_result(state_->conn.get(), res.get(), sql, state_->statement_timeout);
    return PQntuples(res.get()) > 0;
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options) {
    std::vector<std::pair<std::string, std::string>> params;
    if (u.host && !u.host->empty()) params.emplace_back("host", *u.host);
    if (u.port) params.emplace_back("port", std::to_string(*u.port));
    if (u.username) params.emplace_back("user", *u.username);
    if (u.password) params.emplace_back("password", *u.password);
    if (u.database && !u.database->empty()) params.emplace_back("dbname", *u.database);
    params.emplace_back("connect_timeout", "10");
    params.emplace_back("fallback_application_name", "dorm");

    if (!u.query.empty()) {
        // Check the keywords first: libpq's own complaint would come as a connection failure.
        std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> defaults(PQconndefaults(), PQconninfoFree);
        for (const auto& [key, val] : u.query) {
            bool known = false;
            for (const PQconninfoOption* o = defaults.get(); o != nullptr && o->keyword != nullptr; ++o) {
                if (key == o->keyword) {
                    known = true;
                    break;
                }
            }
            if (!known && defaults) {
                throw argument_error("unknown PostgreSQL connection parameter '" + key + "' in URL " + describe(u) +
                                     " (the query string takes libpq keywords such as sslmode or connect_timeout)");
            }
            params.emplace_back(key, val);
        }
    }
    params.emplace_back("client_encoding", "UTF8");

    std::vector<const char*> keys;
    std::vector<const char*> vals;
    for (const auto& [k, v] : params) {
        keys.push_back(k.c_str());
        vals.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    vals.push_back(nullptr);

    auto state = std::make_shared<session_state>();
    state->conn.reset(PQconnectdbParams(keys.data(), vals.data(), 0));
    if (!state->conn) {
        throw operational_error(make_message(operational_label, "out of memory opening a libpq connection", {}, {}),
                                0, "08001");
    }
    if (PQstatus(state->conn.get()) != CONNECTION_OK) {
        std::string msg = scrub(trim(PQerrorMessage(state->conn.get())), u.password);
        if (auto it = u.query.find("password"); it != u.query.end()) msg = scrub(std::move(msg), it->second);
        throw operational_error(
            make_message(operational_label, "could not connect to " + describe(u) + ": " + msg, {}, {}), 0, "08001");
    }
    PQsetNoticeProcessor(state->conn.get(), ignore_notice, nullptr);

    // TimeZone UTC: dorm's timestamps are UTC, so CURRENT_TIMESTAMP / now() in a default or a query
    // must be UTC too (as SQLite's CURRENT_TIMESTAMP is), whatever the server's time zone is
    static constexpr const char* setup = "SET extra_float_digits = 3; SET bytea_output = 'hex'; SET TIME ZONE 'UTC'";
    result_ptr res(PQexec(state->conn.get(), setup));
    check_result(state->conn.get(), res.get(), setup);
    if (options.statement_timeout > 0) {
        // the server cancels a longer statement itself (57014) and the connection stays usable;
        // nonblocking mode lets session_state::await bound every wait for a server that is gone
        const std::string sql = "SET statement_timeout = " + std::to_string(timeouts::milliseconds(options.statement_timeout));
        result_ptr set(PQexec(state->conn.get(), sql.c_str()));
        check_result(state->conn.get(), set.get(), sql);
        if (PQsetnonblocking(state->conn.get(), 1) != 0) throw_error(state->conn.get(), nullptr, "PQsetnonblocking");
        state->statement_timeout = options.statement_timeout;
    }
    return std::make_unique<connection>(std::move(state));
}

}  // namespace dorm::driver::postgres
