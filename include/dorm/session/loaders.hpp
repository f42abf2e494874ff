#pragma once
/// @file dorm/session/loaders.hpp
/// Relationship loader options for `select<T>().options(...)`:
///   dorm::selectinload(&User::comments)  one extra SELECT ... WHERE fk IN (...) per relationship
///   dorm::joinedload(&Comment::user)     the same statement, LEFT OUTER JOIN (parents de-duplicated)
///   dorm::raiseload(&User::comments)     reading it lazily throws (find N+1 queries)
/// Nest with `.then(...)`: `selectinload(&User::comments).then(joinedload(&Comment::user))`.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <boost/mp11/algorithm.hpp>

#include <dorm/query/ast.hpp>
#include <dorm/reflect/relationships.hpp>
#include <dorm/session/detail/wiring.hpp>

namespace dorm {

enum class load_strategy { selectin, joined, raise };

namespace detail {


/// A loader option, type-erased: relationship `rel_index` of the owner's record_layout. All the
/// loading work walks that layout's relationship_info (lib/session/loaders.cpp), so a loader
/// costs no code per mapped struct.
struct loader_node {
    load_strategy strategy = load_strategy::selectin;
    const schema::table* owner = nullptr;
    const record_layout& (*owner_layout)() = nullptr;
    std::size_t rel_index = 0;
    int width = 0;  ///< joined: the number of columns the target adds to each row
    std::vector<loader_node> nested;
};

constexpr std::size_t selectin_chunk = 500;

template <class T, std::size_t I>
using rel_descriptor = boost::mp11::mp_at_c<typename model<T>::relationships, I>;

/// Reads one entity of a known struct from a row (through the identity map): load_entity<T>.
using entity_reader = std::shared_ptr<void> (*)(driver::statement&, session_impl*, int first);
/// Sees each row of load_objects (extra columns start at `extra`).
struct row_sink {
    void (*fn)(void* ctx, driver::statement&, const std::shared_ptr<void>& object, int extra) = nullptr;
    void* ctx = nullptr;
};

/// Runs `base` (an entity select of `t`, read with `read`), adding the joined loaders' joins,
/// reads the objects through the identity map (de-duplicated, in row order) and applies the
/// other loaders (lib/session/loaders.cpp).
object_list load_objects(session_impl& s, ast::select base, const std::vector<loader_node>& loaders,
                         entity_reader read, row_sink on_row, const named_params* named);

template <class T, class M>
loader_node make_loader(M T::*member, load_strategy strategy) {
    static_assert(relationship_traits<M>::is_relationship,
                  "dorm: loader options take a relationship member (dorm::many / dorm::one)");
    loader_node n;
    n.strategy = strategy;
    n.owner = &table_of<T>();
    n.owner_layout = &layout_of<T>;
    bool found = false;
    boost::mp11::mp_for_each<boost::mp11::mp_iota<boost::mp11::mp_size<typename model<T>::relationships>>>(
        [&](auto I) {
            using D = rel_descriptor<T, I>;
            if constexpr (std::is_same_v<std::remove_cv_t<decltype(D::pointer)>, M T::*>) {
                if (found || D::pointer != member) return;
                found = true;
                n.rel_index = I;
                n.width = static_cast<int>(model<typename relationship_model<T, D>::target>::column_count);
            }
        });
    if (!found) throw argument_error("dorm: the loader option names a member not listed in BOOST_DESCRIBE_STRUCT");
    return n;
}

}  // namespace detail

/// A loader option for relationship member M of T; `.then(...)` nests options for the loaded objects.
template <class T, class M>
class loader_option {
public:
    using owner_type = T;
    explicit loader_option(detail::loader_node n) : node_(std::move(n)) {}
    template <class... Opts>
    loader_option then(const Opts&... nested) const {
        using target = typename detail::relationship_traits<M>::target;
        static_assert((std::is_same_v<typename Opts::owner_type, target> && ...),
                      "dorm: then(...) options must name relationships of the related struct");
        loader_option out = *this;
        (out.node_.nested.push_back(nested.node()), ...);
        return out;
    }
    const detail::loader_node& node() const noexcept { return node_; }

private:
    detail::loader_node node_;
};

/// Load the relationship for all result objects with one more SELECT ... IN (...).
template <class T, class M>
loader_option<T, M> selectinload(M T::*member) {
    return loader_option<T, M>(detail::make_loader(member, load_strategy::selectin));
}
/// Load the relationship in the same statement with a LEFT OUTER JOIN.
template <class T, class M>
loader_option<T, M> joinedload(M T::*member) {
    return loader_option<T, M>(detail::make_loader(member, load_strategy::joined));
}
/// Make a lazy load of the relationship throw (to find N+1 query patterns).
template <class T, class M>
loader_option<T, M> raiseload(M T::*member) {
    return loader_option<T, M>(detail::make_loader(member, load_strategy::raise));
}

}  // namespace dorm
