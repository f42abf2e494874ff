#pragma once
// Texts a driver adds to an error message so that dorm::is_retryable (lib/session/retry.cpp) can
// recognise a retryable error that has no SQLSTATE of its own.
#include <string_view>

namespace dorm::driver {

/// PostgreSQL "cached plan must not change result type" (SQLSTATE 0A000, shared with every
/// "feature not supported"): the statement is prepared again at its next use.
inline constexpr std::string_view stale_plan_hint =
    "dorm: a column's type changed since the statement was prepared; it is prepared again at its next use, "
    "so the transaction can be run again";

}  // namespace dorm::driver
