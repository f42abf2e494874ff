// session.add(): the object joins the session, then what it refers to joins too (save-update
// cascade), depth first, in the order a recursive walk would take: the object's relationships in
// member order, each related object's whole cascade before the next one's, then what related()
// finds. The walk keeps its position per object on a work list instead of the call stack: a
// 1,000,000-deep self-referential chain added by one end would overflow the stack when every
// level is a call frame (add -> wire -> on_changed -> add), issue 16 item 2.
#include <dorm/error.hpp>
#include <dorm/session/detail/record.hpp>
#include <dorm/session/detail/session_impl.hpp>

#include "session/address_maps.hpp"

namespace dorm::detail {

namespace {
/// One object of the walk and where its cascade stands.
struct add_step {
    explicit add_step(std::shared_ptr<record_base> r) noexcept : rec(std::move(r)) {}
    std::shared_ptr<record_base> rec;
    std::size_t rel = 0;         ///< the relationship being wired
    std::size_t item = 0;        ///< position in `items` (wiring) or in `reach` (related)
    bool started = false;        ///< wire_begin() ran
    bool joined = false;         ///< items[item] joined: its joined_after() is due
    bool wired = false;          ///< every relationship is wired: `reach` is being added
    object_list items;           ///< what relationship `rel` held before add()
    std::vector<std::shared_ptr<record_base>> reach;  ///< related(): save-update targets after wiring
};
}  // namespace

bool session_impl::enter(const std::shared_ptr<record_base>& rec) {
    if (rec->owner == this) {
        // add() after remove(): keep it (an orphan stays deleted: it needs a parent)
        if (rec->state == object_state::deleted && !rec->orphaned) {
            rec->state = object_state::persistent;
            std::erase(deleted_, rec.get());
        }
        return false;
    }
    if (rec->owner)
        throw invalid_request_error("dorm: the " + rec->table().type_name +
                                    " object is already attached to another session; expunge it there first");
    // a record from a sharded session has a shard only in a sharded session; there, a record that
    // has a row (read elsewhere) gets its shard from its table's rule
    if (!sharding_)
        rec->ident.shard = 0;
    else if (rec->has_snapshot && !rec->inserted_in_txn)
        place(rec.get());  // its table's rule, else its parent's shard
    identity_key k;
    const bool returning = rec->has_snapshot && !rec->inserted_in_txn && rec->key(k);
    if (returning)
        if (record_base* other = find(k); other && other != rec.get())
            throw invalid_request_error("dorm: another " + rec->table().type_name +
                                        " object with the same primary key is already in this session");
    if (rec->detached_known.load(std::memory_order_relaxed)) {
        detached_children children;
        detached_records::attach(rec.get(), &children);
        if (returning && !children.empty()) maps().returned.emplace_back(rec, std::move(children));
    }
    rec->owner = this;
    rec->order = next_order_++;
    records_.push_back(rec);
    note_record_slot(rec.get());
    if (returning) {
        // a detached object that has a row: it comes back persistent (no INSERT)
        rec->state = object_state::persistent;
        index(rec.get());
        watch(rec.get());
    } else {
        rec->state = object_state::pending;
        pending_.push_back(rec.get());
        if (!pending_index_stale_) maps_->pending_index.emplace(rec->object(), rec.get());
        if (rec->layout().rel_count) rec->adopt_detached_parents();
    }
    return true;
}

void session_impl::add(const std::shared_ptr<record_base>& rec) {
    if (rec->row_deleted)  // (SQLAlchemy: "Instance ... has been deleted")
        throw invalid_request_error("dorm: the " + rec->table().type_name + " object (" + rec->key_text() +
                                    ") was deleted: its row is gone, and add() does not bring a deleted object "
                                    "back; add a new object with its values to insert the row again");
    struct depth {
        session_impl& s;
        explicit depth(session_impl& session) : s(session) { ++s.add_depth_; }
        ~depth() { --s.add_depth_; }
    } in_add(*this);
    try {
        if (enter(rec) && rec->layout().rel_count) walk_added(rec);
        // the outermost add(): removals made in detached objects' collections (every object it
        // reached is wired now; applying one may add more objects, hence the loop)
        if (add_depth_ > 1 || !maps_) return;
        while (!maps_->returned.empty()) {
            auto [back, children] = std::move(maps_->returned.back());
            maps_->returned.pop_back();
            back->removed_while_detached(children);
        }
    } catch (...) {
        if (add_depth_ == 1 && maps_) maps_->returned.clear();
        throw;
    }
}

void session_impl::walk_added(const std::shared_ptr<record_base>& rec) {
    std::vector<add_step> work;
    work.emplace_back(rec);
    // `next` entered the session: its own cascade runs before its parent step continues
    // (an object whose row was deleted stays out: a collection that still holds it does not
    // insert it again; SQLAlchemy's cascade skips it likewise, "operation will not proceed")
    auto descend = [&](std::shared_ptr<record_base> next) {
        if (next && !next->row_deleted && enter(next) && next->layout().rel_count) work.emplace_back(std::move(next));
    };
    while (!work.empty()) {
        add_step& at = work.back();  // (invalidated by descend)
        record_base& r = *at.rec;
        if (at.wired) {  // what related() found (mostly in the session already)
            if (at.item == at.reach.size()) {
                work.pop_back();
                continue;
            }
            std::shared_ptr<record_base> next = std::move(at.reach[at.item++]);
            if (next->owner != this) descend(std::move(next));
            continue;
        }
        if (at.joined) {
            at.joined = false;
            r.joined_after(at.rel, at.items[at.item++]);
            continue;
        }
        if (at.started && at.item < at.items.size()) {
            at.joined = true;
            descend(r.joined(at.rel, at.items[at.item]));
            continue;
        }
        if (!at.started) {
            at.started = true;
            r.wire_begin();
        } else {
            ++at.rel;
        }
        at.item = 0;
        if (at.rel < r.layout().rel_count) {
            r.wire_rel(at.rel, false, at.items);
            if (maps_)  // a detached object back: children moved elsewhere meanwhile stay there
                for (const auto& [back, children] : maps_->returned)
                    if (back.get() == &r) r.drop_stale_children(at.rel, children, at.items);
            continue;
        }
        at.items = object_list();
        at.wired = true;
        r.related(at.reach);
    }
}

}  // namespace dorm::detail
