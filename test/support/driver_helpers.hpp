#pragma once
// Test support for the driver suite (test/driver/driver_*_test.cpp): a connection on the URL under
// test, SQL written with `?` turned into the backend's placeholders, column types per backend,
// statement runners and the library of interesting values.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/driver/driver.hpp>
#include <dorm/engine/url.hpp>
#include <dorm/engine/value.hpp>

#include "backend.hpp"

BOOST_TEST_DONT_PRINT_LOG_VALUE(dorm::value_kind)

using dorm::value;
using dorm::value_kind;
using dorm_test::is_mysql;
using dorm_test::is_postgresql;
using dorm_test::is_sqlite;

/// The URL under test, parsed.
inline dorm::url parsed_url() { return dorm::url::parse(dorm_test::url()); }

/// A new driver connection to the database under test.
inline std::unique_ptr<dorm::driver::connection> open() { return dorm::driver::connect(parsed_url()); }

/// Test SQL is written with `?`; PostgreSQL gets `$1, $2, ...` (no `?` appears in the test's literals).
inline std::string ph(std::string_view sql) {
    if (!is_postgresql()) return std::string(sql);
    std::string out;
    int n = 0;
    for (char c : sql) {
        if (c == '?') {
            out += '$';
            out += std::to_string(++n);
        } else {
            out += c;
        }
    }
    return out;
}

// Column types per backend.
inline std::string t_int() { return is_sqlite() ? "INTEGER" : "BIGINT"; }
inline std::string t_double() { return is_sqlite() ? "REAL" : is_postgresql() ? "DOUBLE PRECISION" : "DOUBLE"; }
inline std::string t_text() { return is_mysql() ? "LONGTEXT" : "TEXT"; }
inline std::string t_blob() { return is_sqlite() ? "BLOB" : is_postgresql() ? "BYTEA" : "LONGBLOB"; }
inline std::string t_autoinc_pk() {
    return is_sqlite() ? "INTEGER PRIMARY KEY AUTOINCREMENT" : is_postgresql() ? "SERIAL PRIMARY KEY"
                                                                       : "INTEGER PRIMARY KEY AUTO_INCREMENT";
}

/// Table options: MySQL tables are InnoDB (foreign keys) and utf8mb4 whatever the server's default.
inline std::string opts() { return is_mysql() ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" : ""; }

/// Runs a statement with parameters to completion; returns rows_affected.
inline std::int64_t run(dorm::driver::connection& c, std::string_view sql, const std::vector<value>& params = {}) {
    auto st = c.prepare(ph(sql));
    for (std::size_t i = 0; i < params.size(); ++i) st->bind(static_cast<int>(i), params[i]);
    while (st->step()) {
    }
    return st->rows_affected();
}

/// All rows of a query, as values.
inline std::vector<std::vector<value>> rows(dorm::driver::connection& c, std::string_view sql,
                                     const std::vector<value>& params = {}) {
    auto st = c.prepare(ph(sql));
    for (std::size_t i = 0; i < params.size(); ++i) st->bind(static_cast<int>(i), params[i]);
    std::vector<std::vector<value>> out;
    while (st->step()) {
        std::vector<value> row;
        for (int k = 0; k < st->column_count(); ++k) row.push_back(st->get(k));
        out.push_back(std::move(row));
    }
    return out;
}

inline std::int64_t scalar_int(dorm::driver::connection& c, std::string_view sql, const std::vector<value>& params = {}) {
    auto st = c.prepare(ph(sql));
    for (std::size_t i = 0; i < params.size(); ++i) st->bind(static_cast<int>(i), params[i]);
    BOOST_REQUIRE(st->step());
    return st->get_int(0);
}

inline void drop(dorm::driver::connection& c, std::string_view table) {
    c.execute("DROP TABLE IF EXISTS " + std::string(table));
}

inline dorm::blob bytes(std::initializer_list<int> v) {
    dorm::blob b;
    for (int x : v) b.push_back(static_cast<std::byte>(x));
    return b;
}

/// The whole library of interesting values, by kind.
inline const std::vector<std::int64_t> ints = {0,
                                        1,
                                        -1,
                                        42,
                                        2147483647,
                                        2147483648LL,
                                        -2147483649LL,
                                        std::numeric_limits<std::int64_t>::max(),
                                        std::numeric_limits<std::int64_t>::min()};
inline const std::vector<double> doubles = {0.0,
                                     -0.0,
                                     0.1,
                                     -2.5,
                                     1.0 / 3.0,
                                     3.141592653589793,
                                     1e308,
                                     -1e308,
                                     std::numeric_limits<double>::max(),
                                     std::numeric_limits<double>::min(),
                                     std::numeric_limits<double>::denorm_min(),
                                     123456789012345678.0};
inline const std::vector<std::string> texts = {
    "",
    "a",
    "plain ascii",
    "h\xC3\xA9llo w\xC3\xB6rld \xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x9F\x8E\x89",  // héllo wörld ✓ 日本語 🎉
    "'; DROP TABLE drv_values; --",
    "Robert'); DELETE FROM drv_values WHERE ('1' = '1",
    "O'Reilly \"quoted\" \\backslash\\ `tick` $1 ? :name %s",
    "line1\nline2\r\n\ttab",
    std::string(100000, 'x') + "\xE2\x9C\x93",  // longer than any first buffer
};
