#pragma once
// The one SQL printer: every statement kind, every dialect (differences through dialect_hooks).
// Expressions in print_expr.cpp, SELECT in print_select.cpp, INSERT / UPDATE / DELETE in
// print_insert_update_delete.cpp.
#include <string>
#include <string_view>
#include <vector>

#include <dorm/query/ast.hpp>

#include "dialect/hooks.hpp"

namespace dorm::detail {

class sql_writer {
public:
    sql_writer(dorm::dialect d, std::string& out, std::vector<value>& params)
        : h_(hooks(d)), out_(out), params_(params) {}

    const dialect_hooks& hooks_() const { return h_; }
    void ident(std::string_view name) { h_.quote(out_, name); }
    void table_name(const ast::table_ref& t);
    void column(const schema::table& t, int col, const std::string& alias);
    /// Binds a value; `origin` is where it lives in the statement tree (a value of a param
    /// node, or a LIMIT/OFFSET integer), recorded when origins are tracked (the shape cache).
    void bind(value v, const void* origin = nullptr);
    /// Refuses (data_error naming the column) a value written into column `col` of `t` that the
    /// dialect's server cannot store (check_text_storable), before any SQL is sent.
    void check_for_column(const value& v, const schema::table& t, int col) const;
    /// Records the origin of every bound value, in binding order, into `out`.
    void track_origins(std::vector<const void*>* out) { origins_ = out; }
    /// The values of the statement's bindparam()s (by name).
    void named_values(const named_params* named) { named_ = named; }
    /// The value of bindparam `name`; argument_error when it was not given.
    static const value& named_value(const named_params* named, const ast::expr& bind);
    void expr(const ast::expr& e, int parent_prec = 0);
    void select(const ast::select& s);
    void insert(const ast::insert& s);
    void update(const ast::update& s);
    void delete_(const ast::delete_& s);
    void where(const std::vector<ast::expr_ptr>& conds, const char* keyword);
    /// A condition: a bare boolean value is compared with 1 where the dialect has no boolean type.
    void condition(const ast::expr& e, int parent_prec = 0);
    std::string& out() { return out_; }

private:
    void lock(const ast::row_lock& l);
    void op(const ast::expr& e, int parent_prec);
    /// `a <op> b` with the operator's standard text (LIKE adds its ESCAPE).
    void binary(const ast::expr& e, int prec);
    /// `function(a, b)` where the dialect spells the operator as a function (non-null), else binary().
    void binary_or_call(const ast::expr& e, int prec, const char* function);
    /// `a / b` of two integers, truncating as in C++, in the dialect's spelling.
    void integer_division(const ast::expr& e, int prec);
    /// `function(args...)`.
    void call(std::string_view function, const std::vector<ast::expr_ptr>& args);
    /// `a, b, c`.
    void expr_list(const std::vector<ast::expr_ptr>& args);
    /// The quoted names of columns `cols` of `t`: `"a", "b"`.
    void column_names(const schema::table& t, const std::vector<int>& cols);
    /// `lhs [NOT] IN (values...)`: inline, split for the dialect's list limit, or one parameter.
    void in_list(const ast::expr& e, int prec);
    /// contains / starts_with / ends_with: LIKE, or the dialect's exact form.
    void text_match(const ast::expr& e, int prec);

    const dialect_hooks& h_;
    std::string& out_;
    std::vector<value>& params_;
    std::vector<const void*>* origins_ = nullptr;
    const named_params* named_ = nullptr;
    // tables of the enclosing SELECTs (correlated subqueries leave them out of their FROM)
    std::vector<std::vector<std::pair<const schema::table*, std::string>>> scopes_;
};

}  // namespace dorm::detail
