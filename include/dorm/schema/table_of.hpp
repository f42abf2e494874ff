#pragma once
/// @file dorm/schema/table_of.hpp
/// dorm::table_of<T>(): the runtime table description of a mapped struct, built once.
#include <string>

#include <boost/mp11/algorithm.hpp>

#include <dorm/detail/data_errors.hpp>
#include <dorm/reflect/model.hpp>
#include <dorm/reflect/relationships.hpp>
#include <dorm/schema/table.hpp>

namespace dorm {

template <class T>
const schema::table& table_of();

namespace detail {

/// One column of a mapped struct, as constants (see make_column_spec).
struct column_spec {
    const char* member;
    const char* name;
    column_type type;
    int int_bytes;
    int length;
    bool primary_key, nullable, unique, index, autoincrement;
    value (*server_default)();  ///< nullptr: no DEFAULT
    const schema::table& (*references)();
    int references_column;
};
/// A mapped struct's table, as constants.
struct table_desc {
    const char* name;
    const char* type_name;
    std::size_t type_name_size;
    const column_spec* columns;
    std::size_t column_count;
    int autoincrement_column;
    int version_column;  ///< the dorm::version column, or -1
};
/// The runtime table of a table_desc (lib/schema/ddl.cpp); the primary key is the columns
/// flagged primary_key, in column order.
schema::table make_table(const table_desc& spec);

template <class T, class D>
constexpr int varchar_length() {
    using M = member_of<D>;
    constexpr auto opts = options_v<T, D>;
    if constexpr (opts.varchar > 0) {
        return opts.varchar;
    } else {
        if constexpr (requires { column_traits<M>::length; })
            return column_traits<M>::length;
        else if constexpr (requires { column_traits<M>::inner::length; })
            return column_traits<M>::inner::length;
        else
            return 0;
    }
}

template <class T, class D>
constexpr void check_foreign_key() {
    constexpr auto fk = find_option<T, D, is_foreign_key>();
    if constexpr (!std::is_same_v<std::remove_cv_t<decltype(fk)>, absent>) {
        using F = std::remove_cv_t<decltype(fk)>;
        using P = typename F::parent_type;
        static_assert(boost::describe::has_describe_members<P>::value,
                      "dorm: foreign_key(&Other::member) needs Other to be described with BOOST_DESCRIBE_STRUCT");
        constexpr std::size_t target = model<P>::index_of(fk.target);
        static_assert(target < model<P>::column_count,
                      "dorm: foreign_key(&Other::member) must name a column member of Other listed in its "
                      "BOOST_DESCRIBE_STRUCT");
        static_assert(model<P>::pk_count == 1 && model<P>::is_pk_column(target),
                      "dorm: foreign_key(&Other::member) must name Other's (single-column) primary key");
    }
}

/// The DDL default of a column (only instantiated for columns with dorm::default_value).
template <class T, class D>
value column_default() {
    constexpr auto def = find_option<T, D, is_default_value>();
    return value(def.value);
}

/// The compile-time description of column `index` (member D) of T; schema::column is built from
/// it at run time by make_table (lib/), so a mapped struct costs data, not code.
template <class T, class D>
constexpr column_spec make_column_spec(std::size_t index) {
    using M = member_of<D>;
    using traits = column_traits<M>;
    static_assert(traits::supported,
                  "dorm: this member's type cannot be stored: use bool, an integer, float/double, std::string, "
                  "dorm::blob, std::optional<T>, std::chrono::sys_time<...>, std::chrono::year_month_day, an enum "
                  "with BOOST_DESCRIBE_ENUM, a dorm::many<T>/dorm::one<T> relationship, or specialize "
                  "dorm::type_adapter<T>");
    constexpr auto opts = options_v<T, D>;
    static_assert(opts.varchar == 0 || traits::type == column_type::text,
                  "dorm: dorm::varchar(n) applies to string members only");
    static_assert(!opts.back_populates && !opts.has_secondary,
                  "dorm: back_populates / secondary apply to dorm::many<T> / dorm::one<T> members only");
    check_foreign_key<T, D>();
    static_assert(!opts.version || !(traits::nullable || opts.nullable),
                  "dorm: a dorm::version column must be NOT NULL: use a plain integer member (not std::optional, "
                  "not dorm::nullable)");
    static_assert(!opts.version || traits::nullable || opts.nullable ||
                      (std::is_integral_v<M> && !std::is_same_v<M, bool>),
                  "dorm: dorm::version applies to an integer member (int, std::int64_t, ...), not to bool, text or "
                  "other types");

    column_spec c{};
    c.references_column = -1;
    c.member = D::name;
    c.name = opts.column_name ? opts.column_name : D::name;
    c.type = traits::type;
    c.int_bytes = traits::int_bytes;
    c.length = varchar_length<T, D>();
    c.primary_key = model<T>::is_pk_column(index);
    c.nullable = (traits::nullable || opts.nullable) && !c.primary_key;
    c.unique = opts.unique;
    c.index = opts.index;
    c.autoincrement = c.primary_key && model<T>::autoincrement();
    constexpr auto def = find_option<T, D, is_default_value>();
    if constexpr (!std::is_same_v<std::remove_cv_t<decltype(def)>, absent>) c.server_default = &column_default<T, D>;
    constexpr auto fk = find_option<T, D, is_foreign_key>();
    if constexpr (!std::is_same_v<std::remove_cv_t<decltype(fk)>, absent>) {
        using P = typename std::remove_cv_t<decltype(fk)>::parent_type;
        c.references = &table_of<P>;
        c.references_column = static_cast<int>(model<P>::index_of(fk.target));
    }
    return c;
}

/// Checks the relationship members of T (their static_asserts name the mistake).
template <class T, std::size_t... J>
constexpr bool check_relationships(std::index_sequence<J...>) {
    using rels = typename model<T>::relationships;
    ((void)relationship_model<T, boost::mp11::mp_at_c<rels, J>>::back(), ...);
    (check_back_type<T, boost::mp11::mp_at_c<rels, J>>(), ...);
    return true;
}

template <class T, class Seq = std::make_index_sequence<model<T>::column_count>>
struct table_desc_of;
template <class T, std::size_t... I>
struct table_desc_of<T, std::index_sequence<I...>> {
    using m = model<T>;
    static constexpr bool relationships_ok = check_relationships<T>(
        std::make_index_sequence<boost::mp11::mp_size<typename m::relationships>::value>{});
    static_assert(m::version_count() <= 1, "dorm: a table can have at most one dorm::version column");
    static_assert(m::version_column() < 0 || !m::is_pk_column(static_cast<std::size_t>(m::version_column())),
                  "dorm: a dorm::version column cannot be part of the primary key");
    static constexpr column_spec columns[] = {make_column_spec<T, typename m::template column<I>>(I)...};
    static constexpr std::string_view type = type_name<T>();
    static constexpr table_desc value{m::table_name(), type.data(), type.size(), columns, sizeof...(I),
                                      m::autoincrement() ? static_cast<int>(m::pk[0]) : -1,
                                      m::version_column()};
};

}  // namespace detail

namespace detail {
/// The C++ spelling of each column's member type (for data_error messages).
template <class T, class Seq = std::make_index_sequence<model<T>::column_count>>
struct column_spellings;
template <class T, std::size_t... I>
struct column_spellings<T, std::index_sequence<I...>> {
    static constexpr std::string_view names[sizeof...(I) + 1] = {
        column_traits<member_of<typename model<T>::template column<I>>>::cpp_name..., {}};
};
/// Rethrows a data_error raised for column `col` of T's table with the table, column and C++ type.
template <class T>
[[noreturn]] void rethrow_in_column_of(const data_error& e, std::size_t col) {
    const schema::table& t = table_of<T>();
    rethrow_in_column(e, t.name, t.columns[col].name, column_spellings<T>::names[col]);
}

/// Every column value of an object, in table order (data_error for a value that cannot be stored).
template <class T>
std::vector<value> column_values(const T& obj) {
    std::vector<value> out;
    out.reserve(model<T>::column_count);
    try {
        boost::mp11::mp_for_each<typename model<T>::columns>(
            [&](auto d) { out.push_back(column_traits<member_of<decltype(d)>>::to_value(obj.*(d.pointer))); });
    } catch (const data_error& e) {
        rethrow_in_column_of<T>(e, out.size());
    }
    return out;
}

/// Reads the columns of a row (table order, from column `first`) into an object. A value that
/// does not fit its member is a data_error naming the table, the column and the C++ type.
template <class T>
void read_object(T& obj, driver::statement& s, int first) {
    using m = model<T>;
    std::size_t at = 0;
    try {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (
                [&] {
                    using D = typename m::template column<I>;
                    using M = member_of<D>;
                    const int c = first + static_cast<int>(I);
                    at = I;
                    if constexpr (options_v<T, D>.nullable && !column_traits<M>::nullable) {
                        if (s.is_null(c)) {  // dorm::nullable on a plain member: NULL reads as a value-initialized member
                            obj.*(D::pointer) = M{};
                            return;
                        }
                    }
                    column_traits<M>::read(s, c, obj.*(D::pointer));
                }(),
                ...);
        }(std::make_index_sequence<m::column_count>{});
    } catch (const data_error& e) {
        rethrow_in_column_of<T>(e, at);
    }
}
}  // namespace detail

/// The runtime description of T's table (built on first use; thread-safe).
template <class T>
const schema::table& table_of() {
    static_assert(detail::table_desc_of<T>::relationships_ok);
    static const schema::table t = detail::make_table(detail::table_desc_of<T>::value);
    return t;
}

}  // namespace dorm
