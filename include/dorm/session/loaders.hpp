#pragma once
/// @file dorm/session/loaders.hpp
/// Relationship loader options for `select<T>().options(...)`:
///   dorm::selectinload(&User::comments)  one extra SELECT ... WHERE fk IN (...) per relationship
///   dorm::joinedload(&Comment::user)     the same statement, LEFT OUTER JOIN (parents de-duplicated)
///   dorm::raiseload(&User::comments)     reading it lazily throws (find N+1 queries)
/// Nest with `.then(...)`: `selectinload(&User::comments).then(joinedload(&Comment::user))`.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/mp11/algorithm.hpp>

#include <dorm/query/ast.hpp>
#include <dorm/reflect/relationships.hpp>
#include <dorm/session/detail/wiring.hpp>

namespace dorm {

enum class load_strategy { selectin, joined, raise };

namespace detail {


/// A loader option, type-erased (the functions know the owner type and the relationship).
struct loader_node {
    load_strategy strategy = load_strategy::selectin;
    const schema::table* owner = nullptr;
    std::size_t rel_index = 0;
    // selectin / raise: load (or fence) the relationship of all owners
    void (*apply)(session_impl&, const object_list& owners, const loader_node& self) = nullptr;
    // joined: add the target to a SELECT, read it from a row, mark it loaded
    void (*augment)(ast::select&, const std::string& alias) = nullptr;
    int width = 0;
    std::shared_ptr<void> (*read)(driver::statement&, int offset, const std::shared_ptr<void>& owner,
                                  session_impl&) = nullptr;
    bool (*is_loaded)(const std::shared_ptr<void>& owner) = nullptr;
    void (*begin_fill)(const std::shared_ptr<void>& owner) = nullptr;
    void (*end_fill)(const std::shared_ptr<void>& owner, session_impl&) = nullptr;
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
                         entity_reader read, row_sink on_row, const text_params* named);

/// The objects of load_objects as T.
template <class T>
std::vector<std::shared_ptr<T>> typed_objects(object_list&& objects) {
    std::vector<std::shared_ptr<T>> out;
    out.reserve(objects.size());
    for (auto& o : objects) out.push_back(std::static_pointer_cast<T>(std::move(o)));
    return out;
}

/// load_objects for struct T; `on_row(stmt, object, extra_offset)` sees each row.
template <class T, class OnRow>
std::vector<std::shared_ptr<T>> load_with(session_impl& s, ast::select base, const std::vector<loader_node>& loaders,
                                          OnRow&& on_row, const text_params* named = nullptr) {
    using F = std::remove_reference_t<OnRow>;
    row_sink sink{[](void* ctx, driver::statement& st, const std::shared_ptr<void>& o, int extra) {
                      (*static_cast<F*>(ctx))(st, o, extra);
                  },
                  const_cast<void*>(static_cast<const void*>(&on_row))};
    return typed_objects<T>(load_objects(s, std::move(base), loaders, &read_entity_erased<T>, sink, named));
}

template <class T>
std::vector<std::shared_ptr<T>> load_with(session_impl& s, ast::select base, const std::vector<loader_node>& loaders,
                                          const text_params* named = nullptr) {
    return typed_objects<T>(load_objects(s, std::move(base), loaders, &read_entity_erased<T>, row_sink{}, named));
}

/// Key of a value for grouping.
inline std::string group_key(const value& v) {
    std::string k;
    append_key_part(k, v);
    return k;
}

template <class T, std::size_t I>
void selectin_apply(session_impl& s, const object_list& owners_v, const loader_node& self) {
    using D = rel_descriptor<T, I>;
    using R = relationship_model<T, D>;
    using U = typename R::target;
    std::vector<std::shared_ptr<T>> owners;
    for (auto& o : owners_v) {
        auto t = std::static_pointer_cast<T>(o);
        if (!(t.get()->*(D::pointer)).loaded()) owners.push_back(std::move(t));
    }
    if (owners.empty()) return;
    const schema::table& ut = table_of<U>();
    std::vector<std::shared_ptr<U>> loaded;
    auto run_chunks = [&](const std::vector<value>& keys, auto&& make_select, auto&& on_row) {
        for (std::size_t i = 0; i < keys.size(); i += selectin_chunk) {
            ast::select sel = make_select();
            std::vector<ast::expr_ptr> in{sel.where.back()};
            sel.where.pop_back();
            for (std::size_t k = i; k < std::min(keys.size(), i + selectin_chunk); ++k)
                in.push_back(ast::make_param(keys[k]));
            sel.where.push_back(ast::make_op(ast::op::in, std::move(in)));
            auto part = load_with<U>(s, std::move(sel), self.nested, on_row);
            loaded.insert(loaded.end(), part.begin(), part.end());
        }
    };
    if constexpr (R::many_to_one) {
        std::vector<value> keys;
        std::unordered_set<std::string> seen;
        for (auto& o : owners) {
            value fk = column_traits<member_of<typename model<T>::template column<R::owner_fk>>>::to_value(
                o.get()->*(model<T>::template column<R::owner_fk>::pointer));
            if (!fk.is_null() && seen.insert(group_key(fk)).second) keys.push_back(std::move(fk));
        }
        const int pk = ut.primary_key.front();
        run_chunks(keys, [&] {
            ast::select sel;
            sel.entities.push_back(ast::entity_ref{&ut, {}});
            sel.where.push_back(ast::make_column(&ut, pk));
            return sel;
        }, [](driver::statement&, const std::shared_ptr<void>&, int) {});
        std::unordered_map<std::string, std::shared_ptr<U>> by_key;
        for (auto& u : loaded) by_key.emplace(group_key(primary_key_value(*u)), u);
        for (auto& o : owners) {
            value fk = column_traits<member_of<typename model<T>::template column<R::owner_fk>>>::to_value(
                o.get()->*(model<T>::template column<R::owner_fk>::pointer));
            std::shared_ptr<U> target;
            if (!fk.is_null()) {
                auto it = by_key.find(group_key(fk));
                if (it != by_key.end()) target = it->second;
            }
            (o.get()->*(D::pointer)).store(target);
        }
    } else {
        std::vector<value> keys;
        for (auto& o : owners) keys.push_back(primary_key_value(*o));
        std::unordered_map<std::string, std::vector<std::shared_ptr<U>>> groups;
        if constexpr (R::many_to_many) {
            const schema::table* assoc = &table_of<typename R::assoc>();
            run_chunks(keys, [&] {
                ast::select sel;
                sel.entities.push_back(ast::entity_ref{&ut, {}});
                sel.joins.push_back(ast::join{
                    ast::join_kind::inner, ast::table_ref{assoc, {}, nullptr},
                    ast::make_op(ast::op::eq, ast::make_column(assoc, R::assoc_to_target()),
                                               ast::make_column(&ut, ut.primary_key.front()))});
                sel.columns.push_back(ast::make_column(assoc, R::assoc_to_owner()));
                sel.where.push_back(ast::make_column(assoc, R::assoc_to_owner()));
                return sel;
            }, [&](driver::statement& st, const std::shared_ptr<void>& u, int extra) {
                groups[group_key(st.get(extra))].push_back(std::static_pointer_cast<U>(u));
            });
        } else {
            run_chunks(keys, [&] {
                ast::select sel;
                sel.entities.push_back(ast::entity_ref{&ut, {}});
                sel.where.push_back(ast::make_column(&ut, R::target_fk));
                return sel;
            }, [&](driver::statement& st, const std::shared_ptr<void>& u, int) {
                groups[group_key(st.get(R::target_fk))].push_back(std::static_pointer_cast<U>(u));
            });
        }
        using B = back_descriptor<T, D>;
        for (auto& o : owners) {
            auto& rel = o.get()->*(D::pointer);
            auto it = groups.find(group_key(primary_key_value(*o)));
            std::vector<std::shared_ptr<U>> items;
            if (it != groups.end()) items = std::move(it->second);
            if constexpr (!std::is_same_v<B, no_back> && !relationship_traits<member_of<B>>::is_collection) {
                for (auto& item : items) {
                    auto& back = item.get()->*(B::pointer);
                    if (!back.loaded() || !back.get_no_load()) back.store(o);
                }
            }
            if constexpr (R::collection) {
                rel.raw() = std::move(items);
                rel.set_loaded(true);
            } else {
                rel.store(items.empty() ? nullptr : items.front());
            }
            if constexpr (R::many_to_many)
                if (record_base* r = find_record(&s, o.get())) r->assoc_snapshot(I);
        }
    }
}

template <class T, std::size_t I>
void raise_apply(session_impl& s, const object_list& owners, const loader_node&) {
    for (auto& o : owners)
        if (record_base* r = find_record(&s, static_cast<const T*>(o.get()))) r->raise_mask |= std::uint64_t{1} << I;
}

template <class T, std::size_t I>
void joined_augment(ast::select& sel, const std::string& alias) {
    using D = rel_descriptor<T, I>;
    using R = relationship_model<T, D>;
    using U = typename R::target;
    const schema::table& tt = table_of<T>();
    const schema::table& ut = table_of<U>();
    const std::string owner_alias = sel.entities.front().alias;
    sel.entities.push_back(ast::entity_ref{&ut, alias});
    ast::expr_ptr on;
    if constexpr (R::many_to_one) {
        on = ast::make_op(ast::op::eq, ast::make_column(&tt, R::owner_fk, owner_alias),
                                        ast::make_column(&ut, ut.primary_key.front(), alias));
    } else if constexpr (R::many_to_many) {
        const schema::table* assoc = &table_of<typename R::assoc>();
        const std::string assoc_alias = alias + "_a";
        sel.joins.push_back(ast::join{
            ast::join_kind::left, ast::table_ref{assoc, assoc_alias, nullptr},
            ast::make_op(ast::op::eq, ast::make_column(&tt, tt.primary_key.front(), owner_alias),
                                       ast::make_column(assoc, R::assoc_to_owner(), assoc_alias))});
        on = ast::make_op(ast::op::eq, ast::make_column(assoc, R::assoc_to_target(), assoc_alias),
                                        ast::make_column(&ut, ut.primary_key.front(), alias));
    } else {
        on = ast::make_op(ast::op::eq, ast::make_column(&tt, tt.primary_key.front(), owner_alias),
                                        ast::make_column(&ut, R::target_fk, alias));
    }
    sel.joins.push_back(ast::join{ast::join_kind::left, ast::table_ref{&ut, alias, nullptr}, std::move(on)});
}

template <class T, std::size_t I>
std::shared_ptr<void> joined_read(driver::statement& st, int offset, const std::shared_ptr<void>& owner_v,
                                  session_impl& s) {
    using D = rel_descriptor<T, I>;
    using R = relationship_model<T, D>;
    using U = typename R::target;
    if (st.is_null(offset + table_of<U>().primary_key.front())) return nullptr;
    auto owner = std::static_pointer_cast<T>(owner_v);
    std::shared_ptr<U> child = load_entity<U>(st, &s, offset);
    auto& rel = owner.get()->*(D::pointer);
    if constexpr (R::collection) {
        auto& items = rel.raw();
        if (std::find(items.begin(), items.end(), child) == items.end()) items.push_back(child);
    } else {
        rel.store(child);
        rel.set_loaded(false);  // finished by end_fill
    }
    using B = back_descriptor<T, D>;
    if constexpr (!std::is_same_v<B, no_back> && !relationship_traits<member_of<B>>::is_collection) {
        auto& back = child.get()->*(B::pointer);
        if (!back.loaded() || !back.get_no_load()) back.store(owner);
    }
    return child;
}

template <class T, std::size_t I>
bool joined_is_loaded(const std::shared_ptr<void>& owner) {
    return (static_cast<T*>(owner.get())->*(rel_descriptor<T, I>::pointer)).loaded();
}
template <class T, std::size_t I>
void joined_begin(const std::shared_ptr<void>& owner) {
    auto& rel = static_cast<T*>(owner.get())->*(rel_descriptor<T, I>::pointer);
    if constexpr (relationship_model<T, rel_descriptor<T, I>>::collection) rel.raw().clear();
    else rel.store(nullptr);
    rel.set_loaded(false);
}
template <class T, std::size_t I>
void joined_end(const std::shared_ptr<void>& owner, session_impl& s) {
    auto& rel = static_cast<T*>(owner.get())->*(rel_descriptor<T, I>::pointer);
    rel.set_loaded(true);
    if constexpr (relationship_model<T, rel_descriptor<T, I>>::many_to_many)
        if (record_base* r = find_record(&s, static_cast<const T*>(owner.get()))) r->assoc_snapshot(I);
}

template <class T, class M>
loader_node make_loader(M T::*member, load_strategy strategy) {
    static_assert(relationship_traits<M>::is_relationship,
                  "dorm: loader options take a relationship member (dorm::many / dorm::one)");
    loader_node n;
    n.strategy = strategy;
    n.owner = &table_of<T>();
    bool found = false;
    boost::mp11::mp_for_each<boost::mp11::mp_iota<boost::mp11::mp_size<typename model<T>::relationships>>>(
        [&](auto I) {
            using D = rel_descriptor<T, I>;
            if constexpr (std::is_same_v<std::remove_cv_t<decltype(D::pointer)>, M T::*>) {
                if (found || D::pointer != member) return;
                found = true;
                n.rel_index = I;
                n.apply = strategy == load_strategy::raise ? &raise_apply<T, I> : &selectin_apply<T, I>;
                n.augment = &joined_augment<T, I>;
                n.width = static_cast<int>(model<typename relationship_model<T, D>::target>::column_count);
                n.read = &joined_read<T, I>;
                n.is_loaded = &joined_is_loaded<T, I>;
                n.begin_fill = &joined_begin<T, I>;
                n.end_fill = &joined_end<T, I>;
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
