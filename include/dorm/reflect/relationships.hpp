#pragma once
/// @file dorm/reflect/relationships.hpp
/// Compile-time description of relationship members (dorm::many<U> / dorm::one<U>): kind,
/// foreign-key column, back_populates partner, cascade — checked with static_assert sentences.
#include <string_view>
#include <type_traits>

#include <boost/mp11/algorithm.hpp>

#include <dorm/reflect/model.hpp>

namespace dorm::detail {

/// Per relationship member of T: its name and the type_tag of the struct it points to.
template <class T, class Relationships = typename model<T>::relationships>
struct relationship_facts;
template <class T, template <class...> class L, class... D>
struct relationship_facts<T, L<D...>> {
    static constexpr std::size_t count = sizeof...(D);
    static constexpr const char* names[sizeof...(D) + 1] = {D::name..., nullptr};
    static constexpr std::string_view targets[sizeof...(D) + 1] = {
        type_tag<typename relationship_traits<member_of<D>>::target>..., std::string_view()};
};

template <class O>
struct secondary_type {
    using type = void;
};
template <class A>
struct secondary_type<secondary_t<A>> {
    using type = A;
};

/// Index (in model<U>::relationships) of the member named `name`, or -1.
template <class U>
constexpr int relationship_index(std::string_view name) {
    using f = relationship_facts<U>;
    for (std::size_t i = 0; i < f::count; ++i)
        if (name == f::names[i]) return static_cast<int>(i);
    return -1;
}

/// Index (in model<U>::members) of any member named `name`, or -1.
template <class U>
constexpr int member_index(std::string_view name) {
    using f = names_of<typename model<U>::members>;
    for (std::size_t i = 0; i < f::count; ++i)
        if (name == f::names[i]) return static_cast<int>(i);
    return -1;
}

/// How many relationship members of U point to T.
template <class U, class T>
constexpr int relationships_to() {
    using f = relationship_facts<U>;
    int n = 0;
    for (std::size_t i = 0; i < f::count; ++i)
        if (f::targets[i] == type_tag<T>) ++n;
    return n;
}
template <class U, class T>
constexpr int first_relationship_to() {
    using f = relationship_facts<U>;
    for (std::size_t i = 0; i < f::count; ++i)
        if (f::targets[i] == type_tag<T>) return static_cast<int>(i);
    return -1;
}

/// The relationship member D of T.
template <class T, class D>
struct relationship_model {
    using member = member_of<D>;
    using traits = relationship_traits<member>;
    using target = typename traits::target;
    static constexpr bool collection = traits::is_collection;
    static constexpr member_options opts = options_v<T, D>;
    using assoc = typename secondary_type<std::remove_cv_t<decltype(find_option<T, D, is_secondary>())>>::type;
    static constexpr bool many_to_many = !std::is_void_v<assoc>;

    static_assert(boost::describe::has_describe_members<target>::value,
                  "dorm: the struct a relationship points to must be described with BOOST_DESCRIBE_STRUCT");
    static_assert(!many_to_many || collection, "dorm: dorm::secondary<Assoc> applies to dorm::many<T> members");
    static_assert(!opts.version,
                  "dorm: dorm::version applies to an integer column member, not to a dorm::many / dorm::one "
                  "relationship");
    static_assert(!opts.has_on_delete && !opts.has_on_update && opts.check_count == 0 && !opts.server_default,
                  "dorm: dorm::on_delete, dorm::on_update, dorm::check and dorm::server_default apply to column "
                  "members, not to a dorm::many / dorm::one relationship (write on_delete next to the foreign key "
                  "column's dorm::foreign_key)");

    // where the foreign key is
    static constexpr int owner_fk = fk_columns<T, target>::first;       // T -> target
    static constexpr int owner_fk_count = fk_columns<T, target>::count;
    static constexpr int target_fk = fk_columns<target, T>::first;      // target -> T
    static constexpr int target_fk_count = fk_columns<target, T>::count;

    /// many-to-one: a dorm::one<U> on the side that holds the foreign key.
    static constexpr bool many_to_one = !collection && owner_fk >= 0;
    /// one-to-many (collection) or one-to-one seen from the side without the key.
    static constexpr bool reverse = !many_to_many && !many_to_one;

    static_assert(many_to_many || many_to_one || target_fk >= 0,
                  "dorm: this relationship has no foreign key to follow: add (member_id, dorm::foreign_key(&Other::id)) "
                  "on one side, or use dorm::secondary<Assoc> for many-to-many (a key that Other inherits from a base is "
                  "written dorm::foreign_key<Other>(&Other::id): the plain form names the base)");
    static_assert(!many_to_one || owner_fk_count == 1,
                  "dorm: more than one foreign key of this struct points to the related struct, so the relationship "
                  "is ambiguous");
    static_assert(!reverse || target_fk_count == 1,
                  "dorm: more than one foreign key of the related struct points to this struct, so the relationship "
                  "is ambiguous");

    // association table columns (many-to-many)
    static constexpr int assoc_to_owner() {
        if constexpr (many_to_many) return fk_columns<assoc, T>::first;
        else return -1;
    }
    static constexpr int assoc_to_target() {
        if constexpr (many_to_many) {
            if constexpr (std::is_same_v<T, target>) {
                return fk_columns<assoc, T>::count > 1 ? fk_columns<assoc, T>::first + 1 : -1;
            } else {
                return fk_columns<assoc, target>::first;
            }
        } else {
            return -1;
        }
    }
    static_assert(!many_to_many || (assoc_to_owner() >= 0 && assoc_to_target() >= 0),
                  "dorm: the association struct of dorm::secondary<Assoc> needs a foreign key to each side");
    static_assert(!many_to_many || model<std::conditional_t<many_to_many, assoc, T>>::version_column() < 0,
                  "dorm: the association struct of dorm::secondary<Assoc> cannot have a dorm::version column (the "
                  "session writes its rows directly, without versions)");

    /// The partner member in target (back_populates, or the single relationship back to T).
    static constexpr int back() {
        if constexpr (opts.back_populates != nullptr)
            return relationship_index<target>(std::string_view(opts.back_populates));
        if constexpr (relationships_to<target, T>() == 1 && !std::is_same_v<target, T>)
            return first_relationship_to<target, T>();
        return -1;
    }
    static_assert(!opts.back_populates || member_index<target>(opts.back_populates ? opts.back_populates : "") >= 0,
                  "dorm: back_populates(\"...\") names no described member of the related struct: name its "
                  "dorm::many / dorm::one member that points back to this struct, and list that member in the "
                  "related struct's BOOST_DESCRIBE_STRUCT (a relationship member left out of it is invisible to dorm)");
    static_assert(!opts.back_populates || back() >= 0,
                  "dorm: back_populates(\"...\") names a member of the related struct that is not a dorm::many / "
                  "dorm::one relationship");
    static constexpr bool cascade_save_update = (opts.cascade & dorm::cascade_save_update) != 0;
    static constexpr bool cascade_delete = (opts.cascade & dorm::cascade_delete) != 0;
    static constexpr bool cascade_delete_orphan = (opts.cascade & dorm::cascade_delete_orphan) != 0;
    static constexpr bool cascade_expunge = (opts.cascade & dorm::cascade_expunge) != 0;
    static constexpr bool cascade_refresh_expire = (opts.cascade & dorm::cascade_refresh_expire) != 0;
};

/// The partner's descriptor type (void_t-like `none` when there is no partner).
struct no_back {};
// (a partial specialisation, not std::conditional_t: the partner's relationship list is only
// indexed when there is a partner — it may be empty, e.g. a one-way dorm::many<U> to a U without
// relationships)
template <class T, class D, bool = (relationship_model<T, D>::back() >= 0)>
struct back_descriptor_of {
    using type = no_back;
};
template <class T, class D>
struct back_descriptor_of<T, D, true> {
    using type = boost::mp11::mp_at_c<typename model<typename relationship_model<T, D>::target>::relationships,
                                      static_cast<std::size_t>(relationship_model<T, D>::back())>;
};
template <class T, class D>
using back_descriptor = typename back_descriptor_of<T, D>::type;

template <class T, class D>
constexpr void check_back_type() {
    using B = back_descriptor<T, D>;
    if constexpr (!std::is_same_v<B, no_back>) {
        static_assert(std::is_same_v<typename relationship_traits<member_of<B>>::target, T>,
                      "dorm: back_populates names a relationship of the related struct that points to a different "
                      "struct, not back to this one");
    }
}

}  // namespace dorm::detail
