// The unit of work: identity map, pending/dirty/deleted tracking, flush ordering, the
// transaction journal that rollback() undoes.
#include <dorm/session/detail/session_impl.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>
#include <unordered_set>

#include <dorm/error.hpp>
#include <dorm/query/ast.hpp>
#include <dorm/schema/ddl.hpp>
#include <dorm/session/detail/work_counts.hpp>

namespace dorm::detail {

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

/// <pk> = ? AND <version> = ? for a table with a dorm::version column.
std::vector<ast::expr_ptr> versioned_condition(const schema::table& t) {
    std::vector<ast::expr_ptr> where = pk_condition(t);
    if (t.version_column >= 0)
        where.push_back(ast::make_op(ast::op::eq, {ast::make_column(&t, t.version_column), ast::make_param(value())}));
    return where;
}

bool key_less(const record_base* a, const record_base* b) {
    if (a->ident.i != b->ident.i) return a->ident.i < b->ident.i;
    return a->ident.s < b->ident.s;
}

}  // namespace

session_impl::session_impl(dorm::engine e, std::optional<isolation> level)
    : engine_(std::move(e)), dialect_(engine_.dialect()), isolation_(level) {
    if (isolation_) check_isolation(dialect_, *isolation_, "dorm::session");
}

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
    if (!conn_.in_transaction()) {
        if (isolation_)
            conn_.begin(*isolation_);
        else
            conn_.begin();
    }
    return conn_;
}

void session_impl::begin(std::optional<isolation> level) {
    check_usable();
    if (conn_ && conn_.in_transaction())
        throw invalid_request_error("A transaction is already begun on this Session (dorm: session.begin() starts "
                                    "one; commit() or rollback() ends it)");
    if (!level) level = isolation_;
    if (level) check_isolation(dialect_, *level, "session.begin");
    if (!conn_) conn_ = engine_.connect();
    if (level)
        conn_.begin(*level);
    else
        conn_.begin();
}

void session_impl::begin_write() {
    check_usable();
    if (!conn_) conn_ = engine_.connect();
    conn_.begin_write(isolation_);
}

void session_impl::release_connection() noexcept {
    if (conn_) {
        conn_.rollback();
        conn_ = dorm::connection();
    }
}

namespace {
/// Rethrows the exception being handled as the same dorm error type with `prefix` before its
/// message (other exceptions as they are).
template <class E, class... Rest>
[[noreturn]] void rethrow_prefixed(const std::exception& e, const std::string& prefix) {
    if (auto* x = dynamic_cast<const E*>(&e)) {
        if constexpr (std::is_same_v<E, data_error>)
            throw data_error(prefix + x->what(), x->details(), x->code(), x->sqlstate());
        else if constexpr (std::is_same_v<E, stale_data_error>)
            throw stale_data_error(prefix + x->what(), x->details());
        else if constexpr (std::is_base_of_v<database_error, E>)
            throw E(prefix + x->what(), x->code(), x->sqlstate());
        else
            throw E(prefix + x->what());
    }
    if constexpr (sizeof...(Rest) > 0)
        rethrow_prefixed<Rest...>(e, prefix);
    else
        throw;
}
}  // namespace

void session_impl::autoflush() {
    // nothing added, removed or handed out since the last flush: nothing can be dirty
    if (!autoflush_enabled || (pending_.empty() && deleted_.empty() && watch_.empty())) return;
    try {
        flush();
    } catch (const error& e) {
        // as SQLAlchemy: say that the error came from the flush a query (or a lazy load) started
        rethrow_prefixed<unique_violation, foreign_key_violation, not_null_violation, check_violation, integrity_error,
                         data_error, programming_error, operational_error, database_error, stale_data_error,
                         invalid_request_error, argument_error, detached_instance_error, unsupported_error, error>(
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
        if (pending_index_stale_) {
            pending_index_.clear();
            for (auto* r : pending_) pending_index_.emplace(r->object(), r);
            pending_index_stale_ = false;
        }
        auto it = pending_index_.find(obj);
        if (it != pending_index_.end()) return it->second;
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
    auto it = object_slots_.find(obj);
    if (it == object_slots_.end()) return nullptr;
    record_base* r = it->second < records_.size() ? records_[it->second].get() : nullptr;
    return (r && r->owner == this && r->object() == obj) ? r : nullptr;
}

void session_impl::build_object_slots() const {
    object_slots_.clear();
    object_slots_.reserve(records_.size());
    for (std::size_t i = 0; i < records_.size(); ++i)
        if (records_[i]) object_slots_.emplace(records_[i]->object(), i);
    object_slots_built_ = true;
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
    if (r->state != object_state::persistent || !r->has_snapshot || r->inserted_in_txn) return false;
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
            auto it = object_slots_.find(rec->object());
            if (it != object_slots_.end() && it->second < records_.size() && records_[it->second].get() == rec) {
                at = it->second;
                object_slots_.erase(it);
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
        if (!pending_index_stale_) pending_index_.erase(rec->object());
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
        object_slots_.clear();
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

void session_impl::expunge(record_base* rec) noexcept { forget(rec); }

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
    object_slots_built_ = false;
    object_slots_.clear();
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

const std::string& session_impl::select_by_pk_sql(const schema::table& t) {
    auto it = pk_sql_.find(&t);
    if (it != pk_sql_.end()) return it->second;
    ast::select s;
    s.entities.push_back(ast::entity_ref{&t, {}});
    s.where = pk_condition(t);
    return pk_sql_.emplace(&t, compile_select(s, dialect_).sql).first->second;
}

const std::string& session_impl::relationship_sql(const schema::table& target, int fk_col,
                                                  const schema::table* assoc, int assoc_owner_col,
                                                  int assoc_target_col) {
    std::string key = target.name + '\x1f' + std::to_string(fk_col) + '\x1f' + (assoc ? assoc->name : "") + '\x1f' +
                      std::to_string(assoc_owner_col) + '\x1f' + std::to_string(assoc_target_col);
    auto it = relationship_sql_.find(key);
    if (it != relationship_sql_.end()) return it->second;
    ast::select s;
    s.entities.push_back(ast::entity_ref{&target, {}});
    if (assoc) {
        s.joins.push_back(ast::join{
            ast::join_kind::inner, ast::table_ref{assoc, {}, nullptr},
            ast::make_op(ast::op::eq, {ast::make_column(assoc, assoc_target_col),
                                       ast::make_column(&target, target.primary_key.front())})});
        s.where.push_back(ast::make_op(ast::op::eq, {ast::make_column(assoc, assoc_owner_col), ast::make_param(value())}));
    } else {
        s.where.push_back(ast::make_op(ast::op::eq, {ast::make_column(&target, fk_col), ast::make_param(value())}));
    }
    return relationship_sql_.emplace(std::move(key), compile_select(s, dialect_).sql).first->second;
}

void session_impl::before_lazy_load(const schema::table&, const char*) { ++lazy_loads_; }

statement_lease session_impl::run(const std::string& sql, std::span<const value> params) {
    return connection().run(sql, params);
}

void session_impl::refresh(record_base* rec) {
    if (rec->state != object_state::persistent)
        throw invalid_request_error("dorm: refresh() needs a persistent object (flush it first)");
    // As SQLAlchemy: the object's own unflushed column changes are dropped, then the rest of the
    // session is autoflushed (a relationship change elsewhere may set this row's foreign key)
    rec->discard_changes();
    autoflush();
    std::vector<value> key;
    rec->key_values(key);
    auto lease = run(select_by_pk_sql(rec->table()), key);
    if (!lease->step())
        throw invalid_request_error("dorm: could not refresh the " + rec->table().type_name +
                                    " object: its row no longer exists");
    rec->read_row(*lease, 0);
    rec->take_snapshot();
}

void session_impl::repopulate(record_base* rec, driver::statement& s, int first) {
    rec->read_row(s, first);
    rec->take_snapshot();
}

// -- flush ---------------------------------------------------------------------------------

namespace {
/// update_versioned: UPDATE ... WHERE <pk> AND <version> = ? (tables with a dorm::version
/// column; delete_ matches the version on those tables too).
enum class sql_kind { insert_all, insert_generated, update, update_versioned, delete_ };

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
}

void session_impl::flush() {
    check_usable();
    if (flushing_) return;  // a lazy load inside a flush
    flushing_ = true;
    try {
        do_flush();
    } catch (const std::exception& e) {
        flushing_ = false;
        failed_ = true;
        failure_ = e.what();
        release_connection();
        throw;
    }
    flushing_ = false;
}

namespace {

/// Orders records so that every (parent, child) edge has the parent first; ties by table rank,
/// then add()/load order.
std::vector<record_base*> order_records(const std::vector<record_base*>& recs,
                                        const std::vector<std::pair<record_base*, record_base*>>& edges,
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

using assoc_row = record_base::assoc_row;

/// INSERTs, UPDATEs and DELETEs sent per round trip by a driver that can queue executions
/// (results are small: generated keys, row counts; a batch stays well inside the socket buffers).
constexpr std::size_t write_batch = 256;

/// Runs the executions of one prepared write statement at a time and hands each one's outcome to
/// `done(statement&, Item, bool row)`, in order: at once, or, when the driver can queue executions
/// (PostgreSQL's pipeline mode) and `queue_ok`, in batches of write_batch (one round trip each).
/// `row` says whether the execution returned a row (INSERT ... RETURNING).
template <class Item, class Done>
class write_runner {
public:
    write_runner(dorm::connection& c, bool queue_ok, Done done) : c_(c), queue_ok_(queue_ok), done_(std::move(done)) {}

    /// Switches to the statement of `sql` (a string that lives as long as the flush; the same
    /// pointer keeps the current statement), after finishing the executions still queued.
    driver::statement& use(const std::string& sql) {
        if (&sql != sql_) {
            finish();
            lease_.release();  // before prepare: the cache hands out a free statement only
            lease_ = c_.prepare(sql);
            sql_ = &sql;
        }
        return *lease_;
    }
    const statement_lease& lease() const noexcept { return lease_; }
    /// Executes the bound statement (or queues it).
    void run(Item item) {
        if (queue_ok_ && lease_->can_queue()) {
            lease_->queue();
            queued_.push_back(item);
            if (queued_.size() >= write_batch) finish();
            return;
        }
        const bool row = lease_->step();
        done_(*lease_, item, row);
    }
    /// Reads back every queued execution.
    void finish() {
        for (auto& item : queued_) {
            lease_->next_queued();
            const bool row = lease_->step();
            done_(*lease_, item, row);
        }
        queued_.clear();
    }

private:
    dorm::connection& c_;
    const bool queue_ok_;
    Done done_;
    statement_lease lease_;
    const std::string* sql_ = nullptr;
    std::vector<Item> queued_;
};

/// The same association row reported from both sides of a pair gets the same identity.
std::string assoc_identity(const assoc_row& a) {
    std::string ko, kt;
    append_key_part(ko, a.owner_key);
    append_key_part(kt, a.target_key);
    int first = a.owner_col;
    int second = a.target_col;
    if (a.target_col >= 0 && a.owner_col > a.target_col) {
        std::swap(first, second);
        std::swap(ko, kt);
    }
    std::string id(reinterpret_cast<const char*>(&a.table), sizeof a.table);
    id.append(reinterpret_cast<const char*>(&first), sizeof first);
    id.append(reinterpret_cast<const char*>(&second), sizeof second);
    id += ko;  // append_key_part's encoding is self-delimiting
    id += kt;
    return id;
}

/// Drops repeated association rows (both sides of a pair report each), keeping the first: O(n).
void dedupe(std::vector<assoc_row>& rows) {
    std::vector<assoc_row> out;
    out.reserve(rows.size());
    std::unordered_set<std::string> seen;
    seen.reserve(rows.size());
    for (auto& r : rows) {
        ++thread_work_counts().collection_steps;
        if (!seen.insert(assoc_identity(r)).second) continue;
        out.push_back(std::move(r));
    }
    rows = std::move(out);
}

}  // namespace

void session_impl::do_flush() {
    thread_work_counts().flush_visits += pending_.size() + watch_.size() + deleted_.size();
    // cascade save-update: related objects join the session
    {
        std::vector<std::shared_ptr<record_base>> reach;
        for (std::size_t i = 0; i < pending_.size(); ++i) pending_[i]->related(reach);
        for (std::size_t i = 0; i < watch_.size(); ++i) watch_[i]->related(reach);
        for (auto& r : reach)
            if (r && r->owner != this) add(r);
    }
    // an object linked to a new one before add() that the cascade cannot reach is not left out silently
    unhooked_refs::check(this);
    // deletes cascade or de-associate children (may load them)
    for (std::size_t i = 0; i < deleted_.size(); ++i) deleted_[i]->on_delete();
    // foreign keys follow the relationships of loaded objects
    for (std::size_t i = 0; i < watch_.size(); ++i) {
        record_base* r = watch_[i];
        if (r->state != object_state::persistent) continue;
        r->sync_parents();
        r->propagate_to_children();
    }
    bool dirty = !pending_.empty() || !deleted_.empty();
    std::vector<assoc_row> assoc_ins, assoc_del;
    for (std::size_t i = 0; !dirty && i < watch_.size(); ++i) {
        record_base* r = watch_[i];
        if (r->state != object_state::persistent) continue;
        if (r->null_out || r->changed()) dirty = true;
        r->assoc_changes(assoc_ins, assoc_del);
        if (!assoc_ins.empty() || !assoc_del.empty()) dirty = true;
    }
    assoc_ins.clear();
    assoc_del.clear();
    if (!dirty) {
        // nothing to write: forget clean objects nobody else holds
        std::erase_if(watch_, [](record_base* r) {
            if (r->weak_from_this().use_count() > 1) return false;
            r->watched = false;
            return true;
        });
        return;
    }

    // A value that cannot be stored is refused before any SQL is sent (data_error naming the
    // table, the column, the value and the C++ type); the flush fails as any other.
    for (auto* r : pending_) r->check_values();
    for (auto* r : watch_)
        if (r->state == object_state::persistent) {
            r->check_values();
            r->check_version_bump();  // a dorm::version member that would wrap
        }

    auto& c = connection();
    const bool echo = c.echo();
    const bool returning = dialect_ == dialect::postgresql || dialect_ == dialect::oracle;

    // tables in foreign-key order
    std::vector<const schema::table*> tables;
    auto note = [&](const schema::table* t) {
        if (tables.empty() || (tables.back() != t && std::find(tables.begin(), tables.end(), t) == tables.end()))
            tables.push_back(t);
    };
    for (auto* r : pending_) note(&r->table());
    for (auto* r : watch_) note(&r->table());
    for (auto* r : deleted_) note(&r->table());
    const std::vector<const schema::table*> order = schema::sorted_by_dependency(tables);

    std::vector<std::pair<record_base*, record_base*>> edges;
    for (auto* r : pending_) r->edges(edges);
    for (auto* r : watch_) r->edges(edges);

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
            if (k == sql_kind::insert_generated && returning) ins.returning.push_back(t->autoincrement_column);
            out = compile_insert(ins, dialect_);
        } else if (k == sql_kind::update || k == sql_kind::update_versioned) {
            ast::update up;
            up.table = t;
            for (int col : mask_columns(mask)) up.sets.emplace_back(col, ast::make_param(value()));
            up.where = k == sql_kind::update_versioned ? versioned_condition(*t) : pk_condition(*t);
            out = compile_update(up, dialect_);
        } else {
            ast::delete_ del;
            del.table = t;
            del.where = versioned_condition(*t);
            out = compile_delete(del, dialect_);
        }
        return sqls.emplace(key, std::move(out.sql)).first->second;
    };
    std::vector<value> echo_params;

    // dorm::version members this flush sets (INSERT: 1, UPDATE: +1), with their values before:
    // a flush that fails puts them back, so no object claims a version its row does not have.
    struct version_undo {
        std::vector<std::pair<record_base*, std::int64_t>> before;
        bool kept = false;
        ~version_undo() {
            if (kept) return;
            for (auto it = before.rbegin(); it != before.rend(); ++it) it->first->set_version(it->second);
        }
    } versions;

    // UPDATEs and INSERTs, table by table in foreign-key order; within a table its UPDATEs run
    // before its INSERTs (SQLAlchemy's order: renaming "bob" and adding a new "bob" in one flush
    // works). An UPDATE that needs the generated key of a row INSERTed in this flush (a loaded
    // child of a new parent) runs after the INSERTs.
    struct update_item {
        record_base* rec;
        column_mask mask;
    };
    std::vector<update_item> updates;
    std::vector<record_base*> null_outs;
    std::vector<record_base*> early, late;  // persistent records to look at before / after the INSERTs
    {
        std::vector<const record_base*> waits;  // children of new rows
        for (const auto& [parent, child] : edges)
            if (parent->state == object_state::pending && child->state == object_state::persistent)
                waits.push_back(child);
        std::sort(waits.begin(), waits.end());
        for (auto* r : watch_) {
            if (r->state != object_state::persistent) continue;
            (std::binary_search(waits.begin(), waits.end(), r) ? late : early).push_back(r);
            if (r->null_out) null_outs.push_back(r);
        }
    }
    auto update_less = [](const update_item& a, const update_item& b) {
        if (a.mask != b.mask) return a.mask < b.mask;
        return key_less(a.rec, b.rec);
    };
    auto check_matched = [](driver::statement& st, record_base* r, bool) {
        const auto n = st.rows_affected();
        st.reset();
        if (n != 1) throw_stale("UPDATE", *r, n);
    };
    // the UPDATEs of table t among `recs`: grouped by changed-column set, in primary-key order
    std::vector<update_item> table_updates;
    auto run_updates = [&](const schema::table* t, const std::vector<record_base*>& recs) {
        table_updates.clear();
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
                    versions.before.emplace_back(r, committed);
                    r->set_version(next);
                    m |= version_bit;
                }
            }
            if (m) table_updates.push_back({r, m});
        }
        if (table_updates.empty()) return;
        if (!std::is_sorted(table_updates.begin(), table_updates.end(), update_less))
            std::stable_sort(table_updates.begin(), table_updates.end(), update_less);
        write_runner<record_base*, decltype(check_matched)> runner(c, true, check_matched);
        column_mask current = 0;  // a changed-column set is never empty
        const std::string* current_sql = nullptr;
        std::vector<int> cols;
        const bool versioned = t->version_column >= 0;
        const int version_param = static_cast<int>(t->primary_key.size());  // after the SET values and the key
        for (auto& u : table_updates) {
            if (current != u.mask) {
                current = u.mask;
                cols = mask_columns(u.mask);
                current_sql = &sql_for(t, versioned ? sql_kind::update_versioned : sql_kind::update, u.mask);
            }
            const std::string& sql = *current_sql;
            driver::statement& st = runner.use(sql);
            u.rec->bind_columns(st, cols, 0, scratch_);
            u.rec->bind_key(st, static_cast<int>(cols.size()), scratch_);
            if (versioned) st.bind_int(static_cast<int>(cols.size()) + version_param, u.rec->committed_version());
            if (echo) {
                echo_params.clear();
                u.rec->column_values(cols, echo_params);
                u.rec->key_values(echo_params);
                if (versioned) echo_params.emplace_back(u.rec->committed_version());
                c.log_statement(sql, runner.lease(), echo_params);
            }
            runner.run(u.rec);
            scratch_.clear();
        }
        runner.finish();
        updates.insert(updates.end(), table_updates.begin(), table_updates.end());
    };
    std::size_t updated_tables = 0;  // order[0 .. updated_tables) had their early UPDATEs
    auto updates_through = [&](const schema::table* t) {  // early UPDATEs of t and the tables before it
        while (updated_tables < order.size()) {
            const schema::table* u = order[updated_tables++];
            run_updates(u, early);
            if (u == t) break;
        }
    };

    // INSERTs: parents before children (tables, then rows of self-referencing tables)
    const std::vector<record_base*> inserts = order_records(pending_, edges, order);
    {
        const schema::table* current_table = nullptr;  // of all_cols/gen_cols
        const schema::table* current_sql_table = nullptr;
        const std::string* current_sql = nullptr;
        sql_kind current_kind = sql_kind::insert_all;
        std::vector<int> all_cols, gen_cols;
        // INSERTs of a table are queued (drivers that can) when no row waits for another row's
        // generated key: no relationship edges in this flush.
        auto finish_row = [&](driver::statement& st, std::pair<record_base*, bool> item, bool row) {
            auto [r, generated] = item;
            if (generated) {
                std::int64_t id = (returning && row) ? st.get_int(0) : st.last_insert_id();
                r->set_generated_key(id);
                r->generated_key = true;
            }
            st.reset();
            r->propagate_to_children();
        };
        write_runner<std::pair<record_base*, bool>, decltype(finish_row)> runner(c, edges.empty(), finish_row);
        for (auto* r : inserts) {
            const schema::table* t = &r->table();
            if (t != current_table) {
                if (!early.empty() && updated_tables < order.size()) {
                    runner.finish();  // one batch at a time on a connection
                    updates_through(t);
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
            const bool generated = r->generated_key_unset();
            const sql_kind kind = generated ? sql_kind::insert_generated : sql_kind::insert_all;
            if (!current_sql || kind != current_kind || t != current_sql_table) {
                current_sql = &sql_for(t, kind, 0);
                current_kind = kind;
                current_sql_table = t;
            }
            const std::string& sql = *current_sql;
            driver::statement& st = runner.use(sql);
            const auto& cols = generated ? gen_cols : all_cols;
            if (r->versioned()) {  // a new row's version is 1, whatever the member held
                versions.before.emplace_back(r, r->version());
                r->set_version(1);
            }
            r->bind_all(st, generated ? t->autoincrement_column : -1, scratch_);
            if (r->null_out)
                for (int col : cols)
                    if ((r->null_out >> col) & 1) st.bind_null(static_cast<int>(&col - cols.data()));
            if (echo) {
                echo_params.clear();
                r->column_values(cols, echo_params);
                c.log_statement(sql, runner.lease(), echo_params);
            }
            runner.run({r, generated});
            scratch_.clear();
        }
        runner.finish();
    }
    // the remaining tables' UPDATEs, then those that waited for generated keys
    if (!early.empty()) updates_through(nullptr);
    for (const auto* t : order)
        if (!late.empty()) run_updates(t, late);

    // de-associated NOT NULL foreign keys: let the database object
    for (auto* r : null_outs) {
        const std::string& sql = sql_for(&r->table(), sql_kind::update, r->null_out);
        auto lease = c.prepare(sql);
        const auto cols = mask_columns(r->null_out);
        for (std::size_t i = 0; i < cols.size(); ++i) lease->bind_null(static_cast<int>(i));
        r->bind_key(*lease, static_cast<int>(cols.size()), scratch_);
        if (echo) {
            echo_params.assign(cols.size(), value());
            r->key_values(echo_params);
            c.log_statement(sql, lease, echo_params);
        }
        lease->step();
        lease->reset();
        scratch_.clear();
    }

    // many-to-many association rows
    for (auto* r : inserts) r->assoc_changes(assoc_ins, assoc_del);
    for (auto* r : watch_)
        if (r->state == object_state::persistent) r->assoc_changes(assoc_ins, assoc_del);
    for (auto* r : deleted_) r->assoc_changes(assoc_ins, assoc_del);
    dedupe(assoc_ins);
    dedupe(assoc_del);
    for (auto& a : assoc_del) {
        ast::delete_ del;
        del.table = a.table;
        del.where.push_back(ast::make_op(ast::op::eq, {ast::make_column(a.table, a.owner_col), ast::make_param(a.owner_key)}));
        if (a.target_col >= 0)
            del.where.push_back(
                ast::make_op(ast::op::eq, {ast::make_column(a.table, a.target_col), ast::make_param(a.target_key)}));
        compiled out = compile_delete(del, dialect_);
        c.execute(out.sql, out.params);
    }
    for (auto& a : assoc_ins) {
        ast::insert ins;
        ins.table = a.table;
        ins.columns = {a.owner_col, a.target_col};
        ins.rows.push_back({a.owner_key, a.target_key});
        compiled out = compile_insert(ins, dialect_);
        c.execute(out.sql, out.params);
    }

    // DELETEs: children before parents (tables, then rows of self-referencing tables)
    std::vector<std::pair<record_base*, record_base*>> delete_edges;
    for (auto* r : deleted_) r->edges(delete_edges);
    std::vector<record_base*> deletes = order_records(deleted_, delete_edges, order, true);
    std::reverse(deletes.begin(), deletes.end());
    {
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
        write_runner<record_base*, decltype(check_deleted)> runner(c, true, check_deleted);
        const schema::table* current_table = nullptr;
        const std::string* current_sql = nullptr;
        for (auto* r : deletes) {
            const schema::table* t = &r->table();
            if (t != current_table) {
                current_table = t;
                current_sql = &sql_for(t, sql_kind::delete_, 0);
            }
            const std::string& sql = *current_sql;
            driver::statement& st = runner.use(sql);
            r->bind_key(st, 0, scratch_);
            if (r->versioned()) st.bind_int(static_cast<int>(t->primary_key.size()), r->committed_version());
            if (echo) {
                echo_params.clear();
                r->key_values(echo_params);
                if (r->versioned()) echo_params.emplace_back(r->committed_version());
                c.log_statement(sql, runner.lease(), echo_params);
            }
            runner.run(r);
            scratch_.clear();
        }
        runner.finish();
    }

    // Everything was written: update the bookkeeping.
    identity_.reserve(identity_.size() + inserts.size());
    txn_inserted_.reserve(txn_inserted_.size() + inserts.size());
    watch_.reserve(watch_.size() + inserts.size());
    for (auto* r : inserts) {
        r->state = object_state::persistent;
        r->take_snapshot();
        r->inserted_in_txn = true;
        r->null_out = 0;
        index(r);
        txn_inserted_.push_back(r->shared_from_this());
        watch(r);
        r->assoc_flushed();
    }
    pending_.clear();
    pending_index_stale_ = true;
    for (auto& u : updates) {
        if (committing_) {
            // COMMIT follows: the snapshot (the committed values) is what a failed COMMIT's
            // rollback restores, so it is only replaced once COMMIT succeeded (no backup copy).
            deferred_snapshots_.emplace_back(u.rec, u.mask);
        } else {
            save_backup(u.rec);
            u.rec->take_snapshot(u.mask);
        }
        if (u.mask & u.rec->layout().key_mask) {  // a primary-key column changed
            identity_key before = u.rec->ident;
            identity_key now;
            if (u.rec->key(now) && !(now == before)) {
                identity_.erase(before, u.rec);
                u.rec->keyed = false;
                index(u.rec);
            }
        }
    }
    for (auto* r : watch_) {
        r->null_out = 0;
        r->rel_assigned = 0;
        if (r->state == object_state::persistent) r->assoc_flushed();
    }
    {
        forget_batch batch(*this, deletes.size());
        for (auto* r : deletes) {
            r->deleted_in_txn = true;
            txn_deleted_.push_back(r->shared_from_this());
            forget(r);
        }
    }
    deleted_.clear();
    std::erase_if(watch_, [](record_base* r) {
        if (r->weak_from_this().use_count() > 1) return false;
        r->watched = false;
        return true;
    });
    versions.kept = true;
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
    deferred_snapshots_.clear();
    committing_ = true;
    try {
        flush();
    } catch (...) {
        committing_ = false;
        deferred_snapshots_.clear();
        throw;
    }
    committing_ = false;
    if (conn_) {
        try {
            conn_.commit();
        } catch (const std::exception& e) {
            deferred_snapshots_.clear();
            failed_ = true;
            failure_ = e.what();
            release_connection();
            throw;
        }
    }
    for (auto& [r, mask] : deferred_snapshots_) r->take_snapshot(mask);
    deferred_snapshots_.clear();
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
                r->generated_key = false;
                r->inserted_in_txn = false;
                r->destroy_snapshot();
                if (r->owner == this) forget(r);
            }
        }
        txn_inserted_.clear();
        pending_.clear();
        // deleted ones come back
        for (auto& r : txn_deleted_) {
            r->deleted_in_txn = false;
            r->owner = this;
            r->state = object_state::persistent;
            records_.push_back(r);
            note_record_slot(r.get());
            identity_.emplace(r->ident, r.get());
            r->keyed = true;
            r->wire(this, false);
            watch(r.get());
        }
        txn_deleted_.clear();
        for (auto* r : deleted_) r->state = object_state::persistent;
        deleted_.clear();
        // changed ones get their last committed values back; relationships reload from the database
        for (auto& r : records_) {
            if (!r || r->owner != this) continue;
            r->null_out = 0;
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

// -- bulk statements -------------------------------------------------------------------------

namespace dorm::detail {

identity_key session_impl::key_of_row(const schema::table& t, driver::statement& s) const {
    identity_key k;
    k.table = &t;
    if (t.primary_key.size() == 1 && t.columns[static_cast<std::size_t>(t.primary_key[0])].type == column_type::integer) {
        k.i = s.get_int(0);
    } else {
        for (std::size_t i = 0; i < t.primary_key.size(); ++i) append_key_part(k.s, s.get(static_cast<int>(i)));
    }
    return k;
}

std::vector<record_base*> session_impl::matching(const schema::table& t, const std::vector<ast::expr_ptr>& where) {
    std::vector<record_base*> out;
    if (!identity_.contains_table(&t)) return out;  // nothing of this table in the session: no need to ask
    ast::select s;
    for (int c : t.primary_key) s.columns.push_back(ast::make_column(&t, c));
    s.where = where;
    compiled c = compile_select(s, dialect_);
    auto lease = run(c.sql, c.params);
    while (lease->step())
        if (record_base* r = find(key_of_row(t, *lease))) out.push_back(r);
    return out;
}

std::int64_t session_impl::bulk_update(const ast::update& u) {
    check_usable();
    autoflush();
    std::vector<record_base*> matched = matching(*u.table, u.where);
    compiled c = compile_update(u, dialect_);
    std::int64_t n = execute_compiled(c);
    // synchronize the session: re-read the rows of the objects it holds
    for (auto* r : matched) {
        if (r->state != object_state::persistent) continue;
        save_backup(r);
        std::vector<value> key;
        r->key_values(key);
        auto lease = run(select_by_pk_sql(r->table()), key);
        if (lease->step()) {
            r->read_row(*lease, 0);
            r->take_snapshot();
        }
    }
    return n;
}

std::int64_t session_impl::bulk_delete(const ast::delete_& d) {
    check_usable();
    autoflush();
    std::vector<record_base*> matched = matching(*d.table, d.where);
    compiled c = compile_delete(d, dialect_);
    std::int64_t n = execute_compiled(c);
    forget_batch batch(*this, matched.size());  // swept from deleted_ too: forget() makes them transient
    for (auto* r : matched) {  // the rows are gone: so are the objects (until a rollback)
        r->state = object_state::persistent;
        r->deleted_in_txn = true;
        txn_deleted_.push_back(r->shared_from_this());
        forget(r);
    }
    return n;
}

std::int64_t session_impl::bulk_insert(const std::vector<ast::insert>& inserts) {
    check_usable();
    autoflush();
    std::int64_t n = 0;
    for (const auto& ins : inserts) n += execute_compiled(compile_insert(ins, dialect_));
    return n;
}

std::int64_t session_impl::execute_compiled(const compiled& c) {
    check_usable();
    auto lease = run(c.sql, c.params);
    while (lease->step()) {
    }
    return lease->rows_affected();
}

}  // namespace dorm::detail
