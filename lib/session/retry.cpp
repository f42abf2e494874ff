// dorm::is_retryable and the attempt loop of dorm::run_in_transaction.
#include <dorm/session/retry.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

#include <dorm/error.hpp>

#include "dialect/hooks.hpp"
#include "driver/retry_hints.hpp"

namespace dorm {

namespace {

constexpr int sqlite_busy = 5;    // SQLITE_BUSY and its extended codes (BUSY_SNAPSHOT, BUSY_TIMEOUT, ...)
constexpr int sqlite_locked = 6;  // SQLITE_LOCKED (LOCKED_SHAREDCACHE, ...)

/// SQLite reports no SQLSTATE; the servers always do.
bool sqlite_busy_or_locked(const database_error& d) noexcept {
    const int primary = d.code() & 0xff;
    return d.sqlstate().empty() && d.code() != 0 && (primary == sqlite_busy || primary == sqlite_locked);
}

}  // namespace

bool is_retryable(const std::exception& e) noexcept {
    if (dynamic_cast<const stale_data_error*>(&e) != nullptr) return true;
    const auto* d = dynamic_cast<const database_error*>(&e);
    if (d == nullptr) return false;
    const std::string& state = d->sqlstate();
    // PostgreSQL: serialization_failure, deadlock_detected, lock_not_available (NOWAIT, lock_timeout);
    // MariaDB reports its deadlock (1213) as 40001 too
    if (state == "40001" || state == "40P01" || state == "55P03") return true;
    // PostgreSQL: a prepared statement met a changed column type inside a transaction
    if (state == "0A000" && std::string_view(d->what()).find(driver::stale_plan_hint) != std::string_view::npos)
        return true;
    if (sqlite_busy_or_locked(*d)) return true;
    if (!state.empty() && d->code() != 0) {
        switch (d->code()) {
            case 1205:  // ER_LOCK_WAIT_TIMEOUT (also a NOWAIT that met a lock)
            case 1213:  // ER_LOCK_DEADLOCK
            case 1020:  // ER_CHECKREAD: record changed since last read (innodb_snapshot_isolation)
            case 3572:  // ER_LOCK_NOWAIT (MySQL 8)
                return true;
            default: break;
        }
    }
    return false;
}

namespace detail {

namespace {

/// A pause in [0, bound] seconds, from a per-thread generator.
void pause_up_to(double bound) {
    if (!(bound > 0)) return;
    thread_local std::minstd_rand gen(static_cast<unsigned>(
        std::hash<std::thread::id>{}(std::this_thread::get_id()) ^
        static_cast<std::size_t>(std::chrono::steady_clock::now().time_since_epoch().count())));
    std::uniform_real_distribution<double> dist(0.0, bound);
    std::this_thread::sleep_for(std::chrono::duration<double>(dist(gen)));
}

}  // namespace

void run_attempts(const engine& e, const retry_options& options, const std::function<void(session&)>& body) {
    if (options.max_attempts < 1)
        throw argument_error("run_in_transaction: max_attempts must be at least 1 (got " +
                             std::to_string(options.max_attempts) + ")");
    if (!(options.initial_backoff >= 0) || !(options.max_backoff >= 0))
        throw argument_error("run_in_transaction: initial_backoff and max_backoff must be non-negative seconds");
    std::optional<isolation> level = options.isolation;
    if (level) check_isolation(e.dialect(), *level, "run_in_transaction");
    double bound = options.initial_backoff;
    for (int attempt = 1;; ++attempt) {
        session s(e, session_options{.isolation = level});
        try {
            body(s);
            s.commit();
            return;
        } catch (const std::exception& failure) {
            if (attempt >= options.max_attempts || !is_retryable(failure)) throw;
            s.close();
            if (options.on_retry) options.on_retry(failure, attempt);
            // SQLite: a deferred transaction that read and then could not write fails the same way
            // again; the next attempt takes the write lock at BEGIN and waits for it instead
            if (const auto* d = dynamic_cast<const database_error*>(&failure);
                d != nullptr && sqlite_busy_or_locked(*d) && level != isolation::exclusive) {
                if (auto write_lock = hooks(e.dialect()).write_lock_isolation()) level = *write_lock;
            }
        }
        pause_up_to(std::min(bound, options.max_backoff));
        bound = std::min(bound * 2, std::max(options.max_backoff, options.initial_backoff));
    }
}

}  // namespace detail

}  // namespace dorm
