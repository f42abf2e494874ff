// The statement tree's out-of-line parts: the special members of ast::expr and ast::select and
// the node constructors ast::make_* (see dorm/query/ast.hpp).
#include <dorm/query/ast.hpp>

#include "query/node_pool.hpp"
#include "query/vector_spares.hpp"
#include "util/thread_state.hpp"

#include <cstdint>

namespace dorm::ast {

expr::expr() = default;
expr::expr(const expr&) = default;
expr::expr(expr&&) noexcept = default;
expr& expr::operator=(const expr&) = default;
expr& expr::operator=(expr&&) noexcept = default;
expr::~expr() { detail::give_spare_vector(args); }

select::select() = default;
select::select(const select&) = default;
select::select(select&&) noexcept = default;
select& select::operator=(const select&) = default;
select& select::operator=(select&&) noexcept = default;
select::~select() {
    detail::give_spare_vector(entities);
    detail::give_spare_vector(where);
}

static_assert(sizeof(expr) <= detail::node_block_size && alignof(expr) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__,
              "dorm: ast::expr outgrew node_block_size");
node_ptr<expr> new_expr() { return node_ptr<expr>(::new (detail::take_node_block()) expr()); }
void destroy_node(const expr* e) noexcept {
    auto* p = const_cast<expr*>(e);
    p->~expr();
    detail::give_node_block(p);
}

namespace {
/// The column nodes a thread made last, by (table, column): `col(&User::id)` in a statement built
/// per call shares the node of the previous call (a node is immutable once made) instead of
/// making one. Direct-mapped; each entry holds a reference. Reached through one pointer in TLS
/// (a few bytes of static TLS, as the node pool's).
struct column_node_cache {
    struct entry {
        const schema::table* table = nullptr;
        int column = -1;
        const expr* node = nullptr;
    };
    static constexpr std::size_t size = 64;
    entry entries[size];
    ~column_node_cache() {
        for (auto& e : entries)
            if (e.node && e.node->refs.release()) destroy_node(e.node);
    }
};
/// The thread's column_node_cache, made at its first column (see util/thread_state.hpp).
struct column_cache_ref {
    column_node_cache* cache;
    void close() noexcept {
        delete cache;
        cache = nullptr;
    }
};
using column_cache = detail::thread_state<column_cache_ref>;
column_node_cache* thread_column_cache() {
    column_cache_ref& ref = column_cache::get();
    if (column_cache::is_open()) return ref.cache;
    if (!column_cache::open()) return nullptr;  // the thread is ending
    ref.cache = new column_node_cache();
    return ref.cache;
}
expr_ptr new_column(const schema::table* t, int column, std::string alias) {
    auto e = new_expr();
    e->k = expr::kind::column;
    e->table = t;
    e->column = column;
    e->alias = std::move(alias);
    return e;
}
}  // namespace

expr_ptr make_column(const schema::table* t, int column, std::string alias) {
    if (!alias.empty()) return new_column(t, column, std::move(alias));
    column_node_cache* cache = thread_column_cache();
    if (!cache) return new_column(t, column, {});
    const auto h = (reinterpret_cast<std::uintptr_t>(t) >> 4) * 31u + static_cast<unsigned>(column);
    auto& slot = cache->entries[h % column_node_cache::size];
    if (slot.node && slot.table == t && slot.column == column) return expr_ptr(slot.node);
    expr_ptr e = new_column(t, column, {});
    if (slot.node && slot.node->refs.release()) destroy_node(slot.node);
    e->refs.acquire();  // the cache's reference
    slot = {t, column, e.get()};
    return e;
}

expr_ptr make_param(value v) {
    auto e = new_expr();
    e->k = expr::kind::param;
    e->val = std::move(v);
    return e;
}
expr_ptr make_param(value v, bool typed_double) {
    auto e = new_expr();
    e->k = expr::kind::param;
    e->val = std::move(v);
    e->typed_double = typed_double;
    return e;
}
expr_ptr make_condition(const flat_condition& c) {
    return make_op(c.o, make_column(c.table, c.column), make_param(c.val));
}
expr_handle::expr_handle(const expr_handle&) = default;
expr_handle::expr_handle(expr_handle&&) noexcept = default;
expr_handle& expr_handle::operator=(const expr_handle&) = default;
expr_handle& expr_handle::operator=(expr_handle&&) noexcept = default;
expr_handle::~expr_handle() = default;

expr_ptr expr_handle::node() const {
    switch (form_) {
        case form::tree: return node_;
        case form::column: return make_column(flat_.table, flat_.column);
        case form::condition: break;
    }
    return make_condition(flat_);
}

expr_handle expr_handle::compare(const expr_handle& x, op o, value v, bool integral) {
    const bool typed = integral && v.kind() == value_kind::real;
    if (x.form_ == form::column && !typed)
        return expr_handle(flat_condition{x.flat_.table, x.flat_.column, o, std::move(v)});
    return expr_handle(make_op(o, x.node(), make_param(std::move(v), typed)));
}
select entity_select(const schema::table* t) {
    select s;
    // lists from the thread's spares: a select built per call does not malloc them (the WHERE
    // list is taken before it is known to be needed; an unused one goes back with the select)
    s.entities = detail::take_spare_vector<entity_ref>();
    s.where = detail::take_spare_vector<expr_ptr>();
    s.entities.push_back(entity_ref{t, {}});
    return s;
}
expr_ptr make_op(op o, expr_ptr a) {
    auto args = detail::take_spare_vector<expr_ptr>();
    args.push_back(std::move(a));
    return make_op(o, std::move(args));
}
expr_ptr make_op(op o, expr_ptr a, expr_ptr b) {
    auto args = detail::take_spare_vector<expr_ptr>();
    args.reserve(2);
    args.push_back(std::move(a));
    args.push_back(std::move(b));
    return make_op(o, std::move(args));
}
expr_ptr make_op(op o, expr_ptr a, expr_ptr b, expr_ptr c) {
    auto args = detail::take_spare_vector<expr_ptr>();
    args.reserve(3);
    args.push_back(std::move(a));
    args.push_back(std::move(b));
    args.push_back(std::move(c));
    return make_op(o, std::move(args));
}
expr_ptr make_op(op o, std::vector<expr_ptr> args) {
    auto e = new_expr();
    e->k = expr::kind::op;
    e->o = o;
    e->args = std::move(args);
    return e;
}
expr_ptr make_func(std::string name, std::vector<expr_ptr> args) {
    auto e = new_expr();
    e->k = expr::kind::func;
    e->name = std::move(name);
    e->args = std::move(args);
    return e;
}
expr_ptr make_subquery(std::shared_ptr<const select> s) {
    auto e = new_expr();
    e->k = expr::kind::subquery;
    e->sub = std::move(s);
    return e;
}

expr_ptr make_text_match(expr_ptr x, text_match m, std::string_view v) {
    // the LIKE pattern with '/' escaping the wildcards, and the value itself for dialects whose
    // LIKE is not exact (sql_writer::op, dialect_hooks::text_match_form)
    std::string pattern(m == text_match::contains || m == text_match::ends_with ? "%" : "");
    pattern.reserve(v.size() + 2);
    for (char c : v) {
        if (c == '%' || c == '_' || c == '/') pattern += '/';
        pattern += c;
    }
    if (m == text_match::contains || m == text_match::starts_with) pattern += '%';
    auto e = new_expr();
    e->k = expr::kind::op;
    e->o = op::like;
    e->args = detail::take_spare_vector<expr_ptr>();
    e->args.reserve(3);
    e->args.push_back(std::move(x));
    e->args.push_back(make_param(value(std::move(pattern))));
    e->args.push_back(make_param(value(v)));
    e->escape = true;
    e->match = m;
    return e;
}

}  // namespace dorm::ast
