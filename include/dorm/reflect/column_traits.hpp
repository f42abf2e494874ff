#pragma once
/// @file dorm/reflect/column_traits.hpp
/// How a C++ member type is stored: its column type, and how it is bound and read.
/// Supported: bool, every integer width, float/double, std::string, dorm::blob
/// (std::vector<std::byte>), std::optional<T>, std::chrono::sys_time<D> (sys_seconds, ...),
/// std::chrono::year_month_day, enums described with BOOST_DESCRIBE_ENUM (stored by name),
/// and any type with a dorm::type_adapter specialization.
#include <concepts>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/describe/enum.hpp>
#include <boost/describe/enum_from_string.hpp>
#include <boost/describe/enum_to_string.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>

#include <dorm/detail/chrono_fwd.hpp>
#include <dorm/driver/driver.hpp>
#include <dorm/engine/value.hpp>
#include <dorm/error.hpp>
#include <dorm/reflect/type_name.hpp>

namespace dorm {

/// The logical column types (each dialect prints its own type name).
enum class column_type : unsigned char { boolean, integer, real, text, blob, timestamp, date };

/// Customization point: map your own type onto a supported one.
///
///     template <> struct dorm::type_adapter<Money> {
///         using db_type = std::int64_t;                       // any supported type
///         static db_type to_db(const Money& m) { return m.cents; }
///         static Money from_db(db_type v) { return Money{v}; }
///     };
template <class T>
struct type_adapter;

namespace detail {

// Text formatting of dates and times (compiled in lib/engine/value.cpp).
std::string format_timestamp(std::int64_t seconds, std::int64_t subsec, int digits);
void parse_timestamp(std::string_view text, std::int64_t& seconds, std::int64_t& nanos);  // throws data_error
std::string format_date(int y, unsigned m, unsigned d);
void parse_date(std::string_view text, int& y, unsigned& m, unsigned& d);  // throws data_error
[[noreturn]] void throw_null_into_non_optional();
[[noreturn]] void throw_out_of_range(std::int64_t v, std::string_view type);
[[noreturn]] void throw_unknown_enumerator(std::string_view name, std::string_view enum_name);
[[noreturn]] void throw_bad_enum_value(long long v, std::string_view enum_name);
[[noreturn]] void throw_unsigned_too_large();

/// Strings that must outlive a statement execution (formatted dates bound without copies).
class bind_scratch {
public:
    std::string& next() {
        if (used_ == strings_.size()) strings_.push_back(std::make_unique<std::string>());
        return *strings_[used_++];
    }
    void clear() noexcept { used_ = 0; }

private:
    std::vector<std::unique_ptr<std::string>> strings_;  // stable addresses
    std::size_t used_ = 0;
};

template <class T>
struct column_traits {
    static constexpr bool supported = false;
};

template <class T>
concept adapted = requires { typename type_adapter<T>::db_type; };

template <>
struct column_traits<bool> {
    static constexpr bool supported = true, nullable = false;
    static constexpr column_type type = column_type::boolean;
    static constexpr int int_bytes = 1;
    static void bind(driver::statement& s, int i, bool v, bind_scratch&) { s.bind_int(i, v ? 1 : 0); }
    // Every driver reads NULL as the zero value (0, 0.0, empty text), so the NULL check (a second
    // call into the driver) is only needed when that value came back.
    static void read(driver::statement& s, int c, bool& out) {
        const std::int64_t v = s.get_int(c);
        if (v == 0 && s.is_null(c)) throw_null_into_non_optional();
        out = v != 0;
    }
    static value to_value(bool v) { return value(v); }
};

template <std::integral I>
    requires(!std::same_as<I, bool>)
struct column_traits<I> {
    static constexpr bool supported = true, nullable = false;
    static constexpr column_type type = column_type::integer;
    // storage width: unsigned types need the next wider signed type
    static constexpr int int_bytes = std::is_unsigned_v<I> && sizeof(I) < 8 ? 2 * sizeof(I) : sizeof(I);
    static std::int64_t checked(I v) {
        if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8)
            if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) throw_unsigned_too_large();
        return static_cast<std::int64_t>(v);
    }
    static void bind(driver::statement& s, int i, I v, bind_scratch&) { s.bind_int(i, checked(v)); }
    static void read(driver::statement& s, int c, I& out) {
        const std::int64_t v = s.get_int(c);
        if (v == 0 && s.is_null(c)) throw_null_into_non_optional();
        if constexpr (sizeof(I) < 8 || std::is_unsigned_v<I>) {
            if (v < static_cast<std::int64_t>(std::numeric_limits<I>::min()) ||
                (sizeof(I) < 8 && v > static_cast<std::int64_t>(std::numeric_limits<I>::max())))
                throw_out_of_range(v, sizeof(I) == 1 ? "an 8-bit integer" : sizeof(I) == 2 ? "a 16-bit integer"
                                                                         : sizeof(I) == 4 ? "a 32-bit integer"
                                                                                          : "an unsigned integer");
        }
        out = static_cast<I>(v);
    }
    static value to_value(I v) { return value(checked(v)); }
};

template <std::floating_point F>
struct column_traits<F> {
    static constexpr bool supported = true, nullable = false;
    static constexpr column_type type = column_type::real;
    static constexpr int int_bytes = sizeof(F);
    static void bind(driver::statement& s, int i, F v, bind_scratch&) { s.bind_double(i, static_cast<double>(v)); }
    static void read(driver::statement& s, int c, F& out) {
        const double v = s.get_double(c);
        if (v == 0.0 && s.is_null(c)) throw_null_into_non_optional();
        out = static_cast<F>(v);
    }
    static value to_value(F v) { return value(static_cast<double>(v)); }
};

template <>
struct column_traits<std::string> {
    static constexpr bool supported = true, nullable = false;
    static constexpr column_type type = column_type::text;
    static constexpr int int_bytes = 0;
    static void bind(driver::statement& s, int i, const std::string& v, bind_scratch&) { s.bind_text(i, v); }
    static void read(driver::statement& s, int c, std::string& out) {
        const std::string_view t = s.get_text(c);
        if (t.empty() && s.is_null(c)) throw_null_into_non_optional();
        out.assign(t);
    }
    static value to_value(const std::string& v) { return value(v); }
};

template <>
struct column_traits<blob> {
    static constexpr bool supported = true, nullable = false;
    static constexpr column_type type = column_type::blob;
    static constexpr int int_bytes = 0;
    static void bind(driver::statement& s, int i, const blob& v, bind_scratch&) { s.bind_blob(i, v); }
    static void read(driver::statement& s, int c, blob& out) {
        if (s.is_null(c)) throw_null_into_non_optional();
        auto b = s.get_blob(c);
        out.assign(b.begin(), b.end());
    }
    static value to_value(const blob& v) { return value(v); }
};

template <class Duration>
struct column_traits<std::chrono::sys_time<Duration>> {
    using T = std::chrono::sys_time<Duration>;
    static constexpr bool supported = true, nullable = false;
    static constexpr column_type type = column_type::timestamp;
    static constexpr int int_bytes = 0;
    static constexpr int digits = std::is_convertible_v<Duration, std::chrono::seconds>        ? 0
                                  : std::is_convertible_v<Duration, std::chrono::milliseconds> ? 3
                                                                                               : 6;
    static std::string text(const T& v) {
        using namespace std::chrono;
        auto secs = floor<seconds>(v);
        auto sub = duration_cast<microseconds>(v - secs).count();
        if constexpr (digits == 3) sub /= 1000;
        return format_timestamp(secs.time_since_epoch().count(), sub, digits);
    }
    static void bind(driver::statement& s, int i, const T& v, bind_scratch& scratch) {
        std::string& buf = scratch.next();
        buf = text(v);
        s.bind_text(i, buf);
    }
    static void read(driver::statement& s, int c, T& out) {
        using namespace std::chrono;
        if (s.is_null(c)) throw_null_into_non_optional();
        std::int64_t secs = 0, nanos = 0;
        parse_timestamp(s.get_text(c), secs, nanos);
        out = T(duration_cast<Duration>(seconds(secs) + nanoseconds(nanos)));
    }
    static value to_value(const T& v) { return value(text(v)); }
};

// (a constrained partial specialization: its bodies are checked where a year_month_day member is
// used, after the user included <chrono>; dorm's headers only declare the type)
template <class T>
    requires std::same_as<T, std::chrono::year_month_day>
struct column_traits<T> {
    static constexpr bool supported = true, nullable = false;
    static constexpr column_type type = column_type::date;
    static constexpr int int_bytes = 0;
    static std::string text(const T& v) {
        return format_date(static_cast<int>(v.year()), static_cast<unsigned>(v.month()), static_cast<unsigned>(v.day()));
    }
    static void bind(driver::statement& s, int i, const T& v, bind_scratch& scratch) {
        std::string& buf = scratch.next();
        buf = text(v);
        s.bind_text(i, buf);
    }
    static void read(driver::statement& s, int c, T& out) {
        if (s.is_null(c)) throw_null_into_non_optional();
        int y = 0;
        unsigned m = 0, d = 0;
        parse_date(s.get_text(c), y, m, d);
        out = T{decltype(out.year())(y), decltype(out.month())(m), decltype(out.day())(d)};
    }
    static value to_value(const T& v) { return value(text(v)); }
};

template <class E>
constexpr int max_enumerator_length() {
    int n = 1;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
        int len = static_cast<int>(std::string_view(d.name).size());
        if (len > n) n = len;
    });
    return n;
}

template <class E>
    requires std::is_enum_v<E>
struct column_traits<E> {
    static_assert(boost::describe::has_describe_enumerators<E>::value,
                  "dorm: an enum member must be described: add BOOST_DESCRIBE_ENUM(E, a, b, ...) so it can be "
                  "stored by name (or specialize dorm::type_adapter<E>)");
    static constexpr bool supported = true, nullable = false;
    static constexpr column_type type = column_type::text;
    static constexpr int int_bytes = 0;
    static constexpr int length = max_enumerator_length<E>();
    static const char* name(E v) {
        const char* n = boost::describe::enum_to_string(v, nullptr);
        if (!n) throw_bad_enum_value(static_cast<long long>(v), type_name_of());
        return n;
    }
    static constexpr std::string_view type_name_of() { return type_name<E>(); }
    static void bind(driver::statement& s, int i, E v, bind_scratch&) { s.bind_text(i, name(v)); }
    static void read(driver::statement& s, int c, E& out) {
        const std::string_view t = s.get_text(c);
        if (t.empty() && s.is_null(c)) throw_null_into_non_optional();
        bool found = false;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
            if (!found && t == d.name) {
                out = d.value;
                found = true;
            }
        });
        if (!found) throw_unknown_enumerator(t, type_name_of());
    }
    static value to_value(E v) { return value(name(v)); }
};

template <class T>
struct column_traits<std::optional<T>> {
    using inner = column_traits<T>;
    static constexpr bool supported = inner::supported;
    static constexpr bool nullable = true;
    static constexpr column_type type = inner::type;
    static constexpr int int_bytes = inner::int_bytes;
    static void bind(driver::statement& s, int i, const std::optional<T>& v, bind_scratch& scratch) {
        if (v)
            inner::bind(s, i, *v, scratch);
        else
            s.bind_null(i);
    }
    static void read(driver::statement& s, int c, std::optional<T>& out) {
        if (s.is_null(c)) {
            out.reset();
            return;
        }
        if (!out) out.emplace();
        inner::read(s, c, *out);
    }
    static value to_value(const std::optional<T>& v) { return v ? inner::to_value(*v) : value(); }
};

template <adapted T>
struct column_traits<T> {
    using A = type_adapter<T>;
    using db = typename A::db_type;
    using inner = column_traits<db>;
    static_assert(inner::supported, "dorm: type_adapter<T>::db_type must itself be a supported column type");
    static constexpr bool supported = true, nullable = inner::nullable;
    static constexpr column_type type = inner::type;
    static constexpr int int_bytes = inner::int_bytes;
    static void bind(driver::statement& s, int i, const T& v, bind_scratch& scratch) {
        // the converted value may be a temporary string: keep it alive in the scratch
        if constexpr (std::is_same_v<db, std::string>) {
            std::string& buf = scratch.next();
            buf = A::to_db(v);
            s.bind_text(i, buf);
        } else {
            inner::bind(s, i, A::to_db(v), scratch);
        }
    }
    static void read(driver::statement& s, int c, T& out) {
        db tmp{};
        inner::read(s, c, tmp);
        out = A::from_db(std::move(tmp));
    }
    static value to_value(const T& v) { return inner::to_value(A::to_db(v)); }
};

/// Bit-exact equality for snapshots (NaN == NaN, -0.0 != 0.0).
template <class T>
bool same_value(const T& a, const T& b) {
    if constexpr (std::is_floating_point_v<T>)
        return std::memcmp(&a, &b, sizeof(T)) == 0;
    else
        return a == b;
}

}  // namespace detail
}  // namespace dorm

