// Finishing a flush: once every statement succeeded, the objects' state follows the database
// (INSERTed records become persistent and enter the identity map, UPDATEd ones get their new
// snapshot or wait for COMMIT, DELETEd ones leave the session; the transaction journal that
// rollback() undoes records each). When the flush fails instead, the dorm::version members it set
// are put back (version_journal).
#include <bit>

#include <dorm/session/detail/session_impl.hpp>

#include "session/lib_state.hpp"
#include "session/address_maps.hpp"
#include "session/flush.hpp"

namespace dorm::detail {

version_journal::~version_journal() {
    if (kept_) return;
    for (auto it = before_.rbegin(); it != before_.rend(); ++it) it->first->set_version(it->second);
}

void session_impl::finish_flush(const std::vector<record_base*>& inserts, const std::vector<row_update>& updates,
                                const std::vector<record_base*>& deletes,
                                const std::vector<std::pair<record_base*, record_base*>>& switches) {
    identity_.reserve(identity_.size() + inserts.size());
    txn_inserted_.reserve(txn_inserted_.size() + inserts.size());
    watch_.reserve(watch_.size() + inserts.size());
    // foreign keys this flush moved to another row (read before the snapshots follow the rows)
    std::vector<moved_key> moved;
    for (auto& u : updates) note_foreign_keys(u.rec, u.mask, moved);
    for (auto& u : updates) {
        if (committing_) {
            // COMMIT follows: the snapshot (the committed values) is what a failed COMMIT's
            // rollback restores, so it is only replaced once COMMIT succeeded (no backup copy).
            state_->deferred_snapshots.emplace_back(u.rec, u.mask);
        } else {
            save_backup(u.rec);
            u.rec->take_snapshot(u.mask);
        }
        if (u.mask & u.rec->layout().key_mask) reindex(u.rec);  // a primary-key column changed
    }
    if (maps_) {  // children whose key the database's ON UPDATE CASCADE changed
        for (record_base* r : maps_->rekeyed) reindex(r);
        maps_->rekeyed.clear();
    }
    // deleted objects whose row a new object took over leave first: the new one takes their key
    // (and the row's children: the new one's collections load them, the old one's loaded
    // children find their parent again by key)
    if (!switches.empty()) {
        for (const auto& [fresh, old] : switches) fresh->took_over_row(*old);
        forget_batch batch(*this, switches.size());
        for (const auto& sw : switches) retire_deleted(sw.second);
    }
    // the new rows after the renamed ones: a primary key an UPDATE renamed frees its old key for a
    // row INSERTed in the same flush (rename "bob", add a new "bob")
    for (auto* r : inserts) {
        r->state = object_state::persistent;
        r->take_snapshot();
        if (r->layout().rel_count) r->unload_unset_parents();
        r->inserted_in_txn = true;
        r->null_out = 0;
        r->collection_fk = 0;
        index(r);
        txn_inserted_.push_back(r->shared_from_this());
        watch(r);
        r->assoc_flushed();
    }
    pending_.clear();
    pending_index_stale_ = true;
    // (after the re-indexing above: a parent whose key changed is found under its new key)
    follow_moved_keys(moved);
    for (auto* r : watch_) {
        r->null_out = 0;
        r->collection_fk = 0;
        r->rel_assigned = 0;
        if (r->state == object_state::persistent) r->assoc_flushed();
    }
    {
        forget_batch batch(*this, deletes.size());
        for (auto* r : deletes) retire_deleted(r);
    }
    deleted_.clear();
    stop_watching_unheld();
}

void session_impl::retire_deleted(record_base* r) {
    r->deleted_in_txn = true;
    r->row_deleted = true;
    txn_deleted_.push_back(r->shared_from_this());
    forget(r);
}

void session_impl::reindex(record_base* r) {
    identity_key now;
    if (!r->key(now) || now == r->ident) return;
    identity_.erase(r->ident, r);
    r->keyed = false;
    index(r);
}

void session_impl::key_cascaded(record_base* child, int col, const value& key) {
    save_backup(child);  // (a rollback puts the committed key back)
    child->set_column(col, key, true);
    if ((child->layout().key_mask >> col) & 1) maps().rekeyed.push_back(child);
}

void session_impl::note_foreign_keys(record_base* rec, column_mask cols, std::vector<moved_key>& out) const {
    if (!rec->has_snapshot || rec->state != object_state::persistent) return;
    for (column_mask m = cols & rec->layout().foreign_keys; m; m &= m - 1) {
        const int col = std::countr_zero(m);
        out.push_back({rec, col, rec->snapshot_column(col)});
    }
}

void session_impl::follow_moved_keys(const std::vector<moved_key>& keys) {
    for (auto& k : keys)
        if (k.rec->get_column(k.col) != k.before) k.rec->foreign_key_moved(k.col, k.before);
}

void session_impl::stop_watching_unheld() {
    // nobody but the session holds them: nobody can change them before the next flush (an object
    // the application made and still holds is held outside: its record alone does not say so)
    std::erase_if(watch_, [](record_base* r) {
        if (r->held_outside()) return false;
        r->watched = false;
        return true;
    });
}

}  // namespace dorm::detail
