#pragma once
/// @file dorm/session/detail/record.hpp
/// The session's per-object bookkeeping, type-erased so that the unit of work is compiled once
/// in lib/session/. record<T> (record_t.hpp) implements it for each mapped struct.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <dorm/driver/driver.hpp>
#include <dorm/reflect/column_traits.hpp>
#include <dorm/schema/table.hpp>

namespace dorm::detail {

class session_impl;

/// (table, primary key): one object per identity per session.
struct identity_key {
    const schema::table* table = nullptr;
    std::int64_t i = 0;  ///< single integer keys
    std::string s;       ///< other keys, serialized
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

class record_base : public std::enable_shared_from_this<record_base> {
public:
    virtual ~record_base() = default;
    explicit record_base(const schema::table* t) noexcept : table_(t) {}
    record_base(const record_base&) = delete;
    record_base& operator=(const record_base&) = delete;

    /// The mapped table of the object's struct.
    const schema::table& table() const noexcept { return *table_; }
    /// The mapped object.
    virtual void* object() noexcept = 0;
    /// A shared_ptr<void> to the object sharing the record's ownership.
    virtual std::shared_ptr<void> object_ptr() = 0;
    /// Reads the identity from the object; false when an autoincrement key is still unset (0).
    virtual bool key(identity_key& out) const = 0;
    /// Columns whose value differs from the snapshot (all columns when there is no snapshot).
    virtual column_mask changed() const = 0;
    /// Binds the object's columns listed in `cols` starting at parameter `first` (0-based).
    virtual void bind_columns(driver::statement& s, const std::vector<int>& cols, int first, bind_scratch& scratch) const = 0;
    /// Binds every column in table order from parameter 0, leaving out column `skip` (-1: none;
    /// the autoincrement key of an INSERT that lets the database generate it).
    virtual void bind_all(driver::statement& s, int skip, bind_scratch& scratch) const = 0;
    /// Binds the primary key (from the snapshot: the row as the database knows it).
    virtual void bind_key(driver::statement& s, int first, bind_scratch& scratch) const = 0;
    /// Values of `cols` (for echo and bulk statements).
    virtual void column_values(const std::vector<int>& cols, std::vector<value>& out) const = 0;
    /// Primary-key values from the snapshot (for echo).
    virtual void key_values(std::vector<value>& out) const = 0;
    /// Reads every column of a row (starting at `first`) into the object.
    virtual void read_row(driver::statement& s, int first) = 0;
    /// Stores a database-generated key into the autoincrement column.
    virtual void set_generated_key(std::int64_t id) = 0;
    /// Sets the autoincrement column back to 0 (a rolled-back INSERT).
    virtual void clear_generated_key() = 0;
    /// Sets column `col` (of the object and the snapshot) from a value (FK sync, bulk updates).
    virtual void set_column(int col, const value& v, bool also_snapshot) = 0;
    /// The value of column `col` of the object.
    virtual value get_column(int col) const = 0;
    /// snapshot := the object's column values.
    virtual void take_snapshot() = 0;
    /// snapshot := object only for columns in mask.
    virtual void take_snapshot(column_mask cols) = 0;
    /// Saves the snapshot as the last committed state (first change in a transaction).
    virtual void save_backup() = 0;
    /// Drops the saved committed state (after COMMIT).
    virtual void drop_backup() noexcept = 0;
    /// object := last committed state (backup if saved, else snapshot); snapshot := same.
    virtual void restore_committed() = 0;
    /// Wires relationship members to the session (lazy loading, back_populates); nullptr unwires.
    /// `from_db`: the object was read from a row, so its relationships start unloaded.
    virtual void wire(session_impl* s, bool from_db) = 0;

    // -- relationships (no-ops for structs without dorm::many / dorm::one members) ------------
    /// Related objects reachable through save-update cascades (loaded relationships only).
    virtual void related(std::vector<std::shared_ptr<record_base>>& out) = 0;
    /// (parent, child) pairs among session records: the parent's row must be written first.
    virtual void edges(std::vector<std::pair<record_base*, record_base*>>& out) = 0;
    /// Copies the keys of loaded many-to-one targets into this object's foreign-key columns.
    virtual void sync_parents() = 0;
    /// Copies this object's key into the foreign-key columns of its loaded children.
    virtual void propagate_to_children() = 0;
    /// The object is being deleted: cascade the delete or de-associate its children (loads them).
    virtual void on_delete() = 0;
    /// Association rows to insert (added=true) or delete for many-to-many collections:
    /// (assoc table, owner column, target column, owner key, target key).
    struct assoc_row {
        const schema::table* table;
        int owner_col, target_col;
        value owner_key, target_key;
    };
    virtual void assoc_changes(std::vector<assoc_row>& inserts, std::vector<assoc_row>& deletes) = 0;
    /// After a successful flush: the many-to-many collections as written become the database state.
    virtual void assoc_flushed() = 0;
    /// Before the session lets go of the object: release cycle-forming back references.
    virtual void release_cycles() = 0;
    /// Columns to set to NULL at the next flush (a de-associated NOT NULL foreign key; the
    /// database reports the violation).
    column_mask null_out = 0;
    /// Relationships (by index) loaded with raiseload: reading them lazily throws.
    std::uint64_t raise_mask = 0;
    /// A many-to-many collection was (re)loaded: it is the database state now.
    virtual void assoc_snapshot(std::size_t rel_index) = 0;

    // -- state owned by the session ---------------------------------------------------------
    session_impl* owner = nullptr;
    object_state state = object_state::transient;
    bool has_snapshot = false;
    bool has_backup = false;
    bool inserted_in_txn = false;   ///< rollback expunges it
    bool deleted_in_txn = false;    ///< rollback brings it back
    bool generated_key = false;     ///< the key came from the database in this transaction
    bool watched = false;           ///< on the session's watch list
    bool keyed = false;             ///< in the identity map under `ident`
    std::uint64_t order = 0;        ///< add() order
    identity_key ident;

private:
    const schema::table* table_;
};

}  // namespace dorm::detail
