#pragma once
/// @file dorm/query/execute.hpp
/// Running statements on a connection, without a session: rows are plain values (an entity
/// select gives `T` objects, no identity map), bulk statements give a rowcount.
///
///     auto conn = engine.connect();
///     std::vector<User> users = dorm::execute(conn, dorm::select<User>()).all();
#include <array>
#include <memory>
#include <optional>
#include <span>
#include <tuple>
#include <string>
#include <vector>

#include <dorm/engine/engine.hpp>
#include <dorm/query/dml.hpp>
#include <dorm/query/result.hpp>
#include <dorm/query/select.hpp>
#include <dorm/query/text.hpp>

namespace dorm {

namespace detail {

template <class T>
T read_entity_value(driver::statement& s, void*) {
    T obj{};
    read_object(obj, s, 0);
    return obj;
}

/// Reads a value row: one value, or a tuple of values from columns 0..n-1.
template <class Row>
Row read_value_row(driver::statement& s, void*) {
    Row row{};
    if constexpr (requires { std::tuple_size<Row>::value; }) {
        int at = 0;
        try {
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (read_result_column(s, static_cast<int>(I), std::get<I>(row), at), ...);
            }(std::make_index_sequence<std::tuple_size_v<Row>>{});
        } catch (const data_error& e) {
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                static constexpr std::string_view all[] = {column_traits<std::tuple_element_t<I, Row>>::cpp_name...};
                rethrow_in_result_column(e, s, at, all[at]);
            }(std::make_index_sequence<std::tuple_size_v<Row>>{});
        }
    } else {
        try {
            column_traits<Row>::read(s, 0, row);
        } catch (const data_error& e) {
            rethrow_in_result_column(e, s, 0, column_traits<Row>::cpp_name);
        }
    }
    return row;
}

/// Whether every primary-key column of T's part of a row (from column `first`) is NULL: the
/// part of an outer-joined struct without a matching row.
template <class T>
bool entity_part_is_null(driver::statement& s, int first) {
    for (int c : table_of<T>().primary_key)
        if (!s.is_null(first + c)) return false;
    return true;
}
/// The first column of each struct's part of a select<A, B, ...>() row.
template <class... T>
constexpr std::array<int, sizeof...(T)> entity_offsets() {
    std::array<int, sizeof...(T)> out{};
    int at = 0, i = 0;
    ((out[static_cast<std::size_t>(i++)] = at, at += static_cast<int>(model<T>::column_count)), ...);
    return out;
}
template <class E>
struct entity_part {
    using type = E;
    static constexpr bool optional = false;
};
template <class T>
struct entity_part<std::optional<T>> {
    using type = T;
    static constexpr bool optional = true;
};
template <class Row>
struct entities_rows;
/// Rows of select<A, B, ...>(): objects of the session, or values on a connection.
template <class... E>
struct entities_rows<entities<E...>> {
    using session_row = std::tuple<std::shared_ptr<typename entity_part<E>::type>...>;
    using value_row = std::tuple<E...>;
    static constexpr auto offsets = entity_offsets<typename entity_part<E>::type...>();
};

template <class Row>
typename entities_rows<Row>::value_row read_entities_value(driver::statement& s, void*) {
    using R = entities_rows<Row>;
    typename R::value_row row{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using P = entity_part<std::tuple_element_t<I, typename R::value_row>>;
                using T = typename P::type;
                const int first = R::offsets[I];
                if constexpr (P::optional) {
                    if (entity_part_is_null<T>(s, first)) return;
                    read_object(std::get<I>(row).emplace(), s, first);
                } else {
                    read_object(std::get<I>(row), s, first);
                }
            }(),
            ...);
    }(std::make_index_sequence<std::tuple_size_v<typename R::value_row>>{});
    return row;
}

/// Prepares (cached), binds and echoes a compiled statement on a connection.
statement_lease run_on(connection& c, const compiled& stmt);
statement_lease run_on(connection& c, const std::string& sql, std::span<const value> params);
std::int64_t execute_on(connection& c, const compiled& stmt);

}  // namespace detail

namespace detail {
template <class Row, class Tables, bool G, class C>
auto execute_select(connection& c, const select_stmt<Row, Tables, G, C>& stmt, const named_params* named) {
    std::vector<value> params = detail::take_params();
    const std::string& sql = detail::compile_select_sql(stmt.lazy_ast(), c.dialect(), params, named);
    auto lease = detail::run_on(c, sql, params);
    if constexpr (is_entity<Row>::value) {
        using T = typename Row::type;
        return result<T>(std::move(lease), &detail::read_entity_value<T>, nullptr, std::move(params));
    } else if constexpr (is_entities<Row>::value) {
        return result<typename detail::entities_rows<Row>::value_row>(std::move(lease), &detail::read_entities_value<Row>,
                                                                      nullptr, std::move(params));
    } else {
        return result<Row>(std::move(lease), &detail::read_value_row<Row>, nullptr, std::move(params));
    }
}
}  // namespace detail

/// Runs a SELECT on a connection. Rows: `T` for select<T>(), values/tuples for column selects.
template <class Row, class Tables, bool G, class C>
auto execute(connection& c, const select_stmt<Row, Tables, G, C>& stmt) {
    return detail::execute_select(c, stmt, nullptr);
}
/// Runs a SELECT with the values of its dorm::bindparam()s: `execute(conn, stmt, {{"id", 5}})`.
template <class Row, class Tables, bool G, class C>
auto execute(connection& c, const select_stmt<Row, Tables, G, C>& stmt, const bind_values& params) {
    const named_params named = params.view();
    return detail::execute_select(c, stmt, &named);
}

/// Runs raw SQL with rows on a connection.
template <class Row>
    requires(!std::is_void_v<Row>)
result<Row> execute(connection& c, const text_stmt<Row>& stmt) {
    compiled comp = compile(stmt, c.dialect());
    auto lease = detail::run_on(c, comp);
    return result<Row>(std::move(lease), &detail::read_text_row<Row>, nullptr, std::move(comp.params));
}
/// Runs raw SQL without rows on a connection.
inline dml_result execute(connection& c, const text_stmt<void>& stmt) {
    return dml_result(detail::execute_on(c, compile(stmt, c.dialect())));
}

template <class T>
dml_result execute(connection& c, const update_stmt<T>& stmt) {
    detail::check_written_values(stmt.ast());
    return dml_result(detail::execute_on(c, compile(stmt, c.dialect())));
}
template <class T>
dml_result execute(connection& c, const delete_stmt<T>& stmt) {
    return dml_result(detail::execute_on(c, compile(stmt, c.dialect())));
}
template <class T>
dml_result execute(connection& c, const insert_stmt<T>& stmt) {
    std::int64_t n = 0;
    const auto statements = stmt.statements(c.raw().max_params());
    for (const auto& ins : statements) detail::check_written_values(ins);  // before anything is written
    for (const auto& ins : statements)
        n += detail::execute_on(c, detail::compile_insert(ins, c.dialect()));
    return dml_result(n);
}

}  // namespace dorm
