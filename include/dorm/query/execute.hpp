#pragma once
/// @file dorm/query/execute.hpp
/// Running statements on a connection, without a session: rows are plain values (an entity
/// select gives `T` objects, no identity map), bulk statements give a rowcount.
///
///     auto conn = engine.connect();
///     std::vector<User> users = dorm::execute(conn, dorm::select<User>()).all();
#include <memory>
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
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (column_traits<std::tuple_element_t<I, Row>>::read(s, static_cast<int>(I), std::get<I>(row)), ...);
        }(std::make_index_sequence<std::tuple_size_v<Row>>{});
    } else {
        column_traits<Row>::read(s, 0, row);
    }
    return row;
}

/// Prepares (cached), binds and echoes a compiled statement on a connection.
statement_lease run_on(connection& c, const compiled& stmt);
std::int64_t execute_on(connection& c, const compiled& stmt);

}  // namespace detail

/// Runs a SELECT on a connection. Rows: `T` for select<T>(), values/tuples for column selects.
template <class Row, class Tables, bool G, class C>
auto execute(connection& c, const select_stmt<Row, Tables, G, C>& stmt) {
    compiled comp = compile(stmt, c.dialect());
    auto lease = detail::run_on(c, comp);
    if constexpr (is_entity<Row>::value) {
        using T = typename Row::type;
        return result<T>(std::move(lease), &detail::read_entity_value<T>, nullptr, std::move(comp.params));
    } else {
        return result<Row>(std::move(lease), &detail::read_value_row<Row>, nullptr, std::move(comp.params));
    }
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
    return dml_result(detail::execute_on(c, compile(stmt, c.dialect())));
}
template <class T>
dml_result execute(connection& c, const delete_stmt<T>& stmt) {
    return dml_result(detail::execute_on(c, compile(stmt, c.dialect())));
}
template <class T>
dml_result execute(connection& c, const insert_stmt<T>& stmt) {
    std::int64_t n = 0;
    for (const auto& ins : stmt.statements(c.raw().max_params()))
        n += detail::execute_on(c, detail::compile_insert(ins, c.dialect()));
    return dml_result(n);
}

}  // namespace dorm
