// Echo formatting, following SQLAlchemy's sqlalchemy.sql.util._repr_params and its cache badges.
#include "echo.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

namespace dorm::detail {

namespace {

constexpr std::size_t max_chars = 300;        // per value
constexpr std::size_t max_params = 100;       // per parameter set
constexpr std::size_t max_sets = 10;          // per executemany log

bool is_continuation(char c) noexcept { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// Number of code points (repr() output is valid UTF-8).
std::size_t count_chars(std::string_view s) noexcept {
    std::size_t n = 0;
    for (char c : s)
        if (!is_continuation(c)) ++n;
    return n;
}

/// Byte offset of the code point with index `chars`.
std::size_t offset_of_char(std::string_view s, std::size_t chars) noexcept {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (is_continuation(s[i])) continue;
        if (seen == chars) return i;
        ++seen;
    }
    return s.size();
}

void append_values(std::string& out, std::span<const value> vs) {
    for (std::size_t i = 0; i < vs.size(); ++i) {
        if (i) out += ", ";
        out += echo_value(vs[i]);
    }
}

void append_sets(std::string& out, std::span<const std::vector<value>> sets) {
    for (std::size_t i = 0; i < sets.size(); ++i) {
        if (i) out += ", ";
        out += echo_params(sets[i]);
    }
}

std::string printf_badge(const char* format, double seconds) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, seconds);
    return buf;
}

}  // namespace

std::string echo_value(const value& v) {
    std::string rep = v.repr();
    if (rep.size() <= max_chars) return rep;  // bytes >= code points
    const std::size_t len = count_chars(rep);
    if (len <= max_chars) return rep;
    const std::size_t segment = max_chars / 2;
    std::string out;
    out.reserve(max_chars + 64);
    out.append(rep, 0, offset_of_char(rep, segment));
    out += " ... (";
    out += std::to_string(len - max_chars);
    out += " characters truncated) ... ";
    out.append(rep, offset_of_char(rep, len - segment));
    return out;
}

std::string echo_params(std::span<const value> params) {
    std::string out = "(";
    if (params.size() > max_params) {
        const std::size_t half = max_params / 2;
        append_values(out, params.first(half));
        out += " ... ";
        out += std::to_string(params.size() - max_params);
        out += " parameters truncated ... ";
        append_values(out, params.last(half));
    } else {
        append_values(out, params);
        if (params.size() == 1) out += ',';
    }
    out += ')';
    return out;
}

std::string echo_param_sets(std::span<const std::vector<value>> sets, std::size_t total) {
    std::string out = "[";
    if (total > max_sets) {
        const std::size_t first = std::min(max_sets - 2, sets.size());
        const std::size_t last = std::min<std::size_t>(2, sets.size() - first);
        append_sets(out, sets.first(first));
        out += "  ... displaying ";
        out += std::to_string(max_sets);
        out += " of ";
        out += std::to_string(total);
        out += " total bound parameter sets ...  ";
        append_sets(out, sets.last(last));
    } else {
        append_sets(out, sets);
    }
    out += ']';
    return out;
}

std::string badge_generated(double seconds) { return printf_badge("generated in %.5fs", seconds); }
std::string badge_cached(double seconds) { return printf_badge("cached since %.4gs ago", seconds); }
std::string badge_no_key(double seconds) { return printf_badge("no key %.5fs", seconds); }

void write_echo(const std::function<void(std::string_view)>& sink, std::string_view entry) {
    if (sink) {
        sink(entry);
        return;
    }
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    localtime_r(&t, &tm);
    char stamp[48];
    const std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    std::snprintf(stamp + n, sizeof stamp - n, ",%03d", static_cast<int>(ms));
    std::string line;
    line.reserve(entry.size() + 64);
    line += stamp;
    line += " INFO dorm.engine.Engine ";
    line += entry;
    line += '\n';
    std::clog << line << std::flush;
}

}  // namespace dorm::detail
