// The SQL printer (see sql_writer.hpp) and dorm::detail::compile_*.
#include "query/sql_writer.hpp"
#include "query/shape_cache.hpp"
#include "dialect/list_param.hpp"

#include <algorithm>

#include <dorm/detail/data_errors.hpp>
#include <dorm/error.hpp>
#include <dorm/query/text.hpp>

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

expr_ptr make_column(const schema::table* t, int column, std::string alias) {
    auto e = std::make_shared<expr>();
    e->k = expr::kind::column;
    e->table = t;
    e->column = column;
    e->alias = std::move(alias);
    return e;
}
expr_ptr make_param(value v) {
    auto e = std::make_shared<expr>();
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
    auto e = std::make_shared<expr>();
    e->k = expr::kind::op;
    e->o = o;
    e->args = std::move(args);
    return e;
}
expr_ptr make_func(std::string name, std::vector<expr_ptr> args) {
    auto e = std::make_shared<expr>();
    e->k = expr::kind::func;
    e->name = std::move(name);
    e->args = std::move(args);
    return e;
}
expr_ptr make_subquery(std::shared_ptr<const select> s) {
    auto e = std::make_shared<expr>();
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
    auto e = std::make_shared<expr>(*make_op(op::like, std::move(x), make_param(value(std::move(pattern))),
                                             make_param(value(v))));
    e->escape = true;
    e->match = m;
    return e;
}

}  // namespace dorm::ast

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

}  // namespace

void sql_writer::table_name(const ast::table_ref& t) {
    if (t.subquery) {
        out_ += '(';
        select(*t.subquery);
        out_ += h_.kind() == dialect::oracle ? ") " : ") AS ";
        ident(t.alias);
        return;
    }
    ident(t.table->name);
    if (!t.alias.empty()) {
        out_ += h_.kind() == dialect::oracle ? " " : " AS ";
        ident(t.alias);
    }
}

void sql_writer::column(const schema::table& t, int col, const std::string& alias) {
    ident(alias.empty() ? t.name : alias);
    out_ += '.';
    ident(t.columns[static_cast<std::size_t>(col)].name);
}

const value& sql_writer::named_value(const text_params* named, const std::string& name) {
    if (named)
        for (const auto& [n, v] : *named)
            if (n == name) return v;
    throw argument_error("dorm: no value for bindparam(\"" + name + "\"): pass it when running the statement, e.g. "
                         "session.execute(stmt, {{\"" + name + "\", value}})");
}

void sql_writer::check_for_column(const value& v, const schema::table& t, int col) const {
    if (v.kind() != value_kind::text) return;
    try {
        check_text_storable(v.as_text(), h_.kind());
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
                bind(named_value(named_, e.name), &e.name);
            else
                bind(e.val, &e.val);
            return;
        case k::op: op(e, parent_prec); return;
        case k::func:
            out_ += h_.function_name(e.name);
            out_ += '(';
            if (e.distinct) out_ += "DISTINCT ";
            if (e.star) out_ += '*';
            for (std::size_t i = 0; i < e.args.size(); ++i) {
                if (i) out_ += ", ";
                expr(*e.args[i]);
            }
            out_ += ')';
            return;
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
            for (std::size_t i = 0; i < e.args.size(); ++i) {
                if (i) out_ += ", ";
                expr(*e.args[i]);
            }
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
            if (h_.kind() == dialect::oracle && e.args[0]->k != ast::expr::kind::op &&
                e.args[0]->k != ast::expr::kind::subquery) {
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
            switch (h_.distinct_from_style()) {
                case 1:  // MySQL null-safe equality
                    if (!is_not) out_ += "NOT (";
                    expr(*e.args[0], 4);
                    out_ += " <=> ";
                    expr(*e.args[1], 4);
                    if (!is_not) out_ += ')';
                    break;
                case 2:  // Oracle: DECODE treats two NULLs as equal
                    out_ += "DECODE(";
                    expr(*e.args[0]);
                    out_ += ", ";
                    expr(*e.args[1]);
                    out_ += is_not ? ", 1, 0) = 1" : ", 1, 0) = 0";
                    break;
                default:
                    expr(*e.args[0], prec);
                    out_ += binary_text(e.o);
                    expr(*e.args[1], prec);
            }
            break;
        }
        case op::concat:
            if (h_.kind() == dialect::mysql) {
                out_ += "concat(";
                expr(*e.args[0]);
                out_ += ", ";
                expr(*e.args[1]);
                out_ += ')';
                break;
            }
            [[fallthrough]];
        case op::int_div:
            // integer division truncates (as in C++); MySQL's and Oracle's `/` of integers does not
            if (h_.kind() == dialect::oracle) {
                out_ += "TRUNC(";
                expr(*e.args[0], prec - 1);
                out_ += " / ";
                expr(*e.args[1], prec);
                out_ += ')';
                break;
            }
            expr(*e.args[0], prec - 1);
            out_ += h_.kind() == dialect::mysql ? " DIV " : " / ";
            expr(*e.args[1], prec);
            break;
        case op::mod:
            if (h_.kind() == dialect::oracle) {  // Oracle has MOD(), not %
                out_ += "MOD(";
                expr(*e.args[0]);
                out_ += ", ";
                expr(*e.args[1]);
                out_ += ')';
                break;
            }
            [[fallthrough]];
        default: {
            // left-associative (the right operand needs parentheses at equal precedence);
            // comparisons do not chain (PostgreSQL rejects a < b = c), so both sides get them
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
            expr(*e.args[0], prec == 4 ? prec : prec - 1);
            out_ += binary_text(e.o);
            expr(*e.args[1], prec);
            if ((e.o == op::like || e.o == op::not_like) && e.escape) out_ += " ESCAPE '/'";
        }
    }
    if (paren) out_ += ')';
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
    for (std::size_t i = 1; i <= n; ++i) {
        const ast::expr& a = *e.args[i];
        if (a.k != ast::expr::kind::param || !a.name.empty()) break;
        values.push_back(&a.val);
    }
    if (values.size() == n) {
        const schema::column* c = lhs.k == ast::expr::kind::column
                                      ? &lhs.table->columns[static_cast<std::size_t>(lhs.column)]
                                      : nullptr;
        std::optional<dialect_hooks::list_param> form;
        try {
            form = h_.in_list_param(values, neg, c);
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
    // Oracle has no boolean type (NUMBER(1)): a bare boolean value is compared with 1
    if (h_.kind() == dialect::oracle && e.k != ast::expr::kind::op && e.k != ast::expr::kind::subquery) {
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

namespace {
void collect_tables(const ast::expr& e, std::vector<std::pair<const schema::table*, std::string>>& out) {
    if (e.k == ast::expr::kind::column) {
        std::pair<const schema::table*, std::string> key{e.table, e.alias};
        if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(std::move(key));
    }
    if (e.k == ast::expr::kind::subquery) return;  // its own FROM
    for (auto& a : e.args) collect_tables(*a, out);
}
}  // namespace

void sql_writer::select(const ast::select& s) {
    // FROM list: explicit, else the entities' and columns' tables, minus join targets and
    // (for a correlated subquery) the tables of the enclosing statements.
    std::vector<ast::table_ref> from = s.from;
    if (from.empty()) {
        std::vector<std::pair<const schema::table*, std::string>> tables;
        for (auto& e : s.entities) {
            std::pair<const schema::table*, std::string> key{e.table, e.alias};
            if (std::find(tables.begin(), tables.end(), key) == tables.end()) tables.push_back(key);
        }
        for (auto& c : s.columns) collect_tables(*c, tables);
        for (auto& w : s.where) collect_tables(*w, tables);
        auto is_joined = [&](const std::pair<const schema::table*, std::string>& t) {
            for (auto& j : s.joins)
                if (!j.target.subquery && j.target.table == t.first && j.target.alias == t.second) return true;
            return false;
        };
        auto is_outer = [&](const std::pair<const schema::table*, std::string>& t) {
            for (auto& scope : scopes_)
                if (std::find(scope.begin(), scope.end(), t) != scope.end()) return true;
            return false;
        };
        std::vector<ast::table_ref> own;
        for (auto& t : tables)
            if (!is_joined(t) && !is_outer(t)) own.push_back(ast::table_ref{t.first, t.second, nullptr});
        if (own.empty()) {
            for (auto& t : tables)
                if (!is_joined(t)) {
                    own.push_back(ast::table_ref{t.first, t.second, nullptr});
                    break;
                }
        }
        if (own.empty() && !s.joins.empty())
            throw argument_error("dorm: every table of this SELECT is a JOIN target, so there is nothing to join it "
                                 "to; to join a table to itself, join a dorm::aliased<T>(\"name\")");
        from = std::move(own);
    }
    std::vector<std::pair<const schema::table*, std::string>> scope;
    for (auto& f : from)
        if (f.table) scope.emplace_back(f.table, f.alias);
    for (auto& j : s.joins)
        if (j.target.table) scope.emplace_back(j.target.table, j.target.alias);
    scopes_.push_back(std::move(scope));

    out_ += s.distinct ? "SELECT DISTINCT " : "SELECT ";
    bool first = true;
    for (auto& e : s.entities) {
        for (std::size_t c = 0; c < e.table->columns.size(); ++c) {
            if (!first) out_ += ", ";
            first = false;
            column(*e.table, static_cast<int>(c), e.alias);
        }
    }
    for (auto& c : s.columns) {
        if (!first) out_ += ", ";
        first = false;
        expr(*c);
    }
    if (!from.empty()) {
        out_ += " \nFROM ";
        for (std::size_t i = 0; i < from.size(); ++i) {
            if (i) out_ += ", ";
            table_name(from[i]);
        }
    } else if (h_.needs_dual()) {
        out_ += " \nFROM DUAL";
    }
    for (auto& j : s.joins) {
        out_ += j.kind == ast::join_kind::left ? " LEFT OUTER JOIN " : " JOIN ";
        table_name(j.target);
        out_ += " ON ";
        condition(*j.on);
    }
    where(s.where, " \nWHERE ");
    if (!s.group_by.empty()) {
        out_ += " \nGROUP BY ";
        for (std::size_t i = 0; i < s.group_by.size(); ++i) {
            if (i) out_ += ", ";
            expr(*s.group_by[i]);
        }
    }
    where(s.having, " \nHAVING ");
    if (!s.order_by.empty()) {
        out_ += " \nORDER BY ";
        for (std::size_t i = 0; i < s.order_by.size(); ++i) {
            if (i) out_ += ", ";
            expr(*s.order_by[i].e);
            out_ += s.order_by[i].desc ? " DESC" : " ASC";
        }
    }
    if (s.limit || s.offset) {
        std::string lim, off;
        const bool offset_first = h_.kind() == dialect::oracle;
        auto bind_text = [&](const std::int64_t& v) {
            if (origins_) origins_->push_back(&v);
            params_.push_back(value(v));
            std::string t;
            h_.placeholder(t, static_cast<int>(params_.size()));
            return t;
        };
        if (offset_first) {
            if (s.offset) off = bind_text(*s.offset);
            if (s.limit) lim = bind_text(*s.limit);
        } else {
            if (s.limit) lim = bind_text(*s.limit);
            if (s.offset) off = bind_text(*s.offset);
        }
        h_.limit_offset(out_, lim, off);
    }
    if (s.lock.mode != ast::row_lock::strength::none) lock(s.lock);
    scopes_.pop_back();
}

void sql_writer::lock(const ast::row_lock& l) {
    const auto spelling = h_.locking();
    if (!spelling.rows) return;  // SQLite: the session locks the whole database instead
    out_ += l.mode == ast::row_lock::strength::share ? spelling.share : spelling.update;
    if (!l.of.empty() && spelling.of != dialect_hooks::lock_spelling::of_kind::ignored) {
        out_ += " OF ";
        for (std::size_t i = 0; i < l.of.size(); ++i) {
            if (i) out_ += ", ";
            const ast::table_ref& t = l.of[i];
            if (spelling.of == dialect_hooks::lock_spelling::of_kind::key_columns)
                column(*t.table, t.table->primary_key.empty() ? 0 : t.table->primary_key.front(), t.alias);
            else
                ident(t.alias.empty() ? t.table->name : t.alias);
        }
    }
    if (l.nowait) out_ += " NOWAIT";
    if (l.skip_locked) out_ += " SKIP LOCKED";
}

void sql_writer::insert(const ast::insert& s) {
    const auto& t = *s.table;
    const bool ignore = s.on_conflict == ast::insert::conflict::do_nothing && h_.upsert_style() == 1;
    if (s.on_conflict != ast::insert::conflict::none && h_.upsert_style() < 0)
        throw unsupported_error("dorm: upsert (on_conflict) is not supported on dialect " + std::string(h_.name()));
    out_ += ignore ? "INSERT IGNORE INTO " : "INSERT INTO ";
    ident(t.name);
    out_ += " (";
    for (std::size_t i = 0; i < s.columns.size(); ++i) {
        if (i) out_ += ", ";
        ident(t.columns[static_cast<std::size_t>(s.columns[i])].name);
    }
    out_ += ") VALUES ";
    if (s.columns.empty() && h_.kind() != dialect::mysql) {
        out_.resize(out_.size() - std::string_view(" () VALUES ").size());
        out_ += " DEFAULT VALUES";
    } else {
        for (std::size_t r = 0; r < s.rows.size(); ++r) {
            if (r) out_ += ", ";
            out_ += '(';
            for (std::size_t i = 0; i < s.rows[r].size(); ++i) {
                if (i) out_ += ", ";
                check_for_column(s.rows[r][i], t, s.columns[i]);
                bind(s.rows[r][i], &s.rows[r][i]);
            }
            out_ += ')';
        }
    }
    if (s.on_conflict != ast::insert::conflict::none && !ignore) {
        if (h_.upsert_style() == 0) {
            if (s.on_conflict == ast::insert::conflict::do_update && s.conflict_columns.empty())
                throw argument_error("dorm: do_update() needs on_conflict(columns...): the unique key that "
                                     "detects the duplicate");
            out_ += " ON CONFLICT";
            if (!s.conflict_columns.empty()) {
                out_ += " (";
                for (std::size_t i = 0; i < s.conflict_columns.size(); ++i) {
                    if (i) out_ += ", ";
                    ident(t.columns[static_cast<std::size_t>(s.conflict_columns[i])].name);
                }
                out_ += ')';
            }
            if (s.on_conflict == ast::insert::conflict::do_nothing || s.update_columns.empty()) {
                out_ += " DO NOTHING";
            } else {
                out_ += " DO UPDATE SET ";
                for (std::size_t i = 0; i < s.update_columns.size(); ++i) {
                    if (i) out_ += ", ";
                    const auto& name = t.columns[static_cast<std::size_t>(s.update_columns[i])].name;
                    ident(name);
                    out_ += " = excluded.";
                    ident(name);
                }
            }
        } else {
            out_ += " ON DUPLICATE KEY UPDATE ";
            std::vector<int> cols = s.update_columns;
            if (cols.empty()) cols = s.conflict_columns;  // a no-op update
            for (std::size_t i = 0; i < cols.size(); ++i) {
                if (i) out_ += ", ";
                const auto& name = t.columns[static_cast<std::size_t>(cols[i])].name;
                ident(name);
                out_ += " = VALUES(";
                ident(name);
                out_ += ')';
            }
        }
    }
    if (!s.returning.empty()) {
        out_ += " RETURNING ";
        for (std::size_t i = 0; i < s.returning.size(); ++i) {
            if (i) out_ += ", ";
            ident(t.columns[static_cast<std::size_t>(s.returning[i])].name);
        }
    }
}

void sql_writer::update(const ast::update& s) {
    if (s.sets.empty()) throw argument_error("dorm: update<T>() needs at least one set(column, value)");
    out_ += "UPDATE ";
    ident(s.table->name);
    out_ += " SET ";
    for (std::size_t i = 0; i < s.sets.size(); ++i) {
        if (i) out_ += ", ";
        ident(s.table->columns[static_cast<std::size_t>(s.sets[i].first)].name);
        out_ += '=';
        const ast::expr& v = *s.sets[i].second;
        if (v.k == ast::expr::kind::param && v.name.empty()) check_for_column(v.val, *s.table, s.sets[i].first);
        expr(v);
    }
    scopes_.push_back({{s.table, std::string()}});
    where(s.where, " WHERE ");
    scopes_.pop_back();
}

void sql_writer::delete_(const ast::delete_& s) {
    out_ += "DELETE FROM ";
    ident(s.table->name);
    scopes_.push_back({{s.table, std::string()}});
    where(s.where, " WHERE ");
    scopes_.pop_back();
}

const std::string& compile_select_sql(const ast::select& s, dialect d, std::vector<value>& params,
                                      const text_params* named) {
    // the same statement object again: its memo (made on its second compile) has the SQL
    if (const ast::compiled_memo* m = s.memo.get(); m && m->fits(s, d)) {
        m->collect(s, params, named);
        return m->sql;
    }
    auto& cache = select_shape_cache::instance();
    const std::string* sql = cache.lookup(s, d, params, named);
    if (!sql) {
        thread_local std::string printed;
        printed.clear();
        params.clear();
        std::vector<const void*> origins;
        sql_writer w(d, printed, params);
        w.track_origins(&origins);
        w.named_values(named);
        w.select(s);
        sql = cache.store(s, d, printed, params, origins);
        if (!sql) return printed;
    }
    if (s.memo.compiled_before() && !s.memo.get()) {
        const ast::compiled_memo* m = s.memo.offer(cache.make_memo(s, d).release());
        if (m && m->fits(s, d)) return m->sql;
    }
    return *sql;
}

[[noreturn]] void throw_lock_conflict(const char* a, const char* b) {
    throw argument_error(std::string("dorm: ") + a + "() after " + b +
                         "(): a locking SELECT either fails at once on a locked row (nowait) or leaves the row out "
                         "(skip_locked), not both");
}

compiled compile_select(const ast::select& s, dialect d) {
    compiled c;
    c.sql = compile_select_sql(s, d, c.params);
    return c;
}
compiled compile_select(const ast::select& s, dialect d, const text_params& named) {
    compiled c;
    c.sql = compile_select_sql(s, d, c.params, &named);
    return c;
}
compiled compile_insert(const ast::insert& s, dialect d) {
    compiled c;
    sql_writer(d, c.sql, c.params).insert(s);
    return c;
}
compiled compile_update(const ast::update& s, dialect d) {
    compiled c;
    sql_writer(d, c.sql, c.params).update(s);
    return c;
}
compiled compile_delete(const ast::delete_& s, dialect d) {
    compiled c;
    sql_writer(d, c.sql, c.params).delete_(s);
    return c;
}

}  // namespace dorm::detail

namespace dorm::detail {

ast::expr_ptr infer_join_condition(const std::vector<const schema::table*>& left, const schema::table* right) {
    std::vector<ast::expr_ptr> found;
    for (const auto* l : left) {
        for (std::size_t i = 0; i < right->columns.size(); ++i) {  // right holds a FK to l
            const auto& c = right->columns[i];
            if (c.references && &c.references() == l)
                found.push_back(ast::make_op(ast::op::eq, {ast::make_column(l, c.references_column),
                                                           ast::make_column(right, static_cast<int>(i))}));
        }
        if (l == right) continue;
        for (std::size_t i = 0; i < l->columns.size(); ++i) {  // l holds a FK to right
            const auto& c = l->columns[i];
            if (c.references && &c.references() == right)
                found.push_back(ast::make_op(ast::op::eq, {ast::make_column(right, c.references_column),
                                                           ast::make_column(l, static_cast<int>(i))}));
        }
    }
    if (found.size() != 1)
        throw argument_error("dorm: can't determine the join to table '" + right->name + "': " +
                             (found.empty() ? "no foreign key links it" : "more than one foreign key links it") +
                             " to the selected tables; pass the ON clause explicitly");
    return found.front();
}

}  // namespace dorm::detail

namespace dorm::detail {

void throw_missing_text_column(const char* member) {
    throw invalid_request_error(std::string("dorm: the statement returned no column named '") + member +
                     "' for the row struct's member of that name");
}

namespace {

bool is_name_char(char c, bool first) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9') ||
           (!first && c == '$') || static_cast<unsigned char>(c) >= 0x80;
}

/// The end (one past) of a quoted literal or identifier that opens at `i` with `quote`: a doubled
/// quote stays inside; with `backslash`, `\x` escapes any character (MariaDB strings, PostgreSQL
/// E'...'). An unterminated literal runs to the end (the database reports it).
std::size_t quoted_end(const std::string& sql, std::size_t i, char quote, bool backslash) {
    std::size_t j = i + 1;
    while (j < sql.size()) {
        if (backslash && sql[j] == '\\') {
            j += 2;
            continue;
        }
        if (sql[j] == quote) {
            if (j + 1 < sql.size() && sql[j + 1] == quote) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        ++j;
    }
    return sql.size();
}

/// PostgreSQL dollar quoting at `i` (`$$...$$`, `$tag$...$tag$`): the end (one past) of the
/// literal, or npos when `i` does not open one (`$1` is a positional parameter).
std::size_t dollar_quoted_end(const std::string& sql, std::size_t i) {
    std::size_t j = i + 1;
    if (j < sql.size() && sql[j] != '$' && !is_name_char(sql[j], true)) return std::string::npos;
    while (j < sql.size() && sql[j] != '$') {
        if (!is_name_char(sql[j], false) || sql[j] == '$') return std::string::npos;
        ++j;
    }
    if (j >= sql.size()) return std::string::npos;
    const std::string tag = sql.substr(i, j + 1 - i);  // "$tag$"
    const std::size_t close = sql.find(tag, j + 1);
    return close == std::string::npos ? sql.size() : close + tag.size();
}

/// The end (one past) of a block comment opening at `i`; PostgreSQL nests them.
std::size_t block_comment_end(const std::string& sql, std::size_t i, bool nested) {
    int depth = 1;
    std::size_t j = i + 2;
    while (j < sql.size()) {
        if (nested && sql.compare(j, 2, "/*") == 0) {
            ++depth;
            j += 2;
        } else if (sql.compare(j, 2, "*/") == 0) {
            j += 2;
            if (--depth == 0) return j;
        } else {
            ++j;
        }
    }
    return sql.size();
}

}  // namespace

compiled compile_text(const std::string& sql, const text_params& params, dialect d) {
    // :name outside literals, quoted identifiers and comments is a parameter. What a literal is
    // depends on the dialect: MariaDB's '...' and "..." take backslash escapes and `#` starts a
    // comment there; PostgreSQL has E'...' (backslash escapes), $tag$...$tag$ and nested /* */;
    // `::` is PostgreSQL's cast everywhere.
    const auto& h = hooks(d);
    const bool mysql = d == dialect::mysql;
    const bool postgresql = d == dialect::postgresql;
    compiled out;
    out.sql.reserve(sql.size());
    for (std::size_t i = 0; i < sql.size();) {
        const char c = sql[i];
        std::size_t end = std::string::npos;  // a span copied as it is
        if (c == '\'' || c == '"' || c == '`') {
            const bool escape_prefix = postgresql && c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                                       (i == 1 || !is_name_char(sql[i - 2], false));
            end = quoted_end(sql, i, c, (mysql && c != '`') || escape_prefix);
        } else if (c == '[' && d == dialect::sqlite) {  // SQLite's [identifier]
            end = sql.find(']', i + 1);
            end = end == std::string::npos ? sql.size() : end + 1;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-' &&
                   // MariaDB: only "-- " (a space or control character after) starts a comment
                   (!mysql || i + 2 >= sql.size() || static_cast<unsigned char>(sql[i + 2]) <= ' ')) {
            end = sql.find('\n', i);
            if (end == std::string::npos) end = sql.size();
        } else if (c == '#' && mysql) {
            end = sql.find('\n', i);
            if (end == std::string::npos) end = sql.size();
        } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
            // MariaDB runs the text of /*! ... */ and /*M! ... */: it is SQL, not a comment
            if (mysql && sql.compare(i + 2, 1, "!") == 0)
                end = i + 3;
            else if (mysql && sql.compare(i + 2, 2, "M!") == 0)
                end = i + 4;
            else
                end = block_comment_end(sql, i, postgresql);
        } else if (c == '$' && postgresql && (i == 0 || !is_name_char(sql[i - 1], false))) {
            end = dollar_quoted_end(sql, i);
        }
        if (end != std::string::npos) {
            out.sql.append(sql, i, end - i);
            i = end;
        } else if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {
            out.sql += "::";
            i += 2;
        } else if (c == ':' && i + 1 < sql.size() && is_name_char(sql[i + 1], true) &&
                   static_cast<unsigned char>(sql[i + 1]) < 0x80 && (i == 0 || sql[i - 1] != ':')) {
            std::size_t j = i + 1;
            while (j < sql.size() && is_name_char(sql[j], false) && sql[j] != '$' &&
                   static_cast<unsigned char>(sql[j]) < 0x80)
                ++j;
            const std::string name = sql.substr(i + 1, j - i - 1);
            auto it = std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
            if (it == params.end())
                throw argument_error("dorm: text(): no value for the parameter :" + name);
            out.params.push_back(it->second);
            h.placeholder(out.sql, static_cast<int>(out.params.size()));
            i = j;
        } else {
            out.sql += c;
            ++i;
        }
    }
    return out;
}

}  // namespace dorm::detail

#include <dorm/query/execute.hpp>

namespace dorm::detail {

statement_lease run_on(connection& c, const std::string& sql, std::span<const value> params) {
    return c.run(sql, params);
}

statement_lease run_on(connection& c, const compiled& stmt) { return run_on(c, stmt.sql, stmt.params); }

std::int64_t execute_on(connection& c, const compiled& stmt) {
    auto lease = run_on(c, stmt);
    while (lease->step()) {
    }
    return lease->rows_affected();
}

}  // namespace dorm::detail

namespace dorm::detail {

std::vector<ast::insert> insert_statements(const schema::table& t, const std::vector<std::vector<value>>& generated,
                                           const std::vector<std::vector<value>>& keyed, ast::insert::conflict mode,
                                           const std::vector<int>& conflict, const std::vector<int>& update,
                                           int max_params) {
    std::vector<ast::insert> out;
    for (int with_key = 0; with_key < 2; ++with_key) {
        const auto& rows = with_key ? keyed : generated;
        if (rows.empty()) continue;
        std::vector<int> cols;
        for (int i = 0; i < static_cast<int>(t.columns.size()); ++i)
            if (with_key || i != t.autoincrement_column) cols.push_back(i);
        const std::size_t per =
            cols.empty() ? 1 : std::max<std::size_t>(1, static_cast<std::size_t>(max_params) / cols.size());
        for (std::size_t i = 0; i < rows.size(); i += per) {
            ast::insert ins;
            ins.table = &t;
            ins.columns = cols;
            ins.on_conflict = mode;
            ins.conflict_columns = conflict;
            ins.update_columns = update;
            for (std::size_t r = i; r < std::min(rows.size(), i + per); ++r) {
                std::vector<value> row;
                for (int c : cols) row.push_back(rows[r][static_cast<std::size_t>(c)]);
                ins.rows.push_back(std::move(row));
            }
            out.push_back(std::move(ins));
        }
    }
    return out;
}

}  // namespace dorm::detail
