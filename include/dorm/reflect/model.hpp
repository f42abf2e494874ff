#pragma once
/// @file dorm/reflect/model.hpp
/// dorm::detail::model<T>: the compile-time description of a mapped struct, from
/// BOOST_DESCRIBE_STRUCT plus the optional DORM_TABLE: table name, columns, primary key,
/// per-column options, relationship members.
#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <dorm/reflect/column_traits.hpp>
#include <dorm/reflect/options.hpp>
#include <dorm/reflect/table_macro.hpp>
#include <dorm/reflect/type_name.hpp>
#include <dorm/reflect/relationship_members.hpp>

namespace dorm::detail {

// ADL fallback: a struct without DORM_TABLE finds this deleted overload.
void dorm_table(const void*) = delete;

template <class T>
concept has_table_spec = requires { dorm_table(static_cast<T const*>(nullptr)); };

template <class T>
constexpr auto table_spec_of() {
    if constexpr (has_table_spec<T>)
        return dorm_table(static_cast<T const*>(nullptr));
    else
        return make_table_spec<T>(nullptr);
}
template <class T>
inline constexpr auto spec_v = table_spec_of<T>();

struct no_member_spec {
    spec_tuple<> options;
};

/// The DORM_TABLE entry of the member described by D, or no_member_spec.
template <class T, class D, std::size_t I = 0>
constexpr auto find_member_spec() {
    using members = std::remove_cvref_t<decltype(spec_v<T>.members)>;
    if constexpr (I == spec_size_v<members>) {
        return no_member_spec{};
    } else {
        using S = spec_element_t<I, members>;
        if constexpr (is_table_args_spec<S>) {
            return find_member_spec<T, D, I + 1>();  // a (table_args, ...) entry names no member
        } else if constexpr (std::is_same_v<std::remove_cv_t<decltype(S::pointer)>, std::remove_cv_t<decltype(D::pointer)>>) {
            if constexpr (spec_get<I>(spec_v<T>.members).pointer == D::pointer)
                return spec_get<I>(spec_v<T>.members);
            else
                return find_member_spec<T, D, I + 1>();
        } else {
            return find_member_spec<T, D, I + 1>();
        }
    }
}

/// The options of one member, merged.
struct member_options {
    bool primary_key = false, unique = false, index = false, nullable = false;
    bool version = false;  ///< dorm::version: the row's version counter
    int varchar = 0;
    const char* column_name = nullptr;
    const char* back_populates = nullptr;
    unsigned cascade = cascade_save_update | cascade_merge;
    bool has_foreign_key = false, has_default = false, has_secondary = false;
    const char* server_default = nullptr;  ///< dorm::server_default("sql")
    const char* collation = nullptr;       ///< dorm::collation("name")
    int check_count = 0;                   ///< dorm::check("sql") options on the member
    bool has_on_delete = false, has_on_update = false;
    fk_action on_delete = fk_action::no_action, on_update = fk_action::no_action;
};

template <class O>
constexpr void apply_option(member_options& m, const O& o) {
    if constexpr (std::is_same_v<O, primary_key_t>) m.primary_key = true;
    else if constexpr (std::is_same_v<O, unique_t>) m.unique = true;
    else if constexpr (std::is_same_v<O, index_t>) m.index = true;
    else if constexpr (std::is_same_v<O, nullable_t>) m.nullable = true;
    else if constexpr (std::is_same_v<O, version_t>) m.version = true;
    else if constexpr (std::is_same_v<O, varchar_t>) m.varchar = o.length;
    else if constexpr (std::is_same_v<O, column_name_t>) m.column_name = o.name;
    else if constexpr (std::is_same_v<O, back_populates_t>) m.back_populates = o.name;
    else if constexpr (std::is_same_v<O, cascade_t>) m.cascade = o.flags;
    else if constexpr (std::is_same_v<O, server_default_t>) m.server_default = o.sql;
    else if constexpr (std::is_same_v<O, collation_t>) m.collation = o.name;
    else if constexpr (std::is_same_v<O, check_t>) ++m.check_count;
    else if constexpr (std::is_same_v<O, on_delete_t>) m.has_on_delete = true, m.on_delete = o.action;
    else if constexpr (std::is_same_v<O, on_update_t>) m.has_on_update = true, m.on_update = o.action;
    else if constexpr (requires { typename O::parent_type; }) m.has_foreign_key = true;
    else if constexpr (requires { o.value; }) m.has_default = true;
    else if constexpr (requires { typename O::type; }) m.has_secondary = true;
}

template <class T, class D>
constexpr member_options options_of() {
    member_options m;
    constexpr auto spec = find_member_spec<T, D>();
    spec_apply([&](const auto&... o) { (apply_option(m, o), ...); }, spec.options);
    return m;
}

template <class T, class D>
inline constexpr member_options options_v = options_of<T, D>();

/// The option of type-template Tmpl in a member's options (e.g. foreign_key_t), as a value; void_t-like tag if absent.
struct absent {};
template <class T, class D, template <class...> class Pred>
constexpr auto find_option() {
    constexpr auto spec = find_member_spec<T, D>();
    using opts = boost::mp11::mp_rename<std::remove_cvref_t<decltype(spec.options)>, boost::mp11::mp_list>;
    constexpr std::size_t found = boost::mp11::mp_find_if<opts, Pred>::value;
    if constexpr (found == boost::mp11::mp_size<opts>::value)
        return absent{};
    else
        return spec_get<found>(spec.options);
}

template <class O>
struct is_foreign_key : std::false_type {};
template <class P, class M>
struct is_foreign_key<foreign_key_t<P, M>> : std::true_type {};
template <class O>
struct is_default_value : std::false_type {};
template <class V>
struct is_default_value<default_value_t<V>> : std::true_type {};
template <class O>
struct is_secondary : std::false_type {};
template <class A>
struct is_secondary<secondary_t<A>> : std::true_type {};

template <class P>
struct pointer_traits;
template <class C, class M>
struct pointer_traits<M C::*> {
    using class_type = C;
    using member_type = M;
};
template <class D>
using member_of = typename pointer_traits<std::remove_cv_t<decltype(D::pointer)>>::member_type;

template <class D>
struct is_column_member
    : std::bool_constant<!relationship_traits<member_of<D>>::is_relationship> {};
template <class D>
struct is_relationship_member : std::bool_constant<relationship_traits<member_of<D>>::is_relationship> {};

template <class Members, class P>
constexpr bool is_described_pointer(P p) {
    bool found = false;
    boost::mp11::mp_for_each<Members>([&found, p](auto d) {
        if constexpr (std::is_same_v<std::remove_cv_t<decltype(d.pointer)>, P>)
            if (d.pointer == p) found = true;
    });
    return found;
}

template <class Members, class S>
constexpr bool entry_names_described_member(const S& entry) {
    if constexpr (is_table_args_spec<S>)
        return true;  // its member pointers are checked by table_of (table_level_of)
    else
        return is_described_pointer<Members>(entry.pointer);
}

template <class T>
constexpr bool spec_names_only_described_members() {
    using members = boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>;
    using specs = std::remove_cvref_t<decltype(spec_v<T>.members)>;
    return []<std::size_t... I>(std::index_sequence<I...>) {
        return (entry_names_described_member<members>(spec_get<I>(spec_v<T>.members)) && ...);
    }(std::make_index_sequence<spec_size_v<specs>>{});
}

/// The compile-time model of a mapped struct T.
template <class T>
struct model {
    static_assert(std::is_class_v<T>, "dorm: a mapped type must be a struct");
    static_assert(boost::describe::has_describe_members<T>::value,
                  "dorm: this struct is not described: add BOOST_DESCRIBE_STRUCT(T, (), (member, ...)) after it, "
                  "listing every member that maps to a column or relationship");
    static_assert(std::is_default_constructible_v<T>,
                  "dorm: a mapped struct must be default-constructible (rows are read into a fresh object)");

    using members = boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>;
    using columns = boost::mp11::mp_copy_if<members, is_column_member>;
    using relationships = boost::mp11::mp_copy_if<members, is_relationship_member>;
    static constexpr std::size_t column_count = boost::mp11::mp_size<columns>::value;
    static_assert(column_count > 0, "dorm: a mapped struct needs at least one column member");
    static_assert(spec_names_only_described_members<T>(),
                  "dorm: DORM_TABLE names a member that is not listed in BOOST_DESCRIBE_STRUCT: add it there too");

    /// The SQL table name: DORM_TABLE's, or the struct name in snake_case.
    static constexpr const char* table_name() {
        if constexpr (requires { spec_v<T>.name; })
            if (spec_v<T>.name) return spec_v<T>.name;
        return snake_case_name_v<T>.c_str();
    }

    template <std::size_t I>
    using column = boost::mp11::mp_at_c<columns, I>;

    template <std::size_t I>
    static constexpr member_options column_options() {
        return options_v<T, column<I>>;
    }

    static constexpr std::size_t explicit_pk_count() {
        std::size_t n = 0;
        boost::mp11::mp_for_each<columns>([&](auto d) {
            if (options_v<T, decltype(d)>.primary_key) ++n;
        });
        return n;
    }
    static constexpr std::size_t id_column() {
        std::size_t i = 0, found = column_count;
        boost::mp11::mp_for_each<columns>([&](auto d) {
            if (std::string_view(d.name) == "id") found = i;
            ++i;
        });
        return found;
    }
    static_assert(explicit_pk_count() > 0 || id_column() < column_count,
                  "dorm: this struct has no primary key: mark one with (member, dorm::primary_key) in DORM_TABLE, "
                  "or name the key member `id`");

    static constexpr std::size_t pk_count = explicit_pk_count() > 0 ? explicit_pk_count() : 1;
    /// Column indexes of the primary key.
    static constexpr std::array<std::size_t, pk_count> pk_columns() {
        std::array<std::size_t, pk_count> out{};
        if constexpr (explicit_pk_count() == 0) {
            out[0] = id_column();
        } else {
            std::size_t i = 0, n = 0;
            boost::mp11::mp_for_each<columns>([&](auto d) {
                if (options_v<T, decltype(d)>.primary_key) out[n++] = i;
                ++i;
            });
        }
        return out;
    }
    static constexpr auto pk = pk_columns();

    static constexpr bool is_pk_column(std::size_t i) {
        for (auto p : pk)
            if (p == i) return true;
        return false;
    }

    /// Index of the column whose member pointer is `p`, or column_count.
    template <class P>
    static constexpr std::size_t index_of(P p) {
        std::size_t i = 0, found = column_count;
        boost::mp11::mp_for_each<columns>([&](auto d) {
            if constexpr (std::is_same_v<std::remove_cv_t<decltype(d.pointer)>, P>)
                if (found == column_count && d.pointer == p) found = i;
            ++i;
        });
        return found;
    }

    /// Number of columns marked dorm::version (at most one is allowed).
    static constexpr std::size_t version_count() {
        std::size_t n = 0;
        boost::mp11::mp_for_each<columns>([&](auto d) {
            if (options_v<T, decltype(d)>.version) ++n;
        });
        return n;
    }
    /// Index of the dorm::version column, or -1.
    static constexpr int version_column() {
        int i = 0, found = -1;
        boost::mp11::mp_for_each<columns>([&](auto d) {
            if (found < 0 && options_v<T, decltype(d)>.version) found = i;
            ++i;
        });
        return found;
    }

    /// The single integer primary key is generated by the database (no FK on it).
    static constexpr bool autoincrement() {
        if constexpr (pk_count != 1) {
            return false;
        } else {
            using D = column<pk[0]>;
            using M = member_of<D>;
            return std::is_integral_v<M> && !std::is_same_v<M, bool> && !options_v<T, D>.has_foreign_key;
        }
    }
};

}  // namespace dorm::detail
