// Ordering a flush (SQLAlchemy's unitofwork.py): which records take part (save-update and delete
// cascades, foreign keys following relationships), whether anything changed, and in which order
// rows are written: tables in foreign-key order, then a row-level topological sort over the
// relationship edges for INSERTs and DELETEs.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include <dorm/schema/ddl.hpp>
#include <dorm/session/detail/session_impl.hpp>
#include <dorm/session/detail/work_counts.hpp>

#include "session/lib_state.hpp"
#include "session/flush.hpp"

namespace dorm::detail {

namespace {

/// Orders records so that every (parent, child) edge has the parent first; ties by table rank,
/// then add()/load order.
std::vector<record_base*> order_records(const std::vector<record_base*>& recs, const std::vector<row_edge>& edges,
                                        const std::vector<const schema::table*>& table_order,
                                        bool key_descending = false) {
    // ties within a table: add order (INSERTs), or descending primary key (DELETEs, which run
    // this order reversed: ascending keys, children before parents)
    auto tie = [&](const record_base* a, const record_base* b) {
        return key_descending ? key_less(b, a) : a->order < b->order;
    };
    if (edges.empty() && table_order.size() <= 1) {  // one table, no relationships
        if (!key_descending) return recs;
        std::vector<record_base*> sorted = recs;
        std::stable_sort(sorted.begin(), sorted.end(), tie);
        return sorted;
    }
    auto rank = [&](const record_base* r) {
        return static_cast<std::size_t>(std::find(table_order.begin(), table_order.end(), &r->table()) -
                                        table_order.begin());
    };
    std::vector<record_base*> sorted = recs;
    std::stable_sort(sorted.begin(), sorted.end(), [&](const record_base* a, const record_base* b) {
        const auto ra = rank(a), rb = rank(b);
        return ra != rb ? ra < rb : tie(a, b);
    });
    if (edges.empty()) return sorted;
    std::unordered_map<const record_base*, std::size_t> pos;
    for (std::size_t i = 0; i < sorted.size(); ++i) pos.emplace(sorted[i], i);
    std::vector<std::vector<std::size_t>> children(sorted.size());
    std::vector<std::size_t> indegree(sorted.size(), 0);
    for (auto& [parent, child] : edges) {
        auto p = pos.find(parent), c = pos.find(child);
        if (p == pos.end() || c == pos.end() || p->second == c->second) continue;
        children[p->second].push_back(c->second);
        ++indegree[c->second];
    }
    // Passes over `sorted`: each takes, in position order, every record that is ready when the
    // pass reaches it; a record freed behind the pass's position waits for the next pass. Run
    // with a heap of the positions still ahead in this pass, so a chain given child-first (every
    // pass would take one record) costs O(n log n), not O(n^2).
    std::uint64_t& order_steps = thread_work_counts().order_steps;
    std::vector<record_base*> out;
    out.reserve(sorted.size());
    std::vector<std::size_t> ahead, next_pass;  // min-heaps of positions
    auto push = [&](std::vector<std::size_t>& h, std::size_t i) {
        ++order_steps;
        h.push_back(i);
        std::push_heap(h.begin(), h.end(), std::greater<>{});
    };
    for (std::size_t i = 0; i < sorted.size(); ++i)
        if (!indegree[i]) ahead.push_back(i);  // ascending: already a heap
    std::vector<bool> done(sorted.size(), false);
    while (out.size() < sorted.size()) {
        if (ahead.empty()) {
            if (next_pass.empty()) {  // a cycle between rows: fall back to table order for the rest
                for (std::size_t i = 0; i < sorted.size(); ++i)
                    if (!done[i]) {
                        done[i] = true;
                        out.push_back(sorted[i]);
                    }
                break;
            }
            std::swap(ahead, next_pass);
        }
        std::pop_heap(ahead.begin(), ahead.end(), std::greater<>{});
        const std::size_t i = ahead.back();
        ahead.pop_back();
        done[i] = true;
        out.push_back(sorted[i]);
        ++order_steps;
        for (auto c : children[i])
            if (--indegree[c] == 0) push(c > i ? ahead : next_pass, c);
    }
    return out;
}

}  // namespace

std::vector<record_base*> order_deletes(const std::vector<record_base*>& deleted,
                                        const std::vector<const schema::table*>& tables) {
    std::vector<row_edge> edges;
    for (auto* r : deleted) r->edges(edges);
    std::vector<record_base*> out = order_records(deleted, edges, tables, true);
    std::reverse(out.begin(), out.end());
    return out;
}

namespace {
bool ident_less(const identity_key& a, const identity_key& b) {
    const auto ta = reinterpret_cast<std::uintptr_t>(a.table), tb = reinterpret_cast<std::uintptr_t>(b.table);
    if (ta != tb) return ta < tb;
    if (a.shard != b.shard) return a.shard < b.shard;
    if (a.i != b.i) return a.i < b.i;
    return a.s < b.s;
}

/// The new records whose primary key is the key of a record deleted in the same flush, each with
/// that record (SQLAlchemy's "row switch", persistence.py _organize_states_for_save): the new
/// object takes over the row by an UPDATE. One new object per deleted row (a second one with the
/// same key is INSERTed and the database refuses it, as without the delete).
std::vector<std::pair<record_base*, record_base*>> row_switches(const std::vector<record_base*>& pending,
                                                                const std::vector<record_base*>& deleted) {
    std::vector<record_base*> gone;
    for (auto* d : deleted)
        if (d->keyed && !d->row_deleted) gone.push_back(d);
    std::vector<std::pair<record_base*, record_base*>> out;
    if (gone.empty()) return out;
    std::sort(gone.begin(), gone.end(), [](const record_base* a, const record_base* b) { return ident_less(a->ident, b->ident); });
    std::vector<bool> taken(gone.size(), false);
    identity_key k;
    for (auto* p : pending) {
        if (p->generated_key_unset() || !p->key(k)) continue;
        auto it = std::lower_bound(gone.begin(), gone.end(), k,
                                   [](const record_base* a, const identity_key& key) { return ident_less(a->ident, key); });
        if (it == gone.end() || !((*it)->ident == k)) continue;
        const auto at = static_cast<std::size_t>(it - gone.begin());
        if (taken[at]) continue;
        taken[at] = true;
        out.emplace_back(p, *it);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return std::less<>()(a.first, b.first); });
    return out;
}
}  // namespace

void session_impl::cascade_into_flush() {
    // cascade save-update: related objects join the session
    {
        std::vector<std::shared_ptr<record_base>> reach;
        for (std::size_t i = 0; i < pending_.size(); ++i) pending_[i]->related(reach);
        for (std::size_t i = 0; i < watch_.size(); ++i) watch_[i]->related(reach);
        // Not an object whose row was deleted (see add_walk.cpp), and not one that has a row and
        // is detached (expunged, or its session ended): a loaded relationship still holding it
        // does not take it back in (SQLAlchemy's flush cascades only along what a relationship
        // gained, and that joined at once; it skips an object outside the session); a new object
        // linked with no session to see it joins.
        for (auto& r : reach)
            if (r && r->owner != this && !r->row_deleted && !(r->owner == nullptr && r->has_snapshot)) add(r);
    }
    // an object linked to a new one before add() that the cascade cannot reach is not left out silently
    unhooked_refs::check(this);
    // new objects that take over the row of a deleted one (before the deleted ones cascade: their
    // children stay with the row)
    for (auto* d : deleted_) d->row_switched = false;
    state_->row_switches.clear();
    // (a sharded session places a new row by its values only when it writes it: no row switch)
    if (!deleted_.empty() && !pending_.empty() && !sharded()) state_->row_switches = row_switches(pending_, deleted_);
    for (auto& sw : state_->row_switches) sw.second->row_switched = true;
    // (a delete cascade may forget a pair's new record, the session's last owner of it: held
    // here until the pairs are checked below)
    std::vector<std::shared_ptr<record_base>> switching;
    switching.reserve(state_->row_switches.size());
    for (auto& sw : state_->row_switches) switching.push_back(sw.first->shared_from_this());
    // deletes cascade or de-associate children (may load them)
    for (std::size_t done = 0;;) {
        for (; done < deleted_.size(); ++done) deleted_[done]->on_delete();
        // a delete cascade took away the new object of a pair (it was in a deleted object's
        // collection): the old row is deleted after all, so its children let go of it now (their
        // de-association was skipped for the switch); what that deletes cascades in the next round
        bool lost = false;
        std::erase_if(state_->row_switches, [&](const auto& sw) {
            if (sw.first->state == object_state::pending) return false;
            sw.second->row_switched = false;
            sw.second->on_delete(true);
            lost = true;
            return true;
        });
        if (!lost) break;
    }
    // foreign keys follow the relationships of loaded objects
    for (std::size_t i = 0; i < watch_.size(); ++i) {
        record_base* r = watch_[i];
        if (r->state != object_state::persistent) continue;
        r->sync_parents();
        r->propagate_to_children();
    }
    cascade_renamed_keys();
}

void session_impl::cascade_renamed_keys() {
    // The renamed keys (the loaded relationships' children followed them above). Objects reached
    // by no loaded relationship still hold the old key in memory: the database moves their rows
    // (ON UPDATE CASCADE), so they take the new key without an UPDATE of their own. (SQLAlchemy's
    // DetectKeySwitch only reaches objects whose many-to-one is loaded; the others stay stale
    // until expired, and one whose primary key holds the column fails its next UPDATE.)
    struct rename {
        const schema::table* table;
        value before, after;
        std::uint32_t shard;  // (the same key on another shard is another row)
    };
    std::vector<rename> renames;
    for (record_base* r : watch_) {
        if (r->state != object_state::persistent || !r->has_snapshot) continue;
        const schema::table& t = r->table();
        if (t.primary_key.size() != 1) continue;
        const int key_col = t.primary_key.front();
        if (r->column_changed(key_col)) renames.push_back({&t, r->snapshot_column(key_col), r->get_column(key_col), r->ident.shard});
    }
    if (renames.empty()) return;
    for (record_base* r : watch_) {
        if (r->state != object_state::persistent || !r->has_snapshot) continue;
        const schema::table& t = r->table();
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            const schema::column& col = t.columns[c];
            if (!col.references || col.on_update != fk_action::cascade) continue;
            const schema::table* target = &col.references();
            if (target->primary_key.size() != 1 || col.references_column != target->primary_key.front()) continue;
            const int ci = static_cast<int>(c);
            if (r->column_changed(ci)) continue;  // set directly: this flush writes it
            const value now = r->get_column(ci);
            for (const rename& n : renames)
                if (n.table == target && n.shard == r->ident.shard && now == n.before) {
                    key_cascaded(r, ci, n.after);  // (its row follows the parent's UPDATE)
                    break;
                }
        }
    }
}

bool session_impl::has_changes() {
    if (!pending_.empty() || !deleted_.empty()) return true;
    std::vector<record_base::assoc_row> assoc_ins, assoc_del;
    for (auto* r : watch_) {
        if (r->state != object_state::persistent) continue;
        const bool changed = persistent_columns_changed(*r);
        r->assoc_changes(assoc_ins, assoc_del);
        if (changed || !assoc_ins.empty() || !assoc_del.empty()) return true;
    }
    return false;
}

flush_plan session_impl::plan_flush() {
    flush_plan plan;
    // tables in foreign-key order
    std::vector<const schema::table*> tables;
    auto note = [&](const schema::table* t) {
        if (tables.empty() || (tables.back() != t && std::find(tables.begin(), tables.end(), t) == tables.end()))
            tables.push_back(t);
    };
    for (auto* r : pending_) note(&r->table());
    for (auto* r : watch_) note(&r->table());
    for (auto* r : deleted_) note(&r->table());
    plan.tables = schema::sorted_by_dependency(tables);

    for (auto* r : pending_) r->edges(plan.edges);
    for (auto* r : watch_) r->edges(plan.edges);

    // An UPDATE that needs the generated key of a row INSERTed in this flush (a loaded child of a
    // new parent) runs after the INSERTs.
    std::vector<const record_base*> waits;  // children of new rows
    for (const auto& [parent, child] : plan.edges)
        if (parent->state == object_state::pending && child->state == object_state::persistent)
            waits.push_back(child);
    std::sort(waits.begin(), waits.end());
    for (auto* r : watch_) {
        if (r->state != object_state::persistent) continue;
        (std::binary_search(waits.begin(), waits.end(), r) ? plan.late : plan.early).push_back(r);
        if (r->null_out) plan.null_outs.push_back(r);
    }

    // INSERTs: parents before children (tables, then rows of self-referencing tables)
    plan.inserts = order_records(pending_, plan.edges, plan.tables);
    // (a cascade since they were found may have changed a pair's state)
    plan.switches = std::move(state_->row_switches);
    state_->row_switches.clear();
    std::erase_if(plan.switches, [](const auto& sw) {
        return sw.first->state != object_state::pending || sw.second->state != object_state::deleted;
    });
    return plan;
}

}  // namespace dorm::detail
