// libFuzzer target: the conversions a driver reads values through (lib/driver/numbers.cpp,
// lib/reflect/time_points.cpp, lib/reflect/data_errors.cpp and column_traits<M>::read above
// them). The first byte picks a conversion, the rest is the value (text, or 8 bytes of a number).
// Every input is either converted or a dorm::data_error (anything else escapes: a crash), and
// what is accepted round-trips exactly (written back, it reads as the same value).
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <dorm/detail/data_errors.hpp>
#include <dorm/driver/driver.hpp>
#include <dorm/reflect/column_traits.hpp>

#include "driver/numbers.hpp"
#include "fuzz_check.hpp"

namespace chr = std::chrono;
namespace numbers = dorm::driver::numbers;

namespace {

/// A result row of one cell, read the way the SQLite driver reads its cells (native integer and
/// real storage as they are, everything else through lib/driver/numbers).
class cell_statement final : public dorm::driver::statement {
public:
    explicit cell_statement(dorm::value v) : v_(std::move(v)) {}
    int param_count() const override { return 0; }
    void bind_null(int) override {}
    void bind_int(int, std::int64_t) override {}
    void bind_double(int, double) override {}
    void bind_text(int, std::string_view) override {}
    void bind_blob(int, std::span<const std::byte>) override {}
    bool step() override { return false; }
    void reset() override {}
    std::int64_t rows_affected() override { return 0; }
    std::int64_t last_insert_id() override { return 0; }
    int column_count() override { return 1; }
    std::string_view column_name(int) override { return "v"; }
    bool is_null(int) override { return v_.is_null(); }
    dorm::value_kind column_kind(int) override { return v_.kind(); }
    std::int64_t get_int(int) override {
        switch (v_.kind()) {
            case dorm::value_kind::null: return 0;
            case dorm::value_kind::integer: return v_.as_int();
            case dorm::value_kind::real: return numbers::real_to_int(v_.as_double());
            case dorm::value_kind::text: return numbers::text_to_int(v_.as_text());
            case dorm::value_kind::blob: numbers::blob_is_not_a_number(v_.as_blob(), true);
        }
        return 0;
    }
    double get_double(int) override {
        switch (v_.kind()) {
            case dorm::value_kind::null: return 0;
            case dorm::value_kind::integer: return numbers::int_to_double(v_.as_int());
            case dorm::value_kind::real: return v_.as_double();
            case dorm::value_kind::text: return numbers::text_to_double(v_.as_text());
            case dorm::value_kind::blob: numbers::blob_is_not_a_number(v_.as_blob(), false);
        }
        return 0;
    }
    std::string_view get_text(int) override { return v_.kind() == dorm::value_kind::text ? std::string_view(v_.as_text()) : std::string_view(); }
    std::span<const std::byte> get_blob(int) override { return {}; }
    const std::string& sql() const override { return sql_; }

private:
    dorm::value v_;
    std::string sql_ = "SELECT v";
};

template <class T>
std::optional<T> read(const dorm::value& v) {
    cell_statement s(v);
    T out{};
    try {
        dorm::detail::column_traits<T>::read(s, 0, out);
    } catch (const dorm::data_error&) {
        return std::nullopt;
    }
    return out;
}

std::int64_t int_of(std::string_view b) {
    std::uint64_t u = 0;
    std::memcpy(&u, b.data(), std::min<std::size_t>(8, b.size()));
    return static_cast<std::int64_t>(u);
}
double double_of(std::string_view b) { return std::bit_cast<double>(int_of(b)); }

bool is_integer_literal(std::string_view t) {
    if (!t.empty() && t[0] == '-') t.remove_prefix(1);
    return !t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos;
}

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        std::size_t len = b0 < 0x80 ? 1 : (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += len;
    }
    return true;
}

/// Integers: the text/real/integer cell read into I is the value, exactly, or a data_error.
template <class I>
void integer_member(const dorm::value& v) {
    const auto got = read<I>(v);
    if (!got) return;
    if (v.kind() == dorm::value_kind::integer) FUZZ_CHECK(static_cast<std::int64_t>(*got) == v.as_int());
    if (v.kind() == dorm::value_kind::real) FUZZ_CHECK(static_cast<double>(*got) == v.as_double());
    if (v.kind() == dorm::value_kind::text) {
        FUZZ_CHECK(is_integer_literal(v.as_text()), v.as_text());
        // written back (as the integer), read again: the same
        const auto again = read<I>(dorm::value(static_cast<std::int64_t>(*got)));
        FUZZ_CHECK(again && *again == *got);
    }
}

template <class D>
void time_point(std::string_view text) {
    using T = chr::sys_time<D>;
    using traits = dorm::detail::column_traits<T>;
    T t{};
    try {
        t = traits::from_text(text);
    } catch (const dorm::data_error&) {
        return;
    }
    // accepted: written back (when it is in the range every backend stores), read as the same
    std::string shown;
    try {
        shown = traits::text(t);
    } catch (const dorm::data_error& e) {
        // refused on writing: outside 0001..9999, or (nanoseconds) a part below a microsecond
        const std::string m = e.what();
        FUZZ_CHECK(m.find("outside") != std::string::npos || m.find("below a microsecond") != std::string::npos, m);
        return;
    }
    T back{};
    try {
        back = traits::from_text(shown);
    } catch (const dorm::data_error& e) {
        dorm_fuzz::broken("a time point's own text does not read back", shown);
    }
    FUZZ_CHECK(back == t, shown);
}

void time_points(std::string_view text) {
    time_point<chr::seconds>(text);
    time_point<chr::milliseconds>(text);
    time_point<chr::microseconds>(text);
    time_point<chr::nanoseconds>(text);
    time_point<chr::minutes>(text);
    time_point<chr::hours>(text);
    time_point<chr::days>(text);
    // dates: what parses is exactly what format_date prints for it
    int y = 0;
    unsigned m = 0, d = 0;
    try {
        dorm::detail::parse_date(text, y, m, d);
    } catch (const dorm::data_error&) {
        return;
    }
    try {
        FUZZ_CHECK(dorm::detail::format_date(y, m, d) == text, text);
    } catch (const dorm::data_error& e) {
        FUZZ_CHECK(y < 1 || y > 9999, text);  // year 0000: read, but not a date any backend stores
    }
}

/// A tick count of a duration written as text, read back as the same count.
void written_time_point(std::int64_t count, int which) {
    static constexpr std::int64_t nums[] = {1, 1, 1, 1, 60, 3600, 86400};
    static constexpr std::int64_t dens[] = {1, 1000, 1000000, 1000000000, 1, 1, 1};
    static constexpr int digits[] = {0, 3, 6, 6, 0, 0, -1};
    const int k = which % 7;
    std::string text;
    try {
        text = dorm::detail::format_time_point(count, nums[k], dens[k], digits[k], "fuzz");
    } catch (const dorm::data_error&) {
        return;
    }
    std::int64_t back = 0;
    try {
        back = dorm::detail::parse_time_point(text, nums[k], dens[k], digits[k] < 0, "fuzz");
    } catch (const dorm::data_error&) {
        dorm_fuzz::broken("a written time point does not read back", text);
    }
    FUZZ_CHECK(back == count, text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const int mode = data[0];
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (mode % 8) {
        case 0: {  // text cells into every integer width, bool, double, float
            const dorm::value v{std::string(rest)};
            integer_member<std::int8_t>(v);
            integer_member<std::int16_t>(v);
            integer_member<std::int32_t>(v);
            integer_member<std::int64_t>(v);
            integer_member<std::uint8_t>(v);
            integer_member<std::uint16_t>(v);
            integer_member<std::uint32_t>(v);
            integer_member<std::uint64_t>(v);
            if (const auto b = read<bool>(v)) FUZZ_CHECK(is_integer_literal(rest) && numbers::text_to_int(rest) == (*b ? 1 : 0), rest);
            if (const auto d = read<double>(v)) {
                char buf[64];
                const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, *d);
                FUZZ_CHECK(ec == std::errc{});
                const auto again = read<double>(dorm::value{std::string(buf, p)});
                FUZZ_CHECK(again && (std::bit_cast<std::uint64_t>(*again) == std::bit_cast<std::uint64_t>(*d) ||
                                     (std::isnan(*again) && std::isnan(*d))),
                           std::string_view(buf, static_cast<std::size_t>(p - buf)));
            }
            (void)read<float>(v);
            break;
        }
        case 1: {  // decimal text (PostgreSQL numeric, MariaDB DECIMAL) into int64
            std::int64_t i = 0;
            try {
                i = numbers::decimal_to_int(rest);
            } catch (const dorm::data_error&) {
                break;
            }
            const auto dot = rest.find('.');
            const auto whole = rest.substr(0, dot);
            if (is_integer_literal(whole) &&
                (dot == std::string_view::npos || rest.substr(dot + 1).find_first_not_of('0') == std::string_view::npos)) {
                FUZZ_CHECK(numbers::text_to_int(whole) == i, rest);  // exact, whatever the digits
            } else {
                double d = 0;
                const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), d);
                FUZZ_CHECK(ec == std::errc{} && p == rest.data() + rest.size() && static_cast<double>(i) == d, rest);
            }
            break;
        }
        case 2: {  // real and integer cells (native storage) into members
            const double d = double_of(rest);
            integer_member<std::int32_t>(dorm::value(d));
            integer_member<std::int64_t>(dorm::value(d));
            integer_member<std::uint64_t>(dorm::value(d));
            const std::int64_t n = int_of(rest);
            integer_member<std::int16_t>(dorm::value(n));
            integer_member<std::uint32_t>(dorm::value(n));
            if (const auto r = read<double>(dorm::value(n))) FUZZ_CHECK(static_cast<std::int64_t>(*r) == n);
            try {
                const std::int64_t u = numbers::unsigned_to_int(static_cast<std::uint64_t>(n));
                FUZZ_CHECK(static_cast<std::uint64_t>(u) == static_cast<std::uint64_t>(n));
            } catch (const dorm::data_error&) {
            }
            try {
                const double u = numbers::unsigned_to_double(static_cast<std::uint64_t>(n));
                FUZZ_CHECK(static_cast<std::uint64_t>(u) == static_cast<std::uint64_t>(n));
            } catch (const dorm::data_error&) {
            }
            break;
        }
        case 3:
        case 4: time_points(rest); break;
        case 5: written_time_point(int_of(rest), rest.size() > 8 ? static_cast<unsigned char>(rest[8]) : 0); break;
        case 6: {  // dates written from fields: what is accepted reads back as the same fields
            const int y = static_cast<std::int16_t>(int_of(rest));
            const unsigned m = rest.size() > 2 ? static_cast<unsigned char>(rest[2]) : 0;
            const unsigned d = rest.size() > 3 ? static_cast<unsigned char>(rest[3]) : 0;
            std::string text;
            try {
                text = dorm::detail::format_date(y, m, d);
            } catch (const dorm::data_error&) {
                break;
            }
            int yy = 0;
            unsigned mm = 0, dd = 0;
            dorm::detail::parse_date(text, yy, mm, dd);  // a data_error escapes: a crash
            FUZZ_CHECK(yy == y && mm == m && dd == d, text);
            break;
        }
        case 7: {  // a value as shown in a message: bounded, no raw control bytes, valid UTF-8 stays valid
            const std::string q = dorm::detail::quote_value(rest);
            FUZZ_CHECK(q.size() <= 2 + 4 * 60 + 40, q);
            for (unsigned char c : q) FUZZ_CHECK(c >= 0x20 && c != 0x7f, q);
            if (valid_utf8(rest)) FUZZ_CHECK(valid_utf8(q), q);
            break;
        }
    }
    return 0;
}
