// Items appended to a dorm::many that is in no session (its owner was never added, or left its
// session): the registry behind note_unhooked_append and unhooked_items (session/unhooked_items.hpp).
//
// SQLAlchemy's backref sets `task.board = board` on `board.tasks.append(task)` even between
// transient objects, so `session.add(task)` alone brings `board` in. A dorm::many cannot reach its
// owner, so dorm keeps, for each such item, the collections that hold it; when the item joins a
// session its entries are armed, and a flush that would save the item while a collection of a
// back_populates pair still holds it outside the session throws instead of saving it without its
// parent (the mirror of unhooked_refs, for dorm::one, in wiring.cpp). An entry lives exactly as
// long as the item is in the collection and the collection is in no session: erase and clear
// remove it, and so do hooking the collection, reaching its items through raw(), and destroying it.
#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <dorm/error.hpp>
#include <dorm/reflect/relationship_members.hpp>
#include <dorm/session/detail/record.hpp>
#include <dorm/session/detail/session_impl.hpp>

#include "session/unhooked_items.hpp"

namespace dorm::detail {

namespace {

struct holder {
    const void* collection;
    bool armed;
};

struct registry {
    std::mutex m;
    std::unordered_multimap<const void*, holder> by_item;
    /// The items with armed entries, and how many (a flush looks at these only).
    std::unordered_map<const void*, std::size_t> armed;
};
registry& the_registry() {
    static auto* r = new registry;  // never destroyed: collections may be destroyed at exit
    return *r;
}
std::atomic<std::size_t> entry_count{0};  // by_item.size(): no lock while it is 0
std::atomic<std::size_t> armed_count{0};

/// Removes the entry (item, collection); the lock is held.
void erase_entry(registry& r, const void* item, const void* collection) noexcept {
    auto [b, e] = r.by_item.equal_range(item);
    for (auto it = b; it != e; ++it)
        if (it->second.collection == collection) {
            if (it->second.armed) {
                armed_count.fetch_sub(1, std::memory_order_relaxed);
                if (auto a = r.armed.find(item); a != r.armed.end() && --a->second == 0) r.armed.erase(a);
            }
            r.by_item.erase(it);
            entry_count.fetch_sub(1, std::memory_order_relaxed);
            return;
        }
}

/// Adds the entry unless present; the lock is held.
void add_entry(registry& r, const void* item, const void* collection) {
    auto [b, e] = r.by_item.equal_range(item);
    for (auto it = b; it != e; ++it)
        if (it->second.collection == collection) return;
    r.by_item.emplace(item, holder{collection, false});
    entry_count.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

bool note_unhooked_append(const void* obj, const void* collection) noexcept {
    detached_records::note_append(obj);
    try {
        registry& r = the_registry();
        std::lock_guard lock(r.m);
        add_entry(r, obj, collection);
        return true;
    } catch (...) {  // out of memory: the item is just not checked at flush
        return false;
    }
}

void note_unhooked_erase(const void* obj, const void* collection) noexcept {
    if (entry_count.load(std::memory_order_relaxed) == 0) return;
    registry& r = the_registry();
    std::lock_guard lock(r.m);
    erase_entry(r, obj, collection);
}

void forget_unhooked_collection(const void* collection, const void* items, std::size_t n,
                                const void* (*get)(const void* items, std::size_t i)) noexcept {
    if (entry_count.load(std::memory_order_relaxed) == 0) return;
    registry& r = the_registry();
    std::lock_guard lock(r.m);
    for (std::size_t i = 0; i < n; ++i) erase_entry(r, get(items, i), collection);
}

bool copy_unhooked_collection(const void* from, const void* to, const void* items, std::size_t n,
                              const void* (*get)(const void* items, std::size_t i)) noexcept {
    if (entry_count.load(std::memory_order_relaxed) == 0) return false;
    bool any = false;
    try {
        registry& r = the_registry();
        std::lock_guard lock(r.m);
        for (std::size_t i = 0; i < n; ++i) {
            const void* item = get(items, i);
            auto [b, e] = r.by_item.equal_range(item);
            bool held = false;
            for (auto it = b; it != e && !held; ++it) held = it->second.collection == from;
            if (!held) continue;
            add_entry(r, item, to);
            any = true;
        }
    } catch (...) {  // out of memory: the copy's items are just not checked at flush
    }
    return any;
}

void unhooked_items::arm(const void* item) noexcept {
    if (entry_count.load(std::memory_order_relaxed) == 0) return;
    registry& r = the_registry();
    std::lock_guard lock(r.m);
    auto [b, e] = r.by_item.equal_range(item);
    for (auto it = b; it != e; ++it)
        if (!it->second.armed) {
            try {
                ++r.armed[item];
            } catch (...) {  // out of memory: the item is just not checked at flush
                return;
            }
            it->second.armed = true;
            armed_count.fetch_add(1, std::memory_order_relaxed);
        }
}

std::vector<const void*> unhooked_items::collections_holding(const void* item) {
    std::vector<const void*> out;
    if (entry_count.load(std::memory_order_relaxed) == 0) return out;
    registry& r = the_registry();
    std::lock_guard lock(r.m);
    auto [b, e] = r.by_item.equal_range(item);
    for (auto it = b; it != e; ++it) out.push_back(it->second.collection);
    return out;
}

void unhooked_items::check(session_impl* s) {
    if (armed_count.load(std::memory_order_relaxed) == 0) return;
    std::vector<const void*> items;
    {
        registry& r = the_registry();
        std::lock_guard lock(r.m);
        items.reserve(r.armed.size());
        for (auto& [item, n] : r.armed) items.push_back(item);
    }
    for (const void* item : items) {
        record_base* rec = s->find_object(item, nullptr);
        if (!rec || rec->owner != s || rec->state == object_state::deleted) continue;
        // the collections that would have set a relationship of this object (back_populates): a
        // dorm::many does not know its owner's struct, so every candidate pair is named
        const record_layout& l = rec->layout();
        const std::string& type = l.table->type_name;
        std::string held_by, set;
        for (std::size_t i = 0; i < l.rel_count; ++i) {
            const relationship_info& rel = l.rels[i];
            if (rel.back_index < 0) continue;
            const relationship_info& back = rel.target().rels[rel.back_index];
            if (!back.collection) continue;
            // only a side the append would have set and that is still unset: a many-to-one with no
            // parent (or not loaded: a detached object's old parent does not count), a
            // many-to-many collection with nothing. (A value copy of the owner that add() left
            // with the application still holds the object outside the session, so a collection
            // that holds something does not count: the copy in the session set it.)
            const void* m = static_cast<const char*>(rec->object()) + rel.offset;
            if (rel.ops->loaded(m)) {
                object_list held;
                rel.ops->items(m, held);
                if (!held.empty()) continue;
            } else if (rel.collection) {
                continue;  // (an unloaded many-to-many: not read for this check)
            }
            if (!held_by.empty()) held_by += " or ";
            held_by += rel.target().table->type_name + "." + back.name;
            if (!set.empty()) set += " / ";
            set += type + "." + rel.name;
        }
        if (held_by.empty()) continue;  // (a one-way collection: SQLAlchemy saves the object alone too)
        throw invalid_request_error(
            "dorm: this " + type + " was appended to a dorm::many while both were outside a session, and that "
            "collection's owner is not in the session: the " + type + " would be saved without it (SQLAlchemy's "
            "backref would have set " + set + " and saved the owner too). A dorm::many does not know which struct "
            "holds it; for " + type + " that is " + held_by + " (or a one-way collection of another struct). "
            "session.add() the collection's owner as well, remove the " + type + " from the collection, or set " +
            set + " (README, \"Relationships before add()\")");
    }
}

}  // namespace dorm::detail
