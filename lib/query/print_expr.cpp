// The SQL printer, expressions: columns, parameters, operators, IN lists, text matches and
// conditions, with the dialect's spellings from dialect_hooks (see sql_writer.hpp).
#include "query/sql_writer.hpp"

#include <algorithm>

#include <dorm/detail/data_errors.hpp>
#include <dorm/error.hpp>

#include "dialect/list_param.hpp"

namespace dorm::detail {

namespace {

using ast::op;

int precedence(op o) {
    switch (o) {
        case op::or_: return 1;
        case op::and_: return 2;
        case op::not_: return 3;
        case op::eq: case op::ne: case op::lt: case op::le: case op::gt: case op::ge:
        case op::like: case op::not_like: case op::ilike: case op::not_ilike:
        case op::is_distinct_from: case op::is_not_distinct_from:
        case op::is_null: case op::is_not_null: case op::in: case op::not_in: case op::between:
        case op::exists:
            return 4;
        case op::add: case op::sub: case op::concat: return 5;
        case op::mul: case op::div: case op::int_div: case op::mod: return 6;
        case op::neg: return 7;
    }
    return 8;
}

const char* binary_text(op o) {
    switch (o) {
        case op::eq: return " = ";
        case op::ne: return " != ";
        case op::lt: return " < ";
        case op::le: return " <= ";
        case op::gt: return " > ";
        case op::ge: return " >= ";
        case op::and_: return " AND ";
        case op::or_: return " OR ";
        case op::add: return " + ";
        case op::sub: return " - ";
        case op::mul: return " * ";
        case op::div: case op::int_div: return " / ";
        case op::mod: return " % ";
        case op::concat: return " || ";
        case op::like: return " LIKE ";
        case op::not_like: return " NOT LIKE ";
        case op::ilike: return " ILIKE ";
        case op::not_ilike: return " NOT ILIKE ";
        case op::is_distinct_from: return " IS DISTINCT FROM ";
        case op::is_not_distinct_from: return " IS NOT DISTINCT FROM ";
        default: return " ? ";
    }
}

/// A value that is not an operation (a column, a parameter, a function call): not a condition
/// by itself where the dialect has no boolean type.
bool is_bare_value(const ast::expr& e) { return e.k != ast::expr::kind::op && e.k != ast::expr::kind::subquery; }

}  // namespace

void sql_writer::table_name(const ast::table_ref& t) {
    if (t.subquery) {
        out_ += '(';
        select(*t.subquery);
        out_ += ')';
        out_ += h_.table_alias_keyword();
        ident(t.alias);
        return;
    }
    ident(t.table->name);
    if (!t.alias.empty()) {
        out_ += h_.table_alias_keyword();
        ident(t.alias);
    }
}

void sql_writer::column(const schema::table& t, int col, const std::string& alias) {
    ident(alias.empty() ? t.name : alias);
    out_ += '.';
    ident(t.columns[static_cast<std::size_t>(col)].name);
}

const value& sql_writer::named_value(const named_params* named, const ast::expr& bind) {
    return named ? named->of(bind) : named_params().of(bind);
}

void sql_writer::check_for_column(const value& v, const schema::table& t, int col) const {
    if (v.kind() != value_kind::text) return;
    try {
        check_text_storable(v.as_text(), h_.stored_text());
    } catch (const data_error& e) {  // the driver would refuse it too, without knowing the column
        rethrow_in_column(e, t.name, t.columns[static_cast<std::size_t>(col)].name, {});
    }
}

void sql_writer::bind(value v, const void* origin) {
    if (origins_) origins_->push_back(origin);
    params_.push_back(std::move(v));
    h_.placeholder(out_, static_cast<int>(params_.size()));
}

void sql_writer::expr(const ast::expr& e, int parent_prec) {
    using k = ast::expr::kind;
    switch (e.k) {
        case k::column: column(*e.table, e.column, e.alias); return;
        case k::raw_column:
            ident(e.alias);
            out_ += '.';
            ident(e.name);
            return;
        case k::param:
            if (!e.name.empty())
                bind(named_value(named_, e), &e.name);
            else
                bind(e.val, &e.val);
            if (e.typed_double) out_ += h_.double_cast();
            return;
        case k::op: op(e, parent_prec); return;
        case k::func: {
            out_ += h_.function_name(e.name);
            out_ += '(';
            if (e.distinct) out_ += "DISTINCT ";
            if (e.star) out_ += '*';
            const std::string_view cast = h_.function_argument_type(e.name);
            if (cast.empty()) {
                expr_list(e.args);
            } else {
                for (std::size_t i = 0; i < e.args.size(); ++i) {
                    if (i) out_ += ", ";
                    out_ += "CAST(";
                    expr(*e.args[i]);
                    out_ += " AS ";
                    out_ += cast;
                    out_ += ')';
                }
            }
            out_ += ')';
            return;
        }
        case k::subquery:
            out_ += '(';
            select(*e.sub);
            out_ += ')';
            return;
        case k::label:
            expr(*e.args[0]);
            out_ += " AS ";
            ident(e.name);
            return;
        case k::tuple:
            out_ += '(';
            expr_list(e.args);
            out_ += ')';
            return;
    }
}

void sql_writer::op(const ast::expr& e, int parent_prec) {
    const int prec = precedence(e.o);
    const bool paren = prec <= parent_prec && prec < 7;
    if (paren) out_ += '(';
    switch (e.o) {
        case op::not_:
            if (!h_.bare_boolean_conditions() && is_bare_value(*e.args[0])) {
                expr(*e.args[0]);
                out_ += " = 0";
                break;
            }
            out_ += "NOT ";
            condition(*e.args[0], prec);
            break;
        case op::neg:
            out_ += '-';
            if (e.args[0]->k == ast::expr::kind::op || e.args[0]->k == ast::expr::kind::param) {
                out_ += '(';  // never "--" (a comment) or "-?" ambiguity
                expr(*e.args[0]);
                out_ += ')';
            } else {
                expr(*e.args[0], prec);
            }
            break;
        case op::is_null:
            expr(*e.args[0], prec);
            out_ += " IS NULL";
            break;
        case op::is_not_null:
            expr(*e.args[0], prec);
            out_ += " IS NOT NULL";
            break;
        case op::exists:
            out_ += "EXISTS ";
            expr(*e.args[0], prec);
            break;
        case op::between:
            expr(*e.args[0], prec);
            out_ += " BETWEEN ";
            expr(*e.args[1], prec);
            out_ += " AND ";
            expr(*e.args[2], prec);
            break;
        case op::in:
        case op::not_in: {
            const bool neg = e.o == op::not_in;
            if (e.args.size() == 1) {  // empty list: always false (IN) / true (NOT IN), valid everywhere
                out_ += neg ? "1 = 1" : "1 != 1";
                break;
            }
            if (e.args.size() == 2 && e.args[1]->k == ast::expr::kind::subquery) {
                expr(*e.args[0], prec);
                out_ += neg ? " NOT IN " : " IN ";
                expr(*e.args[1]);
                break;
            }
            in_list(e, prec);
            break;
        }
        case op::ilike:
        case op::not_ilike:
            if (h_.native_ilike()) {
                expr(*e.args[0], prec);
                out_ += binary_text(e.o);
                expr(*e.args[1], prec);
            } else {
                out_ += "lower(";
                expr(*e.args[0]);
                out_ += e.o == op::ilike ? ") LIKE lower(" : ") NOT LIKE lower(";
                expr(*e.args[1]);
                out_ += ')';
            }
            if (e.escape) out_ += " ESCAPE '/'";
            break;
        case op::is_distinct_from:
        case op::is_not_distinct_from: {
            const bool is_not = e.o == op::is_not_distinct_from;
            switch (h_.distinct_from()) {
                case dialect_hooks::distinct_from_spelling::null_safe_equal:
                    if (!is_not) out_ += "NOT (";
                    expr(*e.args[0], 4);
                    out_ += " <=> ";
                    expr(*e.args[1], 4);
                    if (!is_not) out_ += ')';
                    break;
                case dialect_hooks::distinct_from_spelling::decode:
                    out_ += "DECODE(";
                    expr(*e.args[0]);
                    out_ += ", ";
                    expr(*e.args[1]);
                    out_ += is_not ? ", 1, 0) = 1" : ", 1, 0) = 0";
                    break;
                case dialect_hooks::distinct_from_spelling::standard:
                    expr(*e.args[0], prec);
                    out_ += binary_text(e.o);
                    expr(*e.args[1], prec);
                    break;
            }
            break;
        }
        case op::int_div: integer_division(e, prec); break;
        case op::concat:
            binary_or_call(e, prec, h_.concat() == dialect_hooks::concat_spelling::function ? "concat" : nullptr);
            break;
        case op::mod:
            binary_or_call(e, prec, h_.modulo() == dialect_hooks::modulo_spelling::mod_function ? "MOD" : nullptr);
            break;
        default: {
            // AND / OR: each side is a condition, the right one parenthesised at equal precedence
            if (e.o == op::and_ || e.o == op::or_) {
                condition(*e.args[0], prec - 1);
                out_ += binary_text(e.o);
                condition(*e.args[1], prec);
                break;
            }
            if (e.match != ast::text_match::none) {
                text_match(e, prec);
                break;
            }
            binary(e, prec);
        }
    }
    if (paren) out_ += ')';
}

void sql_writer::binary(const ast::expr& e, int prec) {
    // left-associative (the right operand needs parentheses at equal precedence); comparisons do
    // not chain (PostgreSQL rejects a < b = c), so both sides get them
    expr(*e.args[0], prec == 4 ? prec : prec - 1);
    out_ += binary_text(e.o);
    expr(*e.args[1], prec);
    if ((e.o == op::like || e.o == op::not_like) && e.escape) out_ += " ESCAPE '/'";
}

void sql_writer::binary_or_call(const ast::expr& e, int prec, const char* function) {
    if (function)
        call(function, e.args);
    else
        binary(e, prec);
}

void sql_writer::integer_division(const ast::expr& e, int prec) {
    // truncates, as in C++
    using spelling = dialect_hooks::integer_division_spelling;
    const spelling s = h_.integer_division_operator();
    if (s == spelling::trunc_quotient) out_ += "TRUNC(";
    expr(*e.args[0], prec - 1);
    out_ += s == spelling::div_operator ? " DIV " : " / ";
    expr(*e.args[1], prec);
    if (s == spelling::trunc_quotient) out_ += ')';
}

void sql_writer::call(std::string_view function, const std::vector<ast::expr_ptr>& args) {
    out_ += function;
    out_ += '(';
    expr_list(args);
    out_ += ')';
}

void sql_writer::expr_list(const std::vector<ast::expr_ptr>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (i) out_ += ", ";
        expr(*args[i]);
    }
}

void sql_writer::text_match(const ast::expr& e, int prec) {
    const char* form = h_.text_match_form(e.match);
    if (!form) {  // LIKE with the escaped pattern
        expr(*e.args[0], prec);
        out_ += " LIKE ";
        expr(*e.args[1], prec);
        out_ += " ESCAPE '/'";
        return;
    }
    // the dialect's form: {x} is the text, {v} the value (a parameter each time it appears)
    for (const char* p = form; *p; ++p) {
        if (p[0] == '{' && p[1] != '\0' && p[2] == '}') {
            expr(*e.args[p[1] == 'x' ? 0 : 2]);
            p += 2;
        } else {
            out_ += *p;
        }
    }
}

void sql_writer::in_list(const ast::expr& e, int prec) {
    const bool neg = e.o == op::not_in;
    const ast::expr& lhs = *e.args[0];
    const std::size_t n = e.args.size() - 1;
    // one parameter for the whole list where the dialect has a form for it (long lists): the
    // parameter has no origin in the tree, so the shape cache does not keep this SQL
    std::vector<const value*> values;
    values.reserve(n);
    bool doubles = false;
    for (std::size_t i = 1; i <= n; ++i) {
        const ast::expr& a = *e.args[i];
        if (a.k != ast::expr::kind::param || !a.name.empty()) break;
        values.push_back(&a.val);
        doubles = doubles || a.typed_double;
    }
    if (values.size() == n) {
        const schema::column* c = lhs.k == ast::expr::kind::column
                                      ? &lhs.table->columns[static_cast<std::size_t>(lhs.column)]
                                      : nullptr;
        std::optional<dialect_hooks::list_param> form;
        try {
            form = h_.in_list_param(values, neg, c, doubles);
        } catch (const data_error& err) {  // a value the list's encoding refuses: name its column
            if (!c) throw;
            rethrow_in_column(err, lhs.table->name, c->name, {});
        }
        if (form) {
            expr(lhs, prec);
            out_ += form->before;
            bind(std::move(form->param), nullptr);
            out_ += form->after;
            return;
        }
    }
    // inline: lists of at most in_list_limit() values, ORed (NOT IN: ANDed)
    const std::size_t limit = h_.in_list_limit() == 0 ? n : h_.in_list_limit();
    const bool split = n > limit;
    if (split) out_ += '(';
    for (std::size_t first = 1; first <= n; first += limit) {
        if (first > 1) out_ += neg ? " AND " : " OR ";
        expr(lhs, prec);
        out_ += neg ? " NOT IN (" : " IN (";
        for (std::size_t i = first; i < std::min(n + 1, first + limit); ++i) {
            if (i > first) out_ += ", ";
            expr(*e.args[i]);
        }
        out_ += ')';
    }
    if (split) out_ += ')';
}

void sql_writer::condition(const ast::expr& e, int parent_prec) {
    // a dialect without a boolean type (Oracle's NUMBER(1)) compares a bare boolean value with 1
    if (!h_.bare_boolean_conditions() && is_bare_value(e)) {
        expr(e);
        out_ += " = 1";
        return;
    }
    expr(e, parent_prec);
}

void sql_writer::where(const std::vector<ast::expr_ptr>& conds, const char* keyword) {
    if (conds.empty()) return;
    out_ += keyword;
    for (std::size_t i = 0; i < conds.size(); ++i) {
        if (i) out_ += " AND ";
        condition(*conds[i], conds.size() > 1 ? 2 : 0);
    }
}

}  // namespace dorm::detail
