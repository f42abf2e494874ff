// A session over a dorm::sharded_engine: which shards a statement goes to (from the shard key in
// its WHERE), where a new row goes, and how the rows of several shards merge into one result
// (ORDER BY and LIMIT / OFFSET applied after the merge).
#include <dorm/session/detail/session_impl.hpp>
#include <dorm/session/detail/shard_merge.hpp>
#include <dorm/session/sharded_engine.hpp>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <optional>
#include <unordered_set>

#include <dorm/error.hpp>

#include "dialect/hooks.hpp"
#include "session/lib_state.hpp"
#include "session/sharding_state.hpp"

namespace dorm::detail {

namespace {

/// The value of a parameter node (a bindparam's from `named`); false when it has none here.
bool param_value(const ast::expr& e, const named_params* named, value& out) {
    if (e.k != ast::expr::kind::param) return false;
    if (e.name.empty()) {
        out = e.val;
        return true;
    }
    if (!named) return false;
    out = named->of(e);  // (a missing or mistyped value is refused here as the printer would)
    return true;
}

bool is_key_column(const ast::expr& e, const dorm::sharded_engine::rule& r) {
    return e.k == ast::expr::kind::column && e.table == r.table && e.column == r.column;
}

/// The shard of a key value a read names; none when the rule has no shard for it (no row can
/// have that key: a plain session would find nothing either).
void add_shard_of(const dorm::sharded_engine::rule& r, const value& v, std::vector<std::size_t>& out) {
    if (v.is_null()) return;  // key = NULL matches no row
    try {
        out.push_back(r.pick(v));
    } catch (const argument_error&) {
    }
}

/// The shards one condition of a conjunction allows: false when it does not restrict them.
bool shards_of_condition(const ast::expr& e, const dorm::sharded_engine::rule& r, const named_params* named,
                         std::vector<std::size_t>& out) {
    if (e.k != ast::expr::kind::op) return false;
    value v;
    if (e.o == ast::op::eq && e.args.size() == 2) {
        const ast::expr& a = *e.args[0];
        const ast::expr& b = *e.args[1];
        if (is_key_column(a, r) && param_value(b, named, v)) {
        } else if (is_key_column(b, r) && param_value(a, named, v)) {
        } else {
            return false;
        }
        out.clear();
        add_shard_of(r, v, out);
        return true;
    }
    if (e.o == ast::op::in && !e.args.empty() && is_key_column(*e.args[0], r)) {
        std::vector<std::size_t> shards;
        for (std::size_t i = 1; i < e.args.size(); ++i) {
            if (!param_value(*e.args[i], named, v)) return false;  // a subquery, an expression
            add_shard_of(r, v, shards);
        }
        out = std::move(shards);
        return true;
    }
    return false;
}

/// Narrows `shards` by every condition of a conjunction (nested ANDs included).
void narrow(const ast::expr& e, const dorm::sharded_engine::rule& r, const named_params* named,
            std::vector<std::size_t>& shards) {
    if (e.k == ast::expr::kind::op && e.o == ast::op::and_) {
        for (const auto& a : e.args) narrow(*a, r, named, shards);
        return;
    }
    std::vector<std::size_t> here;
    if (!shards_of_condition(e, r, named, here)) return;
    std::erase_if(shards, [&](std::size_t s) { return std::find(here.begin(), here.end(), s) == here.end(); });
}

/// The first table a column of `e` names (select(col(&T::x), ...) without select_from).
const schema::table* first_column_table(const ast::expr& e) {
    if (e.k == ast::expr::kind::column && e.table) return e.table;
    for (const auto& a : e.args)
        if (const schema::table* t = first_column_table(*a)) return t;
    return nullptr;
}

}  // namespace

session_impl::session_impl(const dorm::sharded_engine& e, std::optional<isolation> level)
    : session_impl(e.shards().front().second, level) {
    for (std::size_t i = 1; i < e.shards().size(); ++i) {
        const dorm::engine& en = e.shards()[i].second;
        state_->slots.push_back(engine_slot{en, {}, {}, en.replica_count() > 0});
    }
    sharding_.reset(new const dorm::sharded_engine(e));
    two_phase_ = e.uses_two_phase();
    if (two_phase_ && !hooks(dialect_).two_phase_commit())
        throw argument_error("dorm::sharded_engine: two_phase needs PostgreSQL (PREPARE TRANSACTION); " +
                             std::string(hooks(dialect_).name()) + " has no two-phase commit dorm can use");
}

std::size_t session_impl::shard_named(const std::string& name) const {
    if (!sharding_)
        throw invalid_request_error("dorm::on_shard(\"" + name + "\"): this session is not over a dorm::sharded_engine");
    const auto& shards = sharding_->shards();
    std::string names;
    for (std::size_t i = 0; i < shards.size(); ++i) {
        if (shards[i].first == name) return i;
        names += (i ? ", " : "") + shards[i].first;
    }
    throw argument_error("dorm::on_shard(\"" + name + "\"): no such shard (" + names + ")");
}

const std::string& session_impl::shard_name(std::size_t i) const { return sharding_->shards()[i].first; }

bool session_impl::shard_orders_text_bytewise(std::size_t shard) {
    const std::string sql = hooks(dialect_).text_orders_bytewise_sql();
    if (sql.empty()) return true;
    if (state_->text_bytewise.size() <= shard) state_->text_bytewise.resize(shard + 1, -1);
    if (state_->text_bytewise[shard] < 0) {
        shard_scope on_shard(*this, shard);
        auto lease = run(sql, {}, shard);
        state_->text_bytewise[shard] = lease->step() && lease->get_int(0) == 1 ? 1 : 0;
    }
    return state_->text_bytewise[shard] == 1;
}

std::vector<std::size_t> session_impl::shards_for(const ast::select& s, const named_params* named) const {
    if (chosen_shard != no_shard) return {chosen_shard};
    std::vector<std::size_t> all(state_->slots.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    const schema::table* base = !s.entities.empty() ? s.entities.front().table
                                : !s.from.empty()   ? s.from.front().table
                                                    : nullptr;
    for (std::size_t i = 0; !base && i < s.columns.size(); ++i) base = first_column_table(*s.columns[i]);
    const auto* r = base ? sharding_->rule_for(base) : nullptr;
    if (!r) return all;
    for (const auto& w : s.where) narrow(*w, *r, named, all);
    // no shard can have such a row: still ask one, so that the statement answers as on one
    // database (no rows; an aggregate's one row)
    if (all.empty()) all.push_back(0);
    return all;
}

std::vector<std::size_t> session_impl::shards_for_key(const schema::table& t, std::span<const value> pk) const {
    const auto* r = sharding_->rule_for(&t);
    if (r && t.primary_key.size() == 1 && t.primary_key.front() == r->column && pk.size() == 1) {
        std::vector<std::size_t> one;
        add_shard_of(*r, pk.front(), one);  // none: no shard can hold that key
        return one;
    }
    std::vector<std::size_t> all(state_->slots.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    return all;
}

void session_impl::place(record_base* r) {
    const schema::table& t = r->table();
    if (const auto& next = sharding_->generator(); next && r->generated_key_unset()) {
        if (const std::int64_t id = next(t)) r->set_generated_key(id);  // 0: the shard's database makes it
    }
    if (const auto* rule = sharding_->rule_for(&t)) {
        if (rule->column == t.autoincrement_column && r->generated_key_unset())
            throw invalid_request_error(
                "dorm::sharded_engine: a new " + t.name + " row has no " +
                t.columns[static_cast<std::size_t>(rule->column)].name +
                " yet, and its shard rule reads that key: the database makes it only after the INSERT, on the shard "
                "that must be chosen first. Set the key, or give the sharded_engine a key_generator that returns "
                "one for " + t.name);
        r->ident.shard = static_cast<std::uint32_t>(rule->pick(r->get_column(rule->column)));
        return;
    }
    // deleted by a bulk DELETE of this transaction, and reached again (a parent's collection
    // still holds it): the shard it was read from in this session
    if (r->deleted_in_txn && r->ident.shard < state_->slots.size()) return;
    // no rule: the row goes where its parent (a many-to-one target in this session) is
    std::vector<std::pair<record_base*, record_base*>> edges;
    r->edges(edges);
    for (const auto& [parent, child] : edges)
        if (child == r && parent != r && parent->state != object_state::transient) {
            r->ident.shard = parent->ident.shard;
            return;
        }
    throw invalid_request_error("dorm::sharded_engine: a " + t.name + " object (" +
                                (r->state == object_state::pending || !r->has_snapshot ? std::string("new") : r->key_text()) +
                                ") has no shard: its table has no shard rule (shard_by) and the object has no parent in "
                                "the session (a dorm::one<...> member) whose shard it could follow");
}

void session_impl::check_shard_key_unchanged(record_base* r) const {
    const auto* rule = sharding_->rule_for(&r->table());
    const auto& shards = sharding_->shards();
    if (!rule) {
        // no rule: the row lives with its parents; a parent (already in the database) on another
        // shard would leave the row pointing at a row its shard does not have
        std::vector<std::pair<record_base*, record_base*>> edges;
        r->edges(edges);
        for (const auto& [parent, child] : edges)
            if (child == r && parent != r && parent->state == object_state::persistent &&
                parent->ident.shard != r->ident.shard)
                throw invalid_request_error("dorm::sharded_engine: " + r->table().name + " (" + r->key_text() +
                                            ") is on shard '" + shards[r->ident.shard].first + "', but its parent " +
                                            parent->table().name + " (" + parent->key_text() + ") is on shard '" +
                                            shards[parent->ident.shard].first +
                                            "': a row does not move between shards (delete it and add a new object)");
        return;
    }
    if (!r->column_changed(rule->column)) return;
    const std::size_t now = rule->pick(r->get_column(rule->column));
    if (now == r->ident.shard) return;
    const auto& names = shards;
    throw invalid_request_error("dorm::sharded_engine: " + r->table().name + " (" + r->key_text() + ") is on shard '" +
                                names[r->ident.shard].first + "', but its shard key " +
                                r->table().columns[static_cast<std::size_t>(rule->column)].name + " = " +
                                r->get_column(rule->column).repr() + " belongs on shard '" + names[now].first +
                                "': a row does not move between shards (delete it and add a new object)");
}

// -- merging the rows of several shards ----------------------------------------------------------

/// One SELECT run on several shards: each shard gets the statement with its ORDER BY expressions
/// appended as trailing columns and LIMIT n OFFSET m turned into LIMIT n+m; the rows of all shards
/// are then ordered by those columns (NULLs where the backend puts them) and cut to the OFFSET /
/// LIMIT.
class shard_merge {
public:
    shard_merge(const ast::select& s, dorm::dialect d, std::size_t shards);
    /// The statement each shard runs.
    ast::select per_shard;
    /// The trailing order-key columns of each row (0: nothing to merge by).
    std::size_t keys = 0;
    /// After a row was read (in the order rows are kept): keeps its order keys.
    void read_keys(driver::statement& st);
    /// The rows to return, as indexes into the rows read (all shards, in shard order), ordered and
    /// cut to OFFSET / LIMIT.
    std::vector<std::size_t> order(std::size_t rows) const;
    /// Throws invalid_request_error when a key holds text that a shard's database orders other
    /// than by its bytes (a collation): merging by bytes would return other rows than one
    /// database would.
    void check_text_keys(session_impl& s, const std::vector<std::size_t>& shards) const;

private:
    /// Whether two rows read tie on the keys before key `i` and hold different text in key `i`
    /// (only then does the order of text decide anything: `order_by(rank, name)` with distinct
    /// ranks never compares names).
    bool text_key_decides(std::size_t i) const;

    std::vector<bool> desc_;
    std::vector<bool> nulls_high_;  ///< per key: NULL compares above every value
    std::optional<std::int64_t> limit_, offset_;
    std::vector<std::vector<value>> row_keys_;
};

shard_merge::shard_merge(const ast::select& s, dorm::dialect d, std::size_t shards)
    : per_shard(s) {
    if (shards < 2) return;  // one shard: its database orders and limits
    const bool database_high = hooks(d).nulls_sort_high();
    for (const auto& o : s.order_by) {
        per_shard.columns.push_back(o.e);
        desc_.push_back(o.desc);
        // (a descending key reverses the comparison: NULLs first there means NULL compares high)
        nulls_high_.push_back(o.nulls == ast::nulls_place::database ? database_high
                              : o.nulls == ast::nulls_place::first  ? o.desc
                                                                    : !o.desc);
    }
    keys = desc_.size();
    limit_ = s.limit;
    offset_ = s.offset;
    if (s.limit) per_shard.limit = *s.limit + s.offset.value_or(0);  // each shard's first limit+offset rows
    per_shard.offset.reset();
}

void shard_merge::read_keys(driver::statement& st) {
    if (!keys) return;
    const int first = st.column_count() - static_cast<int>(keys);
    std::vector<value> k;
    k.reserve(keys);
    for (std::size_t i = 0; i < keys; ++i) k.push_back(st.get(first + static_cast<int>(i)));
    row_keys_.push_back(std::move(k));
}

namespace {
int compare_values(const value& a, const value& b, bool nulls_high) {
    if (a.is_null() || b.is_null()) {
        if (a.is_null() && b.is_null()) return 0;
        return (a.is_null() == nulls_high) ? 1 : -1;
    }
    const bool an = a.kind() == value_kind::integer || a.kind() == value_kind::real;
    const bool bn = b.kind() == value_kind::integer || b.kind() == value_kind::real;
    if (an && bn) {
        if (a.kind() == value_kind::integer && b.kind() == value_kind::integer)
            return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
        const double x = a.as_double(), y = b.as_double();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.kind() == value_kind::text && b.kind() == value_kind::text) return a.as_text().compare(b.as_text()) < 0 ? -1 : a.as_text() == b.as_text() ? 0 : 1;
    if (a.kind() == value_kind::blob && b.kind() == value_kind::blob) {
        const auto& x = a.as_blob();
        const auto& y = b.as_blob();
        const std::size_t n = std::min(x.size(), y.size());
        const int c = n ? std::memcmp(x.data(), y.data(), n) : 0;
        if (c != 0) return c < 0 ? -1 : 1;
        return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    // mixed kinds (numbers before text before blobs, as SQLite orders them)
    return static_cast<int>(a.kind()) < static_cast<int>(b.kind()) ? -1 : 1;
}
}  // namespace

bool shard_merge::text_key_decides(std::size_t i) const {
    std::vector<std::size_t> idx(row_keys_.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    const auto prefix_less = [&](std::size_t x, std::size_t y) {
        for (std::size_t j = 0; j < i; ++j)
            if (int c = compare_values(row_keys_[x][j], row_keys_[y][j], nulls_high_[j]); c != 0) return c < 0;
        return false;
    };
    std::sort(idx.begin(), idx.end(), prefix_less);
    for (std::size_t a = 0; a < idx.size();) {
        std::size_t b = a + 1;
        while (b < idx.size() && !prefix_less(idx[a], idx[b])) ++b;  // [a, b): the same keys before i
        const value* text = nullptr;
        for (std::size_t r = a; r < b; ++r) {
            const value& v = row_keys_[idx[r]][i];
            if (v.kind() != value_kind::text) continue;
            if (!text)
                text = &v;
            else if (v.as_text() != text->as_text())
                return true;
        }
        a = b;
    }
    return false;
}

void shard_merge::check_text_keys(session_impl& s, const std::vector<std::size_t>& shards) const {
    const std::size_t first = per_shard.columns.size() - keys;
    const dialect_hooks& h = hooks(s.dialect());
    for (std::size_t i = 0; i < keys; ++i) {
        if (!text_key_decides(i)) continue;
        const ast::expr& e = *per_shard.columns[first + i];
        std::string what = "ORDER BY item " + std::to_string(i + 1);
        std::string why;
        if (e.k == ast::expr::kind::column && e.table) {
            const schema::column& c = e.table->columns[static_cast<std::size_t>(e.column)];
            what = e.table->name + "." + c.name;
            if (!h.collation_is_bytewise(c.collation)) why = "its collation " + c.collation;
        }
        if (why.empty() && !h.text_orders_bytewise_sql().empty())
            for (std::size_t shard : shards)
                if (!s.shard_orders_text_bytewise(shard)) {
                    why = "the database of shard '" + s.shard_name(shard) + "' (its collation is not C / POSIX)";
                    break;
                }
        if (why.empty()) continue;
        throw invalid_request_error(
            "dorm::sharded_engine: the rows of several shards cannot be merged in the order of " + what + ": " + why +
            " orders text otherwise than by its bytes, and dorm cannot reproduce that order (merging by bytes "
            "would return other rows than one database). Order by a key that is not text, run the query on one "
            "shard (dorm::on_shard), or give the shards' databases a byte-order collation (PostgreSQL: "
            "LC_COLLATE 'C'; MariaDB: no dorm::collation, or a *_nopad_bin one)");
    }
}


std::vector<std::size_t> shard_merge::order(std::size_t rows) const {
    std::vector<std::size_t> idx(rows);
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    if (keys) {
        if (row_keys_.size() != rows)
            throw error("dorm: shard merge read " + std::to_string(row_keys_.size()) + " order keys for " +
                                 std::to_string(rows) + " rows");
        // stable: rows that compare equal keep shard order, then each shard's order
        std::stable_sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) {
            for (std::size_t i = 0; i < keys; ++i) {
                int c = compare_values(row_keys_[x][i], row_keys_[y][i], nulls_high_[i]);
                if (c != 0) return desc_[i] ? c > 0 : c < 0;
            }
            return false;
        });
    }
    if (limit_ || offset_) {
        const std::size_t skip = std::min<std::size_t>(idx.size(), static_cast<std::size_t>(offset_.value_or(0)));
        idx.erase(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(skip));
        if (limit_ && idx.size() > static_cast<std::size_t>(*limit_)) idx.resize(static_cast<std::size_t>(*limit_));
    }
    return idx;
}

}  // namespace dorm::detail

namespace dorm::detail {

namespace {
bool is_locking(const ast::select& sel) { return sel.lock.mode != ast::row_lock::strength::none; }
}  // namespace

std::vector<std::size_t> select_on_shards(session_impl& s, const ast::select& sel, const named_params* named,
                                          void (*on_row)(void* ctx, driver::statement&), void* ctx) {
    const std::vector<std::size_t> shards = s.shards_for(sel, named);
    shard_merge merge(sel, s.dialect(), shards.size());
    std::size_t rows = 0;
    for (std::size_t shard : shards) {
        shard_scope on_shard(s, shard);
        if (is_locking(sel)) s.begin_write(shard);
        std::vector<value> params;
        const std::string& sql = compile_select_sql(merge.per_shard, s.dialect(), params, named);
        auto lease = s.run(sql, params, shard);
        while (lease->step()) {
            on_row(ctx, *lease);
            merge.read_keys(*lease);
            ++rows;
        }
    }
    if (merge.keys) merge.check_text_keys(s, shards);
    return merge.order(rows);
}

object_list load_on_shards(session_impl& s, const ast::select& sel, const std::vector<loader_node>& loaders,
                           entity_reader read, const named_params* named) {
    const std::vector<std::size_t> shards = s.shards_for(sel, named);
    shard_merge merge(sel, s.dialect(), shards.size());
    struct keys_of_objects {
        shard_merge* merge;
        std::unordered_set<const void*> seen;  // a joined collection repeats its owner's row
    } sink_state{&merge, {}};
    row_sink sink{[](void* c, driver::statement& st, const std::shared_ptr<void>& obj, int) {
                      auto* k = static_cast<keys_of_objects*>(c);
                      if (k->seen.insert(obj.get()).second) k->merge->read_keys(st);
                  },
                  &sink_state};
    object_list all;
    for (std::size_t shard : shards) {
        shard_scope on_shard(s, shard);
        if (is_locking(sel)) s.begin_write(shard);
        object_list part = load_objects(s, merge.per_shard, loaders, read, merge.keys ? sink : row_sink{}, named);
        all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    }
    if (merge.keys) merge.check_text_keys(s, shards);
    object_list out;
    for (std::size_t i : merge.order(all.size())) out.push_back(std::move(all[i]));
    return out;
}

std::shared_ptr<void> get_on_shards(session_impl& s, identity_key k, std::span<const value> pk, entity_reader read) {
    const std::vector<std::size_t> shards = s.shards_for_key(*k.table, pk);
    for (std::size_t shard : shards) {
        k.shard = static_cast<std::uint32_t>(shard);
        if (record_base* r = s.find(k)) {
            if (r->state == object_state::deleted) return nullptr;
            s.watch(r);
            return r->object_ptr();
        }
    }
    s.autoflush();
    for (std::size_t shard : shards) {
        shard_scope on_shard(s, shard);
        auto lease = s.run(s.select_by_pk_sql(*k.table), pk, shard);
        if (lease->step()) return read(*lease, &s, 0);
    }
    return nullptr;
}

}  // namespace dorm::detail
