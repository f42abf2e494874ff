// The statement tree's out-of-line parts: the special members of ast::expr and ast::select and
// the node constructors ast::make_* (see dorm/query/ast.hpp).
#include <dorm/query/ast.hpp>

#include "query/node_pool.hpp"

namespace dorm::ast {

expr::expr() = default;
expr::expr(const expr&) = default;
expr::expr(expr&&) noexcept = default;
expr& expr::operator=(const expr&) = default;
expr& expr::operator=(expr&&) noexcept = default;
expr::~expr() = default;

select::select() = default;
select::select(const select&) = default;
select::select(select&&) noexcept = default;
select& select::operator=(const select&) = default;
select& select::operator=(select&&) noexcept = default;
select::~select() = default;

// a node and its control block (vtable pointer and two counts) fit a pooled block
static_assert(sizeof(expr) + sizeof(void*) + 8 <= detail::node_block_size, "dorm: ast::expr outgrew node_block_size");
std::shared_ptr<expr> new_expr() { return std::allocate_shared<expr>(detail::node_allocator<expr>{}); }

expr_ptr make_column(const schema::table* t, int column, std::string alias) {
    auto e = new_expr();
    e->k = expr::kind::column;
    e->table = t;
    e->column = column;
    e->alias = std::move(alias);
    return e;
}
expr_ptr make_param(value v) {
    auto e = new_expr();
    e->k = expr::kind::param;
    e->val = std::move(v);
    return e;
}
select entity_select(const schema::table* t) {
    select s;
    s.entities.push_back(entity_ref{t, {}});
    return s;
}
expr_ptr make_op(op o, expr_ptr a) {
    std::vector<expr_ptr> args;
    args.push_back(std::move(a));
    return make_op(o, std::move(args));
}
expr_ptr make_op(op o, expr_ptr a, expr_ptr b) {
    std::vector<expr_ptr> args;
    args.reserve(2);
    args.push_back(std::move(a));
    args.push_back(std::move(b));
    return make_op(o, std::move(args));
}
expr_ptr make_op(op o, expr_ptr a, expr_ptr b, expr_ptr c) {
    std::vector<expr_ptr> args;
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
    e->args.reserve(3);
    e->args.push_back(std::move(x));
    e->args.push_back(make_param(value(std::move(pattern))));
    e->args.push_back(make_param(value(v)));
    e->escape = true;
    e->match = m;
    return e;
}

}  // namespace dorm::ast
