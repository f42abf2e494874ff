#pragma once
/// @file lib/sqlite/sqlite_timer.hpp
/// engine_options::statement_timeout on a SQLite connection (a progress handler).
#include <cstdint>
#include <string_view>

struct sqlite3;

namespace dorm::driver::sqlite {

/// engine_options::statement_timeout on one SQLite connection: a progress handler interrupts a
/// statement whose current call into SQLite (a step, an execute) has run longer than `seconds`.
/// Shared by the connection and its statements (they may outlive it).
struct statement_timer {
    double seconds = 0;
    std::int64_t deadline_ns = 0;  ///< steady clock; set by arm() before each call into SQLite
    bool fired = false;            ///< the handler interrupted the current call
    /// Starts the clock of one call.
    void arm() noexcept;
    /// Throws timeout_error if the call that returned `rc` was interrupted by this timer.
    void check(int rc, std::string_view sql) const;
    /// Makes `db` ask this timer every 1000 virtual-machine instructions (sqlite3_progress_handler);
    /// the timer must outlive `db`'s use of it.
    void watch(sqlite3* db) noexcept;
};

}  // namespace dorm::driver::sqlite
