/// @file lib/sqlite/sqlite_connection.cpp
/// SQLite URL parameters, opening a database through SQLiteCpp (flags, pragmas, the statement
/// timeout) and the connection's own commands.
#include "sqlite_connection.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <dorm/engine/url.hpp>
#include <dorm/error.hpp>

#include "../driver/messages.hpp"
#include "../driver/numbers.hpp"
#include "../driver/timeouts.hpp"
#include "sqlite_errors.hpp"
#include "sqlite_statement.hpp"

namespace dorm::driver::sqlite {

namespace {

bool starts_with_file_uri(std::string_view name) {
    return name.size() >= 5 && name.substr(0, 5) == "file:";
}

/// Milliseconds for the `timeout=<seconds>` URL parameter.
int parse_timeout_ms(const std::string& text) {
    double seconds = 0;
    if (!numbers::parse_whole(text, seconds) || !std::isfinite(seconds) || seconds < 0 || seconds > 2.0e6) {
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

}  // namespace

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
            make_message(operational, std::string("unable to open database '") + o.filename + "': " + e.what()),
            code);
    }
    handle_ = db_->getHandle();
    sqlite3_extended_result_codes(handle_, 1);
    if (c.statement_timeout > 0) {
        timer_ = std::make_shared<statement_timer>();
        timer_->seconds = c.statement_timeout;
        timer_->deadline_ns = std::numeric_limits<std::int64_t>::max();
        timer_->watch(handle_);
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

// connect(): the driver's entry point

std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options) {
    return std::make_unique<connection>(parse_url(u), options);
}

}  // namespace dorm::driver::sqlite
