// The registry of detached records with a row (see detached_records in record.hpp).
#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <dorm/session/detail/record.hpp>

#include "session/detached_children.hpp"

namespace dorm::detail {

namespace {

struct entry {
    record_base* rec = nullptr;
    /// An object the user gave as shared_ptr (not inline in the record): the registry keeps the
    /// record alive and only a weak reference to the object (the user's object may die first).
    std::shared_ptr<record_base> owned;
    std::weak_ptr<void> object;
    detached_children children;  ///< what its loaded one-to-many members held when it left
    bool appended = false;        ///< a collection in no session gained it since it left
};

struct registry {
    std::mutex m;
    std::unordered_map<const void*, entry> by_object;
    std::size_t sweep_at = 1024;
    /// by_object.size(), readable without the lock: add() of new objects skips an empty registry.
    std::atomic<std::size_t> size{0};
    void count() noexcept { size.store(by_object.size(), std::memory_order_release); }
};

registry& the_registry() {
    static registry* r = new registry;  // never destroyed: records may die during static destruction
    return *r;
}

bool same_owner(const std::shared_ptr<void>& a, const std::weak_ptr<void>& b) noexcept {
    return !a.owner_before(b) && !b.owner_before(a);
}
bool same_owner(const std::shared_ptr<void>& a, const std::shared_ptr<record_base>& b) noexcept {
    return !a.owner_before(b) && !b.owner_before(a);
}

}  // namespace

void detached_records::remember(const std::shared_ptr<record_base>& rec) {
    entry e;
    e.rec = rec.get();
    if (rec->layout().rel_count) rec->loaded_children(e.children);
    if (rec->external_) {
        e.object = rec->external_;
        e.owned = rec;
    }
    std::vector<entry> dropped;  // destroyed after the lock is released (their destructors lock it)
    registry& r = the_registry();
    {
        std::lock_guard lock(r.m);
        auto [it, inserted] = r.by_object.try_emplace(rec->object());
        if (!inserted) {
            it->second.rec->detached_known = false;
            dropped.push_back(std::move(it->second));
        }
        it->second = std::move(e);
        rec->detached_known = true;
        if (r.by_object.size() >= r.sweep_at) {  // entries of user objects that died meanwhile
            for (auto i = r.by_object.begin(); i != r.by_object.end();) {
                if (i->second.owned && i->second.object.expired()) {
                    i->second.rec->detached_known = false;
                    dropped.push_back(std::move(i->second));
                    i = r.by_object.erase(i);
                } else {
                    ++i;
                }
            }
            r.sweep_at = std::max<std::size_t>(1024, r.by_object.size() * 2);
        }
        r.count();
    }
    if (rec->external_) rec->external_.reset();  // the record no longer keeps the user's object alive
}

std::shared_ptr<record_base> detached_records::find(const std::shared_ptr<void>& obj, const record_layout* layout,
                                                    bool* appended) {
    if (appended) *appended = false;
    registry& r = the_registry();
    if (r.size.load(std::memory_order_acquire) == 0) return nullptr;
    // destroyed after the lock is released (a record's destructor locks it)
    std::shared_ptr<record_base> dropped;
    detached_children dropped_children;
    std::lock_guard lock(r.m);
    auto it = r.by_object.find(obj.get());
    if (it == r.by_object.end()) return nullptr;
    entry& e = it->second;
    if (e.owned) {
        if (e.object.expired()) {  // the remembered object died; `obj` is another one at its address
            e.rec->detached_known = false;
            dropped = std::move(e.owned);
            dropped_children = std::move(e.children);
            r.by_object.erase(it);
            r.count();
            return nullptr;
        }
        if (!same_owner(obj, e.object) || e.rec->layout_ != layout) return nullptr;
        if (appended) *appended = e.appended;
        return e.owned;
    }
    auto out = e.rec->weak_from_this().lock();  // null while the record is being destroyed
    if (!out || e.rec->layout_ != layout || !same_owner(obj, out)) return nullptr;
    if (appended) *appended = e.appended;
    return out;
}

void detached_records::attach(record_base* rec, detached_children* children) {
    std::shared_ptr<record_base> owned;  // released after the lock (the caller holds the record too)
    registry& r = the_registry();
    std::lock_guard lock(r.m);
    auto it = r.by_object.find(rec->object());
    if (it == r.by_object.end() || it->second.rec != rec) return;
    if (it->second.owned) {
        rec->external_ = it->second.object.lock();  // the session keeps the user's object alive again
        owned = std::move(it->second.owned);
    }
    if (children) *children = std::move(it->second.children);
    rec->detached_known = false;
    r.by_object.erase(it);
    r.count();
}

void detached_records::note_append(const void* obj) noexcept {
    registry& r = the_registry();
    if (r.size.load(std::memory_order_acquire) == 0) return;  // (building a new graph: nothing to note)
    std::lock_guard lock(r.m);
    auto it = r.by_object.find(obj);
    if (it != r.by_object.end()) it->second.appended = true;
}

std::shared_ptr<void> detached_records::object_at(const void* addr, const record_layout* layout) {
    registry& r = the_registry();
    if (r.size.load(std::memory_order_acquire) == 0) return nullptr;
    std::shared_ptr<record_base> keep;  // released after the lock (a record's destructor locks it)
    std::shared_ptr<void> out;
    {
        std::lock_guard lock(r.m);
        auto it = r.by_object.find(addr);
        if (it == r.by_object.end() || it->second.rec->layout_ != layout) return nullptr;
        if (it->second.owned) {
            out = it->second.object.lock();  // (null when the object died)
        } else {
            keep = it->second.rec->weak_from_this().lock();
            if (keep) out = keep->object_ptr();
        }
    }
    return out;
}

void detached_records::forget(record_base* rec) noexcept {
    detached_children dropped;  // destroyed after the lock is released (a record's destructor locks it)
    registry& r = the_registry();
    std::lock_guard lock(r.m);
    auto it = r.by_object.find(rec->object());
    if (it != r.by_object.end() && it->second.rec == rec) {
        dropped = std::move(it->second.children);
        r.by_object.erase(it);
        r.count();
    }
    rec->detached_known = false;
}

}  // namespace dorm::detail
