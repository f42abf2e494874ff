#pragma once
// Helpers of the dry SQL tests: compile a statement for a dialect and compare its text and
// parameters with the expected ones.
//
// Expected SQL is written once in the SQLite form ("x" quoting, `?` placeholders) and
// translated for the other dialects: `?` becomes `$1..$n` (PostgreSQL) or `:1..:n` (Oracle),
// `"` becomes a backtick (MySQL). Text inside single-quoted literals is left alone.
// Clause breaks (" \n") are compared as plain spaces, except in the layout test.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/dialect/dialect.hpp>
#include <dorm/engine/value.hpp>
#include <dorm/query/dml.hpp>
#include <dorm/query/select.hpp>
#include <dorm/query/text.hpp>

namespace sqlt {

inline constexpr std::array<dorm::dialect, 4> all_dialects{dorm::dialect::sqlite, dorm::dialect::postgresql,
                                                          dorm::dialect::mysql, dorm::dialect::oracle};

/// The SQL text on one line: " \n" clause breaks become " ".
inline std::string flat(std::string_view sql) {
    std::string out;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        if (sql[i] == '\n') {
            if (out.empty() || out.back() != ' ') out += ' ';
            continue;
        }
        out += sql[i];
    }
    return out;
}

/// The SQLite-form SQL `sql` as dialect `d` prints it.
inline std::string translate(std::string_view sql, dorm::dialect d) {
    std::string out;
    bool in_literal = false;
    int n = 0;
    for (char c : sql) {
        if (c == '\'') in_literal = !in_literal;
        if (!in_literal && c == '?' && d == dorm::dialect::postgresql) {
            out += '$' + std::to_string(++n);
        } else if (!in_literal && c == '?' && d == dorm::dialect::oracle) {
            out += ':' + std::to_string(++n);
        } else if (!in_literal && c == '"' && d == dorm::dialect::mysql) {
            out += '`';
        } else {
            out += c;
        }
    }
    return out;
}

/// The parameters as a Python tuple repr: ('a', 1, None, 2.5).
inline std::string params_of(const dorm::compiled& c) { return dorm::repr(c.params); }

/// Checks `stmt` in dialect `d` against SQL written for dialect `d` (not translated).
template <class Stmt>
void expect_exact(const Stmt& stmt, dorm::dialect d, std::string_view sql, std::string_view params) {
    BOOST_TEST_CONTEXT("dialect " << dorm::dialect_name(d)) {
        const dorm::compiled c = dorm::compile(stmt, d);
        BOOST_TEST(flat(c.sql) == std::string(sql));
        BOOST_TEST(params_of(c) == std::string(params));
    }
}

/// Checks `stmt` in one dialect against SQLite-form SQL.
template <class Stmt>
void expect_in(const Stmt& stmt, dorm::dialect d, std::string_view sqlite_sql, std::string_view params) {
    expect_exact(stmt, d, translate(sqlite_sql, d), params);
}

/// Checks `stmt` in every dialect against SQLite-form SQL.
template <class Stmt>
void expect_all(const Stmt& stmt, std::string_view sqlite_sql, std::string_view params) {
    for (auto d : all_dialects) expect_in(stmt, d, sqlite_sql, params);
}

/// The SELECT list of the sqlt::User entity, SQLite form.
inline constexpr std::string_view user_columns =
    R"(SELECT "user_table"."id", "user_table"."name", "user_table"."age")";
inline constexpr std::string_view item_columns =
    R"(SELECT "item"."id", "item"."name", "item"."note", "item"."qty", "item"."price", "item"."rank", )"
    R"("item"."active", "item"."color", "item"."created", "item"."day", "item"."data")";

/// `SELECT <User columns> FROM "user_table"`, SQLite form.
inline const std::string user_from = std::string(user_columns) + R"( FROM "user_table")";

/// `SELECT <User columns> FROM "user_table" WHERE <cond>`, SQLite form.
inline std::string user_where(std::string_view cond) {
    return std::string(user_columns) + R"( FROM "user_table" WHERE )" + std::string(cond);
}
inline std::string item_where(std::string_view cond) {
    return std::string(item_columns) + R"( FROM "item" WHERE )" + std::string(cond);
}

}  // namespace sqlt
