// The schema diff: the models (schema::table) against a live schema (dorm::inspect), as
// operations in the order they must run, each lossless or lossy, with the SQL that applies and
// the SQL that undoes it. SQLite changes its ALTER TABLE cannot make become one table rebuild
// per table (lib/schema/rebuild.cpp).
#include <dorm/schema/diff.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include <dorm/error.hpp>
#include <dorm/schema/ddl.hpp>

#include "dialect/hooks.hpp"
#include "schema/ddl_parts.hpp"
#include "schema/diff_internal.hpp"
#include "schema/sql_type.hpp"

namespace dorm::schema {

namespace {

std::string q(dialect d, std::string_view ident) { return ddl_parts::quoted(d, ident); }

std::string qualified(dialect d, const std::string& table, const std::string& column) {
    return q(d, table) + "." + q(d, column);
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

std::string plural(long long n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The order operations run in (stable within a phase).
// Foreign keys are dropped before indexes: InnoDB keeps the index a foreign key uses.
int phase(schema_change k) {
    switch (k) {
        case schema_change::drop_foreign_key: return 0;
        case schema_change::drop_check:
        case schema_change::drop_unique:
        case schema_change::drop_index: return 1;
        case schema_change::create_table: return 2;
        case schema_change::add_column: return 3;
        case schema_change::alter_column_type:
        case schema_change::alter_column_nullable:
        case schema_change::alter_column_default: return 4;
        case schema_change::rebuild_table: return 5;
        case schema_change::add_unique:
        case schema_change::add_index:
        case schema_change::add_check:
        case schema_change::add_foreign_key: return 6;
        case schema_change::drop_column: return 7;
        case schema_change::drop_table: return 8;
    }
    return 9;
}

// The identifiers an SQL expression names (outside string literals; quoted ones unquoted), to
// tell which columns a CHECK uses.
std::vector<std::string> identifiers(std::string_view expr) {
    std::vector<std::string> out;
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; };
    for (std::size_t i = 0; i < expr.size();) {
        const char c = expr[i];
        if (c == '\'') {  // a literal: skipped, '' inside it included
            for (++i; i < expr.size(); ++i)
                if (expr[i] == '\'' && !(i + 1 < expr.size() && expr[i + 1] == '\'' && ++i)) break;
            ++i;
        } else if (c == '"' || c == '`' || c == '[') {
            const char close = c == '[' ? ']' : c;
            const auto end = expr.find(close, i + 1);
            out.emplace_back(expr.substr(i + 1, (end == std::string_view::npos ? expr.size() : end) - i - 1));
            i = end == std::string_view::npos ? expr.size() : end + 1;
        } else if (word(c) && !std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t j = i;
            while (j < expr.size() && word(expr[j])) ++j;
            out.emplace_back(expr.substr(i, j - i));
            i = j;
        } else if (word(c)) {  // a number
            while (i < expr.size() && word(expr[i])) ++i;
        } else {
            ++i;
        }
    }
    return out;
}

bool starts_with_columns(const std::vector<std::string>& index, const std::vector<std::string>& fk) {
    return !fk.empty() && index.size() >= fk.size() && std::equal(fk.begin(), fk.end(), index.begin());
}

/// The constraint clause that creates live foreign key `fk` again (named as it is).
std::string live_foreign_key_clause(const detail::dialect_hooks& h, dialect d, const live_foreign_key& fk) {
    std::string clause = "CONSTRAINT " + q(d, fk.name) + " FOREIGN KEY (" + ddl_parts::quoted_list(d, fk.columns) +
                         ") REFERENCES " + q(d, fk.referred_table) + " (" + ddl_parts::quoted_list(d, fk.referred_columns) + ")";
    if (auto w = h.fk_action_words(fk.on_delete, false); !w.empty()) clause += " ON DELETE " + w;
    if (auto w = h.fk_action_words(fk.on_update, true); !w.empty()) clause += " ON UPDATE " + w;
    return clause;
}

/// Where the dialect cannot change the type of a column a foreign key uses (MariaDB), each live
/// foreign key on a column whose type `ops` changes, as the referring or the referred column, is
/// dropped before the change and added again after it (unless the diff drops it anyway).
void free_foreign_keys_of_type_changes(const live_schema& live, dialect d, std::vector<schema_operation>& ops) {
    const detail::dialect_hooks& h = detail::hooks(d);
    if (!h.type_change_needs_foreign_keys_dropped()) return;
    auto altered = [&](const std::string& table, const std::vector<std::string>& columns) {
        return std::any_of(ops.begin(), ops.end(), [&](const schema_operation& op) {
            return op.kind == schema_change::alter_column_type && op.table == table &&
                   std::find(columns.begin(), columns.end(), op.column) != columns.end();
        });
    };
    std::vector<schema_operation> added;
    for (const auto& lt : live.tables)
        for (const auto& fk : lt.foreign_keys) {
            if (fk.name.empty() || (!altered(lt.name, fk.columns) && !altered(fk.referred_table, fk.referred_columns)))
                continue;
            const bool dropped = std::any_of(ops.begin(), ops.end(), [&](const schema_operation& op) {
                return op.kind == schema_change::drop_foreign_key && op.table == lt.name && op.column == fk.name;
            });
            if (dropped) continue;
            const std::string what = q(d, fk.name) + " " + q(d, lt.name) + " (" + ddl_parts::quoted_list(d, fk.columns) +
                                     ") -> " + q(d, fk.referred_table) + " (" + ddl_parts::quoted_list(d, fk.referred_columns) + ")";
            const std::string clause = h.add_constraint(lt.name, live_foreign_key_clause(h, d, fk));
            const std::string drop = h.drop_constraint(lt.name, 'f', fk.name);
            schema_operation off;
            off.kind = schema_change::drop_foreign_key;
            off.table = lt.name;
            off.column = fk.name;
            off.description = "drop foreign key " + what + " while the type of its columns changes";
            off.sql.push_back(drop);
            off.down_sql.push_back(clause);
            schema_operation on = off;
            on.kind = schema_change::add_foreign_key;
            on.description = "add foreign key " + what + " again";
            on.sql = {clause};
            on.down_sql = {drop};
            added.push_back(std::move(off));
            added.push_back(std::move(on));
        }
    for (auto& op : added) ops.push_back(std::move(op));
}

/// The diff of one table that exists on both sides.
class table_differ {
public:
    table_differ(const table& model, const live_table& live, dialect d, const data_probe* probe,
                 std::vector<schema_operation>& out, rebuild_refusals* refusals)
        : t_(model), live_(live), d_(d), h_(detail::hooks(d)), probe_(probe), out_(out), refusals_(refusals) {}

    void run() {
        first_op_ = out_.size();
        primary_key();
        columns();
        indexes();
        uniques();
        foreign_keys();
        checks();
        merge_restated_alters();
        if (rebuild_reasons_.empty()) keep_foreign_key_indexes();
        if (!rebuild_reasons_.empty()) rebuild();
    }

private:
    long long rows() const { return probe_ ? probe_->rows(t_.name) : -1; }

    schema_operation& add(schema_change kind, std::string column, std::string description) {
        schema_operation op;
        op.kind = kind;
        op.table = t_.name;
        op.column = std::move(column);
        op.description = std::move(description);
        out_.push_back(std::move(op));
        return out_.back();
    }
    // What a refused part of a rebuild leaves as it is live, so that the rest can run (see rebuild()).
    enum class keep { nothing, live_type, nullable, live_column, left_out };
    // SQLite cannot ALTER this: it becomes part of the table's rebuild. A lossy part names the
    // column it concerns and what the safe rebuild keeps of it live.
    void needs_rebuild(std::string what, bool lossless = true, std::string reason = {}, const std::string& column = {},
                       keep k = keep::nothing) {
        if (!lossless) {
            refused_list_.push_back({t_.name, column, what, reason});
            if (k == keep::live_type)
                kept_type_.insert(column);
            else if (k == keep::nullable)
                kept_nullable_.insert(column);
            else if (k == keep::nothing)
                rebuild_splittable_ = false;
            // (keep::live_column: the caller keeps the column; keep::left_out: a foreign key or
            // check that needs a refused new column, left out with it by safe_table)
        } else {
            rebuild_parts_.push_back(what);
        }
        rebuild_reasons_.push_back(std::move(what));
    }
    // The reason of a lossy rebuild: each refused part and why.
    std::string refused_why() const {
        std::string why;
        for (const auto& r : refused_list_) why += (why.empty() ? "" : "; ") + r.what + ": " + r.why;
        return why;
    }

    // An index or constraint on a column whose addition is refused cannot run either: it is
    // refused with it (a generated migration then comments both out together).
    void depends_on_refused(schema_operation& op, const std::vector<std::string>& cols) const {
        for (const auto& c : cols) {
            if (!refused_new_columns_.count(c)) continue;
            op.lossless = false;
            op.reason = "it needs the new column " + q(d_, c) + ", whose addition is refused";
            return;
        }
    }

    // A part of the rebuild that needs one of `cols`: refused with a refused new column among them
    // (as depends_on_refused refuses an operation of its own), else done by the rebuild.
    void rebuild_unless_refused(std::string what, const std::vector<std::string>& cols) {
        for (const auto& c : cols)
            if (refused_new_columns_.count(c))
                return needs_rebuild(std::move(what), false,
                                     "it needs the new column " + q(d_, c) + ", whose addition is refused", c, keep::left_out);
        needs_rebuild(std::move(what));
    }

    // A UNIQUE constraint over values that rows already repeat: the database would refuse it
    // (on MariaDB after committing the operations before it), so the diff refuses it first.
    void refuse_over_repeated_values(schema_operation& op, const std::vector<std::string>& cols) const {
        if (!op.lossless || !probe_) return;
        for (const auto& c : cols)
            if (!live_.column(c)) return;  // a new column: nothing to count yet
        const long long n = probe_->duplicates(t_.name, cols);
        if (n <= 0) return;
        op.lossless = false;
        op.reason = plural(n, "value", "values") + " of (" + ddl_parts::quoted_list(d_, cols) +
                    (n == 1 ? ") is" : ") are") +
                    " held by more than one row: the database would refuse the constraint; make them unique first";
    }

    void primary_key() {
        std::vector<std::string> model;
        for (int i : t_.primary_key) model.push_back(t_.columns[static_cast<std::size_t>(i)].name);
        if (model == live_.primary_key) return;
        // changing the key changes the identity of every row: never done automatically
        auto& op = add(schema_change::rebuild_table, {},
                       "change the primary key of " + q(d_, t_.name) + " from (" + ddl_parts::quoted_list(d_, live_.primary_key) +
                           ") to (" + ddl_parts::quoted_list(d_, model) + ")");
        op.lossless = false;
        op.reason = "changing a primary key changes which rows are the same rows; dorm does not do it "
                    "automatically (write the migration by hand)";
    }

    // A dropped and an added column of the same type, each the only one of its kind, are probably
    // one column renamed: the diff cannot know, but says how to keep the values.
    void find_renames() {
        std::vector<const column*> added;
        std::vector<const live_column*> dropped;
        for (const auto& c : t_.columns)
            if (!live_.column(c.name)) added.push_back(&c);
        for (const auto& lc : live_.columns)
            if (t_.find_column(lc.name) < 0) dropped.push_back(&lc);
        auto type_of = [&](const column* c) { return parse_sql_type(d_, h_.type_name(t_, *c)); };
        for (const auto* lc : dropped) {
            const sql_type have = parse_sql_type(d_, lc->type);
            const column* match = nullptr;
            int matches = 0;
            for (const auto* c : added)
                if (type_of(c) == have) ++matches, match = c;
            if (matches != 1) continue;
            const auto same = std::count_if(dropped.begin(), dropped.end(), [&](const live_column* other) {
                return parse_sql_type(d_, other->type) == type_of(match);
            });
            if (same != 1) continue;
            rename_hints_[lc->name] = rename_hints_[match->name] =
                "if " + qualified(d_, t_.name, match->name) + " is " + q(d_, lc->name) +
                " renamed, write ALTER TABLE " + q(d_, t_.name) + " RENAME COLUMN " + q(d_, lc->name) + " TO " +
                q(d_, match->name) + " by hand instead: dropping one and adding the other loses the values";
        }
    }

    std::string with_rename_hint(std::string reason, const std::string& column) const {
        auto it = rename_hints_.find(column);
        if (it == rename_hints_.end()) return reason;
        return it->second + "; " + reason;
    }

    void columns() {
        find_renames();
        for (const auto& c : t_.columns) {
            const live_column* lc = live_.column(c.name);
            if (!lc) {
                add_column(c);
                continue;
            }
            if (!c.autoincrement)
                compare_type(c, *lc);
            else
                compare_autoincrement_type(c, *lc);
            compare_nullable(c, *lc);
            if (!c.autoincrement && !lc->autoincrement) compare_default(c, *lc);
        }
        for (const auto& lc : live_.columns)
            if (t_.find_column(lc.name) < 0) drop_column(lc);
    }

    // The live column as a whole (MariaDB's MODIFY COLUMN restates type, default and nullability
    // together, so a down statement must restore all three from the live column)
    detail::dialect_hooks::column_def live_def(const live_column& lc) const {
        return {lc.name, lc.type, lc.default_sql.value_or(""), lc.nullable};
    }

    std::string live_definition(const live_column& lc) const {
        std::string def = q(d_, lc.name) + " " + lc.type;
        if (lc.default_sql) def += " DEFAULT " + *lc.default_sql;
        if (!lc.nullable) def += " NOT NULL";
        return def;
    }

    void add_column(const column& c) {
        const std::string def = ddl_parts::column_definition(t_, c, d_);
        const bool has_default = !ddl_parts::default_sql(c, d_).empty();
        const long long n = rows();
        if (!c.nullable && !has_default && !c.autoincrement && n != 0) {
            auto& op = add(schema_change::add_column, c.name, "add column " + qualified(d_, t_.name, c.name) + " " +
                                                                  def.substr(q(d_, c.name).size() + 1));
            op.lossless = false;
            op.reason = with_rename_hint(
                "the table " + (n < 0 ? std::string("may hold rows") : "holds " + plural(n, "row", "rows")) +
                    " and the new NOT NULL column has no default: give it dorm::default_value(...) or "
                    "dorm::server_default(...), or make it std::optional",
                c.name);
            // the statements still go with it (a generated migration writes them commented out)
            op.sql.push_back(h_.add_column(t_.name, def));
            op.down_sql.push_back(h_.drop_column(t_.name, c.name));
            refused_new_columns_.insert(c.name);
            return;
        }
        // a column ALTER TABLE cannot add (SQLite's limits) comes with a rebuild
        if (!h_.can_add_column(c, has_default)) {
            needs_rebuild("add column " + qualified(d_, t_.name, c.name) + " " + def.substr(q(d_, c.name).size() + 1));
            added_by_rebuild_.insert(c.name);
            return;
        }
        std::string inline_def = def;
        if (c.references && h_.foreign_key_in_add_column()) {
            const table& p = c.references();
            inline_def += " REFERENCES " + q(d_, p.name) + " (" +
                          q(d_, p.columns[static_cast<std::size_t>(c.references_column)].name) + ")";
            if (auto w = h_.fk_action_words(c.on_delete, false); !w.empty()) inline_def += " ON DELETE " + w;
            if (auto w = h_.fk_action_words(c.on_update, true); !w.empty()) inline_def += " ON UPDATE " + w;
            fk_added_inline_.insert(c.name);
        }
        auto& op = add(schema_change::add_column, c.name,
                       "add column " + qualified(d_, t_.name, c.name) + " " + inline_def.substr(q(d_, c.name).size() + 1));
        op.sql.push_back(h_.add_column(t_.name, inline_def));
        op.down_sql.push_back(h_.drop_column(t_.name, c.name));
    }

    void drop_column(const live_column& lc) {
        const long long n = probe_ ? probe_->values(t_.name, lc.name) : -1;
        const std::string what = "drop column " + qualified(d_, t_.name, lc.name);
        const std::string reason = with_rename_hint(
            n < 0    ? "the values of the column would be lost"
            : n == 0 ? "the column would be gone (it holds no value now: every row has NULL, or there is no row)"
                     : "its " + plural(n, "value", "values") + " would be lost",
            lc.name);
        if (!h_.can_drop_column(lc.primary_key || in_any_index(lc.name))) {
            needs_rebuild(what, false, reason, lc.name, keep::live_column);
            kept_dropped_.push_back(&lc);
            if (lc.primary_key) rebuild_splittable_ = false;  // (the key changes too: refused as a whole)
            return;
        }
        auto& op = add(schema_change::drop_column, lc.name, what);
        op.lossless = false;
        op.reason = reason;
        op.sql.push_back(h_.drop_column(t_.name, lc.name));
        op.down_sql.push_back(h_.add_column(t_.name, live_definition(lc)));
    }

    bool in_any_index(const std::string& name) const {
        auto has = [&](const std::vector<std::string>& cols) {
            return std::find(cols.begin(), cols.end(), name) != cols.end();
        };
        for (const auto& ix : live_.indexes)
            if (has(ix.columns)) return true;
        for (const auto& u : live_.uniques)
            if (has(u.columns)) return true;
        for (const auto& fk : live_.foreign_keys)
            if (has(fk.columns)) return true;
        return false;
    }

    void compare_type(const column& c, const live_column& lc) {
        const sql_type want = parse_sql_type(d_, h_.type_name(t_, c));
        const sql_type have = parse_sql_type(d_, lc.type);
        if (want == have) return;
        const bool lossless = widens(have, want);
        const std::string what = "change the type of " + qualified(d_, t_.name, c.name) + " from " + lc.type + " to " +
                                 h_.type_name(t_, c);
        const std::string reason = lossless ? std::string{}
                                            : "values of " + lc.type + " may not fit " + h_.type_name(t_, c) +
                                                  " (a narrower or different type): convert them by hand";
        auto stmts = h_.alter_column(t_.name, ddl_parts::column_def(t_, c, d_), 't');
        if (stmts.empty()) return needs_rebuild(what, lossless, reason, c.name, keep::live_type);
        auto& op = add(schema_change::alter_column_type, c.name, what);
        op.lossless = lossless;
        op.reason = reason;
        op.sql = std::move(stmts);
        op.down_sql = h_.alter_column(t_.name, live_def(lc), 't');
    }

    // A generated key's integer width (int -> std::int64_t): its type as a plain column's, and the
    // dialect's statements for the column and its sequence / counter.
    void compare_autoincrement_type(const column& c, const live_column& lc) {
        const std::string want_type = h_.type_name(t_, c);
        const sql_type want = parse_sql_type(d_, want_type);
        const sql_type have = parse_sql_type(d_, lc.type);
        if (!want.known || !have.known || want.family != column_type::integer || have.family != column_type::integer ||
            want.bytes == have.bytes)
            return;
        auto stmts = h_.alter_autoincrement_type(t_.name, c.name, want_type);
        if (stmts.empty()) return;  // always 64-bit (SQLite)
        const bool lossless = want.bytes > have.bytes;
        auto& op = add(schema_change::alter_column_type, c.name,
                       "change the type of the generated key " + qualified(d_, t_.name, c.name) + " from " + lc.type +
                           " to " + want_type);
        op.lossless = lossless;
        if (!lossless)
            op.reason = "keys of " + lc.type + " may not fit " + want_type + " (a narrower type): convert them by hand";
        op.sql = std::move(stmts);
        op.down_sql = h_.alter_autoincrement_type(t_.name, c.name, lc.type);
    }

    void compare_nullable(const column& c, const live_column& lc) {
        if (c.nullable == lc.nullable || c.primary_key) return;
        auto def = ddl_parts::column_def(t_, c, d_);
        const auto old = live_def(lc);
        if (c.nullable) {  // NOT NULL -> NULL loses nothing
            const std::string what = "make " + qualified(d_, t_.name, c.name) + " nullable";
            auto stmts = h_.alter_column(t_.name, def, 'n');
            if (stmts.empty()) return needs_rebuild(what);
            auto& op = add(schema_change::alter_column_nullable, c.name, what);
            op.sql = std::move(stmts);
            op.down_sql = h_.alter_column(t_.name, old, 'n');
            return;
        }
        const long long nulls = probe_ ? probe_->nulls(t_.name, c.name) : -1;
        const std::string fill = ddl_parts::default_sql(c, d_);
        std::string what = "make " + qualified(d_, t_.name, c.name) + " NOT NULL";
        bool lossless = true;
        std::string reason;
        std::vector<std::string> pre;
        if (nulls != 0) {
            if (!fill.empty()) {
                what += nulls > 0 ? " (its " + plural(nulls, "NULL is", "NULLs are") + " set to the default " + fill + ")"
                                  : " (NULLs are set to the default " + fill + ")";
                pre.push_back("UPDATE " + q(d_, t_.name) + " SET " + q(d_, c.name) + " = " + fill + " WHERE " +
                              q(d_, c.name) + " IS NULL");
            } else {
                lossless = false;
                reason = (nulls > 0 ? plural(nulls, "row holds", "rows hold") : std::string("rows may hold")) +
                         " NULL there and the model gives no default: fill them first or give the column a default";
            }
        }
        auto stmts = h_.alter_column(t_.name, def, 'n');
        if (stmts.empty()) {
            // SQLite: the rebuild copies the rows, so the NULLs are filled in the old table first
            for (auto& s : pre) rebuild_pre_.push_back(s);
            return needs_rebuild(what, lossless, reason, c.name, keep::nullable);
        }
        auto& op = add(schema_change::alter_column_nullable, c.name, what);
        op.lossless = lossless;
        op.reason = reason;
        op.sql = std::move(pre);
        for (auto& s : stmts) op.sql.push_back(std::move(s));
        op.down_sql = h_.alter_column(t_.name, old, 'n');
    }

    void compare_default(const column& c, const live_column& lc) {
        const std::string want = ddl_parts::default_sql(c, d_);
        auto a = normalize_default(d_, want.empty() ? std::nullopt : std::optional<std::string>(want));
        auto b = normalize_default(d_, lc.default_sql);
        if (a == b) return;
        const std::string what = want.empty() ? "drop the default of " + qualified(d_, t_.name, c.name)
                                              : "set the default of " + qualified(d_, t_.name, c.name) + " to " + want;
        auto def = ddl_parts::column_def(t_, c, d_);
        auto stmts = h_.alter_column(t_.name, def, 'd');
        if (stmts.empty()) return needs_rebuild(what);
        auto& op = add(schema_change::alter_column_default, c.name, what);
        op.sql = std::move(stmts);
        op.down_sql = h_.alter_column(t_.name, live_def(lc), 'd');
    }

    void indexes() {
        auto model = ddl_parts::indexes(t_);
        std::vector<bool> matched(live_.indexes.size(), false);
        for (const auto& ix : model) {
            if (ix.unique) continue;  // compared with the unique constraints
            const auto cols = ddl_parts::column_names(t_, ix);
            bool found = false;
            for (std::size_t i = 0; i < live_.indexes.size() && !found; ++i)
                if (!matched[i] && !live_.indexes[i].unique && live_.indexes[i].columns == cols) found = matched[i] = true;
            if (found) continue;
            auto& op = add(schema_change::add_index, ddl_parts::fit_name(ix.name, d_),
                           "add index " + q(d_, ddl_parts::fit_name(ix.name, d_)) + " on " + q(d_, t_.name) + " (" +
                               ddl_parts::quoted_list(d_, cols) + ")");
            op.sql.push_back(ddl_parts::create_index(t_, ix, d_));
            op.down_sql.push_back(h_.drop_index(t_.name, ddl_parts::fit_name(ix.name, d_)));
            depends_on_refused(op, cols);
            added_index_columns_[op.column] = cols;
        }
        for (std::size_t i = 0; i < live_.indexes.size(); ++i) {
            const auto& li = live_.indexes[i];
            if (matched[i] || li.unique) continue;
            auto& op = add(schema_change::drop_index, li.name,
                           "drop index " + q(d_, li.name) + " on " + q(d_, t_.name) + " (" + ddl_parts::quoted_list(d_, li.columns) + ")");
            op.sql.push_back(h_.drop_index(t_.name, li.name));
            op.down_sql.push_back("CREATE INDEX " + q(d_, li.name) + " ON " + q(d_, t_.name) + " (" +
                                  ddl_parts::quoted_list(d_, li.columns) + ")");
        }
    }

    void uniques() {
        // a UNIQUE constraint and a unique index enforce the same thing: either satisfies either
        struct model_unique {
            column_set set;
            bool index;
        };
        std::vector<model_unique> model;
        for (auto& u : ddl_parts::uniques(t_)) model.push_back({u, false});
        for (auto& ix : ddl_parts::indexes(t_))
            if (ix.unique) model.push_back({ix, true});
        struct live_unique_ref {
            std::string name;
            std::vector<std::string> columns;
            bool index;  // a CREATE UNIQUE INDEX (dropped with DROP INDEX)
        };
        std::vector<live_unique_ref> live;
        for (const auto& u : live_.uniques) live.push_back({u.name, u.columns, false});
        for (const auto& ix : live_.indexes)
            if (ix.unique) live.push_back({ix.name, ix.columns, true});
        std::vector<bool> matched(live.size(), false);
        for (const auto& mu : model) {
            const auto cols = ddl_parts::column_names(t_, mu.set);
            bool found = false;
            for (std::size_t i = 0; i < live.size() && !found; ++i)
                if (!matched[i] && sorted(live[i].columns) == sorted(cols)) found = matched[i] = true;
            if (found) continue;
            std::string name = mu.set.name.empty() ? "uq_" + t_.name : mu.set.name;
            if (mu.set.name.empty())
                for (const auto& c : cols) name += "_" + c;
            name = ddl_parts::fit_name(name, d_);
            const std::string what = "add unique constraint " + q(d_, name) + " on " + q(d_, t_.name) + " (" + ddl_parts::quoted_list(d_, cols) + ")";
            auto& op = add(schema_change::add_unique, name, what);
            depends_on_refused(op, cols);
            refuse_over_repeated_values(op, cols);
            added_index_columns_[name] = cols;
            column_set named = mu.set;
            named.name = name;
            named.unique = true;
            std::string clause = h_.add_constraint(t_.name, ddl_parts::unique_clause(t_, named, d_));
            if (mu.index || clause.empty()) {  // SQLite: a unique index, which needs no rebuild
                op.sql.push_back(ddl_parts::create_index(t_, named, d_));
                op.down_sql.push_back(h_.drop_index(t_.name, name));
            } else {
                op.sql.push_back(std::move(clause));
                op.down_sql.push_back(h_.drop_constraint(t_.name, 'u', name));
            }
        }
        for (std::size_t i = 0; i < live.size(); ++i) {
            if (matched[i]) continue;
            const auto& lu = live[i];
            const std::string what = "drop unique constraint " + (lu.name.empty() ? std::string("(unnamed)") : q(d_, lu.name)) +
                                     " on " + q(d_, t_.name) + " (" + ddl_parts::quoted_list(d_, lu.columns) + ")";
            std::string stmt = lu.index ? h_.drop_index(t_.name, lu.name) : h_.drop_constraint(t_.name, 'u', lu.name);
            if (stmt.empty() || lu.name.empty()) {
                needs_rebuild(what);
                continue;
            }
            auto& op = add(schema_change::drop_unique, lu.name, what);
            op.sql.push_back(std::move(stmt));
            if (lu.index)
                op.down_sql.push_back("CREATE UNIQUE INDEX " + q(d_, lu.name) + " ON " + q(d_, t_.name) + " (" +
                                      ddl_parts::quoted_list(d_, lu.columns) + ")");
            else
                op.down_sql.push_back(h_.add_constraint(t_.name, "CONSTRAINT " + q(d_, lu.name) + " UNIQUE (" +
                                                                     ddl_parts::quoted_list(d_, lu.columns) + ")"));
        }
    }

    void foreign_keys() {
        std::vector<bool> matched(live_.foreign_keys.size(), false);
        for (const auto& c : t_.columns) {
            if (!c.references) continue;
            const table& p = c.references();
            const std::string& pc = p.columns[static_cast<std::size_t>(c.references_column)].name;
            bool found = false;
            for (std::size_t i = 0; i < live_.foreign_keys.size() && !found; ++i) {
                const auto& fk = live_.foreign_keys[i];
                if (matched[i] || fk.columns != std::vector<std::string>{c.name} || fk.referred_table != p.name ||
                    fk.referred_columns != std::vector<std::string>{pc})
                    continue;
                if (!h_.same_fk_action(c.on_delete, fk.on_delete) || !h_.same_fk_action(c.on_update, fk.on_update))
                    continue;  // dropped and added again
                found = matched[i] = true;
            }
            if (found || fk_added_inline_.count(c.name) || added_by_rebuild_.count(c.name)) continue;
            const std::string name = ddl_parts::fit_name("fk_" + t_.name + "_" + c.name + "_" + p.name, d_);
            const std::string what = "add foreign key " + q(d_, name) + " " + q(d_, t_.name) + " (" + q(d_, c.name) +
                                     ") -> " + q(d_, p.name) + " (" + q(d_, pc) + ")";
            std::string stmt = h_.add_constraint(t_.name, "CONSTRAINT " + q(d_, name) + " " + ddl_parts::foreign_key_clause(t_, c, d_));
            if (stmt.empty()) {
                rebuild_unless_refused(what, {c.name});
                continue;
            }
            auto& op = add(schema_change::add_foreign_key, name, what);
            depends_on_refused(op, {c.name});
            op.sql.push_back(std::move(stmt));
            op.down_sql.push_back(h_.drop_constraint(t_.name, 'f', name));
        }
        for (std::size_t i = 0; i < live_.foreign_keys.size(); ++i) {
            if (matched[i]) continue;
            const auto& fk = live_.foreign_keys[i];
            const std::string what = "drop foreign key " + (fk.name.empty() ? std::string("(unnamed)") : q(d_, fk.name)) +
                                     " " + q(d_, t_.name) + " (" + ddl_parts::quoted_list(d_, fk.columns) + ") -> " + q(d_, fk.referred_table);
            std::string stmt = fk.name.empty() ? std::string{} : h_.drop_constraint(t_.name, 'f', fk.name);
            if (stmt.empty()) {
                needs_rebuild(what);
                continue;
            }
            auto& op = add(schema_change::drop_foreign_key, fk.name, what);
            op.sql.push_back(std::move(stmt));
            op.down_sql.push_back(h_.add_constraint(t_.name, live_foreign_key_clause(h_, d_, fk)));
        }
    }

    // CHECK constraints are compared by name: catalogs rewrite expressions (PostgreSQL adds
    // parentheses and casts), so a changed expression needs a new name to be seen
    void checks() {
        std::vector<bool> matched(live_.checks.size(), false);
        auto squeeze = [](std::string s) {
            std::string out;
            for (char ch : s)
                if (!std::isspace(static_cast<unsigned char>(ch)) && ch != '(' && ch != ')')
                    out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            return out;
        };
        for (const auto& ck : t_.checks) {
            const std::string name = ddl_parts::fit_name(ck.name, d_);
            bool found = false;
            for (std::size_t i = 0; i < live_.checks.size() && !found; ++i) {
                const auto& lc = live_.checks[i];
                if (matched[i]) continue;
                if (lc.name.empty() ? squeeze(lc.expression) == squeeze(ck.expression) : lc.name == name)
                    found = matched[i] = true;
            }
            if (found) continue;
            const std::string what = "add check constraint " + q(d_, name) + " on " + q(d_, t_.name) + ": " + ck.expression;
            std::string stmt = h_.add_constraint(t_.name, ddl_parts::check_clause(ck, d_));
            if (stmt.empty()) {
                rebuild_unless_refused(what, identifiers(ck.expression));
                continue;
            }
            auto& op = add(schema_change::add_check, name, what);
            depends_on_refused(op, identifiers(ck.expression));
            op.sql.push_back(std::move(stmt));
            op.down_sql.push_back(h_.drop_constraint(t_.name, 'c', name));
        }
        for (std::size_t i = 0; i < live_.checks.size(); ++i) {
            if (matched[i]) continue;
            const auto& lc = live_.checks[i];
            const std::string what = "drop check constraint " + (lc.name.empty() ? std::string("(unnamed)") : q(d_, lc.name)) +
                                     " on " + q(d_, t_.name) + ": " + lc.expression;
            std::string stmt = lc.name.empty() ? std::string{} : h_.drop_constraint(t_.name, 'c', lc.name);
            if (stmt.empty()) {
                needs_rebuild(what);
                continue;
            }
            auto& op = add(schema_change::drop_check, lc.name, what);
            op.sql.push_back(std::move(stmt));
            op.down_sql.push_back(h_.add_constraint(t_.name, "CONSTRAINT " + q(d_, lc.name) + " CHECK (" + lc.expression + ")"));
        }
    }

    // MariaDB's MODIFY COLUMN restates the whole column, so changes of one column (type,
    // nullability, default) end in the same statement: they become one operation, whose
    // preparations (filling NULLs) run before it and which is lossy if any of them is.
    void merge_restated_alters() {
        auto is_alter = [](schema_change k) {
            return k == schema_change::alter_column_type || k == schema_change::alter_column_nullable ||
                   k == schema_change::alter_column_default;
        };
        for (std::size_t i = first_op_; i < out_.size(); ++i) {
            if (!is_alter(out_[i].kind) || out_[i].sql.empty()) continue;
            for (std::size_t j = i + 1; j < out_.size();) {
                auto& first = out_[i];
                auto& later = out_[j];
                if (!is_alter(later.kind) || later.column != first.column || later.sql.empty() ||
                    later.sql.back() != first.sql.back()) {
                    ++j;
                    continue;
                }
                const std::string restated = first.sql.back();
                first.sql.pop_back();
                first.sql.insert(first.sql.end(), later.sql.begin(), later.sql.end() - 1);
                first.sql.push_back(restated);
                first.description += "; " + later.description;
                if (!later.lossless) {
                    first.reason = first.lossless ? later.reason : first.reason + "; " + later.reason;
                    first.lossless = false;
                }
                out_.erase(out_.begin() + static_cast<std::ptrdiff_t>(j));
            }
        }
    }

    // A foreign key whose only index is dropped keeps one (InnoDB refuses the drop otherwise):
    // an index this diff adds that serves it is created first, in the dropping operation, or else
    // an index named after the constraint, as InnoDB would make it.
    void keep_foreign_key_indexes() {
        auto find_op = [&](schema_change k, const std::string& name) -> std::ptrdiff_t {
            for (std::size_t i = first_op_; i < out_.size(); ++i)
                if (out_[i].kind == k && out_[i].column == name) return static_cast<std::ptrdiff_t>(i);
            return -1;
        };
        std::vector<std::size_t> merged;  // add operations moved into a drop
        for (const auto& fk : live_.foreign_keys) {
            if (fk.name.empty() || find_op(schema_change::drop_foreign_key, fk.name) >= 0) continue;
            if (starts_with_columns(live_.primary_key, fk.columns)) continue;
            bool kept = false;
            std::ptrdiff_t dropping = -1;
            auto consider = [&](const std::vector<std::string>& cols, schema_change drop_kind, const std::string& name) {
                if (!starts_with_columns(cols, fk.columns)) return;
                const auto i = find_op(drop_kind, name);
                if (i < 0) kept = true;
                else if (dropping < 0) dropping = i;
            };
            for (const auto& ix : live_.indexes)
                consider(ix.columns, ix.unique ? schema_change::drop_unique : schema_change::drop_index, ix.name);
            for (const auto& u : live_.uniques) consider(u.columns, schema_change::drop_unique, u.name);
            if (kept) continue;
            const std::string fk_index = h_.foreign_key_index(t_.name, fk.name, ddl_parts::quoted_list(d_, fk.columns));
            if (fk_index.empty()) continue;
            if (dropping < 0) {
                // served by the engine's own index, which InnoDB drops when an added index serves the
                // key: undoing that addition makes the key's index again first
                for (std::size_t i = first_op_; i < out_.size(); ++i) {
                    auto& op = out_[i];
                    if ((op.kind == schema_change::add_index || op.kind == schema_change::add_unique) &&
                        starts_with_columns(added_index_columns_[op.column], fk.columns))
                        op.down_sql.insert(op.down_sql.begin(), fk_index);
                }
                continue;
            }
            auto& drop = out_[static_cast<std::size_t>(dropping)];
            const std::string why = " first, which foreign key " + q(d_, fk.name) + " needs";
            std::ptrdiff_t adding = -1;
            for (std::size_t i = first_op_; i < out_.size() && adding < 0; ++i) {
                const auto& op = out_[i];
                if ((op.kind != schema_change::add_index && op.kind != schema_change::add_unique) || !op.lossless) continue;
                const auto& cols = added_index_columns_[op.column];
                const bool columns_exist = std::all_of(cols.begin(), cols.end(),
                                                       [&](const std::string& c) { return live_.column(c) != nullptr; });
                if (columns_exist && starts_with_columns(cols, fk.columns) &&
                    std::find(merged.begin(), merged.end(), i) == merged.end())
                    adding = static_cast<std::ptrdiff_t>(i);
            }
            if (adding >= 0) {
                auto& add_op = out_[static_cast<std::size_t>(adding)];
                drop.sql.insert(drop.sql.begin(), add_op.sql.begin(), add_op.sql.end());
                drop.down_sql.insert(drop.down_sql.end(), add_op.down_sql.begin(), add_op.down_sql.end());
                drop.description += " (" + add_op.description + why + ")";
                merged.push_back(static_cast<std::size_t>(adding));
            } else {
                drop.sql.insert(drop.sql.begin(), fk_index);
                drop.down_sql.push_back(h_.drop_index(t_.name, fk.name));
                drop.description += " (an index " + q(d_, fk.name) + " on (" + ddl_parts::quoted_list(d_, fk.columns) + ") is created" + why + ")";
            }
        }
        std::sort(merged.rbegin(), merged.rend());
        for (auto i : merged) out_.erase(out_.begin() + static_cast<std::ptrdiff_t>(i));
    }

    static std::string joined(const std::vector<std::string>& parts) {
        std::string out;
        for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
        return out;
    }

    // A column's type as it is live (a narrowed column, a column whose drop is refused), in
    // dorm's terms; false when dorm cannot write that type back exactly.
    bool take_live_type(const table& t, column& c, const live_column& lc) const {
        const sql_type have = parse_sql_type(d_, lc.type);
        if (!have.known) return false;
        c.type = have.family;
        if (have.bytes != 0) c.int_bytes = have.bytes;
        c.length = have.length;
        return parse_sql_type(d_, h_.type_name(t, c)) == have;
    }

    // The model's table with each refused part of its rebuild left as it is live: a column whose
    // drop is refused is kept (after the model's columns, with its live type, nullability and
    // default), a refused narrowing keeps the live type, a refused NOT NULL keeps the column
    // nullable. Nothing when a kept part cannot be written as it is.
    std::optional<table> safe_table() const {
        table mid = t_;
        for (const auto& name : refused_new_columns_)
            if (!leave_out(mid, name)) return std::nullopt;
        for (auto& c : mid.columns) {
            if (kept_nullable_.count(c.name)) c.nullable = true;
            if (kept_type_.count(c.name)) {
                const live_column* lc = live_.column(c.name);
                if (!lc || !take_live_type(mid, c, *lc)) return std::nullopt;
            }
        }
        for (const live_column* lc : kept_dropped_) {
            column c;
            c.name = c.member = lc->name;
            c.nullable = lc->nullable;
            if (lc->default_sql) c.server_default_sql = *lc->default_sql;
            mid.columns.push_back(std::move(c));
            if (!take_live_type(mid, mid.columns.back(), *lc)) return std::nullopt;
        }
        return mid;
    }

    // An index or constraint refused only because it needs a refused new column.
    bool needs_refused_column(const schema_operation& op) const {
        return (op.kind == schema_change::add_index || op.kind == schema_change::add_unique ||
                op.kind == schema_change::add_check || op.kind == schema_change::add_foreign_key) &&
               op.reason.starts_with("it needs the new column ");
    }

    // Takes the new column `name` (whose addition is refused) out of `mid`, with the indexes,
    // unique constraints and checks that name it; false when it is part of the key.
    static bool leave_out(table& mid, const std::string& name) {
        const int k = mid.find_column(name);
        if (k < 0) return true;
        if (std::find(mid.primary_key.begin(), mid.primary_key.end(), k) != mid.primary_key.end() ||
            mid.autoincrement_column == k || mid.version_column == k)
            return false;
        mid.columns.erase(mid.columns.begin() + k);
        auto shift = [k](int& i) {
            if (i > k) --i;
        };
        for (int& i : mid.primary_key) shift(i);
        shift(mid.autoincrement_column);
        shift(mid.version_column);
        for (auto* sets : {&mid.uniques, &mid.indexes}) {
            std::erase_if(*sets, [k](const column_set& s) {
                return std::find(s.columns.begin(), s.columns.end(), k) != s.columns.end();
            });
            for (auto& s : *sets)
                for (int& i : s.columns) shift(i);
        }
        std::erase_if(mid.checks, [&](const check_constraint& ck) {
            const auto ids = identifiers(ck.expression);
            return std::find(ids.begin(), ids.end(), name) != ids.end();
        });
        return true;
    }

    // `mid` as the catalog will show it once the first rebuild ran (what the second one reads).
    live_table live_of(const table& mid) const {
        live_table l;
        l.name = mid.name;
        for (const auto& c : mid.columns) {
            live_column lc;
            lc.name = c.name;
            lc.type = h_.type_name(mid, c);
            lc.nullable = c.nullable;
            l.columns.push_back(std::move(lc));
        }
        l.sql = create_statements(mid, d_).front();
        for (const auto& ix : ddl_parts::indexes(mid)) {
            live_index li;
            li.name = ix.name;
            li.unique = ix.unique;
            for (int i : ix.columns) li.columns.push_back(mid.columns[static_cast<std::size_t>(i)].name);
            l.indexes.push_back(std::move(li));
        }
        l.triggers = live_.triggers;
        return l;
    }

    // A rebuild with refused parts is TWO operations: a lossless rebuild to the model with the
    // refused parts kept as they are live (so that the safe changes run: added columns, widened
    // types, new indexes), then a lossy rebuild to the model, which a generated migration writes
    // commented out and upgrade() refuses, as PostgreSQL's and MariaDB's separate statements are.
    void split_rebuild(const table& mid) {
        const live_table mid_live = live_of(mid);
        const bool safe_part = !rebuild_parts_.empty() || !rebuild_pre_.empty();
        if (safe_part) {
            auto& safe = add(schema_change::rebuild_table, {},
                             "rebuild " + q(d_, t_.name) + " (SQLite cannot ALTER it): " + joined(rebuild_parts_) +
                                 " (keeping what the next operation refuses as it is)");
            safe.sql = rebuild_pre_;
            for (auto& s : rebuild_statements(mid, live_)) safe.sql.push_back(std::move(s));
            safe.down_sql = rebuild_back_statements(live_, mid);
        }
        std::vector<std::string> refused;
        for (const auto& r : refused_list_) refused.push_back(r.what);
        const live_table& from = safe_part ? mid_live : live_;
        auto& op = add(schema_change::rebuild_table, {},
                       "rebuild " + q(d_, t_.name) + (safe_part ? " again" : "") +
                           " (SQLite cannot ALTER it): " + joined(refused));
        op.lossless = false;
        op.reason = refused_why();
        op.sql = rebuild_statements(t_, from);
        op.down_sql = rebuild_back_statements(from, t_);
    }

    // The rebuilt table is created whole from the model: every other change of this table is
    // part of it (a dropped column is simply not copied), so they merge into one operation — or
    // two, when some parts are refused and the rest can run without them (split_rebuild).
    void rebuild() {
        std::vector<std::string> parts = rebuild_reasons_;
        for (std::size_t i = first_op_; i < out_.size(); ++i) {
            const auto& folded = out_[i];
            parts.push_back(folded.description);
            if (folded.lossless) {
                rebuild_parts_.push_back(folded.description);
                continue;
            }
            refused_list_.push_back({t_.name, folded.column, folded.description, folded.reason});
            const live_column* lc = folded.kind == schema_change::drop_column ? live_.column(folded.column) : nullptr;
            if (lc && !lc->primary_key)
                kept_dropped_.push_back(lc);
            else if (folded.kind == schema_change::add_column && refused_new_columns_.count(folded.column))
                continue;  // left out of the safe rebuild, with what needs it (below)
            else if (!needs_refused_column(folded))
                rebuild_splittable_ = false;
        }
        out_.erase(out_.begin() + static_cast<std::ptrdiff_t>(first_op_), out_.end());
        const bool lossless = refused_list_.empty();
        if (!lossless && refusals_) (*refusals_)[t_.name] = refused_list_;
        if (!lossless && rebuild_splittable_) {
            if (auto mid = safe_table()) return split_rebuild(*mid);
        }
        std::string what = "rebuild " + q(d_, t_.name) + " (SQLite cannot ALTER it): " + joined(parts);
        auto& op = add(schema_change::rebuild_table, {}, what);
        op.lossless = lossless;
        op.reason = refused_why();
        op.sql = rebuild_pre_;
        for (auto& s : rebuild_statements(t_, live_)) op.sql.push_back(std::move(s));
        op.down_sql = rebuild_back_statements(live_, t_);
    }

    const table& t_;
    const live_table& live_;
    dialect d_;
    const detail::dialect_hooks& h_;
    const data_probe* probe_;
    std::vector<schema_operation>& out_;
    rebuild_refusals* refusals_;
    std::size_t first_op_ = 0;
    std::vector<std::string> rebuild_reasons_;
    // the parts of a rebuild it does and those it refuses; what the refused ones keep as it is
    std::vector<std::string> rebuild_parts_;
    std::vector<refused_operation> refused_list_;
    bool rebuild_splittable_ = true;
    std::vector<const live_column*> kept_dropped_;
    std::set<std::string> kept_type_, kept_nullable_;
    std::vector<std::string> rebuild_pre_;
    std::set<std::string> fk_added_inline_, added_by_rebuild_, refused_new_columns_;
    std::map<std::string, std::vector<std::string>> added_index_columns_;  // by index name
    std::map<std::string, std::string> rename_hints_;                     // by column, dropped or added
};

bool ignored(const diff_options& o, const std::string& name) {
    return name == "dorm_migrations" || std::find(o.ignore_tables.begin(), o.ignore_tables.end(), name) != o.ignore_tables.end();
}

}  // namespace

schema_diff diff(const live_schema& live, std::span<const table* const> tables, dialect d, const diff_options& options,
                 const data_probe* probe) {
    return diff(live, tables, d, options, probe, nullptr);
}

schema_diff diff(const live_schema& live, std::span<const table* const> tables, dialect d, const diff_options& options,
                 const data_probe* probe, rebuild_refusals* refusals) {
    std::vector<schema_operation> ops;
    std::vector<const table*> models;
    for (auto* t : tables)
        if (!ignored(options, t->name)) models.push_back(t);
    for (auto* t : sorted_by_dependency(models)) {
        const live_table* lt = live.table(t->name);
        if (!lt) {
            schema_operation op;
            op.kind = schema_change::create_table;
            op.table = t->name;
            op.description = "create table " + q(d, t->name) + " (" + std::to_string(t->columns.size()) + " columns)";
            op.sql = create_statements(*t, d);
            op.down_sql.push_back(drop_statement(*t, d));
            ops.push_back(std::move(op));
            continue;
        }
        table_differ(*t, *lt, d, probe, ops, refusals).run();
    }
    if (options.drop_unknown_tables) {
        // children before parents among the dropped tables
        std::vector<const live_table*> unknown;
        for (const auto& lt : live.tables) {
            if (ignored(options, lt.name)) continue;
            bool known = std::any_of(models.begin(), models.end(), [&](const table* t) { return t->name == lt.name; });
            if (!known) unknown.push_back(&lt);
        }
        std::stable_sort(unknown.begin(), unknown.end(), [&](const live_table* a, const live_table* b) {
            auto refers = [](const live_table* x, const live_table* y) {
                return std::any_of(x->foreign_keys.begin(), x->foreign_keys.end(),
                                   [&](const live_foreign_key& fk) { return fk.referred_table == y->name && x != y; });
            };
            return refers(a, b) && !refers(b, a);
        });
        for (auto* lt : unknown) {
            const long long n = probe ? probe->rows(lt->name) : -1;
            schema_operation op;
            op.kind = schema_change::drop_table;
            op.table = lt->name;
            op.description = "drop table " + q(d, lt->name) + " (no model maps it)";
            op.lossless = false;
            op.reason = n < 0 ? "its rows would be lost" : "its " + plural(n, "row", "rows") + " would be lost";
            op.sql.push_back("DROP TABLE " + q(d, lt->name));
            if (!lt->sql.empty()) op.down_sql.push_back(lt->sql);  // SQLite keeps the CREATE text
            ops.push_back(std::move(op));
        }
    }
    free_foreign_keys_of_type_changes(live, d, ops);
    std::stable_sort(ops.begin(), ops.end(),
                     [](const schema_operation& a, const schema_operation& b) { return phase(a.kind) < phase(b.kind); });
    return schema_diff(d, std::move(ops));
}

}  // namespace dorm::schema
