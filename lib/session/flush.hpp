#pragma once
// What the parts of a flush hand each other. session_impl::do_flush (flush.cpp) reads as the
// algorithm; the parts, the way SQLAlchemy splits unitofwork.py from persistence.py:
//   flush_order.cpp             which records, in which order: cascades, the dirty check, the
//                               tables in foreign-key order, row edges, INSERT and DELETE order
//   flush_emit.cpp              the SQL per table: UPDATE, INSERT, NULL-out and DELETE loops
//   flush_association_rows.cpp  many-to-many association rows
//   flush_finish.cpp            the objects' state once everything was written (persistent,
//                               snapshots, identity map, transaction journal), and the dorm::version
//                               members put back when the flush fails
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <dorm/engine/engine.hpp>
#include <dorm/session/detail/record.hpp>
#include <dorm/session/detail/session_impl.hpp>

#include "session/flush_statements.hpp"

namespace dorm::detail {

/// A relationship between two rows of a flush, (parent, child): the parent's row is written first
/// (deleted last).
using row_edge = std::pair<record_base*, record_base*>;

/// Whether a persistent record's columns differ from its snapshot (or it has columns to null out):
/// the dirty check of has_changes() and of do_flush()'s shortcut.
inline bool persistent_columns_changed(const record_base& r) {
    return r.state == object_state::persistent && (r.null_out || r.changed());
}

/// Primary-key order of two records of one table.
inline bool key_less(const record_base* a, const record_base* b) {
    if (a->ident.i != b->ident.i) return a->ident.i < b->ident.i;
    return a->ident.s < b->ident.s;
}

/// What a flush writes, in which order (session_impl::plan_flush, flush_order.cpp).
struct flush_plan {
    std::vector<const schema::table*> tables;  ///< the tables of the flush, parents first
    std::vector<row_edge> edges;               ///< between the pending and the watched records
    std::vector<record_base*> inserts;         ///< the pending records, parents first
    /// Watched persistent records whose UPDATEs run table by table with the INSERTs (early), or
    /// after them (late: a loaded child of a new parent needs the parent's generated key).
    std::vector<record_base*> early, late;
    std::vector<record_base*> null_outs;  ///< records with a de-associated NOT NULL foreign key
    /// Row switches (SQLAlchemy's): a new object whose primary key is the key of an object deleted
    /// in the same flush takes over that row with an UPDATE, without the DELETE and the INSERT.
    /// Pairs (new, deleted), sorted by the new record's address.
    std::vector<std::pair<record_base*, record_base*>> switches;
    /// The deleted record whose row `r` takes over, or nullptr.
    record_base* switched_from(const record_base* r) const {
        if (switches.empty()) return nullptr;
        auto it = std::lower_bound(switches.begin(), switches.end(), r,
                                   [](const auto& s, const record_base* x) { return std::less<>()(s.first, x); });
        return it != switches.end() && it->first == r ? it->second : nullptr;
    }
};

/// The DELETE order of `deleted` (children before parents: tables, then rows of self-referencing
/// tables; within a table ascending primary key). flush_order.cpp.
std::vector<record_base*> order_deletes(const std::vector<record_base*>& deleted,
                                        const std::vector<const schema::table*>& tables);

/// An UPDATE a flush ran: the record and the columns it wrote.
struct row_update {
    record_base* rec;
    column_mask mask;
};

/// The dorm::version members a flush sets (INSERT: 1, UPDATE: +1), with their values before: a
/// flush that fails puts them back (the destructor, unless keep() was called), so no object claims
/// a version its row does not have. flush_finish.cpp.
class version_journal {
public:
    version_journal() = default;
    ~version_journal();
    version_journal(const version_journal&) = delete;
    version_journal& operator=(const version_journal&) = delete;

    void note(record_base* r, std::int64_t before) { before_.emplace_back(r, before); }
    /// The flush succeeded: the versions stay.
    void keep() noexcept { kept_ = true; }

private:
    std::vector<std::pair<record_base*, std::int64_t>> before_;
    bool kept_ = false;
};

/// The connection each row is written on: the session's connection to its table's engine
/// (dorm::binds) or to its shard (dorm::sharded_engine), its transaction begun at the first write.
class write_connections {
public:
    explicit write_connections(session_impl& s) : s_(s) {}
    dorm::connection& operator()(const record_base* r) { return s_.connection(s_.slot_of(r)); }
    /// A row of table t that belongs with a record on shard `shard` (many-to-many association rows).
    dorm::connection& operator()(const schema::table* t, std::uint32_t shard) {
        return s_.connection(s_.sharded() ? shard : s_.slot_of(t));
    }
    /// A new row: its shard is chosen now (a sharded session; nothing otherwise).
    void place(record_base* r) {
        if (s_.sharded()) s_.place(r);
    }
    /// Before an UPDATE (a sharded session): the row stays on its shard.
    void check_update(record_base* r) {
        if (s_.sharded()) s_.check_shard_key_unchanged(r);
    }
    /// Whether any engine of the session echoes.
    bool echo() const { return s_.echoes(); }
    /// Whether the session's rows are spread over shards (each new row is placed on its own).
    bool sharded() const { return s_.sharded(); }

private:
    session_impl& s_;
};

/// Emits the statements of one flush on its connections (flush_emit.cpp). The per-row loops bind
/// on one re-used lease per statement (write_runner) and allocate nothing per row.
class flush_writer {
public:
    flush_writer(write_connections& conns, dorm::dialect d, const flush_plan& plan, bind_scratch& scratch,
                 version_journal& versions);

    /// UPDATEs and INSERTs, table by table in foreign-key order; within a table its UPDATEs run
    /// before its INSERTs (SQLAlchemy's order: renaming "bob" and adding a new "bob" in one flush
    /// works); the late UPDATEs last.
    void write_inserts_and_updates();
    /// `UPDATE ... SET fk = NULL` for de-associated NOT NULL foreign keys: the database objects.
    void write_null_outs();
    /// DELETEs in the order given (order_deletes).
    void write_deletes(const std::vector<record_base*>& deletes);
    /// The UPDATEs run so far.
    const std::vector<row_update>& updates() const noexcept { return updates_; }

private:
    /// The UPDATEs of table t among `recs`: grouped by changed-column set, in primary-key order.
    void write_updates(const schema::table* t, const std::vector<record_base*>& recs);
    /// The UPDATE by which `r` takes over the row of the deleted `old` (a row switch).
    void write_row_switch(record_base* r, record_base* old);
    /// The early UPDATEs of t and of the tables before it not yet done (nullptr: of every table).
    void write_early_updates_through(const schema::table* t);
    /// How many new rows of t one multi-row INSERT writes on c (0: one row per statement).
    std::size_t rows_per_insert(const schema::table* t, bool generated, dorm::connection& c) const;
    /// Whether the next `rows` generated keys of t will ascend by a known step in VALUES order
    /// (the dialect's check, run once per table and flush on c; the step: checked_step_).
    bool multi_row_keys_now(const schema::table* t, std::size_t rows, dorm::connection& c);
    /// Writes rows[0 .. n) (new rows of one table, all with or all without a generated key) as
    /// one multi-row INSERT on c and gives each its generated key.
    void write_insert_rows(record_base* const* rows, std::size_t n, bool generated, const std::vector<int>& cols,
                           dorm::connection& c);
    /// Logs `sql` with the parameters `fill(params)` appends, when the connection c echoes.
    template <class Fill>
    void echo(dorm::connection& c, const std::string& sql, const statement_lease& lease, Fill fill) {
        if (!echo_ || !c.echo()) return;
        params_.clear();
        fill(params_);
        c.log_statement(sql, lease, params_);
    }

    write_connections& conns_;
    const flush_plan& plan_;
    bind_scratch& scratch_;
    version_journal& versions_;
    flush_statements sql_;
    const bool echo_;
    std::vector<value> params_;              ///< echo and NULL-out parameters (re-used)
    std::vector<row_update> updates_;        ///< every UPDATE run
    std::vector<row_update> table_updates_;  ///< one table's (re-used)
    std::size_t updated_tables_ = 0;         ///< plan_.tables[0 .. updated_tables_) had their early UPDATEs
    const schema::table* checked_table_ = nullptr;  ///< the table multi_row_keys_now checked last
    std::int64_t checked_step_ = 0;                  ///< and its answer: the step between keys (0: no)
};

/// Deletes and inserts the many-to-many association rows the collections of the flushed records
/// changed (flush_association_rows.cpp); after the INSERTs, which give new rows their keys.
void write_association_rows(write_connections& conns, dorm::dialect d, const std::vector<record_base*>& inserts,
                            const std::vector<record_base*>& watched, const std::vector<record_base*>& deleted);

}  // namespace dorm::detail
