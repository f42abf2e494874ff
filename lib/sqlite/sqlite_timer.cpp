/// @file lib/sqlite/sqlite_timer.cpp
/// The statement timeout's progress handler (see sqlite_timer.hpp).
#include "sqlite_timer.hpp"

#include <chrono>

#include <sqlite3.h>

#include <dorm/error.hpp>

#include "../driver/messages.hpp"
#include "../driver/timeouts.hpp"
#include "sqlite_errors.hpp"

namespace dorm::driver::sqlite {

namespace {

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
        throw timeout_error(make_message(operational, "interrupted: " + timeouts::cancelled(seconds), {}, sql), rc);
}

void statement_timer::watch(sqlite3* db) noexcept { sqlite3_progress_handler(db, 1000, interrupt_when_late, this); }

}  // namespace dorm::driver::sqlite
