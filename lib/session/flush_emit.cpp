// Emitting a flush (SQLAlchemy's persistence.py): the UPDATE, INSERT, NULL-out and DELETE
// statements of the mapped tables, per table and in the plan's order, with the row-count checks
// that raise stale_data_error. Association rows are flush_association_rows.cpp.
#include <algorithm>
#include <bit>
#include <string>

#include <dorm/error.hpp>

#include "dialect/hooks.hpp"
#include "session/flush.hpp"
#include "session/write_runner.hpp"

namespace dorm::detail {

namespace {

/// The message of a stale_data_error: SQLAlchemy's sentence, then the row (table, key, and the
/// version the flush expected on a table with a dorm::version column).
[[noreturn]] void throw_stale(const char* verb, const record_base& r, std::int64_t matched) {
    const schema::table& t = r.table();
    stale_data_details d{t.name, r.key_text(), std::nullopt};
    std::string msg = std::string(verb) + " statement on table '" + t.name + "' expected to " +
                      (verb[0] == 'U' ? "update" : "delete") + " 1 row(s); " + std::to_string(matched) +
                      " were matched (" + t.name + ' ' + d.key;
    if (r.versioned()) {
        d.version = r.committed_version();
        msg += ", version " + std::to_string(*d.version) +
               ": the row was changed or deleted by another transaction since it was read)";
    } else {
        msg += ": the row no longer exists with that key; it was deleted or its key changed since it was read)";
    }
    throw stale_data_error(msg, std::move(d));
}

bool update_less(const row_update& a, const row_update& b) {
    if (a.mask != b.mask) return a.mask < b.mask;
    return key_less(a.rec, b.rec);
}

}  // namespace

flush_writer::flush_writer(write_connections& conns, dorm::dialect d, const flush_plan& plan, bind_scratch& scratch,
                           version_journal& versions)
    : conns_(conns), plan_(plan), scratch_(scratch), versions_(versions), sql_(d), echo_(conns.echo()) {}

void flush_writer::write_updates(const schema::table* t, const std::vector<record_base*>& recs) {
    table_updates_.clear();
    for (auto* r : recs) {
        if (&r->table() != t) continue;
        r->sync_parents();
        column_mask m = r->changed();
        if (m && r->versioned()) {
            // dorm owns the version: a value written into the member is not a change, and an
            // UPDATE writes the committed version + 1 where the row still has the committed one
            const column_mask version_bit = column_mask{1} << r->layout().version_col;
            const std::int64_t committed = r->committed_version();
            if (m & version_bit) {
                r->set_version(committed);
                m &= ~version_bit;
            }
            if (m) {
                // (checked before any SQL; a foreign key synchronised since then is checked here)
                const std::int64_t next = r->next_version();
                versions_.note(r, committed);
                r->set_version(next);
                m |= version_bit;
            }
        }
        if (m) table_updates_.push_back({r, m});
    }
    if (table_updates_.empty()) return;
    if (!std::is_sorted(table_updates_.begin(), table_updates_.end(), update_less))
        std::stable_sort(table_updates_.begin(), table_updates_.end(), update_less);
    auto check_matched = [](driver::statement& st, record_base* r, bool) {
        const auto n = st.rows_affected();
        st.reset();
        if (n != 1) throw_stale("UPDATE", *r, n);
    };
    write_runner<record_base*, decltype(check_matched)> runner(true, check_matched);
    column_mask current = 0;  // a changed-column set is never empty
    const std::string* current_sql = nullptr;
    std::vector<int> cols;
    const bool versioned = t->version_column >= 0;
    const int version_param = static_cast<int>(t->primary_key.size());  // after the SET values and the key
    for (auto& u : table_updates_) {
        if (current != u.mask) {
            current = u.mask;
            cols = update_columns(u.mask);
            current_sql = &sql_.sql(t, versioned ? write_kind::update_versioned : write_kind::update, u.mask);
        }
        const std::string& sql = *current_sql;
        conns_.check_update(u.rec);
        dorm::connection& c = conns_(u.rec);
        driver::statement& st = runner.use(sql, c);
        u.rec->bind_columns(st, cols, 0, scratch_);
        u.rec->bind_key(st, static_cast<int>(cols.size()), scratch_);
        if (versioned) st.bind_int(static_cast<int>(cols.size()) + version_param, u.rec->committed_version());
        echo(c, sql, runner.lease(), [&](std::vector<value>& p) {
            u.rec->column_values(cols, p);
            u.rec->key_values(p);
            if (versioned) p.emplace_back(u.rec->committed_version());
        });
        runner.run(u.rec);
        scratch_.clear();
    }
    runner.finish();
    updates_.insert(updates_.end(), table_updates_.begin(), table_updates_.end());
}

void flush_writer::write_early_updates_through(const schema::table* t) {
    while (updated_tables_ < plan_.tables.size()) {
        const schema::table* u = plan_.tables[updated_tables_++];
        write_updates(u, plan_.early);
        if (u == t) break;
    }
}

/// Rows per multi-row INSERT: enough to make the per-statement work small against the per-row
/// work, few enough that the statement text and its plan stay small.
constexpr std::size_t multi_row_max = 128;

std::size_t flush_writer::rows_per_insert(const schema::table* t, bool generated, dorm::connection& c) const {
    // Only where the dialect gives keys back in VALUES order; not for a sharded session (each
    // row is placed as it is written) nor a table that references itself (a row may need the key
    // of another row of the same INSERT).
    if (conns_.sharded() || !hooks(c.dialect()).multi_row_insert_keys()) return 0;
    for (const auto& col : t->columns)
        if (col.references && &col.references() == t) return 0;
    const std::size_t cols = t->columns.size() - (generated ? 1 : 0);
    if (cols == 0) return 0;  // INSERT ... DEFAULT VALUES
    const auto max_params = static_cast<std::size_t>(std::max(c.raw().max_params(), 1));
    const std::size_t n = std::min(multi_row_max, max_params / cols);
    return n >= 2 ? n : 0;
}

bool flush_writer::multi_row_keys_now(const schema::table* t, std::size_t rows, dorm::connection& c) {
    if (checked_table_ == t) return checked_step_ > 0;
    checked_table_ = t;
    checked_step_ = 0;
    std::vector<value> params;
    const std::string sql = hooks(c.dialect()).multi_row_insert_check(*t, rows, params);
    if (sql.empty()) return false;
    auto lease = c.run(sql, params);
    if (lease->step() && !lease->is_null(0)) checked_step_ = std::max<std::int64_t>(lease->get_int(0), 0);
    lease->reset();
    return checked_step_ > 0;
}

void flush_writer::write_insert_rows(record_base* const* rows, std::size_t n, bool generated,
                                     const std::vector<int>& cols, dorm::connection& c) {
    const schema::table* t = &rows[0]->table();
    const std::string& sql =
        sql_.sql(t, generated ? write_kind::insert_generated_rows : write_kind::insert_all_rows, n);
    statement_lease lease = c.prepare(sql);
    driver::statement& st = *lease;
    const int per_row = static_cast<int>(cols.size());
    for (std::size_t k = 0; k < n; ++k) {
        record_base* r = rows[k];
        if (r->versioned()) {  // a new row's version is 1, whatever the member held
            versions_.note(r, r->version());
            r->set_version(1);
        }
        r->bind_columns(st, cols, static_cast<int>(k) * per_row, scratch_);
    }
    echo(c, sql, lease, [&](std::vector<value>& p) {
        for (std::size_t k = 0; k < n; ++k) rows[k]->column_values(cols, p);
    });
    std::int64_t last = 0, written = 0;
    try {
        st.step();
        written = st.rows_affected();
        last = generated ? st.last_insert_id() : 0;
    } catch (...) {
        st.reset();
        scratch_.clear();
        throw;
    }
    st.reset();
    scratch_.clear();
    if (written != static_cast<std::int64_t>(n))
        throw operational_error("INSERT of " + std::to_string(n) + " rows into table '" + t->name + "' wrote " +
                                std::to_string(written) + " rows");
    if (generated) {
        // keys in VALUES order, checked_step_ apart; the driver's last insert id is the first or
        // the last one's (the dialect's promise, multi_row_insert_keys, checked for this table:
        // multi_row_keys_now)
        const std::int64_t step = checked_step_;
        const std::int64_t first =
            hooks(c.dialect()).last_insert_id_is_first_row() ? last : last - (static_cast<std::int64_t>(n) - 1) * step;
        for (std::size_t k = 0; k < n; ++k) {
            rows[k]->set_generated_key(first + static_cast<std::int64_t>(k) * step);
            rows[k]->generated_key = true;
        }
    }
    for (std::size_t k = 0; k < n; ++k) rows[k]->propagate_to_children();
}

void flush_writer::write_inserts_and_updates() {
    // INSERTs: parents before children (tables, then rows of self-referencing tables)
    {
        const schema::table* current_table = nullptr;  // of all_cols/gen_cols
        const schema::table* current_sql_table = nullptr;
        const std::string* current_sql = nullptr;
        write_kind current_kind = write_kind::insert_all;
        std::vector<int> all_cols, gen_cols;
        const bool returning = sql_.returning();
        auto finish_row = [returning](driver::statement& st, std::pair<record_base*, bool> item, bool row) {
            auto [r, generated] = item;
            if (generated) {
                std::int64_t id = (returning && row) ? st.get_int(0) : st.last_insert_id();
                r->set_generated_key(id);
                r->generated_key = true;
            }
            st.reset();
            r->propagate_to_children();
        };
        // INSERTs of a table are queued (drivers that can) when no row waits for another row's
        // generated key: no relationship edges in this flush.
        write_runner<std::pair<record_base*, bool>, decltype(finish_row)> runner(plan_.edges.empty(), finish_row);
        const auto& inserts = plan_.inserts;
        std::size_t rows_generated = 0, rows_given = 0;  // rows per multi-row INSERT of current_table
        std::size_t single_until = 0;                    // inserts[i < single_until]: row by row
        for (std::size_t i = 0; i < inserts.size(); ++i) {
            record_base* r = inserts[i];
            const schema::table* t = &r->table();
            if (t != current_table) {
                if (!plan_.early.empty() && updated_tables_ < plan_.tables.size()) {
                    runner.finish();  // one batch at a time on a connection
                    write_early_updates_through(t);
                }
                all_cols.clear();
                gen_cols.clear();
                for (int col = 0; col < static_cast<int>(t->columns.size()); ++col) {
                    all_cols.push_back(col);
                    if (col != t->autoincrement_column) gen_cols.push_back(col);
                }
                current_table = t;
                // (one connection per table: a sharded session writes row by row)
                rows_generated = rows_per_insert(t, true, conns_(r));
                rows_given = rows_per_insert(t, false, conns_(r));
                single_until = i;
            }
            if (record_base* old = plan_.switched_from(r)) {
                runner.finish();
                r->sync_parents();
                write_row_switch(r, old);
                single_until = i + 1;
                continue;
            }
            // A run of new rows of this table that all have (or all lack) a generated key and
            // set no column to NULL on purpose: one multi-row INSERT where the dialect allows it
            // (full statements only; the rest of a run row by row, with the statement above).
            if (i >= single_until && !r->null_out) {
                const bool generated = r->generated_key_unset();
                const std::size_t per = generated ? rows_generated : rows_given;
                std::size_t n = 0;
                while (n < per && i + n < inserts.size()) {
                    record_base* x = inserts[i + n];
                    if (&x->table() != t || x->null_out || x->generated_key_unset() != generated ||
                        plan_.switched_from(x) != nullptr)
                        break;
                    ++n;
                }
                if (per && n == per && (!generated || multi_row_keys_now(t, inserts.size() - i, conns_(r)))) {
                    runner.finish();
                    for (std::size_t k = 0; k < n; ++k) inserts[i + k]->sync_parents();
                    write_insert_rows(&inserts[i], n, generated, generated ? gen_cols : all_cols, conns_(r));
                    i += n - 1;
                    continue;
                }
                single_until = i + std::max<std::size_t>(n, 1);
            }
            r->sync_parents();
            conns_.place(r);  // (a sharded session: the row's shard, from its values now set)
            dorm::connection* c = &conns_(r);
            const bool generated = r->generated_key_unset();
            const write_kind kind = generated ? write_kind::insert_generated : write_kind::insert_all;
            if (!current_sql || kind != current_kind || t != current_sql_table) {
                current_sql = &sql_.sql(t, kind);
                current_kind = kind;
                current_sql_table = t;
            }
            const std::string& sql = *current_sql;
            driver::statement& st = runner.use(sql, *c);
            const auto& cols = generated ? gen_cols : all_cols;
            if (r->versioned()) {  // a new row's version is 1, whatever the member held
                versions_.note(r, r->version());
                r->set_version(1);
            }
            r->bind_all(st, generated ? t->autoincrement_column : -1, scratch_);
            if (r->null_out)
                for (int col : cols)
                    if ((r->null_out >> col) & 1) st.bind_null(static_cast<int>(&col - cols.data()));
            echo(*c, sql, runner.lease(), [&](std::vector<value>& p) { r->column_values(cols, p); });
            runner.run({r, generated});
            scratch_.clear();
        }
        runner.finish();
    }
    // the remaining tables' UPDATEs, then those that waited for generated keys
    if (!plan_.early.empty()) write_early_updates_through(nullptr);
    for (const auto* t : plan_.tables)
        if (!plan_.late.empty()) write_updates(t, plan_.late);
}

void flush_writer::write_row_switch(record_base* r, record_base* old) {
    // Every column but the key takes the new object's value; the row must still be there (with the
    // version the session read, on a versioned table), as for any UPDATE.
    const schema::table* t = &r->table();
    const column_mask all = t->columns.size() == 64 ? ~column_mask{0} : (column_mask{1} << t->columns.size()) - 1;
    const column_mask mask = all & ~r->layout().key_mask;
    conns_.place(r);
    if (r->versioned()) {
        versions_.note(r, r->version());
        r->set_version(old->next_version());
    }
    if (mask == 0) {
        r->propagate_to_children();
        return;  // nothing but the key: the row is as the new object says
    }
    const bool versioned = t->version_column >= 0;
    const std::vector<int> cols = update_columns(mask);
    const std::string& sql = sql_.sql(t, versioned ? write_kind::update_versioned : write_kind::update, mask);
    dorm::connection& c = conns_(r);
    statement_lease lease = c.prepare(sql);
    driver::statement& st = *lease;
    const int key_at = static_cast<int>(cols.size());
    try {
        r->bind_columns(st, cols, 0, scratch_);
        r->bind_key(st, key_at, scratch_);
        if (versioned) st.bind_int(key_at + static_cast<int>(t->primary_key.size()), old->committed_version());
        echo(c, sql, lease, [&](std::vector<value>& p) {
            r->column_values(cols, p);
            r->key_values(p);
            if (versioned) p.emplace_back(old->committed_version());
        });
        st.step();
    } catch (...) {
        st.reset();
        scratch_.clear();
        throw;
    }
    const auto n = st.rows_affected();
    st.reset();
    scratch_.clear();
    if (n != 1) throw_stale("UPDATE", *old, n);
    r->propagate_to_children();
}

void flush_writer::write_null_outs() {
    // one statement per record (rare): the connection's one prepare-echo-bind path
    for (auto* r : plan_.null_outs) {
        const std::string& sql = sql_.sql(&r->table(), write_kind::update, r->null_out);
        params_.assign(static_cast<std::size_t>(std::popcount(r->null_out)), value());
        r->key_values(params_);
        conns_(r).execute(sql, params_);
    }
}

void flush_writer::write_deletes(const std::vector<record_base*>& deletes) {
    // a table without a version column: a row already gone is not an error (as before);
    // with one: the row must still have the version the session read
    auto check_deleted = [](driver::statement& st, record_base* r, bool) {
        if (!r->versioned()) {
            st.reset();
            return;
        }
        const auto n = st.rows_affected();
        st.reset();
        if (n != 1) throw_stale("DELETE", *r, n);
    };
    write_runner<record_base*, decltype(check_deleted)> runner(true, check_deleted);
    const schema::table* current_table = nullptr;
    const std::string* current_sql = nullptr;
    for (auto* r : deletes) {
        const schema::table* t = &r->table();
        if (t != current_table) {
            current_table = t;
            current_sql = &sql_.sql(t, write_kind::delete_);
        }
        dorm::connection* c = &conns_(r);
        const std::string& sql = *current_sql;
        driver::statement& st = runner.use(sql, *c);
        r->bind_key(st, 0, scratch_);
        if (r->versioned()) st.bind_int(static_cast<int>(t->primary_key.size()), r->committed_version());
        echo(*c, sql, runner.lease(), [&](std::vector<value>& p) {
            r->key_values(p);
            if (r->versioned()) p.emplace_back(r->committed_version());
        });
        runner.run(r);
        scratch_.clear();
    }
    runner.finish();
}

}  // namespace dorm::detail
