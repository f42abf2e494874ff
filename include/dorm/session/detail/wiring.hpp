#pragma once
/// @file dorm/session/detail/wiring.hpp
/// The relationship half of record<T>: back_populates synchronisation, save-update and delete
/// cascades, lazy loading, foreign-key synchronisation at flush and many-to-many rows.
#include <algorithm>
#include <memory>
#include <vector>

#include <boost/mp11/algorithm.hpp>

#include <dorm/reflect/relationships.hpp>
#include <dorm/session/detail/record_t.hpp>
#include <dorm/session/detail/session_impl.hpp>

namespace dorm::detail {

/// Reads an entity row through the identity map: an object already in the session is
/// returned as it is (its unflushed changes survive); a new one is read and snapshotted.
template <class T>
std::shared_ptr<T> load_entity(driver::statement& s, session_impl* session, int first = 0) {
    identity_key k;
    record<T>::key_of_row(s, first, k);
    if (record_base* r = session->find(k)) {
        session->watch(r);
        return static_cast<record<T>*>(r)->typed_ptr();
    }
    auto rec = std::make_shared<record<T>>();
    read_object(*rec->get(), s, first);  // inlined: the hot loop of every entity query
    rec->take_snapshot();
    session->attach_loaded(rec, k);
    T* obj = rec->get();
    return std::shared_ptr<T>(std::move(rec), obj);  // shares the record's ownership
}

/// The session's record of `obj`, or a new (detached) record for it.
template <class U>
std::shared_ptr<record_base> record_for(session_impl* s, const std::shared_ptr<U>& obj) {
    identity_key k;
    const bool keyed = record<U>::key_of(*obj, k);
    if (s)
        if (record_base* r = s->find_object(obj.get(), keyed ? &k : nullptr)) return r->shared_from_this();
    return std::make_shared<record<U>>(obj);
}
template <class U>
record_base* find_record(session_impl* s, const U* obj) {
    if (!s || !obj) return nullptr;
    identity_key k;
    const bool keyed = record<U>::key_of(*obj, k);
    return s->find_object(obj, keyed ? &k : nullptr);
}

template <class T, class F>
void for_each_relationship(F&& f) {
    using rels = typename model<T>::relationships;
    boost::mp11::mp_for_each<boost::mp11::mp_iota<boost::mp11::mp_size<rels>>>([&](auto I) {
        f(I, boost::mp11::mp_at_c<rels, decltype(I)::value>{});
    });
}

template <class T>
constexpr bool has_relationships_v = boost::mp11::mp_size<typename model<T>::relationships>::value > 0;

/// The single-column primary key of U as a value.
template <class U>
value primary_key_value(const U& obj) {
    using m = model<U>;
    using D = typename m::template column<m::pk[0]>;
    return column_traits<member_of<D>>::to_value(obj.*(D::pointer));
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

template <class T>
void record<T>::wire(session_impl* s, bool from_db) {
    if constexpr (has_relationships_v<T>) {
        for_each_relationship<T>([&](auto, auto d) {
            using D = decltype(d);
            using R = relationship_model<T, D>;
            check_back_type<T, D>();
            auto& rel = get()->*(D::pointer);
            if (s) {
                rel.set_hook(static_cast<relation_hook*>(this));
                if (from_db) {
                    if constexpr (R::collection) rel.raw().clear();
                    rel.set_loaded(false);
                }
                if constexpr (!R::collection && R::many_to_one && !std::is_same_v<back_descriptor<T, D>, no_back>)
                    rel.set_weak(true);  // the child -> parent side of a pair must not own the parent
                if (!from_db && rel.loaded()) {
                    // a graph built before add(): the other sides learn about this object now
                    if constexpr (R::collection) {
                        auto items = rel.raw();
                        for (auto& item : items)
                            if (item) on_changed<D>(item, true);
                    } else {
                        if (auto item = rel.get_no_load()) on_changed<D>(item, true);
                    }
                }
            } else {
                rel.set_hook(nullptr);
            }
        });
    }
    (void)s;
    (void)from_db;
}

template <class T>
void record<T>::related(std::vector<std::shared_ptr<record_base>>& out) {
    if constexpr (has_relationships_v<T>) {
        for_each_relationship<T>([&](auto, auto d) {
            using D = decltype(d);
            using R = relationship_model<T, D>;
            if constexpr (R::cascade_save_update) {
                auto& rel = get()->*(D::pointer);
                if (!rel.loaded()) return;
                if constexpr (R::collection) {
                    for (auto& item : rel.raw())
                        if (item) out.push_back(record_for(owner, item));
                } else {
                    if (auto item = rel.get_no_load()) out.push_back(record_for(owner, item));
                }
            }
        });
    }
    (void)out;
}

template <class T>
void record<T>::edges(std::vector<std::pair<record_base*, record_base*>>& out) {
    if constexpr (has_relationships_v<T>) {
        for_each_relationship<T>([&](auto, auto d) {
            using D = decltype(d);
            using R = relationship_model<T, D>;
            auto& rel = get()->*(D::pointer);
            if (!rel.loaded() || R::many_to_many) return;
            auto visit = [&](const auto& item) {
                if (!item) return;
                record_base* other = find_record(owner, item.get());
                if (!other || other == this) return;
                if constexpr (R::many_to_one)
                    out.emplace_back(other, this);
                else
                    out.emplace_back(this, other);
            };
            if constexpr (R::collection) {
                for (auto& item : rel.raw()) visit(item);
            } else {
                visit(rel.get_no_load());
            }
        });
    }
    (void)out;
}

template <class T>
void record<T>::sync_parents() {
    if constexpr (has_relationships_v<T>) {
        for_each_relationship<T>([&](auto, auto d) {
            using D = decltype(d);
            using R = relationship_model<T, D>;
            if constexpr (R::many_to_one) {
                auto& rel = get()->*(D::pointer);
                if (!rel.loaded()) return;
                if (auto parent = rel.get_no_load()) {
                    value key = primary_key_value(*parent);
                    if (get_column(R::owner_fk) != key) set_column(R::owner_fk, key, false);
                    null_out &= ~(column_mask{1} << R::owner_fk);
                }
            }
        });
    }
}

template <class T>
void record<T>::propagate_to_children() {
    if constexpr (has_relationships_v<T>) {
        identity_key k;
        if (!key(k)) return;
        for_each_relationship<T>([&](auto, auto d) {
            using D = decltype(d);
            using R = relationship_model<T, D>;
            if constexpr (R::reverse) {
                using U = typename R::target;
                auto& rel = get()->*(D::pointer);
                if (!rel.loaded()) return;
                const value mine = primary_key_value(*get());
                using FD = typename model<U>::template column<static_cast<std::size_t>(R::target_fk)>;
                auto set = [&](const std::shared_ptr<U>& child) {
                    if (!child) return;
                    auto& member = child.get()->*(FD::pointer);
                    if (column_traits<member_of<FD>>::to_value(member) != mine) assign_from_value(member, mine);
                    if (record_base* r = find_record(owner, child.get())) r->null_out &= ~(column_mask{1} << R::target_fk);
                };
                if constexpr (R::collection) {
                    for (auto& child : rel.raw()) set(child);
                } else {
                    set(rel.get_no_load());
                }
            }
        });
    }
}

template <class T>
template <class D, class U>
void record<T>::deassociate(U& obj, int fk_col) {
    // The child loses its parent: NULL into its foreign key (an optional member becomes
    // nullopt; a plain one is nulled by an explicit UPDATE, and the database objects if NOT NULL).
    boost::mp11::mp_with_index<model<U>::column_count>(static_cast<std::size_t>(fk_col), [&](auto I) {
        using FD = typename model<U>::template column<I>;
        using M = member_of<FD>;
        if constexpr (is_optional_member<M>::value) {
            (obj.*(FD::pointer)).reset();
        } else if (record_base* r = find_record(owner, &obj)) {
            r->null_out |= column_mask{1} << I;
            owner->watch(r);
        }
    });
}

template <class T>
template <class D>
void record<T>::on_changed(const std::shared_ptr<void>& child_v, bool added) {
    using R = relationship_model<T, D>;
    using U = typename R::target;
    auto child = std::static_pointer_cast<U>(child_v);
    using B = back_descriptor<T, D>;
    if constexpr (!std::is_same_v<B, no_back>) {
        auto& back = child.get()->*(B::pointer);
        if constexpr (!relationship_traits<member_of<B>>::is_collection) {
            // the other side is a scalar pointing back to us
            if (added) {
                auto prev = back.get_no_load();
                if (prev.get() != get()) {
                    if (prev) {  // move: leave the previous owner's relationship
                        auto& prev_rel = prev.get()->*(D::pointer);
                        if constexpr (R::collection) {
                            auto& items = prev_rel.raw();
                            items.erase(std::remove(items.begin(), items.end(), child), items.end());
                        } else {
                            if (prev_rel.get_no_load() == child) prev_rel.store(nullptr);
                        }
                    }
                    back.store(typed_ptr());
                }
            } else if (back.get_no_load().get() == get()) {
                back.store(nullptr);
            }
        } else if (back.loaded()) {
            // the other side is a collection: keep our object in it (or out of it)
            auto& items = back.raw();
            auto self = typed_ptr();
            auto it = std::find(items.begin(), items.end(), self);
            if (added && it == items.end()) items.push_back(self);
            if (!added && it != items.end()) items.erase(it);
        }
    }
    if (!added) {
        if constexpr (R::reverse) {
            if constexpr (R::cascade_delete_orphan) {
                if (record_base* r = find_record(owner, child.get())) {
                    owner->remove(r);
                    return;
                }
            }
            deassociate<D>(*child, R::target_fk);
        } else if constexpr (R::many_to_one) {
            if (!(get()->*(D::pointer)).get_no_load()) deassociate<D>(*get(), R::owner_fk);
        }
    } else if (owner) {
        if constexpr (R::cascade_save_update) owner->add(record_for(owner, child));
        if (record_base* r = find_record(owner, child.get())) owner->watch(r);
        if constexpr (R::many_to_one) null_out &= ~(column_mask{1} << R::owner_fk);
    }
}

template <class T>
void record<T>::relationship_changed(void* member, const std::shared_ptr<void>& child, bool added) {
    if constexpr (has_relationships_v<T>) {
        for_each_relationship<T>([&](auto, auto d) {
            using D = decltype(d);
            if (member == static_cast<void*>(&(get()->*(D::pointer)))) on_changed<D>(child, added);
        });
    }
    (void)member, (void)child, (void)added;
}

template <class T>
template <class D>
void record<T>::load_rel() {
    using R = relationship_model<T, D>;
    using U = typename R::target;
    auto& rel = get()->*(D::pointer);
    if (state == object_state::pending) {  // nothing in the database yet
        rel.set_loaded(true);
        return;
    }
    if constexpr (R::many_to_one) {
        const value fk = get_column(R::owner_fk);
        if (fk.is_null()) {
            rel.store(nullptr);
            return;
        }
        identity_key k;
        k.table = &table_of<U>();
        if (fk.kind() == value_kind::integer)
            k.i = fk.as_int();
        else
            append_key_part(k.s, fk);
        if (record_base* r = owner->find(k)) {  // in the identity map: no SQL
            owner->watch(r);
            rel.store(static_cast<record<U>*>(r)->typed_ptr());
            return;
        }
        std::vector<value> params{fk};
        auto lease = owner->run(owner->select_by_pk_sql(table_of<U>()), params);
        rel.store(lease->step() ? load_entity<U>(*lease, owner) : nullptr);
    } else {
        const schema::table* assoc = nullptr;
        if constexpr (R::many_to_many) assoc = &table_of<typename R::assoc>();
        const auto& sql =
            owner->relationship_sql(table_of<U>(), R::target_fk, assoc, R::assoc_to_owner(), R::assoc_to_target());
        std::vector<value> params{primary_key_value(*get())};
        std::vector<std::shared_ptr<U>> items;
        {
            auto lease = owner->run(sql, params);
            while (lease->step()) items.push_back(load_entity<U>(*lease, owner));
        }
        using B = back_descriptor<T, D>;
        if constexpr (!std::is_same_v<B, no_back> && !relationship_traits<member_of<B>>::is_collection) {
            for (auto& item : items) {
                auto& back = item.get()->*(B::pointer);
                if (!back.loaded() || !back.get_no_load()) back.store(typed_ptr());
            }
        }
        if constexpr (R::many_to_many) {
            constexpr std::size_t index = boost::mp11::mp_find<typename model<T>::relationships, D>::value;
            if (assoc_db_.size() <= index) assoc_db_.resize(index + 1);
            assoc_db_[index].clear();
            for (auto& item : items) assoc_db_[index].emplace_back(item.get(), primary_key_value(*item));
        }
        if constexpr (R::collection) {
            rel.raw() = std::move(items);
            rel.set_loaded(true);
        } else {
            rel.store(items.empty() ? nullptr : items.front());
        }
    }
}

template <class T>
void record<T>::load_relationship(void* member) {
    if (!owner)
        throw detached_instance_error("Parent instance <" + std::string(type_name<T>()) +
                                      "> is not bound to a Session; lazy load operation of a relationship cannot "
                                      "proceed");
    if constexpr (has_relationships_v<T>) {
        owner->check_usable();
        if (!owner->in_flush()) owner->autoflush();
        for_each_relationship<T>([&](auto I, auto d) {
            using D = decltype(d);
            if (member == static_cast<void*>(&(get()->*(D::pointer)))) {
                if ((raise_mask >> I) & 1)
                    throw invalid_request_error("'" + std::string(type_name<T>()) + "." + D::name +
                                                "' is not available due to lazy='raise'");
                owner->before_lazy_load(table(), D::name);
                load_rel<D>();
            }
        });
    }
    (void)member;
}

template <class T>
void record<T>::on_delete() {
    if constexpr (has_relationships_v<T>) {
        for_each_relationship<T>([&](auto, auto d) {
            using D = decltype(d);
            using R = relationship_model<T, D>;
            if constexpr (R::reverse) {
                auto& rel = get()->*(D::pointer);
                if (!rel.loaded()) load_relationship(&rel);
                auto handle = [&](const auto& child) {
                    if (!child) return;
                    record_base* r = find_record(owner, child.get());
                    if constexpr (R::cascade_delete) {
                        if (r) owner->remove(r);
                    } else {
                        // the child loses its parent: no back reference, NULL foreign key
                        using B = back_descriptor<T, D>;
                        if constexpr (!std::is_same_v<B, no_back> && !relationship_traits<member_of<B>>::is_collection) {
                            auto& back = child.get()->*(B::pointer);
                            if (back.get_no_load().get() == get()) back.store(nullptr);
                        }
                        deassociate<D>(*child, R::target_fk);
                    }
                };
                if constexpr (R::collection) {
                    for (auto& child : rel.raw()) handle(child);
                } else {
                    handle(rel.get_no_load());
                }
            }
        });
    }
}

template <class T>
void record<T>::assoc_changes(std::vector<assoc_row>& inserts, std::vector<assoc_row>& deletes) {
    if constexpr (has_relationships_v<T>) {
        for_each_relationship<T>([&](auto I, auto d) {
            using D = decltype(d);
            using R = relationship_model<T, D>;
            if constexpr (R::many_to_many) {
                const schema::table* assoc = &table_of<typename R::assoc>();
                const value mine = primary_key_value(*get());
                if (state == object_state::deleted) {  // every row of this owner goes
                    deletes.push_back({assoc, R::assoc_to_owner(), -1, mine, value()});
                    return;
                }
                auto& rel = get()->*(D::pointer);
                if (!rel.loaded()) return;
                if (assoc_db_.size() <= I) assoc_db_.resize(I + 1);
                const auto& db = assoc_db_[I];
                for (auto& item : rel.raw()) {
                    if (!item) continue;
                    bool known = std::any_of(db.begin(), db.end(), [&](auto& e) { return e.first == item.get(); });
                    if (!known)
                        inserts.push_back({assoc, R::assoc_to_owner(), R::assoc_to_target(), mine, primary_key_value(*item)});
                }
                for (auto& e : db) {
                    bool still = std::any_of(rel.raw().begin(), rel.raw().end(),
                                             [&](auto& item) { return item.get() == e.first; });
                    if (!still) deletes.push_back({assoc, R::assoc_to_owner(), R::assoc_to_target(), mine, e.second});
                }
            }
        });
    }
    (void)inserts, (void)deletes;
}

template <class T>
void record<T>::assoc_flushed() {
    if constexpr (has_relationships_v<T>) {
        for_each_relationship<T>([&](auto I, auto d) {
            using D = decltype(d);
            if constexpr (relationship_model<T, D>::many_to_many) {
                auto& rel = get()->*(D::pointer);
                if (!rel.loaded()) return;
                if (assoc_db_.size() <= I) assoc_db_.resize(I + 1);
                assoc_db_[I].clear();
                for (auto& item : rel.raw())
                    if (item) assoc_db_[I].emplace_back(item.get(), primary_key_value(*item));
            }
        });
    }
}

template <class T>
void record<T>::assoc_snapshot(std::size_t rel_index) {
    if constexpr (has_relationships_v<T>) {
        boost::mp11::mp_with_index<boost::mp11::mp_size<typename model<T>::relationships>::value>(rel_index, [&](auto I) {
            using D = boost::mp11::mp_at_c<typename model<T>::relationships, I>;
            if constexpr (relationship_model<T, D>::many_to_many) {
                auto& rel = get()->*(D::pointer);
                if (assoc_db_.size() <= I) assoc_db_.resize(I + 1);
                assoc_db_[I].clear();
                for (auto& item : rel.raw())
                    if (item) assoc_db_[I].emplace_back(item.get(), primary_key_value(*item));
            }
        });
    }
    (void)rel_index;
}

template <class T>
void record<T>::release_cycles() {
    if constexpr (has_relationships_v<T>) {
        for_each_relationship<T>([&](auto, auto d) {
            using D = decltype(d);
            if constexpr (releases_on_close<T, D>()) {
                auto& rel = get()->*(D::pointer);
                rel.raw().clear();
                rel.set_loaded(false);
            }
        });
    }
}

}  // namespace dorm::detail
