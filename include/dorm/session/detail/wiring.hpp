#pragma once
/// @file dorm/session/detail/wiring.hpp
/// Reading entities through the identity map, and the relationship table of a mapped struct
/// (relationship_info per dorm::many / dorm::one member, with the operations of its member
/// type). The relationship logic itself — back_populates, cascades, lazy loading, foreign-key
/// synchronisation, many-to-many rows — is compiled once in lib/session/wiring.cpp.
#include <memory>
#include <vector>

#include <boost/mp11/algorithm.hpp>

#include <dorm/reflect/relationships.hpp>
#include <dorm/session/detail/record_t.hpp>
#include <dorm/session/detail/session_impl.hpp>

namespace dorm::detail {

/// Reads an entity row through the identity map: an object already in the session is
/// returned as it is (its unflushed changes survive); a new one is made by `read_new`, then
/// snapshotted and attached (lib/session/record.cpp).
std::shared_ptr<void> load_entity_erased(driver::statement& s, session_impl* session, int first,
                                         const record_layout& layout,
                                         std::shared_ptr<record_base> (*read_new)(driver::statement&, int));

/// A new record of T with a row's columns (from `first`, table order) read into its object.
template <class T>
std::shared_ptr<record_base> read_new_record(driver::statement& s, int first) {
    auto rec = new_record<T>(record_source::empty, nullptr);
    read_object(*static_cast<T*>(rec->object()), s, first);  // inlined: the hot loop of every entity query
    return rec;
}

template <class U>
std::shared_ptr<void> read_entity_erased(driver::statement& s, session_impl* session, int first) {
    return load_entity_erased(s, session, first, layout_of<U>(), &read_new_record<U>);
}

/// Reads an entity row of T through the identity map (see load_entity_erased).
template <class T>
std::shared_ptr<T> load_entity(driver::statement& s, session_impl* session, int first = 0) {
    return std::static_pointer_cast<T>(read_entity_erased<T>(s, session, first));
}

/// The session's record of `obj`, or nullptr.
template <class U>
record_base* find_record(session_impl* s, const U* obj) {
    return find_record(s, layout_of<U>(), obj);
}

/// The single-column primary key of U as a value.
template <class U>
value primary_key_value(const U& obj) {
    return layout_key_value(layout_of<U>(), &obj);
}

/// Whether the many-to-many side D of T drops its content when the session lets go of it (one
/// side of each pair does, so that the two collections never own each other).
template <class T, class D>
constexpr bool releases_on_close() {
    using R = relationship_model<T, D>;
    if constexpr (!R::many_to_many || std::is_same_v<back_descriptor<T, D>, no_back>) {
        return false;
    } else {
        std::string_view a = model<T>::table_name(), b = model<typename R::target>::table_name();
        if (a != b) return a > b;
        return std::string_view(D::name) > std::string_view(back_descriptor<T, D>::name);
    }
}

/// The relationship_ops of dorm::many<U> and dorm::one<U>.
template <class M>
struct relationship_ops_of;

template <class U>
struct relationship_ops_of<many<U>> {
    using M = many<U>;
    static bool loaded(const void* m) { return static_cast<const M*>(m)->loaded(); }
    static void set_loaded(void* m, bool l) { static_cast<M*>(m)->set_loaded(l); }
    static void set_hook(void* m, relation_hook* h) { static_cast<M*>(m)->set_hook(h); }
    static void set_weak(void*, bool) {}
    static void items(const void* m, object_list& out) {
        for (const auto& item : static_cast<const M*>(m)->raw())
            if (item) out.push_back(item);
    }
    static std::shared_ptr<void> get(const void*) { return nullptr; }
    static void add(void* m, const std::shared_ptr<void>& obj) {
        static_cast<M*>(m)->append_unique(std::static_pointer_cast<U>(obj));
    }
    // (plain loops over the vector: each std algorithm is one more instantiation per target struct)
    static void remove(void* m, const void* obj) {
        auto& items = static_cast<M*>(m)->raw();
        std::size_t kept = 0;
        for (std::size_t i = 0; i < items.size(); ++i)
            if (items[i].get() != obj) {
                if (kept != i) items[kept] = std::move(items[i]);
                ++kept;
            }
        while (items.size() > kept) items.pop_back();
    }
    static void assign(void* m, object_list&& objects) {
        auto& items = static_cast<M*>(m)->raw();
        items.clear();
        items.reserve(objects.size());
        for (auto& o : objects) items.push_back(std::static_pointer_cast<U>(std::move(o)));
        static_cast<M*>(m)->set_loaded(true);
    }
    static void clear(void* m) { static_cast<M*>(m)->raw().clear(); }
    static constexpr relationship_ops table{&loaded, &set_loaded, &set_hook, &set_weak, &items,
                                           &get,    &add,        &remove,   &assign,   &clear};
};

template <class U>
struct relationship_ops_of<one<U>> {
    static constexpr const relationship_ops& table = one_relationship_ops;
};

template <class U>
std::shared_ptr<record_base> new_record_erased(const std::shared_ptr<void>& obj) {
    return new_record<U>(record_source::external, const_cast<std::shared_ptr<void>*>(&obj));
}
template <class A>
const schema::table& assoc_table() {
    return table_of<A>();
}

/// Relationship member J of T, all but its offset in the object (a constant).
template <class T, std::size_t J>
constexpr relationship_info relationship_info_of() {
    using D = boost::mp11::mp_at_c<typename model<T>::relationships, J>;
    using R = relationship_model<T, D>;
    using U = typename R::target;
    const schema::table& (*assoc)() = nullptr;
    if constexpr (R::many_to_many) assoc = &assoc_table<typename R::assoc>;
    return relationship_info{D::name,
                             0,
                             &relationship_ops_of<member_of<D>>::table,
                             &layout_of<U>,
                             R::collection,
                             R::many_to_one,
                             R::reverse,
                             R::many_to_many,
                             R::cascade_save_update,
                             R::cascade_delete,
                             R::cascade_delete_orphan,
                             R::cascade_expunge,
                             R::cascade_refresh_expire,
                             releases_on_close<T, D>(),
                             !R::collection && R::many_to_one && !std::is_same_v<back_descriptor<T, D>, no_back>,
                             R::owner_fk,
                             R::target_fk,
                             assoc,
                             R::assoc_to_owner(),
                             R::assoc_to_target(),
                             R::back(),
                             &read_entity_erased<U>,
                             &new_record_erased<U>};
}

template <class T, std::size_t... J>
const relationship_info* make_relationships(const T& sample, std::index_sequence<J...>) {
    using rels = typename model<T>::relationships;
    static constinit relationship_info out[] = {relationship_info_of<T, J>()...};
    const auto* base = reinterpret_cast<const char*>(&sample);
    ((out[J].offset = static_cast<std::uint32_t>(
          reinterpret_cast<const char*>(&(sample.*(boost::mp11::mp_at_c<rels, J>::pointer))) - base)),
     ...);
    return out;
}

template <class T>
const relationship_info* relationships_of(const T& sample, std::size_t& count) {
    constexpr std::size_t n = boost::mp11::mp_size<typename model<T>::relationships>::value;
    count = n;
    if constexpr (n == 0)
        return nullptr;
    else
        return make_relationships<T>(sample, std::make_index_sequence<n>{});
}

}  // namespace dorm::detail
