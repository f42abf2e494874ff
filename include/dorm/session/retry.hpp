#pragma once
/// @file dorm/session/retry.hpp
/// Retrying a unit of work that lost a race: dorm::is_retryable and dorm::run_in_transaction.
///
///     dorm::run_in_transaction(engine, [&](dorm::session& s) {
///         auto from = s.scalars(dorm::select<Account>().where(dorm::col(&Account::id) == a)
///                                   .with_for_update()).one();
///         ...
///     }, {.max_attempts = 10});
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <dorm/detail/function_fwd.hpp>
#include <dorm/detail/lazy.hpp>
#include <dorm/engine/engine.hpp>
#include <dorm/session/session.hpp>

namespace dorm {

/// Whether running the whole transaction again may succeed: a serialization failure (SQLSTATE
/// 40001), a deadlock (40P01, MariaDB 1213), a lock that could not be had (55P03, MariaDB 1205
/// lock wait timeout / NOWAIT), SQLite's SQLITE_BUSY and SQLITE_LOCKED (with their extended
/// codes), and a stale_data_error (an optimistic version check that failed). Anything else —
/// constraint violations, data errors, lost connections, errors of the caller's own — is not.
bool is_retryable(const std::exception& e) noexcept;

/// Options of run_in_transaction. (Used as dorm::retry_options: a template only so that a program
/// that never retries does not compile its std::function; see dorm/detail/lazy.hpp.)
template <class V = void>
struct basic_retry_options {
    /// Attempts in all (the first included); the last attempt's error is rethrown as it is.
    int max_attempts = 10;
    /// Seconds of the longest pause before the second attempt; each later pause may be twice as
    /// long, up to max_backoff. The pause is random in [0, that bound] ("full jitter"), so that
    /// transactions that collided do not collide again.
    double initial_backoff = 0.002;
    double max_backoff = 0.25;
    /// The isolation level of every attempt's transaction (none: the engine's).
    std::optional<dorm::isolation> isolation{};
    /// Called after a retryable failure, before the pause (attempt = 1 for the first failure).
    std::function<void(const std::exception& error, detail::lazy_t<int, V> attempt)> on_retry{};
};
using retry_options = basic_retry_options<>;

namespace detail {
/// The attempt loop (lib/session/retry.cpp): a fresh session per attempt, commit after `body`.
void run_attempts(const engine& e, const retry_options& options, const std::function<void(session&)>& body);
}  // namespace detail

/// Runs `f(session)` in a fresh session and commits; when that fails with a retryable error
/// (is_retryable), rolls back, pauses and runs it again in a new session, up to
/// `options.max_attempts` in all. Returns what `f` returns. Objects `f` loaded belong to a closed
/// session afterwards (detached): return plain values or load them again.
///
/// On SQLite an attempt that failed with SQLITE_BUSY is repeated with a transaction that takes
/// the write lock at BEGIN (IMMEDIATE), so a read-then-write unit of work cannot fail that way
/// twice.
template <class F>
auto run_in_transaction(const engine& e, F&& f, const retry_options& options = {}) {
    using R = std::invoke_result_t<F&, session&>;
    if constexpr (std::is_void_v<R>) {
        detail::run_attempts(e, options, [&](session& s) { f(s); });
    } else {
        std::optional<R> out;
        detail::run_attempts(e, options, [&](session& s) {
            out.reset();
            out.emplace(f(s));
        });
        return std::move(*out);
    }
}

}  // namespace dorm
