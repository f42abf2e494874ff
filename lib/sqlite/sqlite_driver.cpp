/// @file lib/sqlite/sqlite_driver.cpp
/// SQLite driver: SQLiteCpp opens and owns the database; statements use the sqlite3 C API directly.
#include "sqlite_driver.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>
#include <utility>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <dorm/detail/data_errors.hpp>
#include <dorm/engine/url.hpp>
#include <dorm/error.hpp>

#include "../driver/numbers.hpp"
#include "../driver/timeouts.hpp"

namespace dorm::driver::sqlite {

namespace {

/// The message SQLAlchemy would show: `(sqlite3.IntegrityError) UNIQUE constraint failed: t.c\n[SQL: ...]`.
std::string make_message(std::string_view label, std::string_view what, std::string_view sql) {
    std::string m;
    m.reserve(label.size() + what.size() + sql.size() + 20);
    m += '(';
    m += label;
    m += ") ";
    m += what;
    if (!sql.empty()) {
        m += "\n[SQL: ";
        m += sql;
        m += ']';
    }
    return m;
}

template <class E>
[[noreturn]] void raise(std::string_view label, std::string_view what, std::string_view sql, int code) {
    throw E(make_message(label, what, sql), code);
}

constexpr std::string_view integrity = "sqlite3.IntegrityError";
constexpr std::string_view operational = "sqlite3.OperationalError";
constexpr std::string_view programming = "sqlite3.ProgrammingError";
constexpr std::string_view data = "sqlite3.DataError";

bool starts_with_file_uri(std::string_view name) {
    return name.size() >= 5 && name.substr(0, 5) == "file:";
}

/// Milliseconds for the `timeout=<seconds>` URL parameter.
int parse_timeout_ms(const std::string& text) {
    double seconds = 0;
    const char* first = text.data();
    const char* last = first + text.size();
    auto [ptr, ec] = std::from_chars(first, last, seconds);
    if (ec != std::errc{} || ptr != last || !std::isfinite(seconds) || seconds < 0 || seconds > 2.0e6) {
        throw argument_error("sqlite URL parameter 'timeout' must be a number of seconds (e.g. timeout=5), got '" +
                             text + "'");
    }
    return static_cast<int>(std::lround(seconds * 1000.0));
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::int64_t steady_now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// The progress handler: SQLite calls it every few hundred virtual-machine instructions; a
/// non-zero answer interrupts the statement (SQLITE_INTERRUPT).
int interrupt_when_late(void* timer) noexcept {
    auto* t = static_cast<statement_timer*>(timer);
    if (steady_now_ns() < t->deadline_ns) return 0;
    t->fired = true;
    return 1;
}

}  // namespace

void statement_timer::arm() noexcept {
    fired = false;
    deadline_ns = steady_now_ns() + static_cast<std::int64_t>(seconds * 1e9);
}

void statement_timer::check(int rc, std::string_view sql) const {
    if ((rc & 0xff) == SQLITE_INTERRUPT && fired)
        throw timeout_error(make_message(operational, "interrupted: " + timeouts::cancelled(seconds), sql), rc);
}

open_options parse_url(const url& u) {
    open_options o;
    o.filename = u.database.value_or(std::string());
    if (o.filename.empty()) o.filename = ":memory:";
    for (const auto& [key, val] : u.query) {
        if (key == "timeout") {
            o.busy_timeout_ms = parse_timeout_ms(val);
        } else if (key == "journal_mode") {
            const std::string m = lower(val);
            if (m != "delete" && m != "truncate" && m != "persist" && m != "memory" && m != "wal" && m != "off")
                throw argument_error("sqlite URL parameter 'journal_mode' must be one of delete, truncate, persist, "
                                     "memory, wal, off; got '" + val + "'");
            o.journal_mode = m;
        } else if (key == "synchronous") {
            const std::string m = lower(val);
            if (m == "off" || m == "0") o.synchronous = 0;
            else if (m == "normal" || m == "1") o.synchronous = 1;
            else if (m == "full" || m == "2") o.synchronous = 2;
            else if (m == "extra" || m == "3") o.synchronous = 3;
            else
                throw argument_error("sqlite URL parameter 'synchronous' must be one of off, normal, full, extra "
                                     "(or 0-3); got '" + val + "'");
        } else if (key == "mode") {
            const std::string m = lower(val);
            if (m == "ro") o.read_only = true;
            else if (m == "rw") o.create = false;
            else if (m != "rwc")
                throw argument_error("sqlite URL parameter 'mode' must be ro (read-only), rw (read-write, the file "
                                     "must exist) or rwc (read-write, created if missing: the default); got '" + val +
                                     "'");
        } else {
            throw argument_error("unknown sqlite URL parameter '" + key +
                                 "' (supported: timeout=<seconds>, journal_mode=wal|delete|truncate|persist|memory|off, "
                                 "synchronous=off|normal|full|extra, mode=ro|rw|rwc)");
        }
    }
    return o;
}

void throw_error(sqlite3* db, int rc, std::string_view sql, bool at_prepare) {
    int code = rc;
    if (db != nullptr) {
        const int ext = sqlite3_extended_errcode(db);
        if ((ext & 0xff) == (rc & 0xff)) code = ext;
    }
    const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const std::string_view what = msg != nullptr ? std::string_view(msg) : std::string_view("unknown error");

    switch (code & 0xff) {
        case SQLITE_CONSTRAINT:
            switch (code) {
                case SQLITE_CONSTRAINT_UNIQUE:
                case SQLITE_CONSTRAINT_PRIMARYKEY:
                    raise<unique_violation>(integrity, what, sql, code);
                case SQLITE_CONSTRAINT_FOREIGNKEY:
                    raise<foreign_key_violation>(integrity, what, sql, code);
                case SQLITE_CONSTRAINT_NOTNULL:
                    raise<not_null_violation>(integrity, what, sql, code);
                case SQLITE_CONSTRAINT_CHECK:
                    raise<check_violation>(integrity, what, sql, code);
                default:
                    raise<integrity_error>(integrity, what, sql, code);
            }
        case SQLITE_MISMATCH:
            raise<integrity_error>(integrity, what, sql, code);
        case SQLITE_TOOBIG:  // a string or blob longer than SQLITE_LIMIT_LENGTH
            raise<data_error>(data, what, sql, code);
        case SQLITE_ERROR:
            if (at_prepare) raise<programming_error>(programming, what, sql, code);
            raise<operational_error>(operational, what, sql, code);
        case SQLITE_RANGE:
        case SQLITE_MISUSE:
            raise<programming_error>(programming, what, sql, code);
        default:
            // SQLITE_BUSY, LOCKED, IOERR, CANTOPEN, FULL, READONLY, NOTADB, CORRUPT, NOMEM, ...
            raise<operational_error>(operational, what, sql, code);
    }
}

void stmt_deleter::operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }

// ---------------------------------------------------------------------------------------------
// statement

statement::statement(std::shared_ptr<SQLite::Database> db, std::string_view sql, std::shared_ptr<statement_timer> timer)
    : db_owner_(std::move(db)), db_(db_owner_->getHandle()), timer_(std::move(timer)), sql_(sql) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql_.data(), static_cast<int>(sql_.size()), SQLITE_PREPARE_PERSISTENT,
                                      &raw, &tail);
    stmt_.reset(raw);
    if (rc != SQLITE_OK) throw_error(db_, rc, sql_, true);
    if (!stmt_) {
        throw programming_error(make_message(programming, "the SQL text holds no statement", sql_), SQLITE_MISUSE);
    }
    // Anything after the first statement would be silently ignored: refuse it, as Python's sqlite3 does.
    if (tail != nullptr) {
        const char* end = sql_.data() + sql_.size();
        sqlite3_stmt* rest_raw = nullptr;
        const int rc2 = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &rest_raw, nullptr);
        std::unique_ptr<sqlite3_stmt, stmt_deleter> rest(rest_raw);
        if (rc2 != SQLITE_OK || rest) {
            throw programming_error(make_message(programming, "you can only prepare one statement at a time", sql_),
                                    SQLITE_MISUSE);
        }
    }
    read_only_ = sqlite3_stmt_readonly(stmt_.get()) != 0;
}

statement::~statement() = default;

int statement::param_count() const { return sqlite3_bind_parameter_count(stmt_.get()); }

void statement::check_bind(int rc, int i) {
    if (rc == SQLITE_OK) return;
    if (rc == SQLITE_RANGE) {
        throw argument_error("parameter index " + std::to_string(i) + " is out of range: the statement has " +
                             std::to_string(param_count()) + " parameter(s)\n[SQL: " + sql_ + "]");
    }
    throw_error(db_, rc, sql_, false);
}

void statement::bind_null(int i) {
    if (running_) reset();
    check_bind(sqlite3_bind_null(stmt_.get(), i + 1), i);
}

void statement::bind_int(int i, std::int64_t v) {
    if (running_) reset();
    check_bind(sqlite3_bind_int64(stmt_.get(), i + 1, v), i);
}

void statement::bind_double(int i, double v) {
    // SQLite stores NaN as NULL: it would read back as NULL (or 0), not as what was stored.
    if (std::isnan(v)) detail::throw_bad_write("NaN", "cannot be stored by SQLite (it would read back as NULL)");
    if (running_) reset();
    check_bind(sqlite3_bind_double(stmt_.get(), i + 1, v), i);
}

void statement::bind_text(int i, std::string_view v) {
    if (running_) reset();
    // A null data pointer would bind SQL NULL: an empty string must stay an empty string.
    const char* data = v.data() != nullptr ? v.data() : "";
    check_bind(sqlite3_bind_text64(stmt_.get(), i + 1, data, v.size(), SQLITE_STATIC, SQLITE_UTF8), i);
}

void statement::bind_blob(int i, std::span<const std::byte> v) {
    if (running_) reset();
    if (v.empty()) {
        check_bind(sqlite3_bind_zeroblob(stmt_.get(), i + 1, 0), i);
    } else {
        check_bind(sqlite3_bind_blob64(stmt_.get(), i + 1, v.data(), v.size(), SQLITE_STATIC), i);
    }
}

bool statement::step() {
    if (done_) return false;
    if (!running_) {
        running_ = true;
        total_before_ = sqlite3_total_changes64(db_);
    }
    if (timer_) timer_->arm();
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    done_ = true;
    if (rc == SQLITE_DONE) {
        record_changes();
        return false;
    }
    changes_ = 0;
    if (timer_) timer_->check(rc, sql_);
    throw_error(db_, rc, sql_, false);
}

void statement::record_changes() noexcept {
    // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE; a statement that changed
    // nothing (SELECT, DDL) must not report a stale count.
    changes_ = (!read_only_ && sqlite3_total_changes64(db_) != total_before_) ? sqlite3_changes64(db_) : 0;
}

void statement::reset() {
    if (!running_) return;
    sqlite3_reset(stmt_.get());  // the error of a failed step was already thrown
    if (!done_) record_changes();
    running_ = false;
    done_ = false;
}

std::int64_t statement::rows_affected() { return changes_; }

std::int64_t statement::last_insert_id() { return sqlite3_last_insert_rowid(db_); }

int statement::column_count() { return sqlite3_column_count(stmt_.get()); }

std::string_view statement::column_name(int c) {
    const char* n = sqlite3_column_name(stmt_.get(), c);
    return n != nullptr ? std::string_view(n) : std::string_view();
}

bool statement::is_null(int c) { return sqlite3_column_type(stmt_.get(), c) == SQLITE_NULL; }

value_kind statement::column_kind(int c) {
    switch (sqlite3_column_type(stmt_.get(), c)) {
        case SQLITE_INTEGER:
            return value_kind::integer;
        case SQLITE_FLOAT:
            return value_kind::real;
        case SQLITE_TEXT:
            return value_kind::text;
        case SQLITE_BLOB:
            return value_kind::blob;
        default:
            return value_kind::null;
    }
}

// The storage class is checked first; only an INTEGER (or NULL) is read without further checks:
// sqlite3_column_int64 would silently turn 'abc' into 0, '12abc' into 12, 3.7 into 3 and 1e30
// into INT64_MAX. One sqlite3_column_value call gives both the class and the value: each
// sqlite3_column_* call costs ~55 instructions (column lookup, mutex, malloc-failure check),
// the sqlite3_value_* accessors a few. (The value is "unprotected": SQLite documents its use by
// sqlite3_value_* as not thread-safe only; a connection is used by one thread at a time.)
std::int64_t statement::get_int(int c) {
    sqlite3_value* v = sqlite3_column_value(stmt_.get(), c);
    const int type = sqlite3_value_type(v);
    if (type == SQLITE_INTEGER) return sqlite3_value_int64(v);
    if (type == SQLITE_NULL) return 0;
    return int_slow(type, c);
}

double statement::get_double(int c) {
    sqlite3_value* v = sqlite3_column_value(stmt_.get(), c);
    const int type = sqlite3_value_type(v);
    if (type == SQLITE_FLOAT) return sqlite3_value_double(v);
    if (type == SQLITE_NULL) return 0.0;
    return double_slow(type, c);
}

std::int64_t statement::int_slow(int type, int c) {
    switch (type) {
        case SQLITE_FLOAT:
            return numbers::real_to_int(sqlite3_column_double(stmt_.get(), c));
        case SQLITE_TEXT:
            return numbers::text_to_int(get_text(c));
        default:
            numbers::blob_is_not_a_number(get_blob(c), true);
    }
}

double statement::double_slow(int type, int c) {
    switch (type) {
        case SQLITE_INTEGER:
            return numbers::int_to_double(sqlite3_column_int64(stmt_.get(), c));
        case SQLITE_TEXT:
            return numbers::text_to_double(get_text(c));
        default:
            numbers::blob_is_not_a_number(get_blob(c), false);
    }
}

std::string_view statement::get_text(int c) {
    const unsigned char* p = sqlite3_column_text(stmt_.get(), c);
    if (p == nullptr) return {};
    const int n = sqlite3_column_bytes(stmt_.get(), c);
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

std::span<const std::byte> statement::get_blob(int c) {
    const void* p = sqlite3_column_blob(stmt_.get(), c);
    if (p == nullptr) return {};
    const int n = sqlite3_column_bytes(stmt_.get(), c);
    return {static_cast<const std::byte*>(p), static_cast<std::size_t>(n)};
}

// ---------------------------------------------------------------------------------------------
// connection

connection::connection(const open_options& o, const driver::connect_options& c) {
    // One connection is used by one thread at a time (the engine's pool guarantees it), so
    // SQLite's per-connection mutex is not needed (OPEN_NOMUTEX = multi-thread mode).
    int flags = SQLite::OPEN_NOMUTEX;
    if (o.read_only)
        flags |= SQLite::OPEN_READONLY;
    else
        flags |= SQLite::OPEN_READWRITE | (o.create ? SQLite::OPEN_CREATE : 0);
    if (starts_with_file_uri(o.filename)) flags |= SQLite::OPEN_URI;
    try {
        db_ = std::make_shared<SQLite::Database>(o.filename, flags, o.busy_timeout_ms);
    } catch (const SQLite::Exception& e) {
        const int code = e.getExtendedErrorCode() > 0 ? e.getExtendedErrorCode() : SQLITE_CANTOPEN;
        throw operational_error(
            make_message(operational, std::string("unable to open database '") + o.filename + "': " + e.what(), {}),
            code);
    }
    handle_ = db_->getHandle();
    sqlite3_extended_result_codes(handle_, 1);
    if (c.statement_timeout > 0) {
        timer_ = std::make_shared<statement_timer>();
        timer_->seconds = c.statement_timeout;
        timer_->deadline_ns = std::numeric_limits<std::int64_t>::max();
        sqlite3_progress_handler(handle_, 1000, interrupt_when_late, timer_.get());
        // waiting for another connection's lock counts as running: no call outlasts the timeout
        const auto cap = timeouts::milliseconds(c.statement_timeout);
        if (cap < o.busy_timeout_ms) sqlite3_busy_timeout(handle_, static_cast<int>(cap));
    }
    // LIKE compares case as on PostgreSQL and dorm's MariaDB tables (SQLite's own LIKE ignores
    // ASCII case): like() gives the same rows everywhere; ilike() is the insensitive one
    execute("PRAGMA foreign_keys = ON; PRAGMA case_sensitive_like = ON");
    if (!o.journal_mode.empty()) {
        // the pragma answers with the mode in effect: a database that cannot take the mode (an
        // in-memory one cannot be WAL) keeps its own, which must not pass silently
        const std::string sql = "PRAGMA journal_mode = " + o.journal_mode;
        statement s(db_, sql);
        std::string now = s.step() ? lower(s.get_text(0)) : std::string();
        s.reset();
        if (now != o.journal_mode)
            throw argument_error("sqlite URL parameter journal_mode=" + o.journal_mode + " did not take effect on '" +
                                 o.filename + "': SQLite kept journal_mode '" + now + "'" +
                                 (o.filename.find("memdb") != std::string::npos || o.filename == ":memory:"
                                      ? " (an in-memory database has no journal file)"
                                      : ""));
    }
    if (o.synchronous >= 0) execute("PRAGMA synchronous = " + std::to_string(o.synchronous));
}

connection::~connection() = default;

std::unique_ptr<driver::statement> connection::prepare(std::string_view sql) {
    return std::make_unique<statement>(db_, sql, timer_);
}

void connection::execute(std::string_view sql) {
    const char* p = sql.data();
    const char* end = p + sql.size();
    while (p != nullptr && p < end) {
        sqlite3_stmt* raw = nullptr;
        const char* tail = nullptr;
        const int rc = sqlite3_prepare_v2(handle_, p, static_cast<int>(end - p), &raw, &tail);
        std::unique_ptr<sqlite3_stmt, stmt_deleter> s(raw);
        if (rc != SQLITE_OK) throw_error(handle_, rc, sql, true);
        p = tail;
        if (!s) continue;  // only whitespace or comments left
        if (timer_) timer_->arm();
        int step_rc = SQLITE_ROW;
        while ((step_rc = sqlite3_step(s.get())) == SQLITE_ROW) {
        }
        if (step_rc != SQLITE_DONE) {
            if (timer_) timer_->check(step_rc, sql);
            throw_error(handle_, step_rc, sql, false);
        }
    }
}

bool connection::ping() {
    try {
        statement s(db_, "SELECT 1", timer_);
        return s.step();
    } catch (...) {
        return false;
    }
}

bool connection::table_exists(std::string_view name) {
    // Table names are case-insensitive in SQLite (ASCII folding, like COLLATE NOCASE).
    statement s(db_,
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE "
                "UNION ALL SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
                timer_);
    s.bind_text(0, name);
    return s.step();
}

int connection::max_params() const { return sqlite3_limit(handle_, SQLITE_LIMIT_VARIABLE_NUMBER, -1); }

connection::transaction_state connection::transaction() {
    switch (sqlite3_txn_state(handle_, nullptr)) {
        case SQLITE_TXN_NONE: return transaction_state::none;
        case SQLITE_TXN_READ: return transaction_state::read;
        case SQLITE_TXN_WRITE: return transaction_state::write;
        default: return transaction_state::unknown;
    }
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options) {
    return std::make_unique<connection>(parse_url(u), options);
}

}  // namespace dorm::driver::sqlite
