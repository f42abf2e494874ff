// dorm::inspect: the live schema from the database's catalog. The catalog queries are in one file
// per backend (inspect_sqlite.cpp, inspect_postgresql.cpp, inspect_mysql.cpp); this file
// dispatches, holds what they share and puts the result in a stable order.
#include <dorm/schema/inspect.hpp>

#include <algorithm>
#include <charconv>
#include <tuple>

#include <dorm/engine/engine.hpp>
#include <dorm/error.hpp>

#include "schema/inspect_backends.hpp"

namespace dorm {

// (class templates only to be lazy in user code: dorm/detail/lazy.hpp; their one instantiation is here)
template <class V>
const live_column* basic_live_table<V>::column(std::string_view n) const {
    for (const auto& c : columns)
        if (c.name == n) return &c;
    return nullptr;
}
template struct basic_live_table<void>;

template <class V>
const live_table* basic_live_schema<V>::table(std::string_view n) const {
    for (const auto& t : tables)
        if (t.name == n) return &t;
    return nullptr;
}
template struct basic_live_schema<void>;

namespace detail::inspect {

std::vector<catalog_row> query(connection& c, std::string_view sql) {
    auto st = c.run(sql, {});
    std::vector<catalog_row> rows;
    while (st->step()) {
        const int n = st->column_count();
        catalog_row row;
        row.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            if (st->is_null(i))
                row.emplace_back();
            else
                row.emplace_back(std::string(st->get_text(i)));
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

const std::string& text(const catalog_row& r, std::size_t i) {
    static const std::string empty;
    return i < r.size() && r[i] ? *r[i] : empty;
}

std::int64_t integer(const catalog_row& r, std::size_t i) {
    const std::string& s = text(r, i);
    if (s == "t") return 1;
    if (s == "f") return 0;
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size())
        throw operational_error("dorm::inspect: the catalog returned '" + s + "' where a number was expected");
    return v;
}

fk_action fk_action_from_word(std::string_view word) {
    if (word == "NO ACTION") return fk_action::no_action;
    if (word == "RESTRICT") return fk_action::restrict;
    if (word == "CASCADE") return fk_action::cascade;
    if (word == "SET NULL") return fk_action::set_null;
    if (word == "SET DEFAULT") return fk_action::set_default;
    throw operational_error("dorm::inspect: unknown foreign key action '" + std::string(word) + "' in the catalog");
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) {
               return lower(x) == lower(y);
           });
}

std::string parenthesised(std::string_view s) {
    // One group when the '(' at the front closes at the very end: "(a + 1)" yes, "(a) + (b)" no.
    // Quotes are not tracked: catalogs print expressions whose parentheses balance outside quotes
    // too, and a miscount only adds a redundant pair.
    if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
        int depth = 0;
        std::size_t i = 0;
        for (; i < s.size(); ++i) {
            if (s[i] == '(') ++depth;
            if (s[i] == ')' && --depth == 0) break;
        }
        if (i == s.size() - 1) return std::string(s);
    }
    return "(" + std::string(s) + ")";
}

live_table* find_table(table_map& tables, std::string_view name) {
    if (auto it = tables.find(name); it != tables.end()) return &it->second;
    live_table* found = nullptr;
    for (auto& [n, t] : tables) {
        if (!iequals(n, name)) continue;
        if (found) return nullptr;  // ambiguous: two tables differ only in case
        found = &t;
    }
    return found;
}

namespace {

void sort_table(live_table& t) {
    auto by_name = [](const auto& a, const auto& b) {
        return std::tie(a.name, a.columns) < std::tie(b.name, b.columns);
    };
    std::sort(t.uniques.begin(), t.uniques.end(), by_name);
    std::sort(t.indexes.begin(), t.indexes.end(), by_name);
    std::sort(t.foreign_keys.begin(), t.foreign_keys.end(), by_name);
    std::sort(t.checks.begin(), t.checks.end(), [](const live_check& a, const live_check& b) {
        return std::tie(a.name, a.expression) < std::tie(b.name, b.expression);
    });
}

// The reader of a dialect's catalog (chosen before connecting: an Oracle engine has no driver).
live_schema (*reader_for(dialect d))(connection&) {
    switch (d) {
        case dialect::sqlite: return read_sqlite;
        case dialect::postgresql: return read_postgresql;
        case dialect::mysql: return read_mysql;
        case dialect::oracle: break;
    }
    throw unsupported_error("dorm::inspect: reading the catalog of dialect " + std::string(dialect_name(d)) +
                            " is not supported");
}

}  // namespace
}  // namespace detail::inspect

live_schema inspect(const engine& e) {
    namespace in = detail::inspect;
    const auto read = in::reader_for(e.dialect());
    live_schema s;
    {
        auto conn = e.connect();
        s = read(conn);
    }  // the connection goes back to the pool before the sorting
    s.dialect = e.dialect();
    std::sort(s.tables.begin(), s.tables.end(),
              [](const live_table& a, const live_table& b) { return a.name < b.name; });
    for (auto& t : s.tables) in::sort_table(t);
    return s;
}

}  // namespace dorm
