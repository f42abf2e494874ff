#pragma once
/// @file dorm/detail/chrono_fwd.hpp
/// What dorm's headers need of <chrono>: the NAMES std::chrono::duration, time_point,
/// system_clock and year_month_day. Every use of them in dorm's headers is inside a template, so
/// their definitions are needed only where a struct has such a member, and a struct with such a
/// member includes <chrono> anyway. With libstdc++ these are declarations (as <bits/chrono.h>
/// makes them; its default template arguments come with it, later): <bits/chrono.h> itself costs
/// every translation unit about 4 MB of compiler memory. Elsewhere this is plain <chrono>.
/// dorm::detail::sys_time<D>, chrono_seconds and chrono_days are std::chrono::sys_time<D>,
/// seconds and days.
#include <cstdint>
#include <ratio>

#if defined(__GLIBCXX__) && __has_include(<bits/chrono.h>)
namespace std {
_GLIBCXX_BEGIN_NAMESPACE_VERSION
namespace chrono {
template <typename _Rep, typename _Period>
struct duration;
template <typename _Clock, typename _Dur>
struct time_point;
inline namespace _V2 {
struct system_clock;
}  // namespace _V2
class year_month_day;
}  // namespace chrono
_GLIBCXX_END_NAMESPACE_VERSION
}  // namespace std
#else
#include <chrono>
#endif

namespace dorm::detail {
template <class Duration>
using sys_time = std::chrono::time_point<std::chrono::system_clock, Duration>;
using chrono_seconds = std::chrono::duration<std::int64_t, std::ratio<1>>;
using chrono_days = std::chrono::duration<std::int64_t, std::ratio<86400>>;
}  // namespace dorm::detail
