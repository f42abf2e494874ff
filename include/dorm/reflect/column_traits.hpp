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
#include <dorm/detail/data_errors.hpp>
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

// Dates and times as text (compiled in lib/reflect/time_points.cpp). A time point is `count` ticks
// of num/den seconds since 1970-01-01; every backend stores 0001-01-01 .. 9999-12-31 with
// microseconds, so a value outside that range, or with a non-zero part below a microsecond, is a
// data_error when written (`cpp` names the member type in the message).
std::string format_time_point(std::int64_t count, std::int64_t num, std::int64_t den, int digits,
                              std::string_view cpp);
/// The ticks of num/den seconds for a timestamp (or, `date_only`, a date) text; data_error when
/// the text is not one, or the value does not fit `cpp` exactly.
std::int64_t parse_time_point(std::string_view text, std::int64_t num, std::int64_t den, bool date_only,
                              std::string_view cpp);
/// YYYY-MM-DD; data_error unless the date exists and lies in 0001-01-01 .. 9999-12-31.
std::string format_date(int y, unsigned m, unsigned d);
void parse_date(std::string_view text, int& y, unsigned& m, unsigned& d);  // throws data_error
[[noreturn]] void throw_null_into_non_optional();
[[noreturn]] void throw_out_of_range(std::int64_t v, std::string_view type);
[[noreturn]] void throw_not_boolean(std::int64_t v);
[[noreturn]] void throw_unknown_enumerator(std::string_view name, std::string_view enum_name);
[[noreturn]] void throw_bad_enum_value(long long v, std::string_view enum_name);
[[noreturn]] void throw_unsigned_too_large(unsigned long long v);
/// Rethrows a data_error raised while reading result column `c` of `s` into a `cpp` value, naming
/// the column (its label in the result) and the C++ type.
[[noreturn]] void rethrow_in_result_column(const data_error& e, driver::statement& s, int c, std::string_view cpp);
template <class T>
struct column_traits;
/// Reads result column `c` of a value row into `out`, recording which column is being read.
template <class M>
void read_result_column(driver::statement& s, int c, M& out, int& at) {
    at = c;
    column_traits<M>::read(s, c, out);
}

/// The C++ spelling of a member type, for messages ("int", "std::optional<std::string>").
template <std::size_t N>
struct type_spelling {
    char chars[N + 1]{};
    constexpr std::string_view view() const { return {chars, N}; }
};
template <const std::string_view&... Parts>
constexpr auto join_spelling() {
    type_spelling<(Parts.size() + ...)> out;
    std::size_t n = 0;
    auto append = [&](std::string_view part) {
        for (char c : part) out.chars[n++] = c;
    };
    (append(Parts), ...);
    return out;
}
template <class I>
constexpr std::string_view integer_spelling() {
    if constexpr (std::is_same_v<I, char>) return "char";
    else if constexpr (std::is_same_v<I, signed char>) return "signed char";
    else if constexpr (std::is_same_v<I, unsigned char>) return "unsigned char";
    else if constexpr (std::is_same_v<I, short>) return "short";
    else if constexpr (std::is_same_v<I, unsigned short>) return "unsigned short";
    else if constexpr (std::is_same_v<I, int>) return "int";
    else if constexpr (std::is_same_v<I, unsigned>) return "unsigned";
    else if constexpr (std::is_same_v<I, long>) return "long";
    else if constexpr (std::is_same_v<I, unsigned long>) return "unsigned long";
    else if constexpr (std::is_same_v<I, long long>) return "long long";
    else if constexpr (std::is_same_v<I, unsigned long long>) return "unsigned long long";
    else return std::is_signed_v<I> ? "a signed integer type" : "an unsigned integer type";
}

/// Strings that must outlive a statement execution (formatted dates bound without copies).
/// Defined in lib/reflect/column_ops.cpp (a user translation unit only passes it along).
class bind_scratch {
public:
    bind_scratch() noexcept = default;
    ~bind_scratch();
    bind_scratch(const bind_scratch&) = delete;
    bind_scratch& operator=(const bind_scratch&) = delete;
    /// A string that stays where it is until clear() (then it is reused).
    std::string& next();
    void clear() noexcept { used_ = 0; }

private:
    struct strings;  // stable addresses
    strings* strings_ = nullptr;
    std::size_t used_ = 0;
};

template <class T>
struct column_traits {
    static constexpr bool supported = false;
};

/// Whether a column type has values it cannot store (column_traits<M>::check throws data_error).
template <class Traits>
constexpr bool checks_values() {
    if constexpr (requires { Traits::has_check; })
        return Traits::has_check;
    else
        return false;
}

template <class T>
concept adapted = requires { typename type_adapter<T>::db_type; };

template <>
struct column_traits<bool> {
    static constexpr bool supported = true, nullable = false;
    static constexpr column_type type = column_type::boolean;
    static constexpr int int_bytes = 1;
    static constexpr std::string_view cpp_name = "bool";
    static void bind(driver::statement& s, int i, bool v, bind_scratch&) { s.bind_int(i, v ? 1 : 0); }
    // Every driver reads NULL as the zero value (0, 0.0, empty text), so the NULL check (a second
    // call into the driver) is only needed when that value came back. Drivers throw data_error for
    // a value that is not an integer; a boolean is 0 or 1, nothing else.
    static void read(driver::statement& s, int c, bool& out) {
        const std::int64_t v = s.get_int(c);
        if (v == 0 && s.is_null(c)) throw_null_into_non_optional();
        if (v != 0 && v != 1) throw_not_boolean(v);
        out = v != 0;
    }
    static value to_value(bool v) { return value(v); }
};

// The range of an integer type, without <limits> (about 1 MB of compiler memory per translation
// unit): two's complement, as C++20 requires.
template <std::integral I>
inline constexpr I integer_max = std::is_signed_v<I> ? I(std::make_unsigned_t<I>(-1) >> 1) : I(-1);
template <std::integral I>
inline constexpr I integer_min = std::is_signed_v<I> ? I(-integer_max<I> - 1) : I(0);

template <std::integral I>
    requires(!std::same_as<I, bool>)
struct column_traits<I> {
    static constexpr bool supported = true, nullable = false;
    static constexpr column_type type = column_type::integer;
    // storage width: unsigned types need the next wider signed type
    static constexpr int int_bytes = std::is_unsigned_v<I> && sizeof(I) < 8 ? 2 * sizeof(I) : sizeof(I);
    static constexpr std::string_view cpp_name = integer_spelling<I>();
    static std::int64_t checked(I v) {
        if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8)
            if (v > static_cast<std::uint64_t>(integer_max<std::int64_t>)) throw_unsigned_too_large(v);
        return static_cast<std::int64_t>(v);
    }
    static constexpr bool has_check = std::is_unsigned_v<I> && sizeof(I) == 8;
    static void check(I v) { checked(v); }
    static void bind(driver::statement& s, int i, I v, bind_scratch&) { s.bind_int(i, checked(v)); }
    static void read(driver::statement& s, int c, I& out) {
        const std::int64_t v = s.get_int(c);
        if (v == 0 && s.is_null(c)) throw_null_into_non_optional();
        if constexpr (sizeof(I) < 8 || std::is_unsigned_v<I>) {
            if (v < static_cast<std::int64_t>(integer_min<I>) ||
                (sizeof(I) < 8 && v > static_cast<std::int64_t>(integer_max<I>)))
                throw_out_of_range(v, cpp_name);
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
    static constexpr std::string_view cpp_name = std::is_same_v<F, float> ? "float" : std::is_same_v<F, double> ? "double" : "long double";
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
    static constexpr std::string_view cpp_name = "std::string";
    static void bind(driver::statement& s, int i, const std::string& v, bind_scratch&) { s.bind_text(i, v); }
    static void read(driver::statement& s, int c, std::string& out) {
        const std::string_view t = s.get_text(c);
        if (t.empty() && s.is_null(c)) throw_null_into_non_optional();
        out.assign(t.data(), t.size());
    }
    static value to_value(const std::string& v) { return value(v); }
};

template <>
struct column_traits<blob> {
    static constexpr bool supported = true, nullable = false;
    static constexpr column_type type = column_type::blob;
    static constexpr int int_bytes = 0;
    static constexpr std::string_view cpp_name = "dorm::blob";
    // (compiled in lib/reflect/column_ops.cpp)
    static void bind(driver::statement& s, int i, const blob& v, bind_scratch&);
    static void read(driver::statement& s, int c, blob& out);
    static value to_value(const blob& v);
};

template <class Duration>
constexpr std::string_view sys_time_spelling() {
    using P = typename Duration::period;
    if constexpr (std::is_same_v<Duration, chrono_seconds>) return "std::chrono::sys_seconds";
    else if constexpr (std::is_same_v<Duration, chrono_days>) return "std::chrono::sys_days";
    else if constexpr (std::is_same_v<P, std::milli>) return "std::chrono::sys_time<std::chrono::milliseconds>";
    else if constexpr (std::is_same_v<P, std::micro>) return "std::chrono::sys_time<std::chrono::microseconds>";
    else if constexpr (std::is_same_v<P, std::nano>) return "std::chrono::sys_time<std::chrono::nanoseconds>";
    else if constexpr (std::is_same_v<P, std::ratio<60>>) return "std::chrono::sys_time<std::chrono::minutes>";
    else if constexpr (std::is_same_v<P, std::ratio<3600>>) return "std::chrono::sys_time<std::chrono::hours>";
    else return "std::chrono::sys_time<...>";
}

/// Time points: a DATE column when the tick is a whole number of days (sys_days), else a timestamp
/// with as many fraction digits as the tick needs (0, 3 or 6). Exact both ways or a data_error.
template <class Duration>
    requires std::is_integral_v<typename Duration::rep>
struct column_traits<sys_time<Duration>> {
    using T = sys_time<Duration>;
    using P = typename Duration::period;
    static constexpr bool supported = true, nullable = false;
    static constexpr bool date_only = P::den == 1 && P::num % 86400 == 0;
    static constexpr column_type type = date_only ? column_type::date : column_type::timestamp;
    static constexpr int int_bytes = 0;
    static constexpr std::string_view cpp_name = sys_time_spelling<Duration>();
    static constexpr int digits = P::den == 1 ? 0 : 1000 % P::den == 0 ? 3 : 6;
    static std::string text(const T& v) {
        return format_time_point(static_cast<std::int64_t>(v.time_since_epoch().count()), P::num, P::den,
                                 date_only ? -1 : digits, cpp_name);
    }
    static constexpr bool has_check = true;
    static void check(const T& v) { (void)text(v); }
    static void bind(driver::statement& s, int i, const T& v, bind_scratch& scratch) {
        std::string& buf = scratch.next();
        buf = text(v);
        s.bind_text(i, buf);
    }
    static T from_text(std::string_view t) {
        return T(Duration(static_cast<typename Duration::rep>(parse_time_point(t, P::num, P::den, date_only, cpp_name))));
    }
    static void read(driver::statement& s, int c, T& out) {
        if (s.is_null(c)) throw_null_into_non_optional();
        out = from_text(s.get_text(c));
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
    static constexpr std::string_view cpp_name = "std::chrono::year_month_day";
    static std::string text(const T& v) {
        return format_date(static_cast<int>(v.year()), static_cast<unsigned>(v.month()), static_cast<unsigned>(v.day()));
    }
    static constexpr bool has_check = true;
    static void check(const T& v) { (void)text(v); }
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

/// The VARCHAR length of an enum column: the longest enumerator name, but at least 64. A column
/// sized to today's longest name breaks inserts on PostgreSQL and MariaDB (value too long) as soon
/// as a longer enumerator is added to the enum, and widening it means an ALTER on every database;
/// 64 characters leave room for the names enums get (the storage cost is the same: VARCHAR stores
/// what is written).
inline constexpr int min_enum_column_length = 64;
template <class E>
constexpr int enum_column_length() {
    int n = min_enum_column_length;
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
    static constexpr int length = enum_column_length<E>();
    static constexpr std::string_view cpp_name = type_name<E>();
    static constexpr bool has_check = true;
    static void check(E v) { (void)name(v); }
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
    static constexpr std::string_view open_ = "std::optional<", close_ = ">", inner_name_ = inner::cpp_name;
    static constexpr auto spelling_ = join_spelling<open_, inner_name_, close_>();
    static constexpr std::string_view cpp_name = spelling_.view();
    static constexpr bool has_check = checks_values<inner>();
    static void check(const std::optional<T>& v) {
        if constexpr (has_check)
            if (v) inner::check(*v);
    }
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
    static constexpr std::string_view cpp_name = type_name<T>();
    static constexpr bool has_check = checks_values<inner>();
    /// A::to_db(v); an exception it throws that is not a dorm::error becomes a data_error (one not
    /// derived from std::exception too).
    static db to_db(const T& v) {
        try {
            return A::to_db(v);
        } catch (const dorm::error&) {
            throw;
        } catch (const std::exception& e) {
            throw_adapter_failed(cpp_name, nullptr, e.what());
        } catch (...) {
            throw_adapter_failed(cpp_name, nullptr, nullptr);
        }
    }
    static void check(const T& v) {
        if constexpr (has_check) inner::check(to_db(v));
    }
    static void bind(driver::statement& s, int i, const T& v, bind_scratch& scratch) {
        // the converted value may be a temporary string: keep it alive in the scratch
        if constexpr (std::is_same_v<db, std::string>) {
            std::string& buf = scratch.next();
            buf = to_db(v);
            s.bind_text(i, buf);
        } else {
            inner::bind(s, i, to_db(v), scratch);
        }
    }
    /// A::from_db(x) of the value read; an exception it throws that is not a dorm::error becomes
    /// a data_error naming the value (`shown`).
    static T from_db(db&& x, const value& shown) {
        try {
            return A::from_db(std::move(x));
        } catch (const dorm::error&) {
            throw;
        } catch (const std::exception& e) {
            throw_adapter_failed(cpp_name, &shown, e.what());
        } catch (...) {
            throw_adapter_failed(cpp_name, &shown, nullptr);
        }
    }
    static void read(driver::statement& s, int c, T& out) {
        db tmp{};
        inner::read(s, c, tmp);
        try {
            out = A::from_db(std::move(tmp));
        } catch (const dorm::error&) {
            throw;
        } catch (const std::exception& e) {
            const value shown = s.get(c);
            throw_adapter_failed(cpp_name, &shown, e.what());
        } catch (...) {
            const value shown = s.get(c);
            throw_adapter_failed(cpp_name, &shown, nullptr);
        }
    }
    static value to_value(const T& v) { return inner::to_value(to_db(v)); }
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

