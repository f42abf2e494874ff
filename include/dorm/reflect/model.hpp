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
#include <boost/version.hpp>

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

/// Whether two member names are equal (constexpr strcmp).
constexpr bool same_name(const char* a, const char* b) {
    while (*a != '\0' && *a == *b) ++a, ++b;
    return *a == *b;
}
/// The index of `name` among the `n` names (nullptr entries skipped), or -1.
constexpr int name_index(const char* const* names, std::size_t n, const char* name) {
    for (std::size_t i = 0; i < n; ++i)
        if (names[i] != nullptr && same_name(names[i], name)) return static_cast<int>(i);
    return -1;
}

template <class S>
constexpr const char* entry_name(const S& s) {
    if constexpr (is_table_args_spec<S>)
        return nullptr;  // a (table_args, ...) entry names no member
    else
        return s.name;
}
/// The member names of T's DORM_TABLE entries in order (nullptr for a (table_args, ...) entry).
/// Entries are looked up by name in one constexpr loop: a search by member pointer instantiated a
/// function per entry tried for every member (quadratic in the member count).
template <class T, class Seq = std::make_index_sequence<spec_size_v<std::remove_cvref_t<decltype(spec_v<T>.members)>>>>
struct entry_names;
template <class T, std::size_t... I>
struct entry_names<T, std::index_sequence<I...>> {
    static constexpr const char* names[sizeof...(I) + 1] = {entry_name(spec_get<I>(spec_v<T>.members))..., nullptr};
    static constexpr std::size_t count = sizeof...(I);
};
/// The index of the DORM_TABLE entry of T's member `name`, or -1.
template <class T>
constexpr int entry_index(const char* name) {
    return name_index(entry_names<T>::names, entry_names<T>::count, name);
}

/// The DORM_TABLE entry K of T, or no_member_spec for K < 0.
template <class T, int K>
constexpr auto member_spec_at() {
    if constexpr (K < 0)
        return no_member_spec{};
    else
        return spec_get<static_cast<std::size_t>(K)>(spec_v<T>.members);
}
/// The DORM_TABLE entry of the member described by D, or no_member_spec.
template <class T, class D>
constexpr auto find_member_spec() {
    return member_spec_at<T, entry_index<T>(D::name)>();
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

/// The merged options of DORM_TABLE entry K of T (defaults for K < 0).
template <class T, int K>
constexpr member_options entry_options() {
    member_options m;
    if constexpr (K >= 0)
        spec_apply([&](const auto&... o) { (apply_option(m, o), ...); },
                   spec_get<static_cast<std::size_t>(K)>(spec_v<T>.members).options);
    return m;
}

template <class T, class D>
inline constexpr member_options options_v = entry_options<T, entry_index<T>(D::name)>();

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
template <class P, class M, class O>
struct is_foreign_key<foreign_key_t<P, M, O>> : std::true_type {};
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

/// A described member that is a non-static data member (BOOST_DESCRIBE_STRUCT may list functions).
template <class D>
struct is_data_member
    : std::bool_constant<(D::modifiers & (boost::describe::mod_static | boost::describe::mod_function)) == 0> {};

/// The public data members T describes, its bases' first: describe_members<T, mod_public |
/// mod_inherited>. A struct without bases (the common case) takes its own list directly, without
/// describe_members' walk over bases and hidden names (~0.8 MB of g++ memory per struct).
template <class T>
struct described_members {
    using type = boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>;
};
// (Describe's detail names, as in Boost 1.77 to 1.8x; another Boost takes the public path above)
#if BOOST_VERSION >= 107700 && BOOST_VERSION < 109000
template <class T>
    requires(boost::mp11::mp_empty<boost::describe::detail::_describe_bases<T>>::value)
struct described_members<T> {
    using type = boost::mp11::mp_copy_if<boost::describe::detail::_describe_public_members<T>, is_data_member>;
};
#endif

/// The names of the described members D..., as an array (one trailing nullptr).
template <class L>
struct names_of;
template <template <class...> class L, class... D>
struct names_of<L<D...>> {
    static constexpr const char* names[sizeof...(D) + 1] = {D::name..., nullptr};
    static constexpr std::size_t count = sizeof...(D);
};

/// Whether every DORM_TABLE entry of T names one of its described members.
template <class T, class Members>
constexpr bool entries_name_described_members() {
    using entries = entry_names<T>;
    using members = names_of<Members>;
    for (std::size_t i = 0; i < entries::count; ++i)
        if (entries::names[i] != nullptr && name_index(members::names, members::count, entries::names[i]) < 0)
            return false;
    return true;
}

/// The options of each column D... of T, as an array (one trailing default).
template <class T, class Columns>
struct column_options_of;
template <class T, template <class...> class L, class... D>
struct column_options_of<T, L<D...>> {
    static constexpr member_options options[sizeof...(D) + 1] = {options_v<T, D>..., member_options{}};
    static constexpr const char* names[sizeof...(D) + 1] = {D::name..., nullptr};
};

/// The compile-time model of a mapped struct T.
template <class T>
struct model {
    static_assert(std::is_class_v<T>, "dorm: a mapped type must be a struct");
    static_assert(boost::describe::has_describe_members<T>::value,
                  "dorm: this struct is not described: add BOOST_DESCRIBE_STRUCT(T, (), (member, ...)) after it, "
                  "listing every member that maps to a column or relationship");
    static_assert(std::is_default_constructible_v<T>,
                  "dorm: a mapped struct must be default-constructible (rows are read into a fresh object)");

    using members = typename described_members<T>::type;
    using columns = boost::mp11::mp_copy_if<members, is_column_member>;
    using relationships = boost::mp11::mp_copy_if<members, is_relationship_member>;
    static constexpr std::size_t column_count = boost::mp11::mp_size<columns>::value;
    static_assert(column_count > 0, "dorm: a mapped struct needs at least one column member");
    static_assert(entries_name_described_members<T, members>(),
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

private:
    using facts = column_options_of<T, columns>;

public:
    static constexpr std::size_t explicit_pk_count() {
        std::size_t n = 0;
        for (std::size_t i = 0; i < column_count; ++i)
            if (facts::options[i].primary_key) ++n;
        return n;
    }
    static constexpr std::size_t id_column() {
        for (std::size_t i = 0; i < column_count; ++i)
            if (same_name(facts::names[i], "id")) return i;
        return column_count;
    }
    static_assert(explicit_pk_count() > 0 || id_column() < column_count,
                  "dorm: this struct has no primary key: mark one with (member, dorm::primary_key) in DORM_TABLE, "
                  "or name the key member `id` (a struct reached through a member it inherits: write "
                  "col<Derived>(&Derived::member) and foreign_key<Derived>(&Derived::id))");

    static constexpr std::size_t pk_count = explicit_pk_count() > 0 ? explicit_pk_count() : 1;
    /// Column indexes of the primary key.
    static constexpr std::array<std::size_t, pk_count> pk_columns() {
        std::array<std::size_t, pk_count> out{};
        if (explicit_pk_count() == 0) {
            out[0] = id_column();
        } else {
            std::size_t n = 0;
            for (std::size_t i = 0; i < column_count; ++i)
                if (facts::options[i].primary_key) out[n++] = i;
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
        for (std::size_t i = 0; i < column_count; ++i)
            if (facts::options[i].version) ++n;
        return n;
    }
    /// Index of the dorm::version column, or -1.
    static constexpr int version_column() {
        for (std::size_t i = 0; i < column_count; ++i)
            if (facts::options[i].version) return static_cast<int>(i);
        return -1;
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

/// A constant name per type (its qualified name): types compared inside constexpr loops over
/// arrays (one instantiation per struct instead of one per pair of structs and member). By
/// content, not by address: g++ does not fold address comparisons under -fsanitize=undefined.
/// (Mapped structs are at namespace scope, where BOOST_DESCRIBE_STRUCT must be: names are unique.)
template <class T>
inline constexpr std::string_view type_tag = raw_type_name<T>();

/// The type_tag of the struct a foreign-key option points to, or "".
template <class O>
constexpr std::string_view foreign_key_tag(const O&) {
    if constexpr (is_foreign_key<O>::value)
        return type_tag<typename O::parent_type>;
    else
        return {};
}
/// The type_tag of the parent of DORM_TABLE entry K's foreign key ("": none, or K < 0).
template <class T, int K>
constexpr std::string_view entry_foreign_key_tag() {
    if constexpr (K < 0) {
        return {};
    } else {
        return spec_apply(
            [](const auto&... o) {
                std::string_view tag;
                ((tag = !tag.empty() ? tag : foreign_key_tag(o)), ...);
                return tag;
            },
            spec_get<static_cast<std::size_t>(K)>(spec_v<T>.members).options);
    }
}
/// Per column of T: the type_tag of the struct its foreign key points to, or "".
template <class T, class Columns = typename model<T>::columns>
struct foreign_key_tags;
template <class T, template <class...> class L, class... D>
struct foreign_key_tags<T, L<D...>> {
    static constexpr std::string_view tags[sizeof...(D) + 1] = {entry_foreign_key_tag<T, entry_index<T>(D::name)>()...,
                                                                std::string_view()};
};

/// Index of the first column of From that is a foreign key to To, and how many there are.
template <class From, class To>
struct fk_columns {
    static constexpr auto compute() {
        struct r {
            int first = -1;
            int count = 0;
        } out;
        for (std::size_t i = 0; i < model<From>::column_count; ++i) {
            if (foreign_key_tags<From>::tags[i] != type_tag<To>) continue;
            if (out.first < 0) out.first = static_cast<int>(i);
            ++out.count;
        }
        return out;
    }
    static constexpr int first = compute().first;
    static constexpr int count = compute().count;
};

}  // namespace dorm::detail
