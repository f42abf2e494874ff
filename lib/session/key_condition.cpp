// WHERE <pk> = ? [AND <version> = ?]: one row by its key (see key_condition.hpp).
#include "session/key_condition.hpp"

namespace dorm::detail {

std::vector<ast::expr_ptr> pk_condition(const schema::table& t) {
    std::vector<ast::expr_ptr> where;
    for (int c : t.primary_key)
        where.push_back(ast::make_op(ast::op::eq, {ast::make_column(&t, c), ast::make_param(value())}));
    return where;
}

std::vector<ast::expr_ptr> versioned_condition(const schema::table& t) {
    std::vector<ast::expr_ptr> where = pk_condition(t);
    if (t.version_column >= 0)
        where.push_back(ast::make_op(ast::op::eq, {ast::make_column(&t, t.version_column), ast::make_param(value())}));
    return where;
}

}  // namespace dorm::detail
