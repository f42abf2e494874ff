#pragma once
/// @file dorm/session/detail/record.hpp
/// The session's per-object bookkeeping, type-erased so that the unit of work is compiled once
/// in lib/session/. record<T> (record_t.hpp) holds the object and its relationship half.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <dorm/detail/atomic_cell.hpp>
#include <dorm/driver/driver.hpp>
#include <dorm/reflect/column_ops.hpp>
#include <dorm/schema/table.hpp>
#include <dorm/reflect/relationship_members.hpp>

namespace dorm::detail {

class session_impl;

/// (table, primary key): one object per identity per session.
struct identity_key {
    const schema::table* table = nullptr;
    std::int64_t i = 0;  ///< single integer keys
    std::string s;       ///< other keys, serialized
    /// The shard the row lives on (a session over a dorm::sharded_engine; 0 otherwise): rows of
    /// two shards may have the same primary key (SQLAlchemy's identity_token).
    std::uint32_t shard = 0;
    friend bool operator==(const identity_key&, const identity_key&) = default;
};
/// Appends a key value to a serialized composite key (length-prefixed, unambiguous).
void append_key_part(std::string& out, const value& v);

enum class object_state : std::uint8_t {
    transient,   ///< not in a session
    pending,     ///< added, not yet INSERTed
    persistent,  ///< in the database and the identity map
    deleted,     ///< marked for DELETE at the next flush
};

/// Bitmask of columns (mapped structs have at most 64 columns).
using column_mask = std::uint64_t;

/// Where each column of a mapped struct lives: in the object and in the record's snapshot
/// buffer, with the operations of its member type (built once per struct: layout_of<T>()).
struct column_slot {
    std::uint32_t obj;   ///< offset of the member in the object
    std::uint32_t snap;  ///< offset in the snapshot (and backup) buffer
    const column_ops* ops;
    bool null_reads_default;  ///< dorm::nullable on a plain member: NULL reads as M{}
    std::uint32_t max_chars;  ///< dorm::varchar(n): at most n characters are stored (0: unbounded)
};
class record_base;
struct assoc_rows;  // lib/session/assoc_rows.hpp
struct record_layout;
using object_list = std::vector<std::shared_ptr<void>>;

/// The operations on a relationship member type (dorm::many<U> or dorm::one<U>), without loading.
struct relationship_ops {
    bool (*loaded)(const void* m);
    void (*set_loaded)(void* m, bool loaded);
    void (*set_hook)(void* m, relation_hook* hook);
    void (*set_weak)(void* m, bool weak);  ///< one<U>: hold the target weakly (no-op for many<U>)
    void (*items)(const void* m, object_list& out);  ///< the non-null objects it holds now
    std::shared_ptr<void> (*get)(const void* m);      ///< one<U>: the target (many<U>: nullptr)
    /// many<U>: appends obj unless present; one<U>: points to obj. Neither notifies the other side.
    void (*add)(void* m, const std::shared_ptr<void>& obj);
    /// many<U>: removes obj; one<U>: clears the target if it is obj. No notification.
    void (*remove)(void* m, const void* obj);
    /// The loaded content: many<U> := items; one<U> := the first item or null. Marks it loaded.
    void (*assign)(void* m, object_list&& items);
    /// many<U>: empties the collection; one<U>: clears the target (loaded state unchanged for many<U>).
    void (*clear)(void* m);
};

/// The operations on dorm::one<U> members do not depend on U (one_base): compiled once in
/// lib/session/wiring.cpp.
extern const relationship_ops one_relationship_ops;

/// A relationship member of a mapped struct (built once per struct from relationship_model).
struct relationship_info {
    const char* name;
    std::uint32_t offset;  ///< of the member in the object
    const relationship_ops* ops;
    const record_layout& (*target)();  ///< the related struct's layout (a function: structs refer to each other)
    bool collection, many_to_one, reverse, many_to_many;
    bool cascade_save_update, cascade_delete, cascade_delete_orphan;
    bool cascade_expunge, cascade_refresh_expire;  ///< expunge() / refresh() reach the related objects
    bool releases_on_close;  ///< one side of a many-to-many pair drops its content when the session lets go
    bool weak;               ///< the FK side of a back_populates pair holds its parent weakly
    int owner_fk, target_fk;
    const schema::table& (*assoc)();  ///< many-to-many association table, else nullptr
    int assoc_to_owner, assoc_to_target;
    int back_index;  ///< the partner (back_populates) in target().rels, or -1
    /// Reads a related object from a row through the identity map (load_entity<U>).
    std::shared_ptr<void> (*read_target)(driver::statement& s, session_impl* session, int first);
    /// A detached record for a related object the session does not know yet.
    std::shared_ptr<record_base> (*new_record)(const std::shared_ptr<void>& obj);
};

struct record_layout {
    const schema::table* table = nullptr;
    const column_slot* cols = nullptr;
    std::size_t count = 0;
    const relationship_info* rels = nullptr;
    std::size_t rel_count = 0;
    std::size_t snap_size = 0, snap_align = 1;
    int int_key = -1;  ///< the column of a single integer primary key, else -1
    column_mask key_mask = 0;  ///< the primary-key columns
    column_mask checked = 0;   ///< columns with values that cannot be stored (check_columns looks at them)
    column_mask foreign_keys = 0;  ///< the columns that reference another table
    int version_col = -1;      ///< the dorm::version column (an integer member), or -1
    bool autoincrement = false;
    /// Ends the life of a record<T> (its object and snapshot); the memory stays (new_record's block).
    void (*destroy)(record_base* rec) noexcept = nullptr;
};
/// The storage of a new record of `size` bytes aligned to `align`, with room for its shared_ptr
/// control block after it: one allocation per record, and one control-block type compiled in
/// lib/session/record_block.cpp for every mapped struct (rather than a std::make_shared
/// instantiation per struct in every translation unit).
void* allocate_record_block(std::size_t size, std::size_t align);
/// Gives back a block whose record could not be constructed.
void free_record_block(void* block, std::size_t align) noexcept;
/// Shared ownership of `rec`, the record constructed at the start of `block` (from
/// allocate_record_block(size, align)): when the last owner lets go its layout's destroy() runs,
/// and the block is freed when no weak_ptr is left either.
std::shared_ptr<record_base> adopt_record_block(void* block, record_base* rec, std::size_t size,
                                                std::size_t align) noexcept;
/// Sets the masks a layout derives from its columns (checked, foreign_keys).
void derive_layout_masks(record_layout& l) noexcept;
/// Throws data_error (naming table, column, value and C++ type) when a column in `cols` of `obj`
/// holds a value its column cannot store: an invalid date, a time point outside 0001..9999, a
/// string longer than its VARCHAR(n), ... Run before any SQL of a flush.
void check_columns(const record_layout& l, const void* obj, column_mask cols);
/// Rethrows a data_error raised for column `col` of `l` with the table, column and C++ type.
[[noreturn]] void rethrow_in_layout_column(const data_error& e, const record_layout& l, std::size_t col);
/// The identity of an object (false when an autoincrement key is still unset: 0).
bool layout_key(const record_layout& l, const void* obj, identity_key& out);
/// The identity in a row whose columns start at `first` (table order).
void layout_row_key(const record_layout& l, driver::statement& s, int first, identity_key& out);
/// The value of the (single-column) primary key of an object.
value layout_key_value(const record_layout& l, const void* obj);
/// The session's record of `obj` (an object described by `l`), or nullptr.
record_base* find_record(session_impl* s, const record_layout& l, const void* obj);
/// The session's record of a related object, or a new (detached) record for it.
std::shared_ptr<record_base> record_for(session_impl* s, const relationship_info& rel, const std::shared_ptr<void>& obj);

/// dorm::one members assigned while their owner was in no session (no hook): SQLAlchemy's backref
/// would have appended the owner to the target's collection, C++ cannot (the owner's shared_ptr
/// is out of reach). lib/session/wiring.cpp; thread-safe; empty in the common case (no lock).
struct unhooked_refs {
    /// `target` joins a session as a new or returning object: the references made to it before
    /// are the ones SQLAlchemy would cascade from it (armed until their owner joins or they change).
    static void arm(const void* target);
    /// Throws invalid_request_error when an armed reference points to an object of session `s`
    /// whose owner is not in it (the flush would silently leave the owner out).
    static void check(session_impl* s);
};

/// Records of objects that left their session with a row (persistent when the session let go:
/// closed, expunged) while something else still holds the object: adding that object to a
/// session again finds its record, so it comes back persistent (UPDATEs, no INSERT), as in
/// SQLAlchemy. Keyed by the object's address and checked by shared_ptr ownership (an address
/// reused by another object does not match). lib/session/detached.cpp; thread-safe.
/// What the loaded one-to-many (and one-to-one) members of a detached object held when it left its
/// session (lib/session/detached_children.hpp).
struct detached_children;

class detached_records {
public:
    /// `rec` is leaving its session persistent and its object is held elsewhere.
    static void remember(const std::shared_ptr<record_base>& rec);
    /// The record of `obj` if it was remembered, else null (it stays remembered until attach()).
    /// `appended` (if given) receives whether `obj` was appended to a collection in no session
    /// since it left its session (note_unhooked_append): it went to another parent.
    static std::shared_ptr<record_base> find(const std::shared_ptr<void>& obj, const record_layout* layout,
                                             bool* appended = nullptr);
    /// A collection in no session gained `obj` (note_unhooked_append): if it is remembered, it went
    /// to another parent.
    static void note_append(const void* obj) noexcept;
    /// The object at `addr` if a record with `layout` remembers it, else null.
    static std::shared_ptr<void> object_at(const void* addr, const record_layout* layout);
    /// A session takes `rec` back (it is remembered: rec->detached_known); `children` (if given)
    /// receives what its collections held when it left (record_base::loaded_children).
    static void attach(record_base* rec, detached_children* children = nullptr);
    /// `rec` is being destroyed.
    static void forget(record_base* rec) noexcept;
};

/// The session's bookkeeping for one object. The column work (snapshots, binding, reading,
/// comparing) is done here, in lib/session/record.cpp, by walking the struct's record_layout;
/// record<T> only adds the object's storage. The relationship half (lib/session/wiring.cpp)
/// walks the layout's relationship_info table the same way.
class record_base : public std::enable_shared_from_this<record_base>, public relation_hook {
public:
    ~record_base();  // not virtual: see relation_hook
    explicit record_base(const record_layout* l) noexcept : layout_(l) {}
    record_base(const record_base&) = delete;
    record_base& operator=(const record_base&) = delete;

    /// The mapped table of the object's struct.
    const schema::table& table() const noexcept { return *layout_->table; }
    const record_layout& layout() const noexcept { return *layout_; }
    /// The mapped object.
    void* object() const noexcept { return obj_; }
    /// A shared_ptr<void> to the object sharing the record's ownership.
    std::shared_ptr<void> object_ptr() {
        if (external_) return external_;
        return std::shared_ptr<void>(shared_from_this(), obj_);
    }
    /// Whether anything besides the session holds the object: a shared_ptr the session handed out
    /// (it shares the record's ownership), or, for an object the application made itself (held in
    /// `external_`), any other shared_ptr to it (the application's, a relationship member's).
    bool held_outside() const noexcept {
        return weak_from_this().use_count() > 1 || (external_ && external_.use_count() > 1);
    }
    /// Reads the identity from the object; false when an autoincrement key is still unset (0).
    /// The shard stays the record's (ident.shard).
    bool key(identity_key& out) const {
        out.shard = ident.shard;
        return layout_key(*layout_, obj_, out);
    }
    /// Whether the database generates the key at INSERT: an autoincrement key still 0.
    bool generated_key_unset() const noexcept {
        const record_layout& l = *layout_;
        if (!l.autoincrement) return false;
        const column_slot& c = l.cols[l.int_key];
        return c.ops->as_int(static_cast<const char*>(obj_) + c.obj) == 0;
    }
    /// Whether the struct has a dorm::version column.
    bool versioned() const noexcept { return layout_->version_col >= 0; }
    /// The dorm::version member of the object (versioned structs only).
    std::int64_t version() const noexcept;
    /// Sets the dorm::version member of the object (versioned structs only).
    void set_version(std::int64_t v) noexcept;
    /// The version the database has for the row as the session last wrote or read it: the
    /// snapshot's (the object's without a snapshot). Versioned structs only.
    std::int64_t committed_version() const noexcept;
    /// The version an UPDATE of the row writes: committed_version() + 1.
    /// @throws data_error (table, column, value) when the member's integer type cannot hold it:
    /// the counter would wrap (an int8_t version after 127) and a lost race could go unseen.
    std::int64_t next_version();
    /// Before a flush sends anything: next_version() of a versioned persistent object whose
    /// columns changed (the UPDATE it will need); nothing for other objects.
    void check_version_bump() {
        if (versioned() && state == object_state::persistent && has_snapshot &&
            (changed() & ~(column_mask{1} << layout_->version_col)))
            next_version();
    }
    /// The primary key as text for messages, from the snapshot: `id=5`, `owner='ann', slug='x'`.
    std::string key_text() const;
    /// Columns whose value differs from the snapshot (all columns when there is no snapshot).
    column_mask changed() const;
    /// The columns of `cols` whose value differs from the snapshot (all of them without one).
    column_mask changed_among(column_mask cols) const;
    /// Throws data_error when a new or changed column holds a value its column cannot store.
    void check_values() const {
        if (const column_mask c = layout_->checked)
            check_columns(*layout_, obj_, state == object_state::persistent ? changed_among(c) : c);
    }
    /// Binds the object's columns listed in `cols` starting at parameter `first` (0-based).
    void bind_columns(driver::statement& s, const std::vector<int>& cols, int first, bind_scratch& scratch) const;
    /// Binds every column in table order from parameter 0, leaving out column `skip` (-1: none;
    /// the autoincrement key of an INSERT that lets the database generate it).
    void bind_all(driver::statement& s, int skip, bind_scratch& scratch) const;
    /// Binds the primary key (from the snapshot: the row as the database knows it).
    void bind_key(driver::statement& s, int first, bind_scratch& scratch) const;
    /// Values of `cols` (for echo and bulk statements).
    void column_values(const std::vector<int>& cols, std::vector<value>& out) const;
    /// Primary-key values from the snapshot (for echo).
    void key_values(std::vector<value>& out) const;
    /// Reads every column of a row (starting at `first`) into the object.
    void read_row(driver::statement& s, int first);
    /// read_row() into a persistent object that has a snapshot (refresh, populate_existing): when
    /// a column cannot be read, the columns read before it are what the database holds, so they
    /// go into the snapshot too (not changes the next flush would write), and the error goes on.
    void reread_row(driver::statement& s, int first);
    /// Stores a database-generated key into the autoincrement column.
    void set_generated_key(std::int64_t id);
    /// Sets the autoincrement column back to 0 (a rolled-back INSERT).
    void clear_generated_key();
    /// Sets column `col` (of the object and the snapshot) from a value (FK sync, bulk updates).
    void set_column(int col, const value& v, bool also_snapshot);
    /// The value of column `col` of the object.
    value get_column(int col) const;
    /// The value of column `col` in the snapshot (the object's without a snapshot).
    value snapshot_column(int col) const;
    /// After the object's INSERT: a many-to-one that holds no object while its foreign key holds a
    /// value (set directly: `Order{.customer_id = c->id}`) loads its parent by that key on first
    /// access, as SQLAlchemy loads a relationship a new object never set (it was never loaded).
    void unload_unset_parents();
    /// Undoes unload_unset_parents() when the INSERT is undone (rollback, close): the object has
    /// no row, so its empty many-to-one is empty again (not a load that needs a session).
    void reset_unset_parents();
    /// Every relationship loads again on its next access (refresh()).
    void unload_relationships();
    /// This new object took over the row of the deleted `old` (a row switch): its one-to-many and
    /// one-to-one members load the row's children on next access, and the many-to-one of the
    /// children `old` has loaded finds its parent again by key (this object).
    void took_over_row(record_base& old);
    /// What its loaded one-to-many and one-to-one members hold (it is leaving its session with a
    /// row, and someone holds it: detached_records::remember).
    void loaded_children(detached_children& out);
    /// Back in a session with a row, after its relationships are wired: a child `before` names
    /// that its member no longer holds was removed while the object was detached, and leaves it as
    /// a removal in the session would (delete-orphan deletes it, otherwise its foreign key becomes
    /// NULL) — unless it went to another parent meanwhile. SQLAlchemy keeps a detached object's
    /// collection history likewise. (Many-to-many collections keep theirs in assoc_db_.)
    void removed_while_detached(const detached_children& before);
    /// A new object joining a session: a many-to-one it has not set whose partner collection, in a
    /// detached object, gained it while that object was in no session (`detached_parent->children
    /// .push_back(child)`, then `session.add(child)`) points to that object, as the append would
    /// have made it in a session; the add walk then brings the parent in (SQLAlchemy's backref
    /// and save-update cascade do the same).
    void adopt_detached_parents();
    /// Back in a session with a row, wiring relationship `rel` whose member holds `items`: a child
    /// that was in it when the object left (`before`), has a row, now names another parent by its
    /// foreign key and was not appended since (it was moved while this object was detached: its
    /// own many-to-one assigned in another session) is stale here: the member lets go of it
    /// (hook-less) and it leaves `items`, so that joining the session does not move it back.
    void drop_stale_children(std::size_t rel, const detached_children& before, object_list& items);
    /// The foreign-key column `col` of this persistent object now holds another value than
    /// `before` in the database, put there by something other than its relationships: a flush of
    /// a key set directly, a bulk UPDATE, refresh(). The loaded relationships are made to agree,
    /// without cascades: its many-to-one loads again by the new key, the old parent's loaded
    /// collection lets go of it, the new parent's gains it. (Otherwise a later flush would copy
    /// the stale parent's key back: a lost update.)
    void foreign_key_moved(int col, const value& before);
    /// Whether column `col` differs from the snapshot (true without a snapshot).
    bool column_changed(int col) const;
    /// snapshot := the object's column values.
    void take_snapshot();
    /// Forgets the snapshot (destroys its column values; has_snapshot becomes false).
    void destroy_snapshot() noexcept;
    /// snapshot := object only for columns in mask.
    void take_snapshot(column_mask cols);
    /// Saves the snapshot as the last committed state (first change in a transaction).
    void save_backup();
    /// Drops the saved committed state (after COMMIT).
    void drop_backup() noexcept;
    /// object := last committed state (backup if saved, else snapshot); snapshot := same.
    void restore_committed();
    /// object := snapshot (its unflushed column changes are dropped).
    void discard_changes();
    /// Wires relationship members to the session (lazy loading, back_populates); nullptr unwires.
    /// `from_db`: the object was read from a row, so its relationships start unloaded.
    void wire(session_impl* s, bool from_db) {
        if (layout_->rel_count) wire_rels(s, from_db);
    }

    // -- the steps of wire(owner, false), for session_impl::add's walk (lib/session/add_walk.cpp),
    // which runs them from a work list instead of recursing through on_changed -> add (a
    // 1,000,000-deep chain would overflow the stack). The order of the steps is wire()'s.
    /// Before the first relationship: references made to this object outside a session are armed.
    void wire_begin();
    /// Hooks relationship `i` to the owner; `items` := what it holds (a graph built before add()),
    /// held while the member becomes weak.
    void wire_rel(std::size_t i, bool from_db, object_list& items);
    /// `child` is related through relationship `i`: the other side learns it (back_populates);
    /// returns the record the save-update cascade adds to the owner next, or nullptr.
    std::shared_ptr<record_base> joined(std::size_t i, const std::shared_ptr<void>& child);
    /// After the cascade added `child`'s record (or there was none): bookkeeping of relationship `i`.
    void joined_after(std::size_t i, const std::shared_ptr<void>& child);

    // -- relationships (lib/session/wiring.cpp; no-ops for structs without dorm::many / dorm::one) --
    /// Related objects reachable through save-update cascades (loaded relationships only).
    void related(std::vector<std::shared_ptr<record_base>>& out) {
        if (layout_->rel_count) related_rels(out);
    }
    /// (parent, child) pairs among session records: the parent's row must be written first.
    void edges(std::vector<std::pair<record_base*, record_base*>>& out) {
        if (layout_->rel_count) edges_rels(out);
    }
    /// Copies the keys of loaded many-to-one targets into this object's foreign-key columns.
    void sync_parents() {
        if (layout_->rel_count) sync_parents_rels();
    }
    /// Copies this object's key into the foreign-key columns of its loaded children.
    void propagate_to_children() {
        if (layout_->rel_count) propagate_to_children_rels();
    }
    /// The related objects in this session that expunge() (`refresh` false) or refresh() (true)
    /// reaches from this object: loaded relationships whose cascade says "expunge" /
    /// "refresh-expire" ("all" says both).
    void cascade_targets(bool refresh, std::vector<record_base*>& out) {
        if (layout_->rel_count) cascade_targets_rels(refresh, out);
    }
    /// The object is being deleted: cascade the delete or de-associate its children (loads them).
    /// `switch_lost`: a second pass for an object whose row switch was called off (its delete
    /// cascades ran in the first pass; the children it kept for the new object let go of it now).
    void on_delete(bool switch_lost = false) {
        if (layout_->rel_count) on_delete_rels(switch_lost);
    }
    /// Association rows to insert (added=true) or delete for many-to-many collections:
    /// (assoc table, owner column, target column, owner key, target key).
    struct assoc_row {
        const schema::table* table;
        int owner_col, target_col;
        value owner_key, target_key;
        std::uint32_t shard = 0;  ///< the shard of the record whose collection changed
    };
    void assoc_changes(std::vector<assoc_row>& inserts, std::vector<assoc_row>& deletes) {
        if (layout_->rel_count) assoc_changes_rels(inserts, deletes);
    }
    /// After a successful flush: the many-to-many collections as written become the database state.
    void assoc_flushed() {
        if (layout_->rel_count) assoc_flushed_rels();
    }
    /// Before the session lets go of the object: release cycle-forming back references.
    void release_cycles() {
        if (layout_->rel_count) release_cycles_rels();
    }
    /// Columns to set to NULL at the next flush (a de-associated NOT NULL foreign key; the
    /// database reports the violation).
    column_mask null_out = 0;
    /// Foreign-key columns a parent's collection decided since the last flush: the object joined
    /// the collection (push_back), or left it and its optional key became NULL. The collection
    /// decides over a value set directly (as SQLAlchemy's flush syncs a relationship change over
    /// the column), and a NULL put there by a removal does not stop a collection that takes the
    /// object afterwards.
    column_mask collection_fk = 0;
    /// Relationships (by index) loaded with raiseload: reading them lazily throws.
    std::uint64_t raise_mask = 0;
    /// Many-to-one relationships (by index) assigned since the last flush: they decide the foreign
    /// key; one that was not assigned leaves a foreign key the user set directly alone.
    std::uint64_t rel_assigned = 0;
    /// A many-to-many collection was (re)loaded: it is the database state now.
    void assoc_snapshot(std::size_t rel_index);
    /// Lazy load of a relationship member (relation_hook; throws detached_instance_error without a session).
    void load_relationship(void* member);
    void load(void* member) override;
    /// A relationship member of the object gained (added) or lost a related object.
    void changed(void* member, const std::shared_ptr<void>& child, bool added) override;

    // -- state owned by the session ---------------------------------------------------------
    session_impl* owner = nullptr;
    object_state state = object_state::transient;
    bool has_snapshot = false;
    bool has_backup = false;
    bool inserted_in_txn = false;   ///< rollback expunges it
    bool deleted_in_txn = false;    ///< rollback brings it back
    /// Its row was DELETEd (by a flush or a bulk delete; rollback clears it): a save-update cascade
    /// that reaches it (a collection still holding it) leaves it out, and add() refuses it, as
    /// SQLAlchemy does for a deleted instance. It never comes back as a new row by itself.
    bool row_deleted = false;
    /// Deleted as an orphan (its delete-orphan parent lost it): add() alone does not keep it, as
    /// SQLAlchemy's flush deletes a persistent orphan whatever add() said; a parent again does.
    bool orphaned = false;
    /// Deleted, and a new object with its key takes over its row in this flush (a row switch):
    /// its children are not de-associated (the row stays; SQLAlchemy's listonly delete).
    bool row_switched = false;
    bool generated_key = false;     ///< the key came from the database in this transaction
    bool watched = false;           ///< on the session's watch list
    bool keyed = false;             ///< in the identity map under `ident`
    std::uint64_t order = 0;        ///< add() order
    identity_key ident;
    detail::atomic_cell<bool> detached_known{false};  ///< in the detached registry (detached_records)

protected:
    /// Called by the derived constructor once the object exists: its address and the snapshot buffer.
    void set_storage(void* obj, std::byte* snap) noexcept {
        obj_ = obj;
        snap_ = snap;
    }
    std::shared_ptr<void> external_;  ///< the user's shared_ptr when the object is not inline

private:
    friend class detached_records;
    // the relationship work (lib/session/wiring.cpp), for structs that have relationships
    void related_rels(std::vector<std::shared_ptr<record_base>>& out);
    void edges_rels(std::vector<std::pair<record_base*, record_base*>>& out);
    void sync_parents_rels();
    void propagate_to_children_rels();
    void on_delete_rels(bool switch_lost);
    void cascade_targets_rels(bool refresh, std::vector<record_base*>& out);
    void assoc_changes_rels(std::vector<assoc_row>& inserts, std::vector<assoc_row>& deletes);
    void assoc_flushed_rels();
    void release_cycles_rels();
    void wire_rels(session_impl* s, bool from_db);
    void load_rel(const relationship_info& rel, std::size_t index);
    void on_changed(const relationship_info& rel, const std::shared_ptr<void>& child, bool added);
    /// The many-to-one `rel` is null now: an orphan of a delete-orphan parent is deleted, else
    /// the foreign key becomes NULL (unless it was moved to another parent).
    void on_changed_left_parent(const relationship_info& rel);
    /// The many-to-one `rel` was set to nullptr while the object was detached: applied as it
    /// would have been in a session (wire_rel, when the object joins one again).
    void left_parent_while_detached(const relationship_info& rel);
    /// A lazy load's autoflush; false (and `rel` is empty) when that flush deleted this object.
    bool autoflush_kept_me(const relationship_info& rel);
    /// Whether the many-to-one `rel` (index `i`) points to a parent whose key this flush renames
    /// to `key`, and the database moves this object's foreign key along (ON UPDATE CASCADE).
    bool parent_key_cascades(const relationship_info& rel, std::size_t i, const void* parent, const value& key) const;
    void deassociate(const record_layout& l, void* obj, int fk_col);

    const record_layout* layout_;
    void* obj_ = nullptr;
    std::byte* snap_ = nullptr;
    std::byte* backup_ = nullptr;
    // many-to-many collections as last written / loaded, by relationship index: (object, key);
    // made by the first many-to-many snapshot (lib/session/assoc_rows.hpp), deleted by
    // ~record_base (a plain pointer: an owned_ptr would need the type where the inline
    // constructor is)
    assoc_rows* assoc_db_ = nullptr;
};

}  // namespace dorm::detail
