/// @file lib/driver/numbers.cpp
/// The strict conversions of lib/driver/numbers.hpp (the cold paths of every driver's get_int /
/// get_double).
#include "numbers.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include <dorm/detail/data_errors.hpp>

namespace dorm::driver::numbers {

namespace {

constexpr std::string_view out_of_range = "is out of range for a 64-bit integer";
constexpr std::string_view not_exact_double = "is too large to be read as a double exactly (beyond 2^53)";

/// A double as shown in a message: the shortest text that reads back as it.
std::string show(double d) {
    std::string s;
    write_text(d, s);
    return s;
}

}  // namespace

std::int64_t real_to_int(double d) {
    if (std::isnan(d)) detail::throw_bad_read("NaN", "is not a number");
    // [-2^63, 2^63): both bounds are exact doubles; 2^63 itself is out of range.
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) detail::throw_bad_read(show(d), out_of_range);
    if (std::trunc(d) != d) detail::throw_bad_read(show(d), "has a fractional part");
    return static_cast<std::int64_t>(d);
}

double int_to_double(std::int64_t v) {
    if (v > exact_double_limit || v < -exact_double_limit) detail::throw_bad_read(std::to_string(v), not_exact_double);
    return static_cast<double>(v);
}

std::int64_t unsigned_to_int(std::uint64_t v) {
    if (v > static_cast<std::uint64_t>(INT64_MAX)) detail::throw_bad_read(std::to_string(v), out_of_range);
    return static_cast<std::int64_t>(v);
}

double unsigned_to_double(std::uint64_t v) {
    if (v > static_cast<std::uint64_t>(exact_double_limit)) detail::throw_bad_read(std::to_string(v), not_exact_double);
    return static_cast<double>(v);
}

std::int64_t text_to_int(std::string_view text) {
    std::int64_t i = 0;
    if (parse_whole(text, i)) return i;
    // an integer literal that int64 cannot hold is out of range, anything else is not an integer
    const std::string_view digits = !text.empty() && text[0] == '-' ? text.substr(1) : text;
    if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos) {
        detail::throw_bad_read(detail::quote_value(text), out_of_range);
    }
    detail::throw_bad_read(detail::quote_value(text), "is not an integer");
}

double text_to_double(std::string_view text) {
    double d = 0;
    if (parse_whole(text, d)) return d;
    detail::throw_bad_read(detail::quote_value(text), "is not a number");
}

std::int64_t decimal_to_int(std::string_view text) {
    std::int64_t i = 0;
    if (parse_whole(text, i)) return i;
    // [-]digits[.digits] read exactly, whatever the number of digits (numeric(30,2) holds more
    // than a double does)
    const std::size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
    const std::size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    const auto all_digits = [](std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; };
    if (whole.size() > sign && all_digits(whole.substr(sign)) && all_digits(frac)) {
        if (frac.find_first_not_of('0') != std::string_view::npos) {
            detail::throw_bad_read(std::string(text), "has a fractional part");
        }
        if (parse_whole(whole, i)) return i;
        detail::throw_bad_read(std::string(text), out_of_range);
    }
    double d = 0;
    if (parse_whole(text, d)) return real_to_int(d);  // 1e+30, Infinity, NaN
    detail::throw_bad_read(detail::quote_value(text), "is not an integer");
}

void blob_is_not_a_number(std::span<const std::byte> bytes, bool integer) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string shown = "x'";
    const std::size_t n = bytes.size() < 16 ? bytes.size() : 16;
    for (std::size_t k = 0; k < n; ++k) {
        const auto b = static_cast<unsigned char>(bytes[k]);
        shown += hex[b >> 4];
        shown += hex[b & 15];
    }
    shown += '\'';
    if (n < bytes.size()) shown += "... (" + std::to_string(bytes.size()) + " bytes)";
    detail::throw_bad_read(std::move(shown), integer ? "is a blob, not an integer" : "is a blob, not a number");
}

}  // namespace dorm::driver::numbers
