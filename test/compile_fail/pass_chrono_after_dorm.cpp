// expect: compiles
// dorm's headers only declare std::chrono's duration, time_point, system_clock and
// year_month_day (dorm/detail/chrono_fwd.hpp, to keep <bits/chrono.h> out of every translation
// unit): a program that includes <chrono> AFTER dorm gets the full types, and dorm's aliases are
// the standard ones, so time-point and date columns work in either include order.
#include <dorm/dorm.hpp>

#include <chrono>
#include <string>
#include <type_traits>

static_assert(std::is_same_v<dorm::detail::sys_time<std::chrono::seconds>, std::chrono::sys_seconds>);
static_assert(std::is_same_v<dorm::detail::chrono_seconds, std::chrono::seconds>);
static_assert(std::is_same_v<dorm::detail::chrono_days, std::chrono::days>);

struct Event {
    int id = 0;
    std::chrono::sys_seconds at{};
    std::chrono::sys_days on{};
    std::chrono::sys_time<std::chrono::milliseconds> precise{};
    std::chrono::year_month_day day{};
};
BOOST_DESCRIBE_STRUCT(Event, (), (id, at, on, precise, day))

static_assert(dorm::detail::column_traits<std::chrono::sys_seconds>::type == dorm::column_type::timestamp);
static_assert(dorm::detail::column_traits<std::chrono::sys_days>::type == dorm::column_type::date);
static_assert(dorm::detail::column_traits<std::chrono::sys_seconds>::cpp_name == "std::chrono::sys_seconds");
static_assert(dorm::detail::column_traits<std::chrono::sys_days>::cpp_name == "std::chrono::sys_days");

std::string sql() {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return dorm::compile(dorm::select<Event>()
                             .where(dorm::col(&Event::at) > now && dorm::col(&Event::on) <= std::chrono::floor<std::chrono::days>(now))
                             .where(dorm::col(&Event::day) == std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)}),
                         dorm::dialect::sqlite)
        .sql;
}
