// dorm::inspect on SQLite: sqlite_master and the pragma table-valued functions, read in one
// deferred transaction (one snapshot of the schema), plus a small parser of the CREATE TABLE and
// CREATE INDEX texts for what no pragma tells: CHECK constraints, the names of UNIQUE and FOREIGN
// KEY constraints, and the expressions of an index.
//
// Catalog surprises (SQLite 3.40):
// - pragma_table_info spells a declared type that is exactly one of INT, INTEGER, REAL, TEXT,
//   BLOB, ANY in capitals ("integer" reads "INTEGER"), every other type as written
//   ("varchar(30)" stays "varchar(30)").
// - dflt_value is the DEFAULT clause as written, without the parentheses of an expression
//   (`DEFAULT (1+2)` reads "1+2"); an explicit `DEFAULT NULL` reads "NULL" (reported as none).
// - pragma_foreign_key_list numbers the foreign keys from the last declared one, and its "to" is
//   NULL when REFERENCES names no columns (the referred table's primary key is meant).
// - pragma_index_info gives an expression part of an index as cid -2 and no name: its text is
//   only in the CREATE INDEX statement.
#include <algorithm>
#include <map>
#include <utility>

#include <dorm/engine/isolation.hpp>
#include <dorm/error.hpp>

#include "schema/inspect_backends.hpp"

namespace dorm::detail::inspect {
namespace {

// ---- a tokenizer of SQLite's SQL: just enough to walk the constraints of a CREATE statement ----

struct token {
    enum class kind : unsigned char { word, identifier, string, open, close, comma, other };
    kind k = kind::other;
    std::size_t begin = 0, end = 0;  // in the SQL text
};

bool is_word_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
           u >= 0x80;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// The end of a quoted token that starts at `i` and ends with `close` ("" and '' and `` are the
// doubled quote inside; [..] has no escape). An unterminated quote runs to the end.
std::size_t quoted_end(std::string_view sql, std::size_t i, char close, bool doubled) {
    for (std::size_t j = i + 1; j < sql.size(); ++j) {
        if (sql[j] != close) continue;
        if (doubled && j + 1 < sql.size() && sql[j + 1] == close) {
            ++j;
            continue;
        }
        return j + 1;
    }
    return sql.size();
}

// The end of a comment starting at `i`, or `i` when there is none.
std::size_t comment_end(std::string_view sql, std::size_t i) {
    if (sql.substr(i, 2) == "--") {
        const auto nl = sql.find('\n', i);
        return nl == std::string_view::npos ? sql.size() : nl + 1;
    }
    if (sql.substr(i, 2) == "/*") {
        const auto close = sql.find("*/", i + 2);
        return close == std::string_view::npos ? sql.size() : close + 2;
    }
    return i;
}

std::vector<token> tokenize(std::string_view sql) {
    std::vector<token> out;
    std::size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        if (is_space(c)) {
            ++i;
            continue;
        }
        if (const auto e = comment_end(sql, i); e != i) {
            i = e;
            continue;
        }
        token t{token::kind::other, i, i + 1};
        switch (c) {
            case '\'': t = {token::kind::string, i, quoted_end(sql, i, '\'', true)}; break;
            case '"': t = {token::kind::identifier, i, quoted_end(sql, i, '"', true)}; break;
            case '`': t = {token::kind::identifier, i, quoted_end(sql, i, '`', true)}; break;
            case '[': t = {token::kind::identifier, i, quoted_end(sql, i, ']', false)}; break;
            case '(': t.k = token::kind::open; break;
            case ')': t.k = token::kind::close; break;
            case ',': t.k = token::kind::comma; break;
            default:
                if (is_word_char(c)) {
                    std::size_t j = i;
                    while (j < sql.size() && is_word_char(sql[j])) ++j;
                    t = {token::kind::word, i, j};
                }
        }
        out.push_back(t);
        i = t.end;
    }
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// A token list over one SQL text, with the few walks the parsers need.
class sql_tokens {
public:
    explicit sql_tokens(std::string_view sql) : sql_(sql), toks_(tokenize(sql)) {}

    std::size_t size() const { return toks_.size(); }
    token::kind kind(std::size_t i) const { return i < toks_.size() ? toks_[i].k : token::kind::other; }
    bool is_open(std::size_t i) const { return kind(i) == token::kind::open; }
    /// The keyword at `i` in capitals ("" unless a bare word).
    std::string word(std::size_t i) const {
        return kind(i) == token::kind::word ? upper(source(i, i + 1)) : std::string();
    }
    /// The name at `i`: a bare word, or a quoted identifier (or string, which SQLite accepts as a
    /// name) without its quotes.
    std::string name(std::size_t i) const {
        if (i >= toks_.size()) return {};
        const std::string_view s = source(i, i + 1);
        if (toks_[i].k == token::kind::word || s.size() < 2) return std::string(s);
        const char close = s.back();
        std::string out;
        for (std::size_t j = 1; j + 1 < s.size(); ++j) {
            out += s[j];
            if (s[j] == close && close != ']' && j + 2 < s.size() && s[j + 1] == close) ++j;
        }
        return out;
    }
    /// The index of the token that closes the group opened at `open` (size() when unbalanced).
    std::size_t close_of(std::size_t open) const {
        int depth = 0;
        for (std::size_t i = open; i < toks_.size(); ++i) {
            if (toks_[i].k == token::kind::open) ++depth;
            if (toks_[i].k == token::kind::close && --depth == 0) return i;
        }
        return toks_.size();
    }
    /// The source text of tokens [from, to).
    std::string_view source(std::size_t from, std::size_t to) const {
        if (from >= to || from >= toks_.size()) return {};
        to = std::min(to, toks_.size());
        return sql_.substr(toks_[from].begin, toks_[to - 1].end - toks_[from].begin);
    }
    /// The text between the parentheses of the group opened at `open`, trimmed.
    std::string inside(std::size_t open) const {
        const std::size_t close = close_of(open);
        const std::size_t to = close < toks_.size() ? toks_[close].begin : sql_.size();
        return std::string(trim(sql_.substr(toks_[open].end, to - toks_[open].end)));
    }
    /// The comma-separated items of the group opened at `open`, as token ranges.
    std::vector<std::pair<std::size_t, std::size_t>> items(std::size_t open) const {
        std::vector<std::pair<std::size_t, std::size_t>> out;
        const std::size_t close = close_of(open);
        std::size_t start = open + 1;
        for (std::size_t i = start; i < close; ++i) {
            if (is_open(i)) {
                i = close_of(i);
                continue;
            }
            if (kind(i) == token::kind::comma) {
                out.emplace_back(start, i);
                start = i + 1;
            }
        }
        if (start < close) out.emplace_back(start, close);
        return out;
    }
    /// The names that begin each item of the group opened at `open`: `(a, "b" COLLATE x)` -> a, b.
    std::vector<std::string> names(std::size_t open) const {
        std::vector<std::string> out;
        for (auto [b, e] : items(open)) out.push_back(name(b));
        return out;
    }

private:
    std::string_view sql_;
    std::vector<token> toks_;
};

// ---- what the CREATE TABLE text tells ------------------------------------------------------------

// A UNIQUE or FOREIGN KEY constraint as the CREATE TABLE text declares it.
struct named_key {
    std::string name;  // "" when unnamed
    std::vector<std::string> columns;
};

struct create_table_parts {
    std::vector<live_check> checks;
    std::vector<named_key> uniques;       // every UNIQUE constraint, named or not
    std::vector<named_key> foreign_keys;  // every FOREIGN KEY / REFERENCES
    bool without_rowid = false;
};

class create_table_parser {
public:
    explicit create_table_parser(std::string_view sql) : t_(sql) {}

    create_table_parts parse() {
        std::size_t open = 0;
        while (open < t_.size() && !t_.is_open(open)) ++open;  // the column list
        if (open == t_.size()) return std::move(out_);
        for (auto [b, e] : t_.items(open)) definition(b, e);
        for (std::size_t i = t_.close_of(open); i < t_.size(); ++i)
            if (t_.word(i) == "ROWID") out_.without_rowid = true;  // WITHOUT ROWID
        return std::move(out_);
    }

private:
    void definition(std::size_t b, std::size_t e) {
        const std::string w = t_.word(b);
        if (w == "CONSTRAINT" || w == "PRIMARY" || w == "UNIQUE" || w == "CHECK" || w == "FOREIGN")
            table_constraint(b, e);
        else
            column_definition(b, e);
    }

    // [CONSTRAINT name] CHECK (expr) | UNIQUE (cols) | FOREIGN KEY (cols) REFERENCES ... | PRIMARY KEY (...)
    void table_constraint(std::size_t i, std::size_t e) {
        std::string name;
        if (t_.word(i) == "CONSTRAINT") {
            name = t_.name(i + 1);
            i += 2;
        }
        const std::string w = t_.word(i);
        std::size_t open = i + 1;
        while (open < e && !t_.is_open(open)) ++open;  // FOREIGN KEY (
        if (open >= e) return;
        if (w == "CHECK") out_.checks.push_back({name, t_.inside(open)});
        if (w == "UNIQUE") out_.uniques.push_back({name, t_.names(open)});
        if (w == "FOREIGN") out_.foreign_keys.push_back({name, t_.names(open)});
    }

    // name [type] then column constraints, each optionally after CONSTRAINT name.
    void column_definition(std::size_t b, std::size_t e) {
        const std::string column = t_.name(b);
        std::string pending;  // the name given to the next constraint
        for (std::size_t i = b + 1; i < e; ++i) {
            if (t_.is_open(i)) {  // a type's length, a DEFAULT or GENERATED expression
                i = t_.close_of(i);
                continue;
            }
            const std::string w = t_.word(i);
            if (w == "CONSTRAINT") {
                pending = t_.name(++i);
            } else if (w == "CHECK" && t_.is_open(i + 1)) {
                out_.checks.push_back({std::exchange(pending, {}), t_.inside(i + 1)});
                i = t_.close_of(i + 1);
            } else if (w == "UNIQUE") {
                out_.uniques.push_back({std::exchange(pending, {}), {column}});
            } else if (w == "REFERENCES") {
                out_.foreign_keys.push_back({std::exchange(pending, {}), {column}});
            } else if (w == "PRIMARY" || w == "NOT" || w == "NULL" || w == "DEFAULT" || w == "COLLATE" ||
                       w == "GENERATED" || w == "AS") {
                pending.clear();  // a name given to a constraint the catalog lists without one
            }
        }
    }

    sql_tokens t_;
    create_table_parts out_;
};

// The text of each indexed part of `CREATE [UNIQUE] INDEX name ON table (part, ...)`, without
// its COLLATE and ASC / DESC.
std::vector<std::string> index_parts(std::string_view sql) {
    const sql_tokens t(sql);
    std::size_t i = 0;
    while (i < t.size() && t.word(i) != "ON") ++i;
    while (i < t.size() && !t.is_open(i)) ++i;
    std::vector<std::string> out;
    if (i == t.size()) return out;
    for (auto [b, e] : t.items(i)) {
        if (e > b && (t.word(e - 1) == "ASC" || t.word(e - 1) == "DESC")) --e;
        if (e >= b + 2 && t.word(e - 2) == "COLLATE") e -= 2;
        out.emplace_back(t.source(b, e));
    }
    return out;
}

bool same_columns(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
               return iequals(x, y);  // SQLite names are case-insensitive: a clause may spell them otherwise
           });
}

// The name the CREATE TABLE text gives the constraint on `columns` (each parsed constraint is
// used once; "" for an unnamed one).
std::string take_name(std::vector<named_key>& parsed, const std::vector<std::string>& columns) {
    for (auto it = parsed.begin(); it != parsed.end(); ++it) {
        if (!same_columns(it->columns, columns)) continue;
        std::string name = std::move(it->name);
        parsed.erase(it);
        return name;
    }
    return {};
}

// ---- the catalog queries ---------------------------------------------------------------------

// The user's tables of the main schema: sqlite_% names are SQLite's own (reserved in any case).
// The pragma functions get the schema 'main' explicitly: a TEMP table of the same name would
// shadow the main one.
constexpr std::string_view user_tables = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

struct sqlite_reader {
    connection& c;
    table_map tables;
    std::map<std::string, create_table_parts, std::less<>> parts;

    void read_tables() {
        for (auto& r : query(c, "SELECT m.name, m.sql FROM sqlite_master AS m WHERE " + std::string(user_tables))) {
            live_table t;
            t.name = text(r, 0);
            t.sql = text(r, 1);
            parts[t.name] = create_table_parser(t.sql).parse();
            tables[t.name] = std::move(t);
        }
        for (auto& r : query(c, "SELECT m.tbl_name, m.sql FROM sqlite_master AS m WHERE m.type = 'trigger' AND "
                                "m.sql IS NOT NULL ORDER BY m.rowid"))
            if (auto it = tables.find(text(r, 0)); it != tables.end()) it->second.triggers.push_back(text(r, 1));
    }

    void read_columns() {
        std::map<std::string, std::vector<std::pair<std::int64_t, std::string>>> keys;  // pk position, name
        // table_xinfo, not table_info: table_info leaves generated columns out (hidden 2 and 3;
        // 1 is a virtual table's hidden column)
        for (auto& r : query(c, "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk "
                                "FROM sqlite_master AS m, pragma_table_xinfo(m.name, 'main') AS p WHERE " +
                                    std::string(user_tables) + " AND p.hidden <> 1 ORDER BY m.name, p.cid")) {
            auto it = tables.find(text(r, 0));
            if (it == tables.end()) continue;
            live_column col;
            col.name = text(r, 1);
            col.type = text(r, 2);
            col.nullable = integer(r, 3) == 0;
            if (r[4] && !iequals(*r[4], "NULL")) col.default_sql = *r[4];
            col.primary_key = integer(r, 5) > 0;
            if (col.primary_key) keys[it->first].emplace_back(integer(r, 5), col.name);
            it->second.columns.push_back(std::move(col));
        }
        for (auto& [name, key] : keys) {
            std::sort(key.begin(), key.end());
            live_table& t = tables[name];
            for (auto& k : key) t.primary_key.push_back(k.second);
            mark_rowid(t);
        }
    }

    // A single-column primary key declared exactly INTEGER is the rowid: SQLite numbers it, and it
    // never holds NULL whatever pragma_table_info's "notnull" says. Not in a WITHOUT ROWID table.
    // (SQLite's one exception, `INTEGER PRIMARY KEY DESC` in the column definition, is not told apart.)
    void mark_rowid(live_table& t) {
        if (t.primary_key.size() != 1 || parts[t.name].without_rowid) return;
        for (auto& col : t.columns) {
            if (col.name != t.primary_key.front() || !iequals(col.type, "INTEGER")) continue;
            col.autoincrement = true;
            col.nullable = false;
        }
    }

    // Origin 'u': a UNIQUE constraint (its name from the CREATE TABLE text); 'c': CREATE INDEX;
    // 'pk' (the index of a primary key that is not the rowid) is left out.
    void read_indexes() {
        struct index_rows {
            std::string table, name, origin, sql;
            bool unique = false;
            std::vector<std::pair<std::int64_t, std::string>> parts;  // cid, column name
        };
        std::vector<index_rows> found;
        for (auto& r : query(c, "SELECT m.name, l.name, l.\"unique\", l.origin, i.cid, i.name, x.sql "
                                "FROM sqlite_master AS m, pragma_index_list(m.name, 'main') AS l, "
                                "pragma_index_info(l.name, 'main') AS i "
                                "LEFT JOIN sqlite_master AS x ON x.type = 'index' AND x.name = l.name WHERE " +
                                    std::string(user_tables) + " AND l.origin <> 'pk' ORDER BY m.name, l.name, i.seqno")) {
            if (found.empty() || found.back().table != text(r, 0) || found.back().name != text(r, 1))
                found.push_back({text(r, 0), text(r, 1), text(r, 3), text(r, 6), integer(r, 2) != 0, {}});
            found.back().parts.emplace_back(integer(r, 4), text(r, 5));
        }
        for (auto& ix : found) {
            auto it = tables.find(ix.table);
            if (it == tables.end()) continue;
            const std::vector<std::string> texts = index_parts(ix.sql);
            std::vector<std::string> columns;
            for (std::size_t k = 0; k < ix.parts.size(); ++k) {
                const bool expression = ix.parts[k].first == -2;
                columns.push_back(expression && k < texts.size() ? parenthesised(texts[k]) : ix.parts[k].second);
            }
            if (ix.origin == "u")
                it->second.uniques.push_back({take_name(parts[ix.table].uniques, columns), std::move(columns)});
            else
                it->second.indexes.push_back({std::move(ix.name), std::move(columns), ix.unique});
        }
    }

    void read_foreign_keys() {
        struct fk_rows {
            std::string table;
            std::int64_t id = 0;
            live_foreign_key fk;
            bool to_key = false;  // REFERENCES named no columns
        };
        std::vector<fk_rows> found;
        for (auto& r : query(c, "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete "
                                "FROM sqlite_master AS m, pragma_foreign_key_list(m.name, 'main') AS f WHERE " +
                                    std::string(user_tables) + " ORDER BY m.name, f.id, f.seq")) {
            if (found.empty() || found.back().table != text(r, 0) || found.back().id != integer(r, 1)) {
                fk_rows f{text(r, 0), integer(r, 1), {}, false};
                f.fk.referred_table = text(r, 2);
                f.fk.on_update = fk_action_from_word(text(r, 5));
                f.fk.on_delete = fk_action_from_word(text(r, 6));
                found.push_back(std::move(f));
            }
            auto& f = found.back();
            f.fk.columns.push_back(text(r, 3));
            if (r[4])
                f.fk.referred_columns.push_back(*r[4]);
            else
                f.to_key = true;
        }
        for (auto& f : found) {
            auto it = tables.find(f.table);
            if (it == tables.end()) continue;
            if (live_table* parent = find_table(tables, f.fk.referred_table)) {
                f.fk.referred_table = parent->name;  // REFERENCES resolves the name case-insensitively
                if (f.to_key) f.fk.referred_columns = parent->primary_key;
            }
            f.fk.name = take_name(parts[f.table].foreign_keys, f.fk.columns);
            it->second.foreign_keys.push_back(std::move(f.fk));
        }
    }

    live_schema result() {
        live_schema s;
        for (auto& [name, t] : tables) {
            t.checks = std::move(parts[name].checks);
            s.tables.push_back(std::move(t));
        }
        return s;
    }
};

}  // namespace

live_schema read_sqlite(connection& c) {
    sqlite_reader r{c, {}, {}};
    c.begin(isolation::deferred);  // one read transaction: every query sees the same schema
    r.read_tables();
    r.read_columns();
    r.read_indexes();
    r.read_foreign_keys();
    c.commit();
    return r.result();
}

}  // namespace dorm::detail::inspect
