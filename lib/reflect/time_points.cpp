// Dates and time points as text, exactly: every backend stores 0001-01-01 .. 9999-12-31 with
// microseconds (SQLite as text, PostgreSQL TIMESTAMP, MariaDB DATETIME(6)), so writing refuses
// what falls outside or below a microsecond, and reading refuses what the member cannot hold.
// Arithmetic is in 128 bits: no tick count of any std::chrono duration overflows on the way.
#include <dorm/reflect/column_traits.hpp>
#include <dorm/detail/data_errors.hpp>

#include <charconv>
#include <chrono>
#include <limits>
#include <cstdio>

namespace dorm::detail {

namespace {

__extension__ typedef __int128 i128;  // g++ and clang: 128-bit arithmetic without overflow
constexpr std::int64_t min_seconds = -62135596800;  // 0001-01-01 00:00:00
constexpr std::int64_t max_seconds = 253402300799;  // 9999-12-31 23:59:59
constexpr std::int64_t giga = 1'000'000'000;
constexpr std::string_view range_problem = "is outside 0001-01-01 .. 9999-12-31, the range every backend stores";

i128 floor_div(i128 a, i128 b) {
    i128 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

// Howard Hinnant's civil-date algorithms, valid far beyond the years std::chrono::year holds.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// "YYYY-MM-DD HH:MM:SS[.fraction]" (or the date alone) of a second count and nanoseconds; years
/// outside 0..9999 are printed as they are (for messages).
std::string print(std::int64_t secs, std::int64_t nanos, int digits) {
    const std::int64_t days = static_cast<std::int64_t>(floor_div(secs, 86400));
    const std::int64_t tod = secs - days * 86400;
    std::int64_t y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(days, y, m, d);
    char buf[80];
    int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
    if (digits >= 0) {
        n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), " %02lld:%02lld:%02lld",
                           static_cast<long long>(tod / 3600), static_cast<long long>(tod / 60 % 60),
                           static_cast<long long>(tod % 60));
        if (digits == 3)
            std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%03lld",
                          static_cast<long long>(nanos / 1'000'000));
        else if (digits == 6)
            std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%06lld",
                          static_cast<long long>(nanos / 1000));
        else if (digits == 9)
            std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%09lld", static_cast<long long>(nanos));
    }
    return buf;
}

[[noreturn]] void bad_text(std::string_view text, std::string_view what) {
    throw_bad_read(quote_value(text), "is not " + std::string(what));
}
bool read_int(std::string_view& t, int width, int& out) {
    if (t.size() < static_cast<std::size_t>(width)) return false;
    for (int i = 0; i < width; ++i)
        if (t[static_cast<std::size_t>(i)] < '0' || t[static_cast<std::size_t>(i)] > '9') return false;
    std::from_chars(t.data(), t.data() + width, out);
    t.remove_prefix(static_cast<std::size_t>(width));
    return true;
}
bool expect(std::string_view& t, char c) {
    if (t.empty() || t.front() != c) return false;
    t.remove_prefix(1);
    return true;
}

/// Seconds since the epoch and nanoseconds of "YYYY-MM-DD[( |T)HH:MM[:SS[.fraction]]][Z|+00|+00:00]".
void parse_timestamp(std::string_view text, std::int64_t& seconds, std::int64_t& nanos) {
    constexpr std::string_view what = "a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])";
    int y = 0, mo = 0, d = 0;
    std::string_view t = text;
    if (!read_int(t, 4, y) || !expect(t, '-') || !read_int(t, 2, mo) || !expect(t, '-') || !read_int(t, 2, d))
        bad_text(text, what);
    if (!std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                     std::chrono::day(static_cast<unsigned>(d))}
             .ok())
        throw_bad_read(quote_value(text), "is not a valid timestamp (no such date)");
    int h = 0, mi = 0, s = 0;
    if (!t.empty()) {
        if (t.front() != ' ' && t.front() != 'T') bad_text(text, what);
        t.remove_prefix(1);
        if (!read_int(t, 2, h) || !expect(t, ':') || !read_int(t, 2, mi)) bad_text(text, what);
        if (!t.empty() && t.front() == ':' && (t.remove_prefix(1), !read_int(t, 2, s))) bad_text(text, what);
    }
    std::int64_t ns = 0;
    if (!t.empty() && t.front() == '.') {
        t.remove_prefix(1);
        int digits = 0;
        while (!t.empty() && t.front() >= '0' && t.front() <= '9') {
            if (digits < 9) {
                ns = ns * 10 + (t.front() - '0');
                ++digits;
            } else if (t.front() != '0') {
                throw_bad_read(quote_value(text), "has a fraction below a nanosecond");
            }
            t.remove_prefix(1);
        }
        if (digits == 0) bad_text(text, what);
        for (; digits < 9; ++digits) ns *= 10;
    }
    if (!t.empty() && (t == "Z" || t == "+00" || t == "+00:00")) t = {};
    if (!t.empty() || h > 23 || mi > 59 || s > 59) bad_text(text, what);
    seconds = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600LL + mi * 60LL + s;
    nanos = ns;
}

}  // namespace

std::string format_date(int y, unsigned m, unsigned d) {
    char shown[48];
    std::snprintf(shown, sizeof shown, "%04d-%02u-%02u", y, m, d);
    const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
    if (!ymd.ok()) throw_bad_write(shown, "is not a valid date");
    if (y < 1 || y > 9999) throw_bad_write(shown, range_problem);
    return shown;
}

void parse_date(std::string_view text, int& y, unsigned& m, unsigned& d) {
    std::string_view t = text;
    int yy = 0, mm = 0, dd = 0;
    if (!read_int(t, 4, yy) || !expect(t, '-') || !read_int(t, 2, mm) || !expect(t, '-') || !read_int(t, 2, dd) ||
        !t.empty())
        bad_text(text, "a date (YYYY-MM-DD)");
    const std::chrono::year_month_day ymd{std::chrono::year(yy), std::chrono::month(static_cast<unsigned>(mm)),
                                          std::chrono::day(static_cast<unsigned>(dd))};
    if (!ymd.ok()) throw_bad_read(quote_value(text), "is not a valid date");
    y = yy;
    m = static_cast<unsigned>(mm);
    d = static_cast<unsigned>(dd);
}

std::string format_time_point(std::int64_t count, std::int64_t num, std::int64_t den, int digits,
                              std::string_view cpp) {
    // nanoseconds since the epoch = count * num / den * 1e9 (and what is left below a nanosecond)
    const i128 scaled = static_cast<i128>(count) * num * giga;
    const i128 ns_total = floor_div(scaled, den);
    const bool below_ns = ns_total * den != scaled;
    const i128 secs128 = floor_div(ns_total, giga);
    const auto nanos = static_cast<std::int64_t>(ns_total - secs128 * giga);
    if (secs128 < min_seconds || secs128 > max_seconds) {
        // shown as a date when it is one the printer can reach (always, for any 64-bit tick count
        // of a duration no coarser than days: |days| < 2^63 / 86400 is not guaranteed for years)
        const bool printable = secs128 > -(static_cast<i128>(1) << 62) && secs128 < (static_cast<i128>(1) << 62);
        std::string shown = printable ? print(static_cast<std::int64_t>(secs128), nanos, digits < 0 ? -1 : 0)
                                      : std::to_string(count) + " ticks";
        throw_bad_write(std::move(shown), range_problem);
    }
    const auto secs = static_cast<std::int64_t>(secs128);
    if (below_ns || (digits >= 0 && nanos % 1000 != 0)) {
        throw_bad_write(print(secs, nanos, 9),
                        "has a fraction below a microsecond, which no backend stores: round it first, e.g. "
                        "std::chrono::floor<std::chrono::microseconds>(t)");
    }
    (void)cpp;
    return print(secs, nanos, digits);
}

std::int64_t parse_time_point(std::string_view text, std::int64_t num, std::int64_t den, bool date_only,
                              std::string_view cpp) {
    std::int64_t secs = 0, nanos = 0;
    if (date_only && text.size() == 10) {
        int y = 0;
        unsigned m = 0, d = 0;
        parse_date(text, y, m, d);
        secs = days_from_civil(y, m, d) * 86400;
    } else {
        parse_timestamp(text, secs, nanos);
    }
    // ticks = (secs * 1e9 + nanos) * den / (num * 1e9), exactly
    const i128 numer = (static_cast<i128>(secs) * giga + nanos) * den;
    const i128 denom = static_cast<i128>(num) * giga;
    if (numer % denom != 0)
        throw_bad_read(quote_value(text), "is finer than " + std::string(cpp) + " holds (it would be truncated)");
    const i128 ticks = numer / denom;
    if (ticks < std::numeric_limits<std::int64_t>::min() || ticks > std::numeric_limits<std::int64_t>::max())
        throw_bad_read(quote_value(text), "is outside the range of " + std::string(cpp));
    return static_cast<std::int64_t>(ticks);
}

}  // namespace dorm::detail
