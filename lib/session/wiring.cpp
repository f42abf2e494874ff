// The relationship half of the session's per-object bookkeeping: back_populates
// synchronisation, save-update and delete cascades, lazy loading, foreign-key synchronisation at
// flush and many-to-many rows. It walks the struct's relationship_info table (record_layout), so
// it is compiled once here instead of once per mapped struct.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <dorm/error.hpp>
#include <dorm/session/detail/record.hpp>
#include <dorm/session/detail/session_impl.hpp>
#include <dorm/session/detail/work_counts.hpp>

#include "session/assoc_rows.hpp"
#include "session/detached_children.hpp"
#include "session/unhooked_items.hpp"

namespace dorm::detail {

namespace {
inline void* at(void* base, std::uint32_t off) noexcept { return static_cast<char*>(base) + off; }
inline const void* at(const void* base, std::uint32_t off) noexcept { return static_cast<const char*>(base) + off; }
}  // namespace

value layout_key_value(const record_layout& l, const void* obj) {
    const column_slot& c = l.cols[l.table->primary_key.front()];
    return c.ops->to_value(at(obj, c.obj));
}

record_base* find_record(session_impl* s, const record_layout& l, const void* obj) {
    if (!s || !obj) return nullptr;
    identity_key k;
    const bool keyed = layout_key(l, obj, k);
    return s->find_object(obj, keyed ? &k : nullptr);
}

std::shared_ptr<record_base> record_for(session_impl* s, const relationship_info& rel, const std::shared_ptr<void>& obj) {
    if (record_base* r = find_record(s, rel.target(), obj.get())) return r->shared_from_this();
    if (auto r = detached_records::find(obj, &rel.target())) return r;  // it has a row already
    return rel.new_record(obj);
}

std::shared_ptr<void> load_entity_erased(driver::statement& s, session_impl* session, int first,
                                         const record_layout& layout,
                                         std::shared_ptr<record_base> (*read_new)(driver::statement&, int)) {
    identity_key k;
    layout_row_key(layout, s, first, k);
    k.shard = session->key_shard();
    identity_map::insert_hint hint;
    if (record_base* r = session->find(k, hint)) {
        if (session->populating && r->state == object_state::persistent) session->repopulate(r, s, first);
        session->watch(r);
        return r->object_ptr();
    }
    std::shared_ptr<record_base> rec = read_new(s, first);
    rec->take_snapshot();
    session->attach_loaded(rec, k, hint);
    void* obj = rec->object();
    return std::shared_ptr<void>(std::move(rec), obj);  // shares the record's ownership
}

[[noreturn]] void throw_not_in_session(const char* what, std::string_view type) {
    if (type.empty()) throw argument_error(std::string("dorm: session.") + what + "(nullptr)");
    throw invalid_request_error(std::string("dorm: session.") + what + "(): the " + std::string(type) +
                                " object is not in this session");
}

// -- dorm::one<T>, type-erased ------------------------------------------------------------------

one_base::~one_base() {
    if (tracked_) untrack();
    // the target may own a chain of objects through their own dorm::one members (a one-way
    // many-to-one, a one-to-one): releasing it here would recurse once per level
    if (strong_ && strong_.use_count() == 1) release_iteratively(strong_);
}

// -- unhooked references (dorm::one assigned outside a session) -----------------------------------

namespace {
struct unhooked_registry {
    std::mutex mutex;
    std::unordered_multimap<const void*, const one_base*> by_target;
    std::unordered_set<const one_base*> armed;
};
unhooked_registry& registry() {
    static auto* r = new unhooked_registry;  // never destroyed: one_base destructors may run at exit
    return *r;
}
std::atomic<std::size_t> unhooked_count{0};  // entries in by_target (no lock while it is 0)
std::atomic<std::size_t> armed_count{0};

void erase_entry(unhooked_registry& r, const void* target, const one_base* m) {
    auto [b, e] = r.by_target.equal_range(target);
    for (auto it = b; it != e; ++it)
        if (it->second == m) {
            r.by_target.erase(it);
            unhooked_count.fetch_sub(1, std::memory_order_relaxed);
            break;
        }
    if (r.armed.erase(m)) armed_count.fetch_sub(1, std::memory_order_relaxed);
}
}  // namespace

void one_base::track(const void* target) noexcept {
    try {
        auto& r = registry();
        std::lock_guard lock(r.mutex);
        if (tracked_) erase_entry(r, tracked_, this);
        tracked_ = nullptr;
        r.by_target.emplace(target, this);
        unhooked_count.fetch_add(1, std::memory_order_relaxed);
        tracked_ = target;
    } catch (...) {
        // out of memory: the reference is just not checked at flush
    }
}

void one_base::untrack() noexcept {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (tracked_) erase_entry(r, tracked_, this);
    tracked_ = nullptr;
}

void one_base::take_over(const one_base& from) noexcept {
    try {
        auto& r = registry();
        std::lock_guard lock(r.mutex);
        const void* target = from.tracked_;
        if (!target) return;
        const bool armed = r.armed.count(&from) != 0;
        erase_entry(r, target, &from);
        from.tracked_ = nullptr;
        r.by_target.emplace(target, this);
        unhooked_count.fetch_add(1, std::memory_order_relaxed);
        tracked_ = target;
        if (armed && r.armed.insert(this).second) armed_count.fetch_add(1, std::memory_order_relaxed);
    } catch (...) {
    }
}

void unhooked_refs::arm(const void* target) {
    unhooked_items::arm(target);  // the collections outside a session that hold it
    if (unhooked_count.load(std::memory_order_relaxed) == 0) return;
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    auto [b, e] = r.by_target.equal_range(target);
    for (auto it = b; it != e; ++it)
        if (r.armed.insert(it->second).second) armed_count.fetch_add(1, std::memory_order_relaxed);
}

void unhooked_refs::check(session_impl* s) {
    unhooked_items::check(s);
    if (armed_count.load(std::memory_order_relaxed) == 0) return;
    std::vector<std::pair<const void*, const one_base*>> refs;
    {
        auto& r = registry();
        std::lock_guard lock(r.mutex);
        for (const one_base* m : r.armed) refs.emplace_back(m->tracked_target(), m);
    }
    for (auto& [target, member] : refs) {
        record_base* rec = s->find_object(target, nullptr);
        if (!rec || rec->owner != s || rec->state == object_state::deleted) continue;
        // the owner's struct: a relationship of the target whose partner is a dorm::one (a
        // dorm::one member does not know its owner's type, so every candidate is named)
        const record_layout& l = rec->layout();
        std::string via, collection;
        for (std::size_t i = 0; i < l.rel_count; ++i) {
            const relationship_info& rel = l.rels[i];
            if (rel.back_index < 0) continue;
            const relationship_info& back = rel.target().rels[rel.back_index];
            if (back.collection || !back.many_to_one) continue;
            const std::string owner_type = rel.target().table->type_name;
            if (!via.empty()) via += " or ";
            via += owner_type + "." + back.name;
            if (!collection.empty()) collection += " / ";
            collection += l.table->type_name + "." + rel.name;
        }
        if (via.empty()) continue;  // no back_populates pair: nothing would have cascaded
        throw invalid_request_error(
            "dorm: an object refers to this " + l.table->type_name + " through " + via +
            ", assigned before the " + l.table->type_name +
            " joined a session, but is not in the session itself: it would not be saved (dorm cannot reach "
            "it from the " +
            l.table->type_name + "). session.add() it as well, or push_back() it on " + collection +
            " (README, \"Relationships before add()\")");
    }
}

void one_base::set_weak(bool weak) {
    if (weak == weak_mode_) return;
    auto p = get_no_load_void();
    const bool was_loaded = loaded_;
    weak_mode_ = weak;
    strong_.reset();
    weak_.reset();
    store_void(std::move(p));
    loaded_ = was_loaded;  // changing the ownership mode does not load anything
}

void one_base::load_now() const {
    if (!hook_) throw_detached("scalar");
    hook_->load(const_cast<one_base*>(this));
    loaded_ = true;
}

void one_base::assign_void(std::shared_ptr<void> p) {
    // the old target matters only to a session (to move the object between collections); a
    // detached object's unloaded member is simply assigned (the re-added object decides its FK)
    if (!loaded_ && hook_) load_now();
    std::shared_ptr<void> old = get_no_load_void();
    // set to nullptr with no session to see it: the session the owner joins again applies it
    // (record_base::left_parent_while_detached); an unloaded member, or a weakly held target
    // that died meanwhile, may have had a target
    if (!hook_) cleared_unhooked_ = !p && (old || had_target_ || !loaded_);
    if (old == p) {
        // (an unloaded member of a detached object, or a weakly held target that died: null now)
        if (!hook_ && !p) store_void(nullptr);
        return;
    }
    // Without a hook (the owner is in no session) the member owns what it is given: a weak member
    // of a detached object would drop a parent that only it holds.
    if (!hook_ && weak_mode_ && p) set_weak(false);
    store_void(std::move(p));
    if (hook_) {
        if (old) hook_->changed(this, old, false);
        if (auto now = get_no_load_void()) hook_->changed(this, now, true);
    } else if (auto now = get_no_load_void()) {
        track(now.get());
    }
}

namespace {
one_base* one_at(void* m) noexcept { return static_cast<one_base*>(m); }
const one_base* one_at(const void* m) noexcept { return static_cast<const one_base*>(m); }
}  // namespace

const relationship_ops one_relationship_ops{
    [](const void* m) { return one_at(m)->loaded(); },
    [](void* m, bool l) { one_at(m)->set_loaded(l); },
    [](void* m, relation_hook* h) { one_at(m)->set_hook(h); },
    [](void* m, bool w) { one_at(m)->set_weak(w); },
    [](const void* m, object_list& out) {
        if (auto p = one_at(m)->get_no_load_void()) out.push_back(std::move(p));
    },
    [](const void* m) { return one_at(m)->get_no_load_void(); },
    [](void* m, const std::shared_ptr<void>& obj) { one_at(m)->store_void(obj); },
    [](void* m, const void* obj) {
        auto* r = one_at(m);
        if (r->get_no_load_void().get() == obj) r->store_void(nullptr);
    },
    [](void* m, object_list&& objects) {
        one_at(m)->store_void(objects.empty() ? nullptr : std::move(objects.front()));
    },
    [](void* m) { one_at(m)->store_void(nullptr); },
};

namespace {
/// The identity of the row of `t` whose (single-column) primary key is `key`.
identity_key key_of_row(const schema::table& t, const value& key, std::uint32_t shard) {
    identity_key k;
    k.table = &t;
    k.shard = shard;
    if (key.kind() == value_kind::integer)
        k.i = key.as_int();
    else
        append_key_part(k.s, key);
    return k;
}

/// Whether `obj` (described by `l`) waits for its database-generated key (autoincrement, still 0):
/// a foreign key copied from it now would be 0.
bool generated_key_unset_of(const record_layout& l, const void* obj) {
    if (!l.autoincrement) return false;
    const column_slot& c = l.cols[l.int_key];
    return c.ops->as_int(at(obj, c.obj)) == 0;
}

/// The partner member (back_populates) of `rel` in the related object, or nullptr.
const relationship_info* back_of(const relationship_info& rel) {
    if (rel.back_index < 0) return nullptr;
    return &rel.target().rels[rel.back_index];
}
}  // namespace

void record_base::wire_begin() {
    if (owner) unhooked_refs::arm(obj_);
}

void record_base::wire_rel(std::size_t i, bool from_db, object_list& items) {
    const relationship_info& rel = layout_->rels[i];
    void* m = at(obj_, rel.offset);
    items.clear();
    rel.ops->set_hook(m, static_cast<relation_hook*>(this));
    if (!rel.collection && one_at(m)->take_cleared_unhooked() && !from_db && rel.many_to_one)
        left_parent_while_detached(rel);
    if (from_db) {
        if (rel.collection) rel.ops->clear(m);
        rel.ops->set_loaded(m, false);
    }
    // a graph built before add(): the related objects, held here while the member becomes weak
    // (a parent only this object held must live until the cascade gives it a record)
    if (!from_db && rel.ops->loaded(m)) rel.ops->items(m, items);
    if (rel.weak) rel.ops->set_weak(m, true);  // the child -> parent side of a pair must not own the parent
}

void record_base::adopt_detached_parents() {
    const std::vector<const void*> collections = unhooked_items::collections_holding(obj_);
    if (collections.empty()) return;
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        const relationship_info* back = back_of(rel);
        if (!rel.many_to_one || !back || !back->collection) continue;
        void* m = at(obj_, rel.offset);
        if (!rel.ops->loaded(m) || rel.ops->get(m)) continue;  // (a parent set: it decides)
        for (const void* c : collections) {
            // the collection's owner, if it is a detached object of the partner's struct that holds
            // this object in that member now
            const void* owner_at = static_cast<const char*>(c) - back->offset;
            std::shared_ptr<void> parent = detached_records::object_at(owner_at, &rel.target());
            if (!parent) continue;
            object_list held;
            back->ops->items(at(parent.get(), back->offset), held);
            if (std::none_of(held.begin(), held.end(), [&](const std::shared_ptr<void>& p) { return p.get() == obj_; }))
                continue;
            rel.ops->add(m, parent);  // (the back reference; the add walk wires and joins it)
            break;
        }
    }
}

void record_base::left_parent_while_detached(const relationship_info& rel) {
    // `child->parent = nullptr` while the object was detached, and its key still names the parent
    // it had then (a key set directly to another row decides instead): it leaves that parent now,
    // as the assignment would have in a session (the parent's loaded collection lets go of it; an
    // orphan of a delete-orphan parent is deleted, else its key becomes NULL)
    if (!owner || state != object_state::persistent || !has_snapshot || rel.ops->get(at(obj_, rel.offset))) return;
    const value key = get_column(rel.owner_fk);
    if (key.is_null() || key != snapshot_column(rel.owner_fk)) return;
    rel_assigned |= std::uint64_t{1} << static_cast<std::size_t>(&rel - layout_->rels);
    record_base* parent = owner->find(key_of_row(*rel.target().table, key, ident.shard));
    if (parent && parent->state != object_state::deleted && back_of(rel))
        on_changed(rel, parent->object_ptr(), false);
    else
        on_changed_left_parent(rel);
}

void record_base::wire_rels(session_impl* s, bool from_db) {
    const record_layout& l = *layout_;
    if (s && !from_db) unhooked_refs::arm(obj_);
    object_list items;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        if (!s) {
            l.rels[i].ops->set_hook(at(obj_, l.rels[i].offset), nullptr);
            continue;
        }
        wire_rel(i, from_db, items);
        // the other sides learn about this object now (back_populates) and join (save-update)
        for (auto& item : items) on_changed(l.rels[i], item, true);
    }
}

void record_base::related_rels(std::vector<std::shared_ptr<record_base>>& out) {
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (!rel.cascade_save_update) continue;
        const void* m = at(obj_, rel.offset);
        if (!rel.ops->loaded(m)) continue;
        object_list items;
        rel.ops->items(m, items);
        for (auto& item : items) out.push_back(record_for(owner, rel, item));
    }
}

void record_base::edges_rels(std::vector<std::pair<record_base*, record_base*>>& out) {
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        const void* m = at(obj_, rel.offset);
        if (rel.many_to_many || !rel.ops->loaded(m)) continue;
        object_list items;
        rel.ops->items(m, items);
        for (auto& item : items) {
            record_base* other = find_record(owner, rel.target(), item.get());
            if (!other || other == this) continue;
            if (rel.many_to_one)
                out.emplace_back(other, this);
            else
                out.emplace_back(this, other);
        }
    }
}

void record_base::sync_parents_rels() {
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (!rel.many_to_one) continue;
        const void* m = at(obj_, rel.offset);
        if (!rel.ops->loaded(m)) continue;
        if (auto parent = rel.ops->get(m)) {
            // As SQLAlchemy: an assigned relationship (or a new object's) decides the foreign key;
            // a loaded one that was not assigned leaves a foreign key set directly alone (the
            // relationship is then stale in memory until the object is refreshed).
            // An object that has no row yet (pending, or re-added before its first INSERT) counts
            // as assigned, however it entered the session: its relationship was set before any
            // hook could see the assignment (`Loan(member=ann)`, issue 13 item 1).
            if (generated_key_unset_of(rel.target(), parent.get())) continue;  // after its INSERT
            value key = layout_key_value(rel.target(), parent.get());
            if (parent_key_cascades(rel, i, parent.get(), key)) {
                owner->key_cascaded(this, rel.owner_fk, key);  // (its row follows the parent's UPDATE)
            } else if (((rel_assigned >> i) & 1) || !has_snapshot || !column_changed(rel.owner_fk)) {
                if (get_column(rel.owner_fk) != key) set_column(rel.owner_fk, key, false);
            }
            // (else the foreign key was set directly to another row: this flush writes it, and
            // finish_flush makes the relationships follow it: foreign_key_moved)
            null_out &= ~(column_mask{1} << rel.owner_fk);
        }
    }
}

bool record_base::parent_key_cascades(const relationship_info& rel, std::size_t i, const void* parent,
                                      const value& key) const {
    // the parent's key is renamed in this flush, this object's row names the old key and the
    // database moves it along (ON UPDATE CASCADE): the key changes in memory only (the children of
    // a loaded collection get the same from propagate_to_children; these were read by their own
    // queries, with their many-to-one loaded)
    if (state != object_state::persistent || !has_snapshot || ((rel_assigned >> i) & 1) ||
        column_changed(rel.owner_fk) || get_column(rel.owner_fk) == key)
        return false;
    if (layout_->table->columns[static_cast<std::size_t>(rel.owner_fk)].on_update != fk_action::cascade) return false;
    const record_base* p = find_record(owner, rel.target(), parent);
    if (!p || p->state != object_state::persistent || !p->has_snapshot) return false;
    const int key_col = rel.target().table->primary_key.front();
    return p->column_changed(key_col) && p->snapshot_column(key_col) == get_column(rel.owner_fk);
}

void record_base::unload_unset_parents() {
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (!rel.many_to_one) continue;
        void* m = at(obj_, rel.offset);
        if (!rel.ops->loaded(m) || rel.ops->get(m) || get_column(rel.owner_fk).is_null()) continue;
        rel.ops->set_loaded(m, false);
    }
}

void record_base::reset_unset_parents() {
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        void* m = at(obj_, rel.offset);
        if (rel.many_to_one && !rel.ops->loaded(m) && !rel.ops->get(m)) rel.ops->set_loaded(m, true);
    }
}

void record_base::unload_relationships() {
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i) l.rels[i].ops->set_loaded(at(obj_, l.rels[i].offset), false);
}

void record_base::took_over_row(record_base& old) {
    const record_layout& l = *layout_;
    object_list items;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (!rel.reverse) continue;
        rel.ops->set_loaded(at(obj_, rel.offset), false);
        const void* held = at(old.obj_, rel.offset);
        const relationship_info* back = back_of(rel);
        if (!back || back->collection || !rel.ops->loaded(held)) continue;
        items.clear();
        rel.ops->items(held, items);
        for (auto& child : items) back->ops->set_loaded(at(child.get(), back->offset), false);
    }
}

void record_base::loaded_children(detached_children& out) {
    const record_layout& l = *layout_;
    object_list items;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        const void* m = at(obj_, rel.offset);
        if (!rel.reverse || rel.many_to_many || !rel.ops->loaded(m)) continue;
        items.clear();
        rel.ops->items(m, items);
        if (items.empty()) continue;
        const record_layout& target = rel.target();
        std::vector<detached_child> held;
        held.reserve(items.size());
        for (auto& item : items) {
            detached_child c{item, {}};
            c.key.reserve(target.table->primary_key.size());
            for (int p : target.table->primary_key) c.key.push_back(target.cols[p].ops->to_value(at(item.get(), target.cols[p].obj)));
            held.push_back(std::move(c));
        }
        out.members.emplace_back(i, std::move(held));
    }
}

namespace {
/// The identity of the row of `t` whose primary-key values are `key` (table order of the key).
identity_key key_of_values(const schema::table& t, const std::vector<value>& key, std::uint32_t shard) {
    if (key.size() == 1) return key_of_row(t, key.front(), shard);
    identity_key k;
    k.table = &t;
    k.shard = shard;
    for (auto& v : key) append_key_part(k.s, v);
    return k;
}
}  // namespace

void record_base::removed_while_detached(const detached_children& before) {
    if (!owner || state != object_state::persistent) return;
    const record_layout& l = *layout_;
    const value mine = layout_key_value(l, obj_);
    object_list now;
    std::unordered_set<const void*> held;
    for (const auto& [index, children] : before.members) {
        const relationship_info& rel = l.rels[index];
        void* m = at(obj_, rel.offset);
        if (!rel.ops->loaded(m)) continue;
        now.clear();
        rel.ops->items(m, now);
        held.clear();
        for (auto& item : now) held.insert(item.get());
        const relationship_info* back = back_of(rel);
        const record_layout& target = rel.target();
        const column_slot& fk = target.cols[rel.target_fk];
        for (const auto& was : children) {
            std::shared_ptr<void> child = was.object.lock();
            if (child && held.count(child.get())) continue;
            // the row's object in this session: this one, or another object read for the same row
            std::shared_ptr<record_base> r;
            if (record_base* found = owner->find(key_of_values(*target.table, was.key, ident.shard)))
                r = found->shared_from_this();
            bool orphan = true;
            if (child) {
                // a one-way collection: another parent's brought it into this session already
                void* back_m = back && !back->collection ? at(child.get(), back->offset) : nullptr;
                if (!back_m && find_record(owner, target, child.get())) continue;
                // its own many-to-one says where it went (set by a collection of another parent
                // that joined this session first, or assigned by the application); its foreign
                // key, when set directly to another row, too
                std::shared_ptr<void> went;
                if (back_m) went = back->ops->get(back_m);
                orphan = (!went || went.get() == obj_) && fk.ops->to_value(at(child.get(), fk.obj)) == mine;
                if (!r) {
                    // it joins (SQLAlchemy's save-update cascade takes the objects a collection
                    // lost into the session as well) unless it was appended to another collection
                    // while it was detached (that parent, in no session yet, takes it when it joins
                    // one): then it is not an orphan, and not ours to add
                    bool appended = false;
                    r = detached_records::find(child, &target, &appended);
                    if (!r || appended || r->row_deleted) continue;  // (no row: nothing to remove)
                    if (orphan && back_m) back->ops->remove(back_m, obj_);  // (before add(): it would rejoin us)
                    owner->add(r);
                }
            } else if (!r) {
                // nobody holds it any more (erased and dropped): its row, read by its key
                shard_scope on_its_shard(*owner, ident.shard);
                auto lease = owner->run(owner->select_by_pk_sql(*target.table), was.key, owner->slot_of(target.table));
                if (!lease->step()) continue;  // gone already
                const auto obj = rel.read_target(*lease, owner, 0);
                record_base* read = find_record(owner, target, obj.get());
                if (!read) continue;
                r = read->shared_from_this();
            }
            if (!child) orphan = fk.ops->to_value(at(r->object(), fk.obj)) == mine;  // (the row's parent)
            if (orphan && r->owner == owner && r->state == object_state::persistent) on_changed(rel, r->object_ptr(), false);
        }
    }
}

void record_base::drop_stale_children(std::size_t index, const detached_children& before, object_list& items) {
    const relationship_info& rel = layout_->rels[index];
    if (!rel.reverse || rel.many_to_many || items.empty()) return;
    const std::vector<detached_child>* was = nullptr;
    for (const auto& [i, children] : before.members)
        if (i == index) was = &children;
    if (!was) return;
    std::unordered_set<const void*> held_then;
    for (const auto& c : *was)
        if (auto p = c.object.lock()) held_then.insert(p.get());
    const record_layout& target = rel.target();
    const column_slot& fk = target.cols[rel.target_fk];
    const value mine = layout_key_value(*layout_, obj_);
    void* m = at(obj_, rel.offset);
    const relationship_info* back = back_of(rel);
    // its own many-to-one left this object while both were detached: set to another object, or
    // to nullptr (a session would have taken it out of this collection at once, as SQLAlchemy's
    // backref does on detached objects too)
    auto left_by_its_member = [&](const void* child) {
        if (!back || back->collection) return false;
        const void* back_m = at(child, back->offset);
        if (!back->ops->loaded(back_m)) return false;
        const auto parent = back->ops->get(back_m);
        if (!parent) return static_cast<const one_base*>(back_m)->cleared_unhooked();
        return parent.get() != obj_ && (generated_key_unset_of(*layout_, parent.get()) ||
                                        layout_key_value(*layout_, parent.get()) != mine);
    };
    std::erase_if(items, [&](const std::shared_ptr<void>& child) {
        if (!held_then.count(child.get())) return false;
        record_base* in = find_record(owner, target, child.get());  // (it joined this session first)
        if (in && in->state == object_state::deleted) {  // an orphan this session deletes: not ours
            rel.ops->remove(m, child.get());
            return true;
        }
        const bool key_elsewhere = fk.ops->to_value(at(child.get(), fk.obj)) != mine;
        if (!key_elsewhere && !left_by_its_member(child.get())) return false;
        bool appended = false;  // (appended here again: ours)
        const auto r = in ? in->shared_from_this() : detached_records::find(child, &target, &appended);
        if (!r || appended) return false;
        // a key moved by another session: only when its row says so (else a key set directly
        // while detached, which the child's flush writes)
        if (key_elsewhere && !left_by_its_member(child.get()) &&
            (!r->has_snapshot || r->snapshot_column(rel.target_fk) == mine))
            return false;
        rel.ops->remove(m, child.get());
        return true;
    });
}

void record_base::foreign_key_moved(int col, const value& before) {
    if (!owner || state != object_state::persistent) return;
    const record_layout& l = *layout_;
    const schema::column& fk = l.table->columns[static_cast<std::size_t>(col)];
    if (!fk.references) return;
    const value now = get_column(col);
    // its own many-to-one by that column loads again by the new key (from the identity map when
    // the parent is there: no SQL)
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (!rel.many_to_one || rel.owner_fk != col) continue;
        void* m = at(obj_, rel.offset);
        if (!rel.ops->loaded(m)) continue;
        const auto parent = rel.ops->get(m);
        if (parent ? (!generated_key_unset_of(rel.target(), parent.get()) &&
                      layout_key_value(rel.target(), parent.get()) != now)
                   : !now.is_null())
            rel.ops->set_loaded(m, false);
    }
    // the loaded one-to-many (or one-to-one) members of the old and the new parent that the
    // column backs, whichever side declares them (a one-way collection has no many-to-one here)
    const schema::table& parent_table = fk.references();
    auto follow = [&](const value& key, bool gains) {
        if (key.is_null()) return;
        record_base* p = owner->find(key_of_row(parent_table, key, ident.shard));
        if (!p || p == this || p->state == object_state::deleted) return;
        const record_layout& pl = p->layout();
        for (std::size_t i = 0; i < pl.rel_count; ++i) {
            const relationship_info& rel = pl.rels[i];
            if (!rel.reverse || rel.many_to_many || rel.target_fk != col || rel.target().table != l.table) continue;
            void* m = at(p->obj_, rel.offset);
            if (!rel.ops->loaded(m)) continue;
            if (!gains)
                rel.ops->remove(m, obj_);
            else if (rel.collection)
                rel.ops->add(m, object_ptr());  // (appends unless present)
            else
                rel.ops->set_loaded(m, false);  // a one-to-one: loads its (single) child again
        }
    };
    follow(before, false);
    follow(now, true);
}

void record_base::propagate_to_children_rels() {
    const record_layout& l = *layout_;
    if (generated_key_unset()) return;  // no key yet: nothing to give the children
    const value mine = layout_key_value(l, obj_);
    // a key this flush changes (a natural key renamed): the database cascades it into the
    // children's rows where their foreign key says ON UPDATE CASCADE
    const int key_col = l.table->primary_key.front();
    const bool renamed = state == object_state::persistent && has_snapshot && column_changed(key_col);
    const value old_key = renamed ? snapshot_column(key_col) : value();
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (!rel.reverse) continue;
        const void* m = at(obj_, rel.offset);
        if (!rel.ops->loaded(m)) continue;
        const record_layout& target = rel.target();
        const column_slot& fk = target.cols[rel.target_fk];
        object_list items;
        rel.ops->items(m, items);
        for (auto& child : items) {
            void* member = at(child.get(), fk.obj);
            record_base* r = find_record(owner, target, child.get());
            const column_mask bit = column_mask{1} << rel.target_fk;
            if (fk.ops->to_value(member) != mine) {
                // a foreign key the user set directly on a child of a loaded collection stays (not
                // one a parent NULLed when the child left its collection: this one took it since)
                if (r && r->has_snapshot && r->column_changed(rel.target_fk) && !(r->collection_fk & bit)) continue;
                if (renamed && r && r->state == object_state::persistent && r->has_snapshot &&
                    target.table->columns[static_cast<std::size_t>(rel.target_fk)].on_update == fk_action::cascade &&
                    r->snapshot_column(rel.target_fk) == old_key)
                    owner->key_cascaded(r, rel.target_fk, mine);  // (its row follows the parent's UPDATE)
                else
                    fk.ops->from_value(member, mine);
            }
            if (r) {
                r->null_out &= ~bit;
                r->collection_fk &= ~bit;
            }
        }
    }
}

void record_base::deassociate(const record_layout& l, void* obj, int fk_col) {
    // The child loses its parent: NULL into its foreign key (an optional member becomes
    // nullopt; a plain one is nulled by an explicit UPDATE, and the database objects if NOT NULL).
    const column_slot& c = l.cols[fk_col];
    if (c.ops->optional) {
        c.ops->reset(at(obj, c.obj));
        if (record_base* r = find_record(owner, l, obj)) r->collection_fk |= column_mask{1} << fk_col;
    } else if (record_base* r = find_record(owner, l, obj)) {
        r->null_out |= column_mask{1} << fk_col;
        owner->watch(r);
    }
}

namespace {
/// back_populates: the other side of `rel` in `child` gains (or loses) `self`, the object of
/// `rel`'s owner; a scalar other side that pointed elsewhere moves (the previous owner loses child).
void mirror(const relationship_info& rel, void* self_obj, const std::shared_ptr<void>& self,
            const std::shared_ptr<void>& child, bool added) {
    const relationship_info* back = back_of(rel);
    if (!back) return;
    void* back_m = at(child.get(), back->offset);
    if (!back->collection) {
        // the other side is a scalar pointing back to us
        if (added) {
            auto prev = back->ops->get(back_m);
            if (prev.get() != self_obj) {
                // move: leave the previous owner's relationship
                if (prev) rel.ops->remove(at(prev.get(), rel.offset), child.get());
                back->ops->add(back_m, self);
            }
        } else if (!back->ops->loaded(back_m)) {
            // not loaded (its key moved by a flush, say): it would load us again from the key the
            // flush has not nulled yet (or, for an orphan, never will); SQLAlchemy's backref pop
            // sets an unloaded scalar to None as well (attributes.py ScalarObjectAttributeImpl.set:
            // check_old against PASSIVE_NO_RESULT)
            back->ops->assign(back_m, {});
        } else {
            back->ops->remove(back_m, self_obj);
        }
    } else if (back->ops->loaded(back_m)) {
        // the other side is a collection: keep our object in it (or out of it)
        if (added)
            back->ops->add(back_m, self);
        else
            back->ops->remove(back_m, self_obj);
    }
}
}  // namespace

std::shared_ptr<record_base> record_base::joined(std::size_t i, const std::shared_ptr<void>& child) {
    const relationship_info& rel = layout_->rels[i];
    mirror(rel, obj_, back_of(rel) ? object_ptr() : nullptr, child, true);
    if (owner && rel.cascade_save_update) return record_for(owner, rel, child);
    return nullptr;
}

void record_base::joined_after(std::size_t i, const std::shared_ptr<void>& child) {
    if (!owner) return;
    const relationship_info& rel = layout_->rels[i];
    if (record_base* r = find_record(owner, rel.target(), child.get())) owner->watch(r);
    if (rel.many_to_one) null_out &= ~(column_mask{1} << rel.owner_fk);
}

void record_base::on_changed(const relationship_info& rel, const std::shared_ptr<void>& child, bool added) {
    if (added) {
        const auto i = static_cast<std::size_t>(&rel - layout_->rels);
        if (auto next = joined(i, child)) {
            if (rel.reverse) next->orphaned = false;  // (a parent again: kept)
            owner->add(next);  // an outermost add: it walks without recursion
        }
        joined_after(i, child);
        // the collection the application appended to decides the child's foreign key at the next
        // flush, over a value set directly (and its many-to-one, moved by back_populates, counts
        // as assigned)
        if (rel.reverse && !rel.many_to_many)
            if (record_base* r = find_record(owner, rel.target(), child.get())) {
                r->collection_fk |= column_mask{1} << rel.target_fk;
                if (rel.back_index >= 0 && rel.target().rels[rel.back_index].many_to_one)
                    r->rel_assigned |= std::uint64_t{1} << rel.back_index;
            }
        // an object given a parent again (after it became an orphan, or was removed): the
        // parent's collection now holds it, and its save-update cascade keeps it (add() after
        // remove(); SQLAlchemy's backref append cancels the pending deletion likewise)
        if (rel.many_to_one && state == object_state::deleted)
            if (const relationship_info* back = back_of(rel); back && back->cascade_save_update) {
                orphaned = false;
                owner->add(shared_from_this());
            }
        return;
    }
    mirror(rel, obj_, nullptr, child, false);
    if (rel.reverse) {
        if (rel.cascade_delete_orphan) {
            if (record_base* r = find_record(owner, rel.target(), child.get())) {
                r->orphaned = r->state == object_state::persistent;
                owner->remove(r);
                return;
            }
        }
        deassociate(rel.target(), child.get(), rel.target_fk);
    } else if (rel.many_to_one) {
        on_changed_left_parent(rel);
    }
}

void record_base::on_changed_left_parent(const relationship_info& rel) {
    if (rel.ops->get(at(obj_, rel.offset))) return;  // moved to another parent
    // The object left its parent from this side (`child->parent = nullptr`). When the
    // parent's side cascades delete-orphan, it is an orphan now, as when the parent's
    // collection lost it (SQLAlchemy: the backref removes it from the collection, and the
    // flush deletes the orphan); assigning a parent again before the flush keeps it.
    const relationship_info* back = back_of(rel);
    if (back && back->cascade_delete_orphan && owner &&
        (state == object_state::persistent || state == object_state::pending)) {
        orphaned = state == object_state::persistent;
        owner->remove(this);
        return;
    }
    deassociate(*layout_, obj_, rel.owner_fk);
}

void record_base::changed(void* member, const std::shared_ptr<void>& child, bool added) {
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i)
        if (member == at(obj_, l.rels[i].offset)) {
            if (l.rels[i].many_to_one) rel_assigned |= std::uint64_t{1} << i;
            on_changed(l.rels[i], child, added);
        }
}

bool record_base::autoflush_kept_me(const relationship_info& rel) {
    owner->autoflush();
    if (owner) return true;
    // the flush deleted this object's row (an orphan, say) and it left the session: no row refers
    // to it any more (the delete cascaded to its children or set their keys to NULL), so its
    // collection is empty, as SQLAlchemy's lazy load of a deleted parent's collection finds it
    rel.ops->assign(at(obj_, rel.offset), {});
    return false;
}

void record_base::load_rel(const relationship_info& rel, std::size_t index) {
    void* m = at(obj_, rel.offset);
    if (state == object_state::pending) {  // nothing in the database yet
        rel.ops->set_loaded(m, true);
        return;
    }
    const record_layout& target = rel.target();
    // a sharded session loads related rows from the owner's shard (co-located rows)
    shard_scope on_owners_shard(*owner, ident.shard);
    if (rel.many_to_one) {
        const value fk = get_column(rel.owner_fk);
        if (fk.is_null()) {
            rel.ops->assign(m, {});
            return;
        }
        if (record_base* r = owner->find(key_of_row(*target.table, fk, owner->key_shard()))) {  // in the identity map: no SQL, no autoflush
            owner->watch(r);
            rel.ops->assign(m, {r->object_ptr()});
            return;
        }
        // (as SQLAlchemy: a lazy load that runs SQL autoflushes first; one answered by the
        // identity map does not: walking a chain whose objects the user holds would otherwise
        // diff every held object once per level)
        session_impl* const s = owner;
        if (!s->in_flush()) {
            s->autoflush();
            // The flush may have deleted this object's row (an orphan, say), which took it out of
            // the session; its key still names the target, which SQLAlchemy's lazy loader then
            // loads from the deleted object's committed state: load it through the same session.
            if (!owner) {
                if (record_base* r = s->find(key_of_row(*target.table, fk, s->key_shard()))) {
                    s->watch(r);
                    rel.ops->assign(m, {r->object_ptr()});
                    return;
                }
            }
        }
        std::vector<value> params{fk};
        object_list found;
        {
            auto lease = s->run(s->select_by_pk_sql(*target.table), params, s->slot_of(target.table));
            if (lease->step()) found.push_back(rel.read_target(*lease, s, 0));
        }
        rel.ops->assign(m, std::move(found));
        return;
    }
    if (!owner->in_flush() && !autoflush_kept_me(rel)) return;
    const schema::table* assoc = rel.assoc ? &rel.assoc() : nullptr;
    const auto& sql = owner->relationship_sql(*target.table, rel.target_fk, assoc, rel.assoc_to_owner, rel.assoc_to_target);
    std::vector<value> params{layout_key_value(*layout_, obj_)};
    object_list items;
    {
        auto lease = owner->run(sql, params, owner->slot_of(target.table));
        while (lease->step()) items.push_back(rel.read_target(*lease, owner, 0));
    }
    if (const relationship_info* back = back_of(rel); back && !back->collection) {
        auto self = object_ptr();
        for (auto& item : items) {
            void* back_m = at(item.get(), back->offset);
            if (!back->ops->loaded(back_m) || !back->ops->get(back_m)) back->ops->add(back_m, self);
        }
    }
    if (rel.many_to_many) {
        auto& db = assoc_rows_of(assoc_db_, index);
        db.clear();
        for (auto& item : items) db.emplace_back(item.get(), layout_key_value(target, item.get()));
    }
    rel.ops->assign(m, std::move(items));
}

void record_base::load(void* member) { load_relationship(member); }

void record_base::load_relationship(void* member) {
    if (!owner)
        throw detached_instance_error("Parent instance <" + table().type_name +
                                      "> is not bound to a Session; lazy load operation of a relationship cannot "
                                      "proceed");
    const record_layout& l = *layout_;
    if (l.rel_count == 0) return;
    owner->check_usable();
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (member != at(obj_, rel.offset)) continue;
        if ((raise_mask >> i) & 1)
            throw invalid_request_error("'" + table().type_name + "." + rel.name +
                                        "' is not available due to lazy='raise'");
        owner->before_lazy_load(table(), rel.name);
        load_rel(rel, i);
    }
}

void record_base::cascade_targets_rels(bool refresh, std::vector<record_base*>& out) {
    const record_layout& l = *layout_;
    object_list items;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (!(refresh ? rel.cascade_refresh_expire : rel.cascade_expunge)) continue;
        const void* m = at(obj_, rel.offset);
        if (!rel.ops->loaded(m)) continue;  // (as SQLAlchemy: what is not loaded is not reached)
        items.clear();
        rel.ops->items(m, items);
        for (auto& item : items)
            if (record_base* r = find_record(owner, rel.target(), item.get())) out.push_back(r);
    }
}

void record_base::on_delete_rels(bool switch_lost) {
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (!rel.reverse) continue;
        // a new object takes over this row (a row switch): the children stay with the row, only a
        // delete cascade still deletes them (and it did, when the switch was called off)
        if (row_switched ? !rel.cascade_delete : switch_lost && rel.cascade_delete) continue;
        void* m = at(obj_, rel.offset);
        if (!rel.ops->loaded(m)) load_relationship(m);
        const relationship_info* back = back_of(rel);
        object_list items;
        rel.ops->items(m, items);
        for (auto& child : items) {
            record_base* r = find_record(owner, rel.target(), child.get());
            if (rel.cascade_delete) {
                if (!r) {
                    // a child with a row that left the session (expunged, or its session ended)
                    // while the loaded collection kept it: the delete cascade takes it back in and
                    // deletes it, as SQLAlchemy's Session._delete_impl attaches a detached state
                    // the cascade reaches (its row would otherwise outlive the parent's). Its
                    // many-to-one lets go of this object first: the add walk would otherwise reach
                    // this object through it and take back its deletion.
                    // (not one whose row is gone already: a bulk delete_from took it, and the
                    // loaded collection still holds it; SQLAlchemy's cascade skips it too)
                    auto back_in = detached_records::find(child, &rel.target());
                    if (back_in && !back_in->row_deleted) {
                        if (back && !back->collection) back->ops->remove(at(child.get(), back->offset), obj_);
                        owner->add(back_in);
                        r = find_record(owner, rel.target(), child.get());
                    }
                }
                if (r) owner->remove(r);
            } else {
                // the child loses its parent: no back reference, NULL foreign key
                if (back && !back->collection) back->ops->remove(at(child.get(), back->offset), obj_);
                deassociate(rel.target(), child.get(), rel.target_fk);
            }
        }
    }
}

void record_base::assoc_changes_rels(std::vector<assoc_row>& inserts, std::vector<assoc_row>& deletes) {
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (!rel.many_to_many) continue;
        const schema::table* assoc = &rel.assoc();
        const value mine = layout_key_value(l, obj_);
        if (state == object_state::deleted) {  // every row of this owner goes
            deletes.push_back({assoc, rel.assoc_to_owner, -1, mine, value(), ident.shard});
            continue;
        }
        const void* m = at(obj_, rel.offset);
        if (!rel.ops->loaded(m)) continue;
        const auto& db = assoc_rows_of(assoc_db_, i);
        object_list items;
        rel.ops->items(m, items);
        // what the database holds (the snapshot) against what the collection holds now, by
        // address: small collections by a search, large ones through sets (O(n) per flush)
        auto report = [&](auto&& in_db, auto&& in_items) {
            for (auto& item : items)
                if (!in_db(item.get()))
                    inserts.push_back({assoc, rel.assoc_to_owner, rel.assoc_to_target, mine,
                                       layout_key_value(rel.target(), item.get()), ident.shard});
            for (auto& e : db)
                if (!in_items(e.first))
                    deletes.push_back({assoc, rel.assoc_to_owner, rel.assoc_to_target, mine, e.second, ident.shard});
        };
        if (db.size() * items.size() <= 256) {
            thread_work_counts().collection_steps += db.size() * items.size();
            report([&](const void* p) { return std::any_of(db.begin(), db.end(), [&](auto& e) { return e.first == p; }); },
                   [&](const void* p) {
                       return std::any_of(items.begin(), items.end(), [&](auto& item) { return item.get() == p; });
                   });
        } else {
            std::unordered_set<const void*> in_db;
            in_db.reserve(db.size());
            for (auto& e : db) in_db.insert(e.first);
            std::unordered_set<const void*> now;
            now.reserve(items.size());
            for (auto& item : items) now.insert(item.get());
            thread_work_counts().collection_steps += db.size() + items.size();
            report([&](const void* p) { return in_db.count(p) != 0; }, [&](const void* p) { return now.count(p) != 0; });
        }
    }
}

void record_base::assoc_snapshot(std::size_t index) {
    const record_layout& l = *layout_;
    if (index >= l.rel_count || !l.rels[index].many_to_many) return;
    const relationship_info& rel = l.rels[index];
    auto& db = assoc_rows_of(assoc_db_, index);
    db.clear();
    object_list items;
    rel.ops->items(at(obj_, rel.offset), items);
    for (auto& item : items) db.emplace_back(item.get(), layout_key_value(rel.target(), item.get()));
}

void record_base::assoc_flushed_rels() {
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (rel.many_to_many && rel.ops->loaded(at(obj_, rel.offset))) assoc_snapshot(i);
    }
}

void record_base::release_cycles_rels() {
    const record_layout& l = *layout_;
    for (std::size_t i = 0; i < l.rel_count; ++i) {
        const relationship_info& rel = l.rels[i];
        if (!rel.releases_on_close) continue;
        void* m = at(obj_, rel.offset);
        rel.ops->clear(m);
        rel.ops->set_loaded(m, false);
    }
}

}  // namespace dorm::detail
