#pragma once
/// @file dorm/reflect/column_ops.hpp
/// column_ops: what the session does with one member type (bind, read, compare, copy, convert),
/// as a table of plain functions. The session's per-object bookkeeping walks a model's columns
/// through these tables, so a mapped struct costs one small table, not a set of instantiated
/// functions per struct. Tables for the common member types (integers, double, bool,
/// std::string, dorm::blob and their optionals) are compiled once in lib/reflect/column_ops.cpp.
#include <cstdint>
#include <new>
#include <optional>
#include <string>

#include <dorm/reflect/column_traits.hpp>

namespace dorm::detail {

template <class M>
struct is_optional_member : std::false_type {};
template <class M>
struct is_optional_member<std::optional<M>> : std::true_type {};
template <class M>
struct is_sys_time_member : std::false_type {};
template <class D>
struct is_sys_time_member<sys_time<D>> : std::true_type {};

/// Assigns a dorm::value to a member of type M (FK sync, bulk update synchronisation).
template <class M>
void assign_from_value(M& out, const value& v) {
    if constexpr (is_optional_member<M>::value) {
        if (v.is_null()) {
            out.reset();
        } else {
            typename M::value_type inner{};
            assign_from_value(inner, v);
            out = std::move(inner);
        }
    } else if constexpr (adapted<M>) {
        typename type_adapter<M>::db_type db{};
        assign_from_value(db, v);
        out = column_traits<M>::from_db(std::move(db), v);
    } else if constexpr (std::is_same_v<M, bool>) {
        out = v.as_int() != 0;
    } else if constexpr (std::is_integral_v<M>) {
        out = static_cast<M>(v.as_int());
    } else if constexpr (std::is_floating_point_v<M>) {
        out = static_cast<M>(v.as_double());
    } else if constexpr (std::is_same_v<M, std::string>) {
        out = v.as_text();
    } else if constexpr (std::is_same_v<M, blob>) {
        out = v.as_blob();
    } else if constexpr (std::is_enum_v<M>) {
        bool found = false;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<M>>([&](auto d) {
            if (!found && v.as_text() == d.name) {
                out = d.value;
                found = true;
            }
        });
        if (!found) throw_unknown_enumerator(v.as_text(), type_name<M>());
    } else if constexpr (is_sys_time_member<M>::value) {
        out = column_traits<M>::from_text(v.as_text());
    } else if constexpr (std::is_same_v<M, std::chrono::year_month_day>) {
        int y = 0;
        unsigned mo = 0, d = 0;
        parse_date(v.as_text(), y, mo, d);
        out = M{decltype(out.year())(y), decltype(out.month())(mo), decltype(out.day())(d)};
    }
}

/// The operations on one member type; every pointer argument points at a member of that type.
struct column_ops {
    void (*bind)(driver::statement& s, int param, const void* m, bind_scratch& scratch);
    void (*read)(driver::statement& s, int col, void* m);
    bool (*equal)(const void* a, const void* b);       ///< bit-exact for floating point
    void (*assign)(void* dst, const void* src);        ///< *dst = *src
    void (*construct)(void* dst, const void* src);     ///< new (dst) M(*src)
    void (*destroy)(void* m) noexcept;
    value (*to_value)(const void* m);
    void (*from_value)(void* m, const value& v);
    void (*reset)(void* m);                            ///< *m = M{}
    /// Integer members (keys): the value as int64 (nullptr for other types).
    std::int64_t (*as_int)(const void* m);
    void (*set_int)(void* m, std::int64_t v);  ///< integer members: *m = v (generated keys)
    /// Throws data_error when the value cannot be stored (nullptr: every value can).
    void (*check)(const void* m);
    /// The text of a value stored as text (nullptr for a NULL optional); checks VARCHAR lengths.
    const std::string* (*text)(const void* m);
    std::size_t size, align;
    bool optional;  ///< std::optional<...>: reset() makes it NULL
    std::string_view cpp_type;  ///< the member type as C++ spells it (for messages)
};

template <class M>
struct column_ops_of {
    static void bind(driver::statement& s, int param, const void* m, bind_scratch& scratch);
    static void read(driver::statement& s, int col, void* m);
    static bool equal(const void* a, const void* b);
    static void assign(void* dst, const void* src);
    static void construct(void* dst, const void* src);
    static void destroy(void* m) noexcept;
    static value to_value(const void* m);
    static void from_value(void* m, const value& v);
    static void reset(void* m);
    static std::int64_t as_int(const void* m);
    static void set_int(void* m, std::int64_t v);
    static void check(const void* m);
    static const std::string* text(const void* m);
    static const column_ops table;
};

template <class M>
void column_ops_of<M>::bind(driver::statement& s, int param, const void* m, bind_scratch& scratch) {
    column_traits<M>::bind(s, param, *static_cast<const M*>(m), scratch);
}
template <class M>
void column_ops_of<M>::read(driver::statement& s, int col, void* m) {
    column_traits<M>::read(s, col, *static_cast<M*>(m));
}
template <class M>
bool column_ops_of<M>::equal(const void* a, const void* b) {
    return same_value(*static_cast<const M*>(a), *static_cast<const M*>(b));
}
template <class M>
void column_ops_of<M>::assign(void* dst, const void* src) {
    *static_cast<M*>(dst) = *static_cast<const M*>(src);
}
template <class M>
void column_ops_of<M>::construct(void* dst, const void* src) {
    ::new (dst) M(*static_cast<const M*>(src));
}
template <class M>
void column_ops_of<M>::destroy(void* m) noexcept {
    static_cast<M*>(m)->~M();
}
template <class M>
value column_ops_of<M>::to_value(const void* m) {
    return column_traits<M>::to_value(*static_cast<const M*>(m));
}
template <class M>
void column_ops_of<M>::from_value(void* m, const value& v) {
    assign_from_value(*static_cast<M*>(m), v);
}
template <class M>
void column_ops_of<M>::reset(void* m) {
    *static_cast<M*>(m) = M{};
}
template <class M>
std::int64_t column_ops_of<M>::as_int(const void* m) {
    if constexpr (std::is_integral_v<M>)
        return static_cast<std::int64_t>(*static_cast<const M*>(m));
    else
        return 0;
}
template <class M>
void column_ops_of<M>::set_int(void* m, std::int64_t v) {
    if constexpr (std::is_integral_v<M>) *static_cast<M*>(m) = static_cast<M>(v);
}
template <class M>
void column_ops_of<M>::check(const void* m) {
    if constexpr (checks_values<column_traits<M>>()) column_traits<M>::check(*static_cast<const M*>(m));
}
template <class M>
const std::string* column_ops_of<M>::text(const void* m) {
    if constexpr (std::is_same_v<M, std::string>) {
        return static_cast<const std::string*>(m);
    } else if constexpr (std::is_same_v<M, std::optional<std::string>>) {
        const auto& o = *static_cast<const M*>(m);
        return o ? &*o : nullptr;
    } else {
        return nullptr;
    }
}
template <class M>
const column_ops column_ops_of<M>::table = {
    &bind, &read, &equal, &assign, &construct, &destroy, &to_value, &from_value, &reset,
    std::is_integral_v<M> ? &as_int : nullptr, std::is_integral_v<M> ? &set_int : nullptr,
    checks_values<column_traits<M>>() ? &check : nullptr,
    std::is_same_v<M, std::string> || std::is_same_v<M, std::optional<std::string>> ? &text : nullptr,
    sizeof(M), alignof(M), is_optional_member<M>::value,
    column_traits<M>::cpp_name};

// compiled once in lib/reflect/column_ops.cpp
extern template struct column_ops_of<bool>;
extern template struct column_ops_of<int>;
extern template struct column_ops_of<long>;
extern template struct column_ops_of<long long>;
extern template struct column_ops_of<unsigned>;
extern template struct column_ops_of<double>;
extern template struct column_ops_of<std::string>;
extern template struct column_ops_of<blob>;
extern template struct column_ops_of<std::optional<bool>>;
extern template struct column_ops_of<std::optional<int>>;
extern template struct column_ops_of<std::optional<long>>;
extern template struct column_ops_of<std::optional<long long>>;
extern template struct column_ops_of<std::optional<double>>;
extern template struct column_ops_of<std::optional<std::string>>;

}  // namespace dorm::detail
