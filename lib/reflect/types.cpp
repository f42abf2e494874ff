// Out-of-line helpers of the column type mapping (dates, times, error messages).
#include <dorm/reflect/column_traits.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>

#include <dorm/query/result.hpp>

namespace dorm::detail {

void throw_null_into_non_optional() {
    throw data_error("dorm: the database returned NULL for a member that is not std::optional (make the member "
                     "std::optional<T> or the column NOT NULL)");
}
void throw_out_of_range(std::int64_t v, std::string_view type) {
    throw data_error("dorm: the database value " + std::to_string(v) + " does not fit in " + std::string(type));
}
void throw_unknown_enumerator(std::string_view name, std::string_view enum_name) {
    throw data_error("dorm: '" + std::string(name) + "' is not an enumerator of " + std::string(enum_name));
}
void throw_bad_enum_value(long long v, std::string_view enum_name) {
    throw argument_error("dorm: the value " + std::to_string(v) + " is not a described enumerator of " +
                         std::string(enum_name) + ", so it has no name to store");
}
void throw_unsigned_too_large() {
    throw argument_error("dorm: an unsigned 64-bit value above 9223372036854775807 cannot be stored (SQL integers "
                         "are signed 64-bit)");
}
void throw_no_result() { throw no_result_found("No row was found when one was required"); }
void throw_multiple_results(bool one_or_none) {
    throw multiple_results_found(one_or_none ? "Multiple rows were found when one or none was required"
                                             : "Multiple rows were found when exactly one was required");
}

std::string format_date(int y, unsigned m, unsigned d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return buf;
}

std::string format_timestamp(std::int64_t seconds, std::int64_t subsec, int digits) {
    using namespace std::chrono;
    const sys_days day = floor<days>(sys_seconds(std::chrono::seconds(seconds)));
    const year_month_day ymd(day);
    const auto tod = std::chrono::seconds(seconds) - day.time_since_epoch();
    const auto h = duration_cast<hours>(tod).count();
    const auto mi = duration_cast<minutes>(tod).count() % 60;
    const auto s = tod.count() % 60;
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld:%02lld", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                          static_cast<long long>(h), static_cast<long long>(mi), static_cast<long long>(s));
    if (digits > 0) std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%0*lld", digits, static_cast<long long>(subsec));
    return buf;
}

namespace {
[[noreturn]] void bad_time(std::string_view text, const char* what) {
    throw data_error("dorm: '" + std::string(text) + "' is not a valid " + what);
}
bool read_int(std::string_view& t, int width, int& out) {
    if (t.size() < static_cast<std::size_t>(width)) return false;
    auto r = std::from_chars(t.data(), t.data() + width, out);
    if (r.ec != std::errc() || r.ptr != t.data() + width) return false;
    t.remove_prefix(static_cast<std::size_t>(width));
    return true;
}
bool expect(std::string_view& t, char c) {
    if (t.empty() || t.front() != c) return false;
    t.remove_prefix(1);
    return true;
}
}  // namespace

void parse_date(std::string_view text, int& y, unsigned& m, unsigned& d) {
    std::string_view t = text;
    int yy = 0, mm = 0, dd = 0;
    if (!read_int(t, 4, yy) || !expect(t, '-') || !read_int(t, 2, mm) || !expect(t, '-') || !read_int(t, 2, dd))
        bad_time(text, "date (YYYY-MM-DD)");
    std::chrono::year_month_day ymd{std::chrono::year(yy), std::chrono::month(static_cast<unsigned>(mm)),
                                    std::chrono::day(static_cast<unsigned>(dd))};
    if (!ymd.ok()) bad_time(text, "date");
    y = yy;
    m = static_cast<unsigned>(mm);
    d = static_cast<unsigned>(dd);
}

void parse_timestamp(std::string_view text, std::int64_t& seconds, std::int64_t& nanos) {
    using namespace std::chrono;
    int y = 0;
    unsigned mo = 0, d = 0;
    parse_date(text.substr(0, std::min<std::size_t>(10, text.size())), y, mo, d);
    std::string_view t = text.substr(10);
    int h = 0, mi = 0, s = 0;
    if (!t.empty()) {
        if (t.front() != ' ' && t.front() != 'T') bad_time(text, "timestamp (YYYY-MM-DD HH:MM:SS)");
        t.remove_prefix(1);
        if (!read_int(t, 2, h) || !expect(t, ':') || !read_int(t, 2, mi)) bad_time(text, "timestamp");
        if (!t.empty() && t.front() == ':' && (t.remove_prefix(1), !read_int(t, 2, s))) bad_time(text, "timestamp");
    }
    std::int64_t ns = 0;
    if (!t.empty() && t.front() == '.') {
        t.remove_prefix(1);
        int digits = 0;
        while (!t.empty() && t.front() >= '0' && t.front() <= '9') {
            if (digits < 9) {
                ns = ns * 10 + (t.front() - '0');
                ++digits;
            }
            t.remove_prefix(1);
        }
        for (; digits < 9; ++digits) ns *= 10;
    }
    if (!t.empty() && (t == "Z" || t == "+00" || t == "+00:00")) t = {};
    if (!t.empty() || h > 23 || mi > 59 || s > 60) bad_time(text, "timestamp");
    const sys_days date = std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(mo), std::chrono::day(d)};
    seconds = duration_cast<std::chrono::seconds>(date.time_since_epoch()).count() + h * 3600LL + mi * 60LL + s;
    nanos = ns;
}

}  // namespace dorm::detail

namespace dorm::detail {
void throw_detached(const char* what) {
    throw detached_instance_error(std::string("dorm: this ") + what +
                                  " relationship was not loaded and its object is not bound to a session, so the "
                                  "lazy load cannot proceed (load it while the session is open, e.g. with "
                                  "selectinload, or keep the session)");
}
}  // namespace dorm::detail
