// The session's bulk statements (update(), delete_(), insert() run through session.execute) and
// statements without rows from compiled SQL: each runs after an autoflush, then synchronises the
// objects the session holds by "fetch" (SELECT the matching keys first, re-read or forget those).
#include <dorm/query/ast.hpp>
#include <dorm/session/detail/session_impl.hpp>

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

std::int64_t session_impl::bulk_update(const ast::update& u) {
    std::vector<record_base*> matched = bulk_targets(*u.table, u.where);
    std::int64_t n = execute_compiled(compile_update(u, dialect_), slot_of(u.table));
    // synchronize the session: re-read the rows of the objects it holds
    for (auto* r : matched) {
        if (r->state != object_state::persistent) continue;
        save_backup(r);
        reread(r);  // (not found when the UPDATE changed its key: the object stays as it was)
    }
    return n;
}

std::int64_t session_impl::bulk_delete(const ast::delete_& d) {
    std::vector<record_base*> matched = bulk_targets(*d.table, d.where);
    std::int64_t n = execute_compiled(compile_delete(d, dialect_), slot_of(d.table));
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
    for (const auto& ins : inserts) n += execute_compiled(compile_insert(ins, dialect_), slot_of(ins.table));
    return n;
}

std::int64_t session_impl::execute_compiled(const compiled& c, std::size_t slot) {
    return connection(slot).execute(c.sql, c.params);
}

}  // namespace dorm::detail
