// Emitting a flush (SQLAlchemy's persistence.py): the UPDATE, INSERT, NULL-out and DELETE
// statements of the mapped tables, per table and in the plan's order, with the row-count checks
// that raise stale_data_error. Association rows are flush_association_rows.cpp.
#include <algorithm>
#include <bit>
#include <string>

#include <dorm/error.hpp>

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
        for (auto* r : plan_.inserts) {
            const schema::table* t = &r->table();
            if (t != current_table) {
                if (!plan_.early.empty() && updated_tables_ < plan_.tables.size()) {
                    runner.finish();  // one batch at a time on a connection
                    write_early_updates_through(t);
                }
                all_cols.clear();
                gen_cols.clear();
                for (int i = 0; i < static_cast<int>(t->columns.size()); ++i) {
                    all_cols.push_back(i);
                    if (i != t->autoincrement_column) gen_cols.push_back(i);
                }
                current_table = t;
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
