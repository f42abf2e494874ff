#pragma once
/// @file dorm/reflect/table_macro.hpp
/// DORM_TABLE(T, "table_name", (member, options...)...): table options for a described struct.
///
///     DORM_TABLE(User, "user_table", (id, dorm::primary_key), (name, dorm::varchar(30)))
///
/// Expands to a constexpr function `dorm_table(T const*)` found by argument-dependent lookup
/// (the way Boost.Describe finds its descriptors), so write it in the namespace of T.
#include <tuple>

#include <boost/describe/detail/pp_for_each.hpp>

#include <dorm/reflect/options.hpp>

namespace dorm::detail {

/// One `(member, options...)` entry of DORM_TABLE.
template <class P, class... Opts>
struct member_spec {
    P pointer;
    const char* name;
    std::tuple<Opts...> options;
};
template <class P, class... Opts>
constexpr member_spec<P, Opts...> make_member_spec(P p, const char* name, Opts... opts) {
    static_assert(std::is_member_object_pointer_v<P>,
                  "dorm: DORM_TABLE entries are (data_member, options...); this one is not a data member");
    static_assert((std::is_base_of_v<option_tag, Opts> && ...),
                  "dorm: DORM_TABLE options must be dorm::primary_key, dorm::varchar(n), dorm::unique, dorm::index, "
                  "dorm::nullable, dorm::default_value(v), dorm::foreign_key(&T::pk), dorm::column_name(\"...\"), dorm::version, "
                  "dorm::back_populates(\"...\"), dorm::cascade(\"...\") or dorm::secondary<Assoc>");
    return {p, name, std::tuple<Opts...>(opts...)};
}

/// What DORM_TABLE produced for T.
template <class T, class... Members>
struct table_spec {
    using type = T;
    const char* name;
    std::tuple<Members...> members;
};
template <class T, class... Members>
constexpr table_spec<T, Members...> make_table_spec(const char* name, Members... m) {
    return {name, std::tuple<Members...>(m...)};
}

}  // namespace dorm::detail

#define DORM_DETAIL_UNPAREN(...) __VA_ARGS__
#define DORM_DETAIL_ENTRY_II(T, m, ...) ::dorm::detail::make_member_spec(&T::m, #m __VA_OPT__(, ) __VA_ARGS__)
#define DORM_DETAIL_ENTRY_I(T, ...) DORM_DETAIL_ENTRY_II(T, __VA_ARGS__)
#define DORM_DETAIL_ENTRY(T, x) , DORM_DETAIL_ENTRY_I(T, DORM_DETAIL_UNPAREN x)

/// Table name and per-member options of a described struct. See dorm/reflect/table_macro.hpp.
#define DORM_TABLE(T, table_name, ...)                                                              \
    [[maybe_unused]] constexpr auto dorm_table(T const*) {                                          \
        return ::dorm::detail::make_table_spec<T>(                                                  \
            table_name __VA_OPT__(BOOST_DESCRIBE_PP_FOR_EACH(DORM_DETAIL_ENTRY, T, __VA_ARGS__)));  \
    }
