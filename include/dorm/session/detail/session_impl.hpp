#pragma once
/// @file dorm/session/detail/session_impl.hpp
/// The compiled part of dorm::session: identity map and transaction journal
/// (lib/session/session.cpp), unit of work (lib/session/flush*.cpp), bulk statements
/// (bulk.cpp), lazy-load SQL (lazy_load_sql.cpp). Templates in session.hpp only create records
/// and read rows.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <dorm/detail/owned_ptr.hpp>
#include <dorm/engine/engine.hpp>
#include <dorm/session/binds.hpp>
#include <dorm/query/ast.hpp>
#include <dorm/session/detail/identity_map.hpp>
#include <dorm/session/detail/record.hpp>

namespace dorm {
class sharded_engine;  // dorm/session/sharded_engine.hpp
}

namespace dorm::ast {
class lazy_select;
}

namespace dorm::detail {

struct flush_plan;  // lib/session/flush.hpp
struct row_update;

class session_impl {
public:
    explicit session_impl(engine e, std::optional<isolation> level = std::nullopt);
    /// A session over several engines (dorm::binds): slot 0 is the default engine.
    session_impl(const dorm::binds& b, std::optional<isolation> level);
    /// A session over the shards of a dorm::sharded_engine: slot i is shard i.
    session_impl(const dorm::sharded_engine& e, std::optional<isolation> level);
    ~session_impl();
    session_impl(const session_impl&) = delete;
    session_impl& operator=(const session_impl&) = delete;

    const dorm::engine& get_engine() const noexcept;
    dorm::dialect dialect() const noexcept { return dialect_; }

    /// Throws pending_rollback_error after a failed flush.
    void check_usable() const;
    /// The connection of engine slot `slot` (0: the default engine), checked out and in a
    /// transaction (autobegin).
    dorm::connection& connection(std::size_t slot = 0);
    /// The engine slot of a table: the engine dorm::binds bound its model to, else 0.
    std::size_t slot_of(const schema::table* t) const noexcept;
    /// The engine slot of a SELECT: the one of its tables (subqueries and joins included).
    /// @throws argument_error when its tables are bound to different engines.
    std::size_t slot_of(const ast::select& s) const;
    /// What execute() decides before a SELECT runs: its engine slot, and whether the objects it
    /// reads overwrite those in the session (a locking SELECT or populate_existing). A locking
    /// SELECT begins the write transaction first (SQLite: BEGIN IMMEDIATE, it cannot lock rows).
    /// A recipe (lazy_select) locks nothing and reads its struct's engine.
    struct select_plan {
        std::size_t slot = 0;
        bool populate = false;
    };
    select_plan plan_select(const ast::lazy_select& q);
    /// The engine slot a record's row is written on: its shard (dorm::sharded_engine), else its
    /// table's engine.
    std::size_t slot_of(const record_base* r) const noexcept {
        return sharding_ ? r->ident.shard : slot_of(&r->table());
    }

    // -- dorm::sharded_engine (lib/session/sharding.cpp) ------------------------------------------
    static constexpr std::size_t no_shard = static_cast<std::size_t>(-1);
    bool sharded() const noexcept { return sharding_ != nullptr; }
    std::size_t shard_count() const noexcept;
    /// The shard whose rows are being read (shard_scope), stored in the identity keys they make.
    std::uint32_t key_shard() const noexcept {
        return sharding_ && active_shard_ != no_shard ? static_cast<std::uint32_t>(active_shard_) : 0;
    }
    /// The shards a SELECT runs on: those its WHERE names through the shard key of its first
    /// entity / table (`key == v`, `key IN (...)`, a conjunction of them), else all of them.
    std::vector<std::size_t> shards_for(const ast::select& s, const named_params* named) const;
    /// The shards get<T>(pk) looks on: the one the key picks when T is sharded by its primary
    /// key, else all of them (in order).
    std::vector<std::size_t> shards_for_key(const schema::table& t, std::span<const value> pk) const;
    /// Whether the database of `shard` orders text by its bytes (asked once per session and
    /// shard: dialect_hooks::text_orders_bytewise_sql); lib/session/sharding.cpp.
    bool shard_orders_text_bytewise(std::size_t shard);
    /// The name of shard `i` (for messages).
    const std::string& shard_name(std::size_t i) const;
    /// A new record's shard, chosen at its INSERT (after its foreign keys were copied from its
    /// parents), or a detached record's as it joins: the key generator first (new rows), then the
    /// table's rule; a table without one follows its many-to-one parent in the session. Sets
    /// r->ident.shard.
    void place(record_base* r);
    /// Before an UPDATE: a changed shard-key column must keep the row on its shard.
    void check_shard_key_unchanged(record_base* r) const;
    /// Runs with active_shard_ set (reads and key shards), restores it after.
    friend struct shard_scope;
    /// The shard named `name` (dorm::on_shard). @throws argument_error for a name that is not a
    /// shard, invalid_request_error in a session that is not sharded.
    std::size_t shard_named(const std::string& name) const;
    /// Set while a statement given dorm::on_shard runs: shards_for() answers that shard.
    std::size_t chosen_shard = no_shard;
    /// Whether any engine of the session echoes.
    bool echoes() const;
    /// Begins the session's transaction now, at `level` (none: the session's level).
    /// @throws invalid_request_error when a transaction is already open.
    void begin(std::optional<isolation> level);
    /// Before a locking SELECT: the transaction may write without waiting later (SQLite: BEGIN
    /// IMMEDIATE, see connection::begin_write).
    void begin_write(std::size_t slot = 0);
    /// Flushes pending changes before a query (unless disabled).
    void autoflush();
    bool autoflush_enabled = true;

    void flush();
    void commit();
    void rollback() noexcept;
    void close() noexcept;

    /// add(): the record becomes pending (or stays what it is if already in this session).
    void add(const std::shared_ptr<record_base>& rec);
    /// The record of an object: looked up by `k` (its identity, if it has one), else by address.
    record_base* find_object(const void* obj, const identity_key* k) const;
    /// The record with that identity, or nullptr.
    record_base* find(const identity_key& k) const;
    /// find(k) for a row being read; when absent, `hint` says where attach_loaded inserts it.
    record_base* find(const identity_key& k, identity_map::insert_hint& hint) { return identity_.find(k, hint); }
    /// A record read from a row: becomes persistent, enters the identity map.
    void attach_loaded(const std::shared_ptr<record_base>& rec, const identity_key& k,
                       const identity_map::insert_hint& hint = {});
    /// The session handed the object out: check it for changes at the next flush.
    void watch(record_base* rec);
    void remove(record_base* rec);
    void expunge(record_base* rec) noexcept;
    void expunge_all() noexcept;
    /// Re-reads the row of a persistent object (discarding unflushed changes).
    void refresh(record_base* rec);
    /// Whether the object has changes that a flush would write.
    bool is_modified(record_base* rec) const;

    /// SELECT <columns> FROM t WHERE <pk> = ? (cached per table).
    const std::string& select_by_pk_sql(const schema::table& t);
    /// The lazy-load SELECT of a relationship: target rows whose `fk_col` equals the owner's key,
    /// or (many-to-many) target rows joined through `assoc`.
    const std::string& relationship_sql(const schema::table& target, int fk_col, const schema::table* assoc,
                                        int assoc_owner_col, int assoc_target_col);
    /// Called before a lazy load (raiseload and statistics hook here).
    void before_lazy_load(const schema::table& owner, const char* member);
    bool in_transaction() const noexcept;
    /// Set while the rows of a locking / populate_existing SELECT are read: load_entity_erased
    /// overwrites the objects already in the session (see populate_scope).
    bool populating = false;
    /// Overwrites a loaded object's columns with the row's (discarding unflushed changes).
    void repopulate(record_base* rec, driver::statement& s, int first);
    /// During a flush: the database cascades a parent's new key into column `col` of the persistent
    /// `child` (ON UPDATE CASCADE), so the child's object and snapshot take `key` (no UPDATE of a
    /// row whose key is gone; its own UPDATE finds the row by the new key), and a child whose
    /// primary key holds the column is found under its new key once the flush succeeded
    /// (flush_finish.cpp).
    void key_cascaded(record_base* child, int col, const value& key);
    /// Whether a flush is running (lazy loads inside it do not autoflush).
    bool in_flush() const noexcept { return flushing_; }
    /// Lazy loads performed so far.
    std::size_t lazy_loads() const noexcept { return lazy_loads_; }

    /// Runs a compiled read (a SELECT): prepares (cached), binds, echoes; rows are read by the
    /// caller. On an engine with replicas it goes to the read connection (see read_connection).
    statement_lease run(const std::string& sql, std::span<const value> params, std::size_t slot = 0);
    /// run() on the primary's connection, whatever the routing (text(), reads that decide a write).
    statement_lease run_on_primary(const std::string& sql, std::span<const value> params, std::size_t slot = 0);
    /// Where reads go: on an engine with replicas, a replica's connection (in a transaction of
    /// its own) until the session's transaction on the primary has begun (a flush, a write, a
    /// locking read, begin()) or while reads_on_primary is set; otherwise connection().
    dorm::connection& read_connection(std::size_t slot = 0);
    /// Set while a statement given dorm::on_primary runs (and its eager loads).
    bool reads_on_primary = false;

    /// Bulk UPDATE / DELETE / INSERT: run after an autoflush; objects of the table already in
    /// the session are re-read (update) or leave it (delete). Returns the rows affected.
    std::int64_t bulk_update(const ast::update& u);
    std::int64_t bulk_delete(const ast::delete_& d);
    std::int64_t bulk_insert(const std::vector<ast::insert>& inserts);
    /// A statement without rows from compiled SQL (text(): the default engine; bulk statements:
    /// their table's).
    std::int64_t execute_compiled(const compiled& c, std::size_t slot = 0);

    std::size_t size() const noexcept { return records_.size() - forgotten_; }
    std::size_t pending_count() const noexcept;

private:
    // -- the unit of work (lib/session/flush.cpp; the parts in flush.hpp) --------------------------
    void do_flush();
    /// Save-update cascades, unhooked objects, delete cascades, foreign keys following loaded
    /// relationships (flush_order.cpp).
    void cascade_into_flush();
    /// Objects whose foreign key names a primary key this flush renames, with ON UPDATE CASCADE,
    /// and no relationship to the renamed object loaded: key_cascaded (flush_order.cpp).
    void cascade_renamed_keys();
    /// Whether a flush would write anything (flush_order.cpp).
    bool has_changes();
    /// Refuses values that cannot be stored, before any SQL (flush.cpp).
    void refuse_unstorable_values();
    /// The tables, edges and records of the flush in write order (flush_order.cpp).
    flush_plan plan_flush();
    /// The objects' state after the flush wrote everything (flush_finish.cpp).
    void finish_flush(const std::vector<record_base*>& inserts, const std::vector<row_update>& updates,
                      const std::vector<record_base*>& deletes,
                      const std::vector<std::pair<record_base*, record_base*>>& switches);
    /// A record whose row a flush deleted (or a new object took over) leaves the session; rollback
    /// brings it back (flush_finish.cpp).
    void retire_deleted(record_base* r);
    /// Watched records only the session holds leave the watch list (flush_finish.cpp).
    void stop_watching_unheld();
    /// A foreign-key column of a persistent record and its value as the database had it.
    struct moved_key {
        record_base* rec;
        int col;
        value before;
    };
    /// Appends the foreign-key columns among `cols` of `rec` with their snapshot values (nothing
    /// for a record without a row); follow_moved_keys() then compares them with the object's
    /// values once a flush or a read changed the row (flush_finish.cpp).
    void note_foreign_keys(record_base* rec, column_mask cols, std::vector<moved_key>& out) const;
    /// The loaded relationships follow each noted foreign key whose value changed
    /// (record_base::foreign_key_moved).
    void follow_moved_keys(const std::vector<moved_key>& keys);

    /// add()'s walk: the save-update cascade from `rec`, which entered the session (add_walk.cpp).
    void walk_added(const std::shared_ptr<record_base>& rec);
    /// Reads the row of a persistent record again into its object and snapshot; false when no
    /// row has its key (session.cpp).
    bool reread(record_base* rec);
    /// add()'s first step for one record (lib/session/add_walk.cpp): it joins this session as
    /// pending (or persistent when it has a row); false when it is in this session already.
    bool enter(const std::shared_ptr<record_base>& rec);
    void release_connection() noexcept;
    /// A flush (or the commit after it) failed with `what`: the session needs rollback() now.
    void flush_failed(const char* what) noexcept;
    void forget(record_base* rec) noexcept;
    /// While alive, forget() leaves pending_/deleted_/watch_ alone (one std::erase each would make
    /// forgetting n records O(n^2): a rollback of n INSERTs, a flush of n DELETEs) and keeps the
    /// records alive; its destructor sweeps the three lists once, then lets the records go.
    class forget_batch {
    public:
        forget_batch(session_impl& s, std::size_t n) noexcept;
        ~forget_batch();
        forget_batch(const forget_batch&) = delete;
        forget_batch& operator=(const forget_batch&) = delete;

    private:
        session_impl& s_;
    };
    bool batch_forget_ = false;
    std::vector<std::shared_ptr<record_base>> batch_keep_;
    void index(record_base* rec);
    /// A persistent record whose key changed is found under its new key.
    void reindex(record_base* rec);
    /// `rec` and the records of this session its expunge (`refresh` false) or refresh-expire
    /// cascade reaches through loaded relationships, transitively; `rec` first.
    std::vector<std::shared_ptr<record_base>> cascade_closure(record_base* rec, bool refresh);
    /// Keeps the committed values of a persistent record before a flush overwrites its snapshot.
    void save_backup(record_base* rec);
    void drop_backups() noexcept;
    /// The engine slots a bulk UPDATE / DELETE of `t` runs on: its engine, or (sharded) the
    /// shards its WHERE names.
    std::vector<std::size_t> write_slots(const schema::table* t, const std::vector<ast::expr_ptr>& where) const;
    /// Before a bulk UPDATE / DELETE (bulk.cpp): checks the session, autoflushes, and returns the
    /// session's objects whose rows match `where` (none asked for when it holds no row of `t`).
    std::vector<record_base*> bulk_targets(const schema::table& t, const std::vector<ast::expr_ptr>& where);
    /// Before an upsert (do_update): the session's objects whose rows share a unique key's values
    /// with an incoming row (rows the statement may update), each once.
    std::vector<record_base*> upsert_targets(const ast::insert& ins);
    identity_key key_of_row(const schema::table& t, driver::statement& s) const;

    /// One engine of the session and its connections.
    struct engine_slot {
        dorm::engine engine;
        /// The primary's connection: the transaction that writes.
        dorm::connection conn;
        /// The replica connection reads use before the primary's transaction begins (engines
        /// with replicas only).
        dorm::connection read_conn;
        bool has_replicas = false;
    };
    /// Commits every engine's transaction (commit()), in slot order or in two phases.
    void commit_engines();
    // The containers only lib/ code reads (lib/session/lib_state.hpp): the engine slots, the
    // bound tables, the row switches of a flush, the snapshots a commit defers. Out of user
    // translation units: each distinct std::vector type costs every one ~0.4 MB to instantiate.
    struct lib_state;
    owned_ptr<lib_state> state_;
    bool two_phase_ = false;
    /// The shard rules (a sharded session only).
    owned_ptr<const dorm::sharded_engine> sharding_;
    std::size_t active_shard_ = no_shard;
    dorm::dialect dialect_;
    std::optional<isolation> isolation_;  ///< session_options::isolation
    bool failed_ = false;
    bool flushing_ = false;
    std::size_t lazy_loads_ = 0;
    // The hash maps (lib/session/address_maps.hpp): address -> record for pending objects
    // (rebuilt on demand when pending_index_stale_, then kept up to date by add()); object
    // address -> position in records_, built the first time an object must be found by address
    // alone (find_object's last resort, forget() in a large session), then kept up to date,
    // dropped when records_ is compacted; the compiled SQL of lazy loads. Made on first use.
    struct address_maps;
    mutable owned_ptr<address_maps> maps_;
    address_maps& maps() const;
    mutable bool pending_index_stale_ = true;
    int add_depth_ = 0;  ///< add() calls running (an add cascades into nested ones)
    mutable bool object_slots_built_ = false;
    void build_object_slots() const;
    void note_record_slot(const record_base* r) {
        if (object_slots_built_) note_record_slot_built(r);
    }
    void note_record_slot_built(const record_base* r);
    std::string failure_;
    std::uint64_t next_order_ = 0;
    // every record of the session, owning, in add/load order; forgotten ones are compacted lazily
    std::vector<std::shared_ptr<record_base>> records_;
    std::size_t forgotten_ = 0;
    identity_map identity_;
    std::vector<record_base*> watch_;
    std::vector<record_base*> pending_;
    std::vector<record_base*> deleted_;
    std::vector<std::shared_ptr<record_base>> txn_inserted_;  // rolled back: expunged
    std::vector<std::shared_ptr<record_base>> txn_deleted_;   // rolled back: restored
    std::vector<std::shared_ptr<record_base>> txn_backed_up_; // hold a backup until COMMIT/ROLLBACK
    // commit(): the flush leaves the snapshots of updated records alone until COMMIT succeeded
    bool committing_ = false;
    bind_scratch scratch_;
};

/// Sets a member of session_impl to a value while it lives, then puts the old value back.
template <class T>
class value_scope {
public:
    value_scope(T& member, T value) noexcept : member_(member), old_(member) { member = value; }
    ~value_scope() { member_ = old_; }
    value_scope(const value_scope&) = delete;
    value_scope& operator=(const value_scope&) = delete;

private:
    T& member_;
    T old_;
};

/// Sets session_impl::reads_on_primary while a dorm::on_primary statement runs.
struct primary_scope : value_scope<bool> {
    explicit primary_scope(session_impl& s) noexcept : value_scope(s.reads_on_primary, true) {}
};

/// Makes shard `shard` the one a sharded session reads from and keys rows with, while it lives.
struct shard_scope : value_scope<std::size_t> {
    shard_scope(session_impl& s, std::size_t shard) noexcept : value_scope(s.active_shard_, shard) {}
};

/// Sets session_impl::chosen_shard while a dorm::on_shard statement runs.
struct chosen_shard_scope : value_scope<std::size_t> {
    chosen_shard_scope(session_impl& s, const std::string& name) : value_scope(s.chosen_shard, s.shard_named(name)) {}
};

/// Sets session_impl::populating while one row is read.
struct populate_scope : value_scope<bool> {
    explicit populate_scope(session_impl& s) noexcept : value_scope(s.populating, true) {}
};

}  // namespace dorm::detail
