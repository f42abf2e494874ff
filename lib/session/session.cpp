// The unit of work: identity map, pending/dirty/deleted tracking, flush ordering, the
// transaction journal that rollback() undoes.
#include <dorm/session/detail/session_impl.hpp>

#include <algorithm>
#include <map>
#include <tuple>

#include <dorm/error.hpp>
#include <dorm/query/ast.hpp>
#include <dorm/schema/ddl.hpp>

namespace dorm::detail {

void append_key_part(std::string& out, const value& v) {
    // kind tag + length prefix keeps composite keys unambiguous
    out += static_cast<char>('0' + static_cast<int>(v.kind()));
    std::string body;
    switch (v.kind()) {
        case value_kind::null: break;
        case value_kind::integer: body = std::to_string(v.as_int()); break;
        case value_kind::real: body = v.repr(); break;
        case value_kind::text: body = v.as_text(); break;
        case value_kind::blob: body.assign(reinterpret_cast<const char*>(v.as_blob().data()), v.as_blob().size()); break;
    }
    out += std::to_string(body.size());
    out += ':';
    out += body;
}

namespace {

std::vector<int> mask_columns(column_mask mask) {
    std::vector<int> cols;
    for (int i = 0; i < 64; ++i)
        if ((mask >> i) & 1) cols.push_back(i);
    return cols;
}

std::vector<ast::expr_ptr> pk_condition(const schema::table& t) {
    std::vector<ast::expr_ptr> where;
    for (int c : t.primary_key)
        where.push_back(ast::make_op(ast::op::eq, {ast::make_column(&t, c), ast::make_param(value())}));
    return where;
}

bool key_less(const record_base* a, const record_base* b) {
    if (a->ident.i != b->ident.i) return a->ident.i < b->ident.i;
    return a->ident.s < b->ident.s;
}

}  // namespace

session_impl::session_impl(dorm::engine e) : engine_(std::move(e)), dialect_(engine_.dialect()) {}

session_impl::~session_impl() { close(); }

void session_impl::check_usable() const {
    if (failed_)
        throw pending_rollback_error(
            "This Session's transaction has been rolled back due to a previous exception during flush. To begin a "
            "new transaction with this Session, first issue Session.rollback(). Original exception was: " +
            failure_);
}

dorm::connection& session_impl::connection() {
    check_usable();
    if (!conn_) conn_ = engine_.connect();
    if (!conn_.in_transaction()) conn_.begin();
    return conn_;
}

void session_impl::release_connection() noexcept {
    if (conn_) {
        conn_.rollback();
        conn_ = dorm::connection();
    }
}

void session_impl::autoflush() {
    if (autoflush_enabled) flush();
}

std::size_t session_impl::pending_count() const noexcept { return pending_.size(); }

void session_impl::index(record_base* rec) {
    identity_key k;
    if (!rec->key(k)) return;
    auto [it, inserted] = identity_.emplace(k, rec);
    if (!inserted && it->second != rec)
        throw invalid_request_error("dorm: another " + rec->table().type_name + " object with the same primary key is "
                                    "already in this session (one object per primary key per session)");
    rec->ident = std::move(k);
    rec->keyed = true;
}

void session_impl::add(const std::shared_ptr<record_base>& rec) {
    if (rec->owner == this) {
        if (rec->state == object_state::deleted) {  // add() after remove(): keep it
            rec->state = object_state::persistent;
            std::erase(deleted_, rec.get());
        }
        return;
    }
    if (rec->owner)
        throw invalid_request_error("dorm: the " + rec->table().type_name +
                                    " object is already attached to another session; expunge it there first");
    rec->owner = this;
    rec->state = object_state::pending;
    rec->order = next_order_++;
    records_.push_back(rec);
    pending_.push_back(rec.get());
    rec->wire(this);
}

record_base* session_impl::find(const identity_key& k) const {
    auto it = identity_.find(k);
    return it == identity_.end() ? nullptr : it->second;
}

record_base* session_impl::find_object(const void* obj, const identity_key* k) const {
    if (k)
        if (auto* r = find(*k); r && r->object() == obj) return r;
    for (auto* r : pending_)
        if (r->object() == obj) return r;
    for (auto& r : records_)
        if (r && r->owner == this && r->object() == obj) return r.get();
    return nullptr;
}

void session_impl::attach_loaded(const std::shared_ptr<record_base>& rec, const identity_key& k) {
    rec->owner = this;
    rec->state = object_state::persistent;
    rec->ident = k;
    rec->keyed = true;
    identity_.emplace(k, rec.get());
    records_.push_back(rec);
    rec->wire(this);
    watch(rec.get());
}

void session_impl::watch(record_base* rec) {
    if (!rec->watched) {
        rec->watched = true;
        watch_.push_back(rec);
    }
}

void session_impl::forget(record_base* rec) noexcept {
    if (rec->keyed) {
        auto it = identity_.find(rec->ident);
        if (it != identity_.end() && it->second == rec) identity_.erase(it);
        rec->keyed = false;
    }
    if (rec->state == object_state::pending) std::erase(pending_, rec);
    if (rec->state == object_state::deleted) std::erase(deleted_, rec);
    if (rec->watched) {
        std::erase(watch_, rec);
        rec->watched = false;
    }
    rec->state = object_state::transient;
    rec->owner = nullptr;
    try {
        rec->wire(nullptr);
    } catch (...) {
    }
    // drop the session's reference (the user's shared_ptr keeps the object alive)
    for (auto& r : records_)
        if (r.get() == rec) {
            r.reset();
            ++forgotten_;
            break;
        }
    if (forgotten_ > 64 && forgotten_ * 2 > records_.size()) {
        std::erase(records_, nullptr);
        forgotten_ = 0;
    }
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

void session_impl::expunge(record_base* rec) noexcept { forget(rec); }

void session_impl::expunge_all() noexcept {
    for (auto& r : records_) {
        if (!r) continue;
        r->state = object_state::transient;
        r->owner = nullptr;
        r->keyed = false;
        r->watched = false;
        try {
            r->wire(nullptr);
        } catch (...) {
        }
    }
    records_.clear();
    forgotten_ = 0;
    identity_.clear();
    watch_.clear();
    pending_.clear();
    deleted_.clear();
}

bool session_impl::is_modified(record_base* rec) const {
    if (rec->state == object_state::pending || rec->state == object_state::deleted) return true;
    return rec->changed() != 0;
}

const std::string& session_impl::select_by_pk_sql(const schema::table& t) {
    auto it = pk_sql_.find(&t);
    if (it != pk_sql_.end()) return it->second;
    ast::select s;
    s.entities.push_back(ast::entity_ref{&t, {}});
    s.where = pk_condition(t);
    return pk_sql_.emplace(&t, compile_select(s, dialect_).sql).first->second;
}

statement_lease session_impl::run(const std::string& sql, std::span<const value> params) {
    auto& c = connection();
    statement_lease lease = c.prepare(sql);
    for (std::size_t i = 0; i < params.size(); ++i) lease->bind(static_cast<int>(i), params[i]);
    if (c.echo()) c.log_statement(sql, lease, params);
    return lease;
}

void session_impl::refresh(record_base* rec) {
    if (rec->state != object_state::persistent)
        throw invalid_request_error("dorm: refresh() needs a persistent object (flush it first)");
    std::vector<value> key;
    rec->key_values(key);
    auto lease = run(select_by_pk_sql(rec->table()), key);
    if (!lease->step())
        throw invalid_request_error("dorm: could not refresh the " + rec->table().type_name +
                                    " object: its row no longer exists");
    rec->read_row(*lease, 0);
    rec->take_snapshot();
}

// -- flush ---------------------------------------------------------------------------------

namespace {
enum class sql_kind { insert_all, insert_generated, update, delete_ };
}

void session_impl::flush() {
    check_usable();
    try {
        do_flush();
    } catch (const std::exception& e) {
        failed_ = true;
        failure_ = e.what();
        release_connection();
        throw;
    }
}

void session_impl::do_flush() {
    // cascade save-update: related objects join the session
    {
        std::vector<std::shared_ptr<record_base>> reach;
        for (std::size_t i = 0; i < pending_.size(); ++i) pending_[i]->related(reach);
        for (auto* r : watch_) r->related(reach);
        for (std::size_t i = 0; i < reach.size(); ++i)
            if (reach[i] && reach[i]->owner != this) add(reach[i]);
    }
    struct update_item {
        record_base* rec;
        column_mask mask;
    };
    std::vector<update_item> updates;
    for (auto* r : watch_)
        if (r->state == object_state::persistent)
            if (column_mask m = r->changed()) updates.push_back({r, m});
    if (pending_.empty() && updates.empty() && deleted_.empty()) {
        // nothing to write: forget clean objects nobody else holds
        std::erase_if(watch_, [](record_base* r) {
            if (r->weak_from_this().use_count() > 1) return false;
            r->watched = false;
            return true;
        });
        return;
    }

    auto& c = connection();
    const bool echo = c.echo();
    const auto& hooks_returning = dialect_ == dialect::postgresql || dialect_ == dialect::oracle;

    // tables in foreign-key order
    std::vector<const schema::table*> tables;
    auto note = [&](const schema::table* t) {
        if (std::find(tables.begin(), tables.end(), t) == tables.end()) tables.push_back(t);
    };
    for (auto* r : pending_) note(&r->table());
    for (auto& u : updates) note(&u.rec->table());
    for (auto* r : deleted_) note(&r->table());
    std::vector<const schema::table*> order = schema::sorted_by_dependency(tables);

    std::map<std::tuple<const schema::table*, sql_kind, column_mask>, std::string> sqls;
    auto sql_for = [&](const schema::table* t, sql_kind k, column_mask mask) -> const std::string& {
        auto key = std::make_tuple(t, k, mask);
        auto it = sqls.find(key);
        if (it != sqls.end()) return it->second;
        compiled out;
        if (k == sql_kind::insert_all || k == sql_kind::insert_generated) {
            ast::insert ins;
            ins.table = t;
            std::vector<value> row;
            for (int i = 0; i < static_cast<int>(t->columns.size()); ++i) {
                if (k == sql_kind::insert_generated && i == t->autoincrement_column) continue;
                ins.columns.push_back(i);
                row.emplace_back();
            }
            ins.rows.push_back(std::move(row));
            if (k == sql_kind::insert_generated && hooks_returning) ins.returning.push_back(t->autoincrement_column);
            out = compile_insert(ins, dialect_);
        } else if (k == sql_kind::update) {
            ast::update up;
            up.table = t;
            for (int col : mask_columns(mask)) up.sets.emplace_back(col, ast::make_param(value()));
            up.where = pk_condition(*t);
            out = compile_update(up, dialect_);
        } else {
            ast::delete_ del;
            del.table = t;
            del.where = pk_condition(*t);
            out = compile_delete(del, dialect_);
        }
        return sqls.emplace(key, std::move(out.sql)).first->second;
    };

    std::vector<value> echo_params;
    // INSERTs, parents first, in add() order within a table
    std::vector<record_base*> inserted;
    for (const auto* t : order) {
        std::vector<int> all_cols, gen_cols;
        for (int i = 0; i < static_cast<int>(t->columns.size()); ++i) {
            all_cols.push_back(i);
            if (i != t->autoincrement_column) gen_cols.push_back(i);
        }
        statement_lease lease;
        sql_kind current = sql_kind::delete_;
        for (auto* r : pending_) {
            if (&r->table() != t) continue;
            identity_key k;
            const bool generated = t->autoincrement_column >= 0 && !r->key(k);
            const sql_kind kind = generated ? sql_kind::insert_generated : sql_kind::insert_all;
            const std::string& sql = sql_for(t, kind, 0);
            if (!lease.get() || current != kind) {
                lease = statement_lease();
                lease = c.prepare(sql);
                current = kind;
            }
            const auto& cols = generated ? gen_cols : all_cols;
            r->bind_columns(*lease, cols, 0, scratch_);
            if (echo) {
                echo_params.clear();
                r->column_values(cols, echo_params);
                c.log_statement(sql, lease, echo_params);
            }
            const bool row = lease->step();
            if (generated) {
                std::int64_t id = (hooks_returning && row) ? lease->get_int(0) : lease->last_insert_id();
                r->set_generated_key(id);
                r->generated_key = true;
            }
            lease->reset();
            scratch_.clear();
            inserted.push_back(r);
        }
    }

    // UPDATEs: parents first; grouped by changed-column set; primary-key order
    std::stable_sort(updates.begin(), updates.end(), [](const update_item& a, const update_item& b) {
        if (a.mask != b.mask) return a.mask < b.mask;
        return key_less(a.rec, b.rec);
    });
    for (const auto* t : order) {
        statement_lease lease;
        column_mask current = 0;
        std::vector<int> cols;
        for (auto& u : updates) {
            if (&u.rec->table() != t) continue;
            const std::string& sql = sql_for(t, sql_kind::update, u.mask);
            if (!lease.get() || current != u.mask) {
                lease = statement_lease();
                lease = c.prepare(sql);
                current = u.mask;
                cols = mask_columns(u.mask);
            }
            u.rec->bind_columns(*lease, cols, 0, scratch_);
            u.rec->bind_key(*lease, static_cast<int>(cols.size()), scratch_);
            if (echo) {
                echo_params.clear();
                u.rec->column_values(cols, echo_params);
                u.rec->key_values(echo_params);
                c.log_statement(sql, lease, echo_params);
            }
            lease->step();
            const auto n = lease->rows_affected();
            lease->reset();
            scratch_.clear();
            if (n != 1)
                throw stale_data_error("UPDATE statement on table '" + t->name + "' expected to update 1 row(s); " +
                                       std::to_string(n) + " were matched");
        }
    }

    // DELETEs: children first, primary-key order
    std::vector<record_base*> deletes = deleted_;
    std::stable_sort(deletes.begin(), deletes.end(), key_less);
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const auto* t = *it;
        statement_lease lease;
        for (auto* r : deletes) {
            if (&r->table() != t) continue;
            const std::string& sql = sql_for(t, sql_kind::delete_, 0);
            if (!lease.get()) lease = c.prepare(sql);
            r->bind_key(*lease, 0, scratch_);
            if (echo) {
                echo_params.clear();
                r->key_values(echo_params);
                c.log_statement(sql, lease, echo_params);
            }
            lease->step();
            lease->reset();
            scratch_.clear();
        }
    }

    // Everything was written: update the bookkeeping.
    for (auto* r : inserted) {
        r->state = object_state::persistent;
        r->take_snapshot();
        r->inserted_in_txn = true;
        index(r);
        txn_inserted_.push_back(r->shared_from_this());
        watch(r);
    }
    pending_.clear();
    for (auto& u : updates) {
        if (!u.rec->inserted_in_txn) u.rec->save_backup();
        identity_key before = u.rec->ident;
        u.rec->take_snapshot(u.mask);
        identity_key now;
        if (u.rec->key(now) && !(now == before)) {  // the primary key changed
            identity_.erase(before);
            u.rec->keyed = false;
            index(u.rec);
        }
    }
    for (auto* r : deletes) {
        r->deleted_in_txn = true;
        txn_deleted_.push_back(r->shared_from_this());
        forget(r);
    }
    deleted_.clear();
    std::erase_if(watch_, [](record_base* r) {
        if (r->weak_from_this().use_count() > 1) return false;
        r->watched = false;
        return true;
    });
}

void session_impl::commit() {
    check_usable();
    flush();
    if (conn_) {
        try {
            conn_.commit();
        } catch (const std::exception& e) {
            failed_ = true;
            failure_ = e.what();
            release_connection();
            throw;
        }
    }
    for (auto& r : txn_inserted_) {
        r->inserted_in_txn = false;
        r->generated_key = false;
    }
    txn_inserted_.clear();
    for (auto& r : txn_deleted_) r->deleted_in_txn = false;
    txn_deleted_.clear();
    for (auto& r : records_)
        if (r && r->has_backup) r->drop_backup();
    release_connection();
}

void session_impl::rollback() noexcept {
    release_connection();
    try {
        // objects added in this transaction leave the session
        std::vector<record_base*> leaving(pending_.begin(), pending_.end());
        for (auto& r : txn_inserted_) leaving.push_back(r.get());
        for (auto* r : leaving) {
            if (r->generated_key) r->clear_generated_key();
            r->generated_key = false;
            r->inserted_in_txn = false;
            r->has_snapshot = false;
            if (r->owner == this) forget(r);
        }
        txn_inserted_.clear();
        pending_.clear();
        // deleted ones come back
        for (auto& r : txn_deleted_) {
            r->deleted_in_txn = false;
            r->owner = this;
            r->state = object_state::persistent;
            records_.push_back(r);
            identity_.emplace(r->ident, r.get());
            r->keyed = true;
            r->wire(this);
            watch(r.get());
        }
        txn_deleted_.clear();
        for (auto* r : deleted_) r->state = object_state::persistent;
        deleted_.clear();
        // changed ones get their last committed values back
        for (auto& r : records_) {
            if (!r || r->owner != this) continue;
            if (r->has_backup || r->changed() != 0) {
                identity_key before = r->ident;
                r->restore_committed();
                identity_key now;
                if (r->keyed && r->key(now) && !(now == before)) {
                    identity_.erase(before);
                    r->keyed = false;
                    index(r.get());
                }
            }
        }
    } catch (...) {
        // restoring values cannot fail for valid objects; never let rollback throw
    }
    failed_ = false;
    failure_.clear();
}

void session_impl::close() noexcept {
    rollback();
    expunge_all();
}

}  // namespace dorm::detail
