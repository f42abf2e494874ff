// The SELECTs the session runs for one object or one relationship, compiled once per session:
// a row by its primary key (get, refresh, a many-to-one lazy load, bulk synchronisation) and the
// target rows of a relationship (a collection's lazy load; many-to-many through the association).
#include <string>

#include <dorm/query/ast.hpp>
#include <dorm/session/detail/session_impl.hpp>

#include "session/address_maps.hpp"
#include "session/key_condition.hpp"

namespace dorm::detail {

const std::string& session_impl::select_by_pk_sql(const schema::table& t) {
    auto& cache = maps().pk_sql;
    auto it = cache.find(&t);
    if (it != cache.end()) return it->second;
    ast::select s;
    s.entities.push_back(ast::entity_ref{&t, {}});
    s.where = pk_condition(t);
    return cache.emplace(&t, compile_select(s, dialect_).sql).first->second;
}

const std::string& session_impl::relationship_sql(const schema::table& target, int fk_col,
                                                  const schema::table* assoc, int assoc_owner_col,
                                                  int assoc_target_col) {
    std::string key = target.name + '\x1f' + std::to_string(fk_col) + '\x1f' + (assoc ? assoc->name : "") + '\x1f' +
                      std::to_string(assoc_owner_col) + '\x1f' + std::to_string(assoc_target_col);
    auto& cache = maps().relationship_sql;
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
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
    return cache.emplace(std::move(key), compile_select(s, dialect_).sql).first->second;
}

void session_impl::before_lazy_load(const schema::table&, const char*) { ++lazy_loads_; }

}  // namespace dorm::detail
