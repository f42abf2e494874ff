#pragma once
/// @file dorm/schema/table_of.hpp
/// dorm::table_of<T>(): the runtime table description of a mapped struct, built once.
#include <array>
#include <string>
#include <tuple>

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
    const char* server_default_sql;  ///< dorm::server_default("sql"), or nullptr
    fk_action on_delete, on_update;  ///< dorm::on_delete / dorm::on_update of a foreign key
    const char* collation;           ///< dorm::collation("name"), or nullptr
};
/// A table-level UNIQUE constraint or index (`(table_args, dorm::unique(...))`), as constants.
struct column_set_spec {
    const char* name;          ///< nullptr: make_table names it uq_/ix_<table>_<columns>
    std::size_t first, count;  ///< its columns: table_desc::set_columns[first, first + count)
    column_set_kind kind;
};
/// A CHECK constraint, as constants.
struct check_spec {
    const char* name;  ///< nullptr: make_table names it ck_<table>_<column> or ck_<table>_<n>
    const char* expression;
    int column;  ///< the column of a column-level dorm::check, -1 for a table-level one
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
    const check_spec* checks;  ///< column-level ones (column order), then table-level ones
    std::size_t check_count;
    const column_set_spec* sets;  ///< table_args unique / index / unique_index, in order
    std::size_t set_count;
    const int* set_columns;  ///< the column indexes of every set, one after the other
};
/// The runtime table of a table_desc (lib/schema/table.cpp); the primary key is the columns
/// flagged primary_key, in column order; unnamed constraints are named there.
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
    using M = member_of<D>;
    using V = std::remove_cv_t<decltype(def.value)>;
    if constexpr (std::is_constructible_v<value, V>) {
        return value(def.value);  // a number, a string, a bool
    } else {
        static_assert(std::is_constructible_v<M, V>,
                      "dorm: default_value(v) needs a number, a string, a bool or a value of the member's type");
        // as the member is stored: an enumerator by its name, an adapted type through its adapter
        return column_traits<M>::to_value(M(def.value));
    }
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
    static_assert((!opts.has_on_delete && !opts.has_on_update) || opts.has_foreign_key,
                  "dorm: dorm::on_delete(...) and dorm::on_update(...) apply to a foreign key: write them in the "
                  "entry that has dorm::foreign_key(&Other::id)");
    static_assert((opts.on_delete != fk_action::set_null && opts.on_update != fk_action::set_null) ||
                      traits::nullable || opts.nullable,
                  "dorm: dorm::fk_action::set_null needs a nullable column: make the member std::optional or add "
                  "dorm::nullable");
    static_assert((opts.on_delete != fk_action::set_default && opts.on_update != fk_action::set_default) ||
                      opts.has_default || opts.server_default != nullptr,
                  "dorm: dorm::fk_action::set_default needs a column default: add dorm::default_value(v) or "
                  "dorm::server_default(\"sql\")");
    static_assert(opts.collation == nullptr || traits::type == column_type::text,
                  "dorm: dorm::collation(\"name\") applies to a string member");
    static_assert(!opts.has_default || opts.server_default == nullptr,
                  "dorm: a column takes dorm::default_value(v) (a literal) or dorm::server_default(\"sql\") (an SQL "
                  "expression), not both");

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
    c.server_default_sql = opts.server_default;
    c.on_delete = opts.on_delete;
    c.on_update = opts.on_update;
    c.collation = opts.collation;
    return c;
}

// ---- table-level options: the (table_args, ...) entries and column-level dorm::check ----------

template <class A>
inline constexpr bool is_column_set = false;
template <column_set_kind K, class... P>
inline constexpr bool is_column_set<column_set_t<K, P...>> = true;
template <class A>
inline constexpr std::size_t column_set_width = 0;
template <column_set_kind K, class... P>
inline constexpr std::size_t column_set_width<column_set_t<K, P...>> = sizeof...(P);

template <class T, std::size_t I>
constexpr auto table_args_part() {
    using S = spec_element_t<I, std::remove_cvref_t<decltype(spec_v<T>.members)>>;
    if constexpr (is_table_args_spec<S>)
        return spec_get<I>(spec_v<T>.members).args;
    else
        return spec_tuple<>{};
}
template <class T, std::size_t... I>
constexpr auto table_args_of(std::index_sequence<I...>) {
    return spec_cat(table_args_part<T, I>()...);
}
/// Every element of T's (table_args, ...) entries, in order, as one tuple.
template <class T>
inline constexpr auto table_args_v =
    table_args_of<T>(std::make_index_sequence<spec_size_v<std::remove_cvref_t<decltype(spec_v<T>.members)>>>{});

/// Whether the member pointers of a column set of kind K name column members of T.
template <class T, column_set_kind K, class A>
constexpr bool set_names_columns(const A& a) {
    if constexpr (!is_column_set<A>) {
        return true;
    } else if constexpr (A::kind != K) {
        return true;
    } else {
        return spec_apply([](auto... p) { return ((model<T>::index_of(p) < model<T>::column_count) && ...); },
                          a.members);
    }
}
template <class T, column_set_kind K, std::size_t... J>
constexpr bool sets_name_columns(std::index_sequence<J...>) {
    return (set_names_columns<T, K>(spec_get<J>(table_args_v<T>)) && ...);
}

template <class T, class A, std::size_t N>
constexpr void add_set_columns(const A& a, std::array<int, N>& out, std::size_t& at) {
    if constexpr (is_column_set<A>)
        spec_apply([&](auto... p) { ((out[at++] = static_cast<int>(model<T>::index_of(p))), ...); }, a.members);
}
template <class T, std::size_t N, std::size_t... J>
constexpr std::array<int, N> make_set_columns(std::index_sequence<J...>) {
    std::array<int, N> out{};
    [[maybe_unused]] std::size_t at = 0;
    (add_set_columns<T>(spec_get<J>(table_args_v<T>), out, at), ...);
    return out;
}

template <class A, std::size_t N>
constexpr void add_set(const A& a, std::array<column_set_spec, N>& out, std::size_t& at, std::size_t& first) {
    if constexpr (is_column_set<A>) {
        out[at++] = column_set_spec{a.name, first, column_set_width<A>, A::kind};
        first += column_set_width<A>;
    }
}
template <class T, std::size_t N, std::size_t... J>
constexpr std::array<column_set_spec, N> make_sets(std::index_sequence<J...>) {
    std::array<column_set_spec, N> out{};
    [[maybe_unused]] std::size_t at = 0, first = 0;
    (add_set(spec_get<J>(table_args_v<T>), out, at, first), ...);
    return out;
}

template <class O, std::size_t N>
constexpr void add_check(const O& o, std::array<check_spec, N>& out, std::size_t& at, int column) {
    if constexpr (std::is_same_v<O, check_t>) out[at++] = check_spec{o.name, o.expression, column};
}
/// Column-level checks of the member D (column `column`).
template <class T, class D, std::size_t N>
constexpr void add_column_checks(std::array<check_spec, N>& out, std::size_t& at, int column) {
    if constexpr (options_v<T, D>.check_count > 0) {
        constexpr auto spec = find_member_spec<T, D>();
        spec_apply([&](const auto&... o) { (add_check(o, out, at, column), ...); }, spec.options);
    }
}
/// Every check of T: the column-level ones in column order, then the table_args ones.
template <class T, std::size_t N, std::size_t... I, std::size_t... J>
constexpr std::array<check_spec, N> make_checks(std::index_sequence<I...>, std::index_sequence<J...>) {
    std::array<check_spec, N> out{};
    [[maybe_unused]] std::size_t at = 0;
    (add_column_checks<T, typename model<T>::template column<I>>(out, at, static_cast<int>(I)), ...);
    (add_check(spec_get<J>(table_args_v<T>), out, at, -1), ...);
    return out;
}

/// The table-level constraints of T as constant arrays (see table_desc).
template <class T, class Args = std::remove_cvref_t<decltype(table_args_v<T>)>,
          class Columns = std::make_index_sequence<model<T>::column_count>>
struct table_level_of;
template <class T, class... A, std::size_t... I>
struct table_level_of<T, spec_tuple<A...>, std::index_sequence<I...>> {
    using args = std::index_sequence_for<A...>;
    static constexpr bool unique_ok = sets_name_columns<T, column_set_kind::unique>(args{});
    static constexpr bool index_ok = sets_name_columns<T, column_set_kind::index>(args{});
    static constexpr bool unique_index_ok = sets_name_columns<T, column_set_kind::unique_index>(args{});
    static_assert(unique_ok, "dorm: dorm::unique(...) in table_args must name column members of the struct");
    static_assert(index_ok, "dorm: dorm::index(...) in table_args must name column members of the struct");
    static_assert(unique_index_ok,
                  "dorm: dorm::unique_index(...) in table_args must name column members of the struct");

    static constexpr std::size_t set_count = (std::size_t{is_column_set<A>} + ... + 0);
    static constexpr std::size_t width = (column_set_width<A> + ... + 0);
    static constexpr std::size_t check_count =
        (static_cast<std::size_t>(options_v<T, typename model<T>::template column<I>>.check_count) + ... + 0) +
        (std::size_t{std::is_same_v<A, check_t>} + ... + 0);
    static constexpr std::array<int, width> set_columns = make_set_columns<T, width>(args{});
    static constexpr std::array<column_set_spec, set_count> sets = make_sets<T, set_count>(args{});
    static constexpr std::array<check_spec, check_count> checks =
        make_checks<T, check_count>(std::index_sequence<I...>{}, args{});
};

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
    static_assert((((options_v<T, typename m::template column<I>>.on_delete != fk_action::set_null &&
                     options_v<T, typename m::template column<I>>.on_update != fk_action::set_null) ||
                    !m::is_pk_column(I)) &&
                   ...),
                  "dorm: dorm::fk_action::set_null cannot apply to a primary-key column (key columns are NOT NULL)");
    static constexpr column_spec columns[] = {make_column_spec<T, typename m::template column<I>>(I)...};
    static constexpr std::string_view type = type_name<T>();
    using level = table_level_of<T>;
    static constexpr table_desc value{m::table_name(),
                                      type.data(),
                                      type.size(),
                                      columns,
                                      sizeof...(I),
                                      m::autoincrement() ? static_cast<int>(m::pk[0]) : -1,
                                      m::version_column(),
                                      level::checks.data(),
                                      level::check_count,
                                      level::sets.data(),
                                      level::set_count,
                                      level::set_columns.data()};
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
