// The session's bulk statements (update(), delete_(), insert() run through session.execute) and
// statements without rows from compiled SQL: each runs after an autoflush, then synchronises the
// objects the session holds by "fetch" (SELECT the matching keys first, re-read or forget those;
// an upsert's rows are matched by the table's unique keys).
#include <dorm/query/ast.hpp>
#include <dorm/session/detail/session_impl.hpp>

#include <algorithm>

#include <dorm/error.hpp>
#include <dorm/session/sharded_engine.hpp>

#include "schema/unique_keys.hpp"
#include "session/lib_state.hpp"
#include "session/sharding_state.hpp"

namespace dorm::detail {

identity_key session_impl::key_of_row(const schema::table& t, driver::statement& s) const {
    identity_key k;
    k.table = &t;
    k.shard = key_shard();
    if (t.primary_key.size() == 1 && t.columns[static_cast<std::size_t>(t.primary_key[0])].type == column_type::integer) {
        k.i = s.get_int(0);
    } else {
        for (std::size_t i = 0; i < t.primary_key.size(); ++i) append_key_part(k.s, s.get(static_cast<int>(i)));
    }
    return k;
}

std::vector<record_base*> session_impl::bulk_targets(const schema::table& t, const std::vector<ast::expr_ptr>& where) {
    check_usable();
    autoflush();
    std::vector<record_base*> out;
    if (!identity_.contains_table(&t)) return out;  // nothing of this table in the session: no need to ask
    ast::select s;
    for (int c : t.primary_key) s.columns.push_back(ast::make_column(&t, c));
    s.where = where;
    compiled c = compile_select(s, dialect_);
    auto lease = run_on_primary(c.sql, c.params, slot_of(&t));  // the rows the write will touch: no replica lag
    while (lease->step())
        if (record_base* r = find(key_of_row(t, *lease))) out.push_back(r);
    return out;
}

std::vector<std::size_t> session_impl::write_slots(const schema::table* t, const std::vector<ast::expr_ptr>& where) const {
    if (!sharding_) return {slot_of(t)};
    ast::select s;  // the shards a SELECT with this WHERE would read
    s.from.push_back(ast::table_ref{t, {}, nullptr});
    s.where = where;
    return shards_for(s, nullptr);
}

std::int64_t session_impl::bulk_update(const ast::update& u) {
    // a row stays on its shard: its shard key is not set in bulk
    if (const auto* rule = sharding_ ? sharding_->rule_for(u.table) : nullptr)
        for (const auto& [col, e] : u.sets)
            if (col == rule->column)
                throw invalid_request_error(
                    "dorm::sharded_engine: a bulk UPDATE of " + u.table->name + " sets its shard key " +
                    u.table->columns[static_cast<std::size_t>(col)].name +
                    ": a row does not move between shards (delete the rows and add new objects)");
    check_written_values(u);
    std::int64_t n = 0;
    for (std::size_t slot : write_slots(u.table, u.where)) {
        shard_scope on_shard(*this, slot);
        std::vector<record_base*> matched = bulk_targets(*u.table, u.where);
        n += execute_compiled(compile_update(u, dialect_), slot);
        // synchronize the session: re-read the rows of the objects it holds
        for (auto* r : matched) {
            if (r->state != object_state::persistent) continue;
            save_backup(r);
            reread(r);  // (not found when the UPDATE changed its key: the object stays as it was)
        }
    }
    return n;
}

std::int64_t session_impl::bulk_delete(const ast::delete_& d) {
    std::int64_t n = 0;
    for (std::size_t slot : write_slots(d.table, d.where)) {
        shard_scope on_shard(*this, slot);
        std::vector<record_base*> matched = bulk_targets(*d.table, d.where);
        n += execute_compiled(compile_delete(d, dialect_), slot);
        forget_batch batch(*this, matched.size());  // swept from deleted_ too: forget() makes them transient
        for (auto* r : matched) {  // the rows are gone: so are the objects (until a rollback)
            r->state = object_state::persistent;
            r->deleted_in_txn = true;
            r->row_deleted = true;
            txn_deleted_.push_back(r->shared_from_this());
            forget(r);
        }
    }
    return n;
}

std::vector<record_base*> session_impl::upsert_targets(const ast::insert& ins) {
    const schema::table& t = *ins.table;
    std::vector<record_base*> out;
    if (!identity_.contains_table(&t) || ins.rows.empty()) return out;
    // the unique keys whose every column the rows give: a row that conflicts on one of them is
    // updated (MariaDB's ON DUPLICATE KEY UPDATE takes any unique key, not only the named one;
    // the named one is one of them, check_written_values saw to it)
    std::vector<std::vector<int>> keys = schema::unique_keys(t);
    std::erase_if(keys, [&](const std::vector<int>& key) {
        for (int c : key)
            if (std::find(ins.columns.begin(), ins.columns.end(), c) == ins.columns.end()) return true;
        return false;
    });
    auto position = [&](int c) {
        return static_cast<std::size_t>(std::find(ins.columns.begin(), ins.columns.end(), c) - ins.columns.begin());
    };
    auto add = [&](const std::vector<ast::expr_ptr>& where) {
        for (record_base* r : bulk_targets(t, where)) out.push_back(r);
    };
    for (const auto& key : keys) {
        if (key.size() == 1) {  // key IN (the rows' values): a long list is one parameter where it can be
            std::vector<ast::expr_ptr> args{ast::make_column(&t, key[0])};
            for (const auto& row : ins.rows) args.push_back(ast::make_param(row[position(key[0])]));
            add({ast::make_op(ast::op::in, std::move(args))});
            continue;
        }
        // a composite key: (a = ? AND b = ?) OR ..., 100 rows per SELECT (parameter limits)
        constexpr std::size_t rows_per_select = 100;
        for (std::size_t first = 0; first < ins.rows.size(); first += rows_per_select) {
            ast::expr_ptr any;
            for (std::size_t i = first; i < std::min(ins.rows.size(), first + rows_per_select); ++i) {
                ast::expr_ptr all;
                for (int c : key) {
                    auto eq = ast::make_op(ast::op::eq, ast::make_column(&t, c), ast::make_param(ins.rows[i][position(c)]));
                    all = all ? ast::make_op(ast::op::and_, std::move(all), std::move(eq)) : std::move(eq);
                }
                any = any ? ast::make_op(ast::op::or_, std::move(any), std::move(all)) : std::move(all);
            }
            add({std::move(any)});
        }
    }
    std::sort(out.begin(), out.end());  // a row may match on several keys: each object once
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::int64_t session_impl::bulk_insert(const std::vector<ast::insert>& inserts) {
    check_usable();
    for (const auto& ins : inserts) check_written_values(ins);  // before anything is written
    autoflush();
    std::int64_t n = 0;
    // one statement on one engine slot; an upsert synchronises the session as a bulk UPDATE does:
    // the objects whose rows it may update are found first and re-read after
    auto run = [&](const ast::insert& ins, std::size_t slot) {
        shard_scope on_shard(*this, slot);
        std::vector<record_base*> matched;
        if (ins.on_conflict == ast::insert::conflict::do_update) matched = upsert_targets(ins);
        n += execute_compiled(compile_insert(ins, dialect_), slot);
        for (auto* r : matched) {
            if (r->state != object_state::persistent) continue;
            save_backup(r);
            reread(r);
        }
    };
    for (const auto& ins : inserts) {
        if (!sharding_) {
            run(ins, slot_of(ins.table));
            continue;
        }
        // a sharded session: each row to its shard (the table's rule over the row's value)
        const auto* rule = sharding_->rule_for(ins.table);
        if (!rule)
            throw invalid_request_error("dorm::sharded_engine: a bulk INSERT into " + ins.table->name +
                                        " has no shard: the table has no shard rule (shard_by); add the objects instead");
        auto pos = std::find(ins.columns.begin(), ins.columns.end(), rule->column);
        if (pos == ins.columns.end())
            throw invalid_request_error("dorm::sharded_engine: a bulk INSERT into " + ins.table->name +
                                        " leaves out its shard key " +
                                        ins.table->columns[static_cast<std::size_t>(rule->column)].name);
        std::vector<ast::insert> per_shard(state_->slots.size());
        for (const auto& row : ins.rows) {
            ast::insert& part = per_shard[rule->pick(row[static_cast<std::size_t>(pos - ins.columns.begin())])];
            if (part.rows.empty()) {
                part = ins;
                part.rows.clear();
            }
            part.rows.push_back(row);
        }
        for (std::size_t slot = 0; slot < per_shard.size(); ++slot)
            if (!per_shard[slot].rows.empty()) run(per_shard[slot], slot);
    }
    return n;
}

std::int64_t session_impl::execute_compiled(const compiled& c, std::size_t slot) {
    return connection(slot).execute(c.sql, c.params);
}

}  // namespace dorm::detail
