// The SQL printer, SELECT: the FROM list (inferred from the columns when not given, correlated
// subqueries leaving out the enclosing statements' tables), joins, clauses, LIMIT/OFFSET and row
// locks (see sql_writer.hpp).
#include "query/sql_writer.hpp"

#include <algorithm>

#include <dorm/error.hpp>

namespace dorm::detail {

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
            const ast::order_item& o = s.order_by[i];
            const bool spelled = o.nulls != ast::nulls_place::database && h_.nulls_first_last();
            if (o.nulls != ast::nulls_place::database && !spelled) {
                // no NULLS FIRST / LAST: order by whether it is NULL first (false sorts before true)
                out_ += '(';
                expr(*o.e);
                out_ += o.nulls == ast::nulls_place::first ? " IS NULL) DESC, " : " IS NULL) ASC, ";
            }
            expr(*o.e);
            out_ += o.desc ? " DESC" : " ASC";
            if (spelled) out_ += o.nulls == ast::nulls_place::first ? " NULLS FIRST" : " NULLS LAST";
        }
    }
    if (s.limit || s.offset) {
        std::string lim, off;
        const bool offset_first = h_.offset_before_limit();
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

}  // namespace dorm::detail
