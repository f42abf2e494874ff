// dorm::binds inside the session: the engine slot a SELECT goes to, from the tables it names.
#include <dorm/session/detail/session_impl.hpp>

#include <dorm/error.hpp>
#include <dorm/query/lazy_select.hpp>
#include "session/lib_state.hpp"

namespace dorm::detail {

namespace {

/// Calls f(table) for every table `s` reads: entities, FROM, joins, and the tables of its
/// expressions and subqueries.
template <class F>
void each_table(const ast::select& s, F& f);

template <class F>
void each_table(const ast::expr& e, F& f) {
    if (e.k == ast::expr::kind::column && e.table) f(e.table);
    if (e.sub) each_table(*e.sub, f);
    for (const auto& a : e.args) each_table(*a, f);
}

template <class F>
void each_table(const ast::table_ref& t, F& f) {
    if (t.table) f(t.table);
    if (t.subquery) each_table(*t.subquery, f);
}

template <class F>
void each_table(const ast::select& s, F& f) {
    for (const auto& e : s.entities) f(e.table);
    for (const auto& t : s.from) each_table(t, f);
    for (const auto& j : s.joins) {
        each_table(j.target, f);
        if (j.on) each_table(*j.on, f);
    }
    for (const auto& c : s.columns) each_table(*c, f);
    for (const auto& w : s.where) each_table(*w, f);
    for (const auto& g : s.group_by) each_table(*g, f);
    for (const auto& h : s.having) each_table(*h, f);
    for (const auto& o : s.order_by) each_table(*o.e, f);
}

}  // namespace

session_impl::select_plan session_impl::plan_select(const ast::lazy_select& q) {
    if (const ast::select_recipe* r = q.recipe()) return {slot_of(r->entity), false};
    const ast::select& s = q.tree();
    const bool locking = s.lock.mode != ast::row_lock::strength::none;
    const std::size_t slot = slot_of(s);
    if (locking) begin_write(slot);
    return {slot, locking || s.populate_existing};
}

std::size_t session_impl::slot_of(const ast::select& s) const {
    if (sharding_) return active_shard_ == no_shard ? 0 : active_shard_;  // every shard has every table
    if (state_->bound.empty()) return 0;
    const schema::table* first = nullptr;
    std::size_t slot = 0;
    auto visit = [&](const schema::table* t) {
        const std::size_t here = slot_of(t);
        if (!first) {
            first = t;
            slot = here;
        } else if (here != slot) {
            throw argument_error("dorm::binds: one SELECT reads " + first->name + " (on " + state_->slots[slot].engine.repr() +
                                 ") and " + t->name + " (on " + state_->slots[here].engine.repr() +
                                 "): a statement runs on one engine; load across engines with separate queries "
                                 "(lazy or selectin loading)");
        }
    };
    each_table(s, visit);
    return slot;
}

}  // namespace dorm::detail
