#pragma once
/// @file dorm/reflect/table_macro.hpp
/// DORM_TABLE(T, "table_name", (member, options...)..., (table_args, table options...)):
/// table options for a described struct.
///
///     DORM_TABLE(User, "user_table", (id, dorm::primary_key), (name, dorm::varchar(30)))
///     DORM_TABLE(Book, "book", (title, dorm::varchar(200)),
///                (table_args, dorm::unique(&Book::author_id, &Book::title),
///                             dorm::index(&Book::year), dorm::check("year > 0")))
///
/// An entry whose first element is the word `table_args` (SQLAlchemy's `__table_args__`) holds
/// table-level constraints: dorm::unique(...), dorm::index(...), dorm::unique_index(...) over one
/// or more member pointers (optionally after a name) and dorm::check("sql"[, "name"]). Several
/// such entries are allowed; they are read in order, as one list. `table_args` is therefore not
/// usable as the name of a member that takes options.
///
/// Expands to a constexpr function `dorm_table(T const*)` found by argument-dependent lookup
/// (the way Boost.Describe finds its descriptors), so write it in the namespace of T.
#include <dorm/reflect/spec_tuple.hpp>

#include <boost/describe/detail/pp_for_each.hpp>

#include <dorm/reflect/options.hpp>

namespace dorm::detail {

/// One `(member, options...)` entry of DORM_TABLE.
template <class P, class... Opts>
struct member_spec {
    P pointer;
    const char* name;
    spec_tuple<Opts...> options;
};
template <class P, class... Opts>
constexpr member_spec<P, Opts...> make_member_spec(P p, const char* name, Opts... opts) {
    static_assert(std::is_member_object_pointer_v<P>,
                  "dorm: DORM_TABLE entries are (data_member, options...); this one is not a data member");
    static_assert((std::is_base_of_v<option_tag, Opts> && ...),
                  "dorm: DORM_TABLE options must be dorm::primary_key, dorm::varchar(n), dorm::unique, dorm::index, "
                  "dorm::nullable, dorm::default_value(v), dorm::server_default(\"sql\"), dorm::check(\"sql\"), "
                  "dorm::foreign_key(&T::pk), dorm::on_delete(action), dorm::on_update(action), "
                  "dorm::column_name(\"...\"), dorm::version, dorm::back_populates(\"...\"), dorm::cascade(\"...\") or "
                  "dorm::secondary<Assoc> (multi-column dorm::unique(...), dorm::index(...) and dorm::unique_index(...) "
                  "go in a (table_args, ...) entry)");
    return {p, name, spec_tuple<Opts...>{opts...}};
}

/// One `(table_args, table options...)` entry of DORM_TABLE.
template <class T, class... Args>
struct table_args_spec {
    spec_tuple<Args...> args;
};
template <class S>
inline constexpr bool is_table_args_spec = false;
template <class T, class... Args>
inline constexpr bool is_table_args_spec<table_args_spec<T, Args...>> = true;

template <class T, class... Args>
constexpr table_args_spec<T, Args...> make_table_args_spec(Args... args) {
    static_assert((std::is_base_of_v<table_option_tag, Args> && ...),
                  "dorm: a (table_args, ...) entry of DORM_TABLE takes dorm::unique(&T::a, ...), dorm::index(&T::a, "
                  "...), dorm::unique_index(&T::a, ...) and dorm::check(\"sql\"), each optionally named");
    return {spec_tuple<Args...>{args...}};
}

/// What DORM_TABLE produced for T.
template <class T, class... Members>
struct table_spec {
    using type = T;
    const char* name;
    spec_tuple<Members...> members;
};
template <class T, class... Members>
constexpr table_spec<T, Members...> make_table_spec(const char* name, Members... m) {
    return {name, spec_tuple<Members...>{m...}};
}

}  // namespace dorm::detail

#define DORM_DETAIL_UNPAREN(...) __VA_ARGS__
#define DORM_DETAIL_CAT(a, b) DORM_DETAIL_CAT_I(a, b)
#define DORM_DETAIL_CAT_I(a, b) a##b
// The probe idiom: DORM_DETAIL_PROBE_<first element> is a macro (two elements) only for the word
// table_args, so the second element of `PROBE_m, 0, ~` is 1 for it and 0 for any member name.
#define DORM_DETAIL_PROBE_table_args ~, 1
#define DORM_DETAIL_SECOND(a, b, ...) b
#define DORM_DETAIL_SECOND_I(...) DORM_DETAIL_SECOND(__VA_ARGS__)
#define DORM_DETAIL_IS_TABLE_ARGS(m) DORM_DETAIL_SECOND_I(DORM_DETAIL_PROBE_##m, 0, ~)
#define DORM_DETAIL_ENTRY_KIND_0(T, m, ...) ::dorm::detail::make_member_spec(&T::m, #m __VA_OPT__(, ) __VA_ARGS__)
#define DORM_DETAIL_ENTRY_KIND_1(T, m, ...) ::dorm::detail::make_table_args_spec<T>(__VA_ARGS__)
#define DORM_DETAIL_ENTRY_II(T, m, ...) \
    DORM_DETAIL_CAT(DORM_DETAIL_ENTRY_KIND_, DORM_DETAIL_IS_TABLE_ARGS(m))(T, m __VA_OPT__(, ) __VA_ARGS__)
#define DORM_DETAIL_ENTRY_I(T, ...) DORM_DETAIL_ENTRY_II(T, __VA_ARGS__)
#define DORM_DETAIL_ENTRY(T, x) , DORM_DETAIL_ENTRY_I(T, DORM_DETAIL_UNPAREN x)

/// Table name and per-member options of a described struct. See dorm/reflect/table_macro.hpp.
#define DORM_TABLE(T, table_name, ...)                                                              \
    [[maybe_unused]] constexpr auto dorm_table(T const*) {                                          \
        return ::dorm::detail::make_table_spec<T>(                                                  \
            table_name __VA_OPT__(BOOST_DESCRIBE_PP_FOR_EACH(DORM_DETAIL_ENTRY, T, __VA_ARGS__)));  \
    }
