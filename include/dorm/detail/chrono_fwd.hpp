#pragma once
/// @file dorm/detail/chrono_fwd.hpp
/// What dorm's headers need of <chrono>: durations, time points and std::chrono::sys_time<D>,
/// and the name std::chrono::year_month_day. Full <chrono> (the calendar, time zones and their
/// stream I/O, which pull in <sstream>) is left to the user: a struct with a year_month_day
/// member includes <chrono> anyway. With libstdc++ the clock part is <bits/chrono.h>; elsewhere
/// this is plain <chrono>.
#if defined(__GLIBCXX__) && __has_include(<bits/chrono.h>)
#include <bits/chrono.h>
namespace std {
_GLIBCXX_BEGIN_NAMESPACE_VERSION
namespace chrono {
class year_month_day;
}  // namespace chrono
_GLIBCXX_END_NAMESPACE_VERSION
}  // namespace std
#else
#include <chrono>
#endif
