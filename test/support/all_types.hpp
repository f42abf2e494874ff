#pragma once
// Test support: AllTypes, one member of every supported column type (plain, optional, a described
// enum, dorm::nullable on a plain member). The dry DDL test (test/sql/ddl_test.cpp) prints its
// column types per dialect; the schema test (test/schema/schema_test.cpp) round-trips its extreme
// values on every backend.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/describe.hpp>

#include <dorm/dorm.hpp>

namespace all_types {

enum class Color { red, green, blue };
BOOST_DESCRIBE_ENUM(Color, red, green, blue)

struct AllTypes {
    std::int64_t id = 0;
    bool flag = false;
    std::int8_t i8 = 0;
    std::int16_t i16 = 0;
    std::int32_t i32 = 0;
    std::int64_t i64 = 0;
    std::uint8_t u8 = 0;
    std::uint16_t u16 = 0;
    std::uint32_t u32 = 0;
    std::uint64_t u64 = 0;
    float f = 0;
    double d = 0;
    std::string text;  ///< unbounded
    std::string code;  ///< VARCHAR(40)
    std::optional<std::string> maybe_text;
    std::optional<int> maybe_i32;
    std::optional<std::int64_t> maybe_int;
    std::optional<double> maybe_real;
    std::optional<bool> maybe_flag;
    dorm::blob data;
    std::optional<dorm::blob> maybe_data;
    std::chrono::sys_seconds at_s{};
    std::chrono::sys_time<std::chrono::milliseconds> at_ms{};
    std::optional<std::chrono::sys_seconds> maybe_at;
    std::chrono::year_month_day day{std::chrono::year(2000), std::chrono::month(1), std::chrono::day(1)};
    std::optional<std::chrono::year_month_day> maybe_day;
    Color color = Color::red;
    std::optional<Color> maybe_color;
    int nullable_int = 0;  ///< dorm::nullable on a plain member
};
BOOST_DESCRIBE_STRUCT(AllTypes, (),
                      (id, flag, i8, i16, i32, i64, u8, u16, u32, u64, f, d, text, code, maybe_text, maybe_i32,
                       maybe_int, maybe_real, maybe_flag, data, maybe_data, at_s, at_ms, maybe_at, day, maybe_day,
                       color, maybe_color, nullable_int))
DORM_TABLE(AllTypes, "all_types", (code, dorm::varchar(40)), (nullable_int, dorm::nullable))

}  // namespace all_types
