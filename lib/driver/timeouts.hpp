#pragma once
/// @file lib/driver/timeouts.hpp
/// engine_options::statement_timeout as the drivers apply it: how long a client waits for a
/// server that may have stopped answering, and the messages of dorm::timeout_error.
#include <cmath>
#include <cstdio>
#include <string>

namespace dorm::driver::timeouts {

/// How long a client waits for an answer under a statement timeout of `seconds` (> 0): the
/// timeout plus a grace of 2 s + 10 %, so that a live server's own cancellation always comes first.
inline double client_wait(double seconds) noexcept { return seconds + 2.0 + seconds / 10.0; }

/// Whole milliseconds for a server setting, at least 1 (a positive timeout never means "none").
inline long long milliseconds(double seconds) noexcept {
    const double ms = std::ceil(seconds * 1000.0);
    return ms < 1.0 ? 1 : static_cast<long long>(ms);
}

/// `2 s`, `0.25 s`: for messages.
inline std::string format(double seconds) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g s", seconds);
    return buf;
}

/// The reason of a timeout_error for a statement the database cancelled.
inline std::string cancelled(double seconds) {
    return "the statement ran longer than the statement timeout of " + format(seconds) +
           " (engine_options::statement_timeout) and was cancelled";
}

/// The reason of a timeout_error for a server that did not answer at all.
inline std::string no_answer(double seconds) {
    return "no answer from the server within " + format(client_wait(seconds)) + " (the statement timeout of " +
           format(seconds) + " and its grace): the connection was closed";
}

}  // namespace dorm::driver::timeouts
