#pragma once
/// @file dorm/query/text.hpp
/// Raw SQL with named parameters, always bound:
///   dorm::text<std::tuple<std::string, int>>("SELECT name, age FROM users WHERE name = :name", {{"name", "Bob"}})
///   dorm::text<UserRow>("SELECT ...", {...})   // a described struct, columns matched by name
///   dorm::text("UPDATE users SET age = age + 1 WHERE id = :id", {{"id", 3}})
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include <dorm/dialect/dialect.hpp>
#include <dorm/driver/driver.hpp>
#include <dorm/engine/value.hpp>
#include <dorm/query/ast.hpp>
#include <dorm/reflect/column_traits.hpp>

namespace dorm {


namespace detail {
/// Rewrites `:name` placeholders to the dialect's positional form and orders the values;
/// quoted strings, quoted identifiers, comments and `::` casts are left alone.
/// @throws argument_error for a name without a value.
compiled compile_text(const std::string& sql, const text_params& params, dialect d);
[[noreturn]] void throw_missing_text_column(const char* member);
/// A statement whose rows have `got` columns read into a row type of `expected` values.
[[noreturn]] void throw_text_row_width(std::size_t expected, int got);
}  // namespace detail

/// A raw SQL statement. Row: a std::tuple, a single value type, a described struct, or void
/// (no rows).
template <class Row = void>
class text_stmt {
public:
    using row_type = Row;
    text_stmt(std::string sql, text_params params) : sql_(std::move(sql)), params_(std::move(params)) {}
    const std::string& sql() const noexcept { return sql_; }
    const text_params& params() const noexcept { return params_; }

private:
    std::string sql_;
    text_params params_;
};

template <class Row = void>
text_stmt<Row> text(std::string sql, text_params params = {}) {
    return text_stmt<Row>(std::move(sql), std::move(params));
}

template <class Row>
compiled compile(const text_stmt<Row>& t, dialect d) {
    return detail::compile_text(t.sql(), t.params(), d);
}

namespace detail {

template <class Row>
Row read_text_row(driver::statement& s, void*) {
    Row row{};
    int at = 0;
    std::string_view cpp;
    try {
        if constexpr (requires { std::tuple_size<Row>::value; }) {
            // a tuple is read by position: as many columns as values (a missing one is not NULL)
            if (const int n = s.column_count(); n != static_cast<int>(std::tuple_size_v<Row>))
                throw_text_row_width(std::tuple_size_v<Row>, n);
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                static constexpr std::string_view all[] = {column_traits<std::tuple_element_t<I, Row>>::cpp_name...,
                                                           {}};
                ((cpp = all[I], read_result_column(s, static_cast<int>(I), std::get<I>(row), at)), ...);
            }(std::make_index_sequence<std::tuple_size_v<Row>>{});
        } else if constexpr (boost::describe::has_describe_members<Row>::value) {
            const int n = s.column_count();
            boost::mp11::mp_for_each<boost::describe::describe_members<Row, boost::describe::mod_public>>([&](auto d) {
                using M = std::remove_cvref_t<decltype(row.*(d.pointer))>;
                if constexpr (column_traits<M>::supported) {
                    for (int c = 0; c < n; ++c)
                        if (s.column_name(c) == d.name) {
                            cpp = column_traits<M>::cpp_name;
                            read_result_column(s, c, row.*(d.pointer), at);
                            return;
                        }
                    throw_missing_text_column(d.name);
                }
            });
        } else {
            if (const int n = s.column_count(); n != 1) throw_text_row_width(1, n);
            cpp = column_traits<Row>::cpp_name;
            column_traits<Row>::read(s, 0, row);
        }
    } catch (const data_error& e) {
        rethrow_in_result_column(e, s, at, cpp);
    }
    return row;
}

}  // namespace detail
}  // namespace dorm
