// The session's state: its connection and transaction, the identity map and the pending /
// watched / deleted lists, forgetting objects, refresh, and the transaction journal that commit()
// settles and rollback() undoes. The flush is flush.cpp and its parts (flush.hpp); the bulk
// statements bulk.cpp; the SELECTs of lazy loads lazy_load_sql.cpp.
#include <dorm/session/detail/session_impl.hpp>

#include <algorithm>
#include <bit>
#include <unordered_set>

#include <dorm/error.hpp>
#include <dorm/session/sharded_engine.hpp>

#include "dialect/hooks.hpp"
#include "session/lib_state.hpp"
#include "session/address_maps.hpp"
#include "session/rethrow.hpp"

namespace dorm::detail {

session_impl::session_impl(dorm::engine e, std::optional<isolation> level)
    : state_(new lib_state), dialect_(e.dialect()), isolation_(level) {
    const bool replicas = e.replica_count() > 0;
    state_->slots.push_back(engine_slot{std::move(e), {}, {}, replicas});
    if (isolation_) check_isolation(dialect_, *isolation_, "dorm::session");
}

session_impl::session_impl(const dorm::binds& b, std::optional<isolation> level)
    : session_impl(b.default_engine, level) {
    if (!b.default_engine) throw argument_error("dorm::binds: default_engine is empty (create it with create_engine)");
    for (const auto& [table, e] : b.tables) {
        if (!e) throw argument_error("dorm::binds: the engine bound to " + table->name + " is empty");
        if (e.dialect() != dialect_)
            throw argument_error("dorm::binds: " + table->name + " is bound to " + e.repr() +
                                 ", another backend than the default engine " + b.default_engine.repr() +
                                 " (one session speaks one SQL dialect)");
        std::size_t slot = 0;
        for (std::size_t i = 0; i < state_->slots.size(); ++i)
            if (state_->slots[i].engine == e) slot = i;
        if (slot == 0 && !(state_->slots[0].engine == e)) {
            slot = state_->slots.size();
            state_->slots.push_back(engine_slot{e, {}, {}, e.replica_count() > 0});
        }
        auto it = std::find_if(state_->bound.begin(), state_->bound.end(), [&](const auto& x) { return x.first == table; });
        if (it != state_->bound.end())
            it->second = slot;  // the last bind wins
        else
            state_->bound.emplace_back(table, slot);
    }
    two_phase_ = b.two_phase;
    if (two_phase_ && !hooks(dialect_).two_phase_commit())
        throw argument_error("dorm::binds: two_phase needs PostgreSQL (PREPARE TRANSACTION); " +
                             std::string(hooks(dialect_).name()) + " has no two-phase commit dorm can use");
}

session_impl::~session_impl() { close(); }

const dorm::engine& session_impl::get_engine() const noexcept { return state_->slots.front().engine; }

std::size_t session_impl::slot_of(const schema::table* t) const noexcept {
    if (sharding_) return active_shard_ == no_shard ? 0 : active_shard_;
    for (const auto& [table, slot] : state_->bound)
        if (table == t) return slot;
    return 0;
}

std::size_t session_impl::shard_count() const noexcept { return state_->slots.size(); }

bool session_impl::echoes() const {
    for (const auto& e : state_->slots)
        if (e.engine.options().echo) return true;
    return false;
}

bool session_impl::in_transaction() const noexcept {
    for (const auto& e : state_->slots)
        if ((e.conn && e.conn.in_transaction()) || (e.read_conn && e.read_conn.in_transaction())) return true;
    return false;
}

void session_impl::check_usable() const {
    if (failed_)
        throw pending_rollback_error(
            "This Session's transaction has been rolled back due to a previous exception during flush. To begin a "
            "new transaction with this Session, first issue Session.rollback(). Original exception was: " +
            failure_);
}

namespace {
/// Begins a transaction on c at the session's level unless one is open.
void autobegin(dorm::connection& c, const std::optional<isolation>& level) {
    if (c.in_transaction()) return;
    if (level)
        c.begin(*level);
    else
        c.begin();
}
}  // namespace

dorm::connection& session_impl::connection(std::size_t slot) {
    check_usable();
    engine_slot& e = state_->slots[slot];
    if (!e.conn) e.conn = e.engine.connect();
    autobegin(e.conn, isolation_);
    return e.conn;
}

dorm::connection& session_impl::read_connection(std::size_t slot) {
    engine_slot& e = state_->slots[slot];
    if (!e.has_replicas || reads_on_primary || (e.conn && e.conn.in_transaction())) return connection(slot);
    check_usable();
    if (!e.read_conn) e.read_conn = e.engine.connect_for_read();
    autobegin(e.read_conn, isolation_);
    return e.read_conn;
}

void session_impl::begin(std::optional<isolation> level) {
    check_usable();
    if (in_transaction())
        throw invalid_request_error("A transaction is already begun on this Session (dorm: session.begin() starts "
                                    "one; commit() or rollback() ends it)");
    if (!level) level = isolation_;
    if (level) check_isolation(dialect_, *level, "session.begin");
    // the default engine's transaction begins now; other bound engines' at their first statement
    engine_slot& e = state_->slots.front();
    if (!e.conn) e.conn = e.engine.connect();
    if (level)
        e.conn.begin(*level);
    else
        e.conn.begin();
}

void session_impl::begin_write(std::size_t slot) {
    check_usable();
    engine_slot& e = state_->slots[slot];
    if (!e.conn) e.conn = e.engine.connect();
    e.conn.begin_write(isolation_);
}

void session_impl::release_connection() noexcept {
    for (auto& e : state_->slots) {
        if (e.read_conn) {
            e.read_conn.rollback();
            e.read_conn = dorm::connection();
        }
        if (e.conn) {
            e.conn.rollback();
            e.conn = dorm::connection();
        }
    }
}


void session_impl::autoflush() {
    // nothing added, removed or handed out since the last flush: nothing can be dirty
    if (!autoflush_enabled || (pending_.empty() && deleted_.empty() && watch_.empty())) return;
    try {
        flush();
    } catch (const error& e) {
        // as SQLAlchemy: say that the error came from the flush a query (or a lazy load) started
        rethrow_any_prefixed(
            e,
            "(raised as a result of Query-invoked autoflush; consider using a session.no_autoflush block if this "
            "flush is occurring prematurely)\n");
    }
}

std::size_t session_impl::pending_count() const noexcept { return pending_.size(); }

void session_impl::index(record_base* rec) {
    if (!rec->key(rec->ident)) return;
    if (identity_.emplace(rec->ident, rec) != rec)
        throw invalid_request_error("dorm: another " + rec->table().type_name + " object with the same primary key is "
                                    "already in this session (one object per primary key per session)");
    rec->keyed = true;
}

record_base* session_impl::find(const identity_key& k) const {
    return identity_.find(k);
}

record_base* session_impl::find_object(const void* obj, const identity_key* k) const {
    if (k)
        if (auto* r = find(*k); r && r->object() == obj) return r;
    if (pending_.size() > 16) {
        auto& index = maps().pending_index;
        if (pending_index_stale_) {
            index.clear();
            for (auto* r : pending_) index.emplace(r->object(), r);
            pending_index_stale_ = false;
        }
        auto it = index.find(obj);
        if (it != index.end()) return it->second;
    } else {
        for (auto* r : pending_)
            if (r->object() == obj) return r;
    }
    // last resort (an object whose key member changed since it was indexed): by address
    if (records_.size() <= 16) {
        for (auto& r : records_)
            if (r && r->owner == this && r->object() == obj) return r.get();
        return nullptr;
    }
    if (!object_slots_built_) build_object_slots();
    auto& slots = maps_->object_slots;
    auto it = slots.find(obj);
    if (it == slots.end()) return nullptr;
    record_base* r = it->second < records_.size() ? records_[it->second].get() : nullptr;
    return (r && r->owner == this && r->object() == obj) ? r : nullptr;
}

void session_impl::build_object_slots() const {
    auto& slots = maps().object_slots;
    slots.clear();
    slots.reserve(records_.size());
    for (std::size_t i = 0; i < records_.size(); ++i)
        if (records_[i]) slots.emplace(records_[i]->object(), i);
    object_slots_built_ = true;
}

session_impl::address_maps& session_impl::maps() const {
    if (!maps_) maps_.reset(new address_maps());
    return *maps_;
}

void session_impl::note_record_slot_built(const record_base* r) {
    maps_->object_slots.insert_or_assign(r->object(), records_.size() - 1);
}

void session_impl::attach_loaded(const std::shared_ptr<record_base>& rec, const identity_key& k,
                                 const identity_map::insert_hint& hint) {
    rec->owner = this;
    rec->state = object_state::persistent;
    rec->ident = k;
    rec->keyed = true;
    identity_.emplace(k, rec.get(), hint);
    records_.push_back(rec);
    note_record_slot(rec.get());
    rec->wire(this, true);
    watch(rec.get());
}

void session_impl::watch(record_base* rec) {
    if (!rec->watched) {
        rec->watched = true;
        watch_.push_back(rec);
    }
}

namespace {
/// A record leaving its session that the detached registry should know: it has a row (persistent,
/// not only inserted by the open transaction) and someone else holds its object.
bool leaves_with_a_row(const std::shared_ptr<record_base>& r) noexcept {
    // (a deleted row too: found again, the record says it was deleted and is not inserted anew)
    if (!r->row_deleted && (r->state != object_state::persistent || !r->has_snapshot || r->inserted_in_txn))
        return false;
    return r->object_ptr().use_count() > 2;  // this temporary, the record's own reference, and someone else
}
void remember_if_held(const std::shared_ptr<record_base>& r) noexcept {
    try {
        if (leaves_with_a_row(r)) detached_records::remember(r);
    } catch (...) {
        // out of memory: the object is then added back as new (an INSERT)
    }
}
}  // namespace

void session_impl::forget(record_base* rec) noexcept {
    // the session's reference (by index: unwiring below may append to records_)
    std::size_t at = records_.size();
    if (records_.size() > 16) {
        if (!object_slots_built_) {
            try {
                build_object_slots();
            } catch (...) {  // out of memory: the linear search below still works
            }
        }
        if (object_slots_built_) {
            auto& slots = maps_->object_slots;
            auto it = slots.find(rec->object());
            if (it != slots.end() && it->second < records_.size() && records_[it->second].get() == rec) {
                at = it->second;
                slots.erase(it);
            }
        }
    }
    if (at == records_.size()) {
        at = 0;
        while (at < records_.size() && records_[at].get() != rec) ++at;
    }
    if (at < records_.size()) remember_if_held(records_[at]);
    if (rec->keyed) {
        identity_.erase(rec->ident, rec);
        rec->keyed = false;
    }
    // (in a batch the lists are swept once at its end: see forget_batch)
    if (rec->state == object_state::pending) {
        if (!batch_forget_) std::erase(pending_, rec);
        if (!pending_index_stale_) maps_->pending_index.erase(rec->object());
    }
    if (rec->state == object_state::deleted && !batch_forget_) std::erase(deleted_, rec);
    if (rec->watched) {
        if (!batch_forget_) std::erase(watch_, rec);
        rec->watched = false;
    }
    rec->state = object_state::transient;
    rec->owner = nullptr;
    try {
        rec->release_cycles();
        rec->wire(nullptr, false);
    } catch (...) {
    }
    // drop the session's reference (the user's shared_ptr keeps the object alive); a batch keeps
    // it until the lists no longer point at the record (capacity reserved by forget_batch)
    if (at < records_.size()) {
        if (batch_forget_ && batch_keep_.size() < batch_keep_.capacity())
            batch_keep_.push_back(std::move(records_[at]));
        else
            records_[at].reset();
        ++forgotten_;
    }
    if (forgotten_ > 64 && forgotten_ * 2 > records_.size()) {
        std::erase(records_, nullptr);
        forgotten_ = 0;
        object_slots_built_ = false;  // positions moved
        if (maps_) maps_->object_slots.clear();
    }
}

session_impl::forget_batch::forget_batch(session_impl& s, std::size_t n) noexcept : s_(s) {
    try {
        s.batch_keep_.clear();
        s.batch_keep_.reserve(n);
        s.batch_forget_ = true;
    } catch (...) {
        // out of memory: every forget() cleans its lists itself (quadratic, but correct)
    }
}

session_impl::forget_batch::~forget_batch() {
    if (!s_.batch_forget_) return;
    s_.batch_forget_ = false;
    std::erase_if(s_.pending_, [](record_base* r) { return r->state != object_state::pending; });
    std::erase_if(s_.deleted_, [](record_base* r) { return r->state != object_state::deleted; });
    std::erase_if(s_.watch_, [](record_base* r) { return !r->watched; });
    s_.batch_keep_.clear();  // the forgotten records nobody else holds die now
}

void session_impl::remove(record_base* rec) {
    switch (rec->state) {
        case object_state::pending: forget(rec); break;
        case object_state::persistent:
            rec->state = object_state::deleted;
            deleted_.push_back(rec);
            break;
        default: break;
    }
}

std::vector<std::shared_ptr<record_base>> session_impl::cascade_closure(record_base* rec, bool refresh) {
    std::vector<std::shared_ptr<record_base>> out{rec->shared_from_this()};
    std::unordered_set<const record_base*> seen{rec};
    std::vector<record_base*> next;
    for (std::size_t i = 0; i < out.size(); ++i) {  // (breadth first: no recursion per level)
        next.clear();
        out[i]->cascade_targets(refresh, next);
        for (record_base* r : next)
            if (r->owner == this && seen.insert(r).second) out.push_back(r->shared_from_this());
    }
    return out;
}

void session_impl::expunge(record_base* rec) noexcept {
    // SQLAlchemy's expunge cascade ("all" holds it): the related objects loaded along it leave too
    std::vector<std::shared_ptr<record_base>> all;
    try {
        all = cascade_closure(rec, false);
    } catch (...) {  // out of memory: the object alone
        forget(rec);
        return;
    }
    for (auto& r : all)
        if (r->owner == this) forget(r.get());
}

void session_impl::expunge_all() noexcept {
    for (auto& r : records_) {
        if (!r) continue;
        remember_if_held(r);
        r->state = object_state::transient;
        r->owner = nullptr;
        r->keyed = false;
        r->watched = false;
        try {
            r->release_cycles();
            r->wire(nullptr, false);
        } catch (...) {
        }
    }
    records_.clear();
    forgotten_ = 0;
    if (object_slots_built_) maps_->object_slots.clear();
    object_slots_built_ = false;
    identity_.clear();
    watch_.clear();
    pending_.clear();
    pending_index_stale_ = true;
    deleted_.clear();
}

bool session_impl::is_modified(record_base* rec) const {
    if (rec->state == object_state::pending || rec->state == object_state::deleted) return true;
    return rec->changed() != 0;
}

statement_lease session_impl::run(const std::string& sql, std::span<const value> params, std::size_t slot) {
    return read_connection(slot).run(sql, params);
}

statement_lease session_impl::run_on_primary(const std::string& sql, std::span<const value> params,
                                             std::size_t slot) {
    return connection(slot).run(sql, params);
}

void session_impl::refresh(record_base* rec) {
    if (rec->state != object_state::persistent)
        throw invalid_request_error("dorm: refresh() needs a persistent object (flush it first)");
    // As SQLAlchemy: the object's own unflushed column changes are dropped, then the rest of the
    // session is autoflushed (a relationship change elsewhere may set this row's foreign key)
    // (and so are the related objects its loaded relationships reach along a "refresh-expire"
    // cascade, which "all" holds: SQLAlchemy expires them with it)
    const auto all = cascade_closure(rec, true);
    for (auto& r : all)
        if (r->state == object_state::persistent) r->discard_changes();
    // SQLAlchemy expires them first: a pending object the cascade reaches (a new child appended
    // to a loaded collection, never flushed) leaves the session, and the loaded relationships'
    // unflushed history is dropped (the children's own many-to-one still decide their keys)
    for (std::size_t i = 1; i < all.size(); ++i)
        if (all[i]->owner == this && all[i]->state == object_state::pending) forget(all[i].get());
    for (auto& r : all)
        if (r->owner == this) r->unload_relationships();
    autoflush();
    if (!reread(rec))
        throw invalid_request_error("dorm: could not refresh the " + rec->table().type_name +
                                    " object: its row no longer exists");
    for (std::size_t i = 1; i < all.size(); ++i) {
        record_base* r = all[i].get();
        if (r->owner != this || r->state != object_state::persistent || reread(r)) continue;
        // its row is gone (another transaction deleted it): it leaves the session, and add()
        // refuses it as a deleted object
        r->row_deleted = true;
        forget(r);
    }
    // their relationships load again on their next access (SQLAlchemy: refresh() expires them;
    // lazy ones "remain lazily loaded"): a child that names it by its key alone shows up
    for (auto& r : all)
        if (r->owner == this) r->unload_relationships();
}

bool session_impl::reread(record_base* rec) {
    std::vector<value> key;
    rec->key_values(key);
    shard_scope on_its_shard(*this, rec->ident.shard);  // (a sharded session: the row's shard)
    auto lease = run_on_primary(select_by_pk_sql(rec->table()), key, slot_of(rec));
    if (!lease->step()) return false;
    repopulate(rec, *lease, 0);
    return true;
}

void session_impl::repopulate(record_base* rec, driver::statement& s, int first) {
    // a foreign key the row brings changed (a bulk UPDATE, another transaction): the loaded
    // relationships follow it. The snapshot still holds the keys before the row was read.
    const column_mask fks = rec->has_snapshot && rec->state == object_state::persistent ? rec->layout().foreign_keys : 0;
    rec->reread_row(s, first);
    std::vector<moved_key> moved;  // (allocates only when a key moved)
    for (column_mask m = fks; m; m &= m - 1) {
        const int col = std::countr_zero(m);
        value before = rec->snapshot_column(col);
        if (rec->get_column(col) != before) moved.push_back({rec, col, std::move(before)});
    }
    rec->take_snapshot();
    follow_moved_keys(moved);
}

void session_impl::save_backup(record_base* r) {
    if (r->inserted_in_txn || r->has_backup) return;
    r->save_backup();
    if (r->has_backup) txn_backed_up_.push_back(r->shared_from_this());
}

void session_impl::drop_backups() noexcept {
    for (auto& r : txn_backed_up_) r->drop_backup();
    txn_backed_up_.clear();
}

void session_impl::commit() {
    check_usable();
    state_->deferred_snapshots.clear();
    committing_ = true;
    try {
        flush();
    } catch (...) {
        committing_ = false;
        state_->deferred_snapshots.clear();
        throw;
    }
    committing_ = false;
    try {
        commit_engines();
    } catch (const std::exception& e) {
        state_->deferred_snapshots.clear();
        flush_failed(e.what());
        throw;
    } catch (...) {
        state_->deferred_snapshots.clear();
        flush_failed("an exception not derived from std::exception");
        throw;
    }
    for (auto& [r, mask] : state_->deferred_snapshots) r->take_snapshot(mask);
    state_->deferred_snapshots.clear();
    for (auto& r : txn_inserted_) {
        r->inserted_in_txn = false;
        r->generated_key = false;
    }
    txn_inserted_.clear();
    for (auto& r : txn_deleted_) r->deleted_in_txn = false;
    txn_deleted_.clear();
    drop_backups();
    release_connection();
}

void session_impl::rollback() noexcept {
    release_connection();
    try {
        // objects added in this transaction leave the session
        std::vector<record_base*> leaving(pending_.begin(), pending_.end());
        for (auto& r : txn_inserted_) leaving.push_back(r.get());
        {
            forget_batch batch(*this, leaving.size());
            for (auto* r : leaving) {
                if (r->generated_key) r->clear_generated_key();
                if (r->inserted_in_txn && r->layout().rel_count) r->reset_unset_parents();
                r->generated_key = false;
                r->inserted_in_txn = false;
                r->destroy_snapshot();
                if (r->owner == this) forget(r);
            }
        }
        txn_inserted_.clear();
        pending_.clear();
        // deleted ones come back: all of them are back in the session (undeleted, in the identity
        // map) before any is wired again, because wiring one reaches the others (a parent's
        // children, a child's parent), and the cascade must find their records, not refuse them
        // as deleted or make second records for them
        for (auto& r : txn_deleted_) {
            r->deleted_in_txn = false;
            r->row_deleted = false;
            r->orphaned = false;
            if (r->detached_known.load(std::memory_order_relaxed)) detached_records::attach(r.get());
            r->owner = this;
            r->state = object_state::persistent;
            records_.push_back(r);
            note_record_slot(r.get());
            identity_.emplace(r->ident, r.get());
            r->keyed = true;
        }
        for (auto& r : txn_deleted_) {
            r->wire(this, false);
            watch(r.get());
        }
        txn_deleted_.clear();
        for (auto* r : deleted_) {
            r->state = object_state::persistent;
            r->orphaned = false;
        }
        deleted_.clear();
        // changed ones get their last committed values back; relationships reload from the database
        for (auto& r : records_) {
            if (!r || r->owner != this) continue;
            r->null_out = 0;
            r->collection_fk = 0;
            r->raise_mask = 0;
            r->rel_assigned = 0;
            r->wire(this, true);
            if (r->has_backup || r->changed() != 0) {
                identity_key before = r->ident;
                r->restore_committed();
                identity_key now;
                if (r->keyed && r->key(now) && !(now == before)) {
                    identity_.erase(before, r.get());
                    r->keyed = false;
                    index(r.get());
                }
            }
        }
    } catch (...) {
        // restoring values cannot fail for valid objects; never let rollback throw
    }
    drop_backups();
    failed_ = false;
    failure_.clear();
}

void session_impl::close() noexcept {
    // The database rolls back; objects keep their values (as SQLAlchemy's close()), except that
    // keys generated by INSERTs that are now undone go back to 0.
    release_connection();
    for (auto& r : txn_inserted_) {
        if (r->generated_key) r->clear_generated_key();
        if (r->layout().rel_count) r->reset_unset_parents();
        r->generated_key = false;
        r->inserted_in_txn = false;
        r->destroy_snapshot();
    }
    txn_inserted_.clear();
    txn_deleted_.clear();
    drop_backups();
    failed_ = false;
    failure_.clear();
    expunge_all();
}


}  // namespace dorm::detail
