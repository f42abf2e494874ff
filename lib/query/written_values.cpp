// The values a bulk INSERT / upsert or a bulk UPDATE writes, checked against their columns before
// the statement runs (see check_written_values in dorm/query/ast.hpp): the same rule as the
// flush's check of objects (record.cpp check_columns), so that a text longer than its VARCHAR(n)
// is a data_error naming the table, the column and the value on every backend.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <dorm/detail/data_errors.hpp>
#include <dorm/error.hpp>
#include <dorm/query/ast.hpp>

#include "schema/unique_keys.hpp"

namespace dorm::detail {
namespace {

/// The VARCHAR(n) of column `col` of `t`, or 0 (unbounded, or not text).
std::uint32_t max_chars(const schema::table& t, int col) {
    if (col < 0 || static_cast<std::size_t>(col) >= t.columns.size()) return 0;
    const schema::column& c = t.columns[static_cast<std::size_t>(col)];
    return c.type == column_type::text && c.length > 0 ? static_cast<std::uint32_t>(c.length) : 0;
}

void check_value(const schema::table& t, int col, std::uint32_t n, const value& v) {
    if (n == 0 || v.kind() != value_kind::text) return;
    try {
        check_text_length(v.as_text(), n);
    } catch (const data_error& e) {
        rethrow_in_column(e, t.name, t.columns[static_cast<std::size_t>(col)].name, "std::string");
    }
}

/// A floating-point value with a fraction for an integer column (`set(col(&T::qty), 2.5)`): SQLite
/// would keep 2.5 in it, MariaDB round it, PostgreSQL refuse it without naming the column.
void check_integer(const schema::table& t, int col, const value& v) {
    if (v.kind() != value_kind::real || col < 0 || static_cast<std::size_t>(col) >= t.columns.size()) return;
    const schema::column& c = t.columns[static_cast<std::size_t>(col)];
    if (c.type != column_type::integer) return;
    const double d = v.as_double();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18) return;  // a whole number
    try {
        throw_bad_write(v.repr(), "is not a whole number; the column holds integers (convert the value: the rounding is "
                                  "yours to choose)");
    } catch (const data_error& e) {
        rethrow_in_column(e, t.name, c.name, "double");
    }
}

/// An upsert's conflict target must be a unique key of the table (its primary key, a unique
/// column, or a unique constraint or index, in any order): SQLite and PostgreSQL refuse another
/// target, and MariaDB's ON DUPLICATE KEY UPDATE, which takes any unique key, would insert a
/// duplicate row without a word.
void check_conflict_target(const ast::insert& s) {
    if (s.on_conflict == ast::insert::conflict::none || s.conflict_columns.empty()) return;
    const schema::table& t = *s.table;
    auto sorted = [](std::vector<int> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    const std::vector<int> target = sorted(s.conflict_columns);
    for (const auto& key : schema::unique_keys(t))
        if (sorted(key) == target) return;
    std::string names;
    for (int c : s.conflict_columns) {
        if (!names.empty()) names += ", ";
        names += c >= 0 && static_cast<std::size_t>(c) < t.columns.size() ? t.columns[static_cast<std::size_t>(c)].name
                                                                          : std::to_string(c);
    }
    throw argument_error("dorm: on_conflict(" + names + ") of " + t.name +
                         " names no unique key of the table (its primary key, a dorm::unique column, or a "
                         "dorm::unique / dorm::unique_index of table_args): a conflict on it cannot be detected");
}

}  // namespace

void check_written_values(const ast::insert& s) {
    if (!s.table) return;
    check_conflict_target(s);
    for (std::size_t i = 0; i < s.columns.size(); ++i) {
        const std::uint32_t n = max_chars(*s.table, s.columns[i]);
        if (n == 0) continue;
        for (const auto& row : s.rows)
            if (i < row.size()) check_value(*s.table, s.columns[i], n, row[i]);
    }
}

void check_written_values(const ast::update& s) {
    if (!s.table) return;
    for (const auto& [col, e] : s.sets) {
        if (!e || e->k != ast::expr::kind::param || !e->name.empty()) continue;  // only a literal value
        if (const std::uint32_t n = max_chars(*s.table, col); n != 0) check_value(*s.table, col, n, e->val);
        check_integer(*s.table, col, e->val);
    }
}

}  // namespace dorm::detail
