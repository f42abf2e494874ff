#pragma once
/// @file dorm/query/dml.hpp
/// Bulk statements that bypass the identity map (a session keeps its objects in step):
///   dorm::update<User>().set(col(&User::age), 31).where(col(&User::name) == "Bob")
///   dorm::delete_from<User>().where(col(&User::age) < 18)
///   dorm::insert<User>().values(users).on_conflict(col(&User::name)).do_update(col(&User::age))
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <boost/mp11/list.hpp>

#include <dorm/detail/ranges_fwd.hpp>
#include <dorm/query/ast.hpp>
#include <dorm/query/expression.hpp>
#include <dorm/query/result.hpp>
#include <dorm/query/select.hpp>

namespace dorm {

namespace detail {
template <class T, class M, class TM>
int column_index_of(const expression<M, TM>& c) {
    const ast::expr_ptr node = c.node();
    const auto& n = *node;
    if (n.k != ast::expr::kind::column || n.table != &table_of<T>() || !n.alias.empty())
        throw argument_error("dorm: expected a column of " + table_of<T>().name + " (col(&T::member))");
    return n.column;
}
}  // namespace detail

/// UPDATE T SET ... WHERE ...
template <class T>
class update_stmt {
public:
    using table_type = T;
    update_stmt() { ast_.table = &table_of<T>(); }

    /// SET column = value (a value of the column's type, or an expression such as `col(&T::age) + 1`).
    template <class M, class TM, class V>
    update_stmt set(const expression<M, TM>& column, const V& v) const {
        static_assert(std::is_same_v<TM, boost::mp11::mp_list<T>>, "dorm: set() takes a column of the updated struct");
        update_stmt s = *this;
        const int index = detail::column_index_of<T>(column);
        if constexpr (is_expression_v<V>) {
            static_assert(detail::comparable_v<M, typename V::value_type>,
                          "dorm: set(column, expression): the expression's type does not match the column's");
            static_assert(detail::tables_subset_v<typename V::tables, boost::mp11::mp_list<T>>,
                          "dorm: set(column, expression) may only use columns of the updated struct");
            s.ast_.sets.emplace_back(index, v.node());
        } else {
            static_assert(detail::comparable_v<M, V> || (detail::is_optional_v<M> &&
                                                         std::is_same_v<detail::category_t<V>, detail::cat_null>),
                          "dorm: set(column, value): the value does not have the column's type");
            s.ast_.sets.emplace_back(index, ast::make_param(detail::to_param<M>(v)));
        }
        return s;
    }
    template <class E, class TE>
    update_stmt where(const expression<E, TE>& cond) const {
        static_assert(detail::is_boolean_v<E>, "dorm: where() takes a condition (a bool expression)");
        static_assert(detail::tables_subset_v<TE, boost::mp11::mp_list<T>>,
                      "dorm: the condition of an UPDATE may only use columns of the updated struct (use a subquery "
                      "for other tables)");
        update_stmt s = *this;
        s.ast_.where.push_back(cond.node());
        return s;
    }
    const ast::update& ast() const noexcept { return ast_; }

private:
    ast::update ast_;
};

/// DELETE FROM T WHERE ...
template <class T>
class delete_stmt {
public:
    using table_type = T;
    delete_stmt() { ast_.table = &table_of<T>(); }
    template <class E, class TE>
    delete_stmt where(const expression<E, TE>& cond) const {
        static_assert(detail::is_boolean_v<E>, "dorm: where() takes a condition (a bool expression)");
        static_assert(detail::tables_subset_v<TE, boost::mp11::mp_list<T>>,
                      "dorm: the condition of a DELETE may only use columns of the struct deleted from (use a "
                      "subquery for other tables)");
        delete_stmt s = *this;
        s.ast_.where.push_back(cond.node());
        return s;
    }
    const ast::delete_& ast() const noexcept { return ast_; }

private:
    ast::delete_ ast_;
};

namespace detail {
/// The INSERT statements of insert_stmt<T>: rows whose key the database generates (without the
/// autoincrement column) and rows with a key, each split under `max_params` parameters
/// (lib/query/insert_chunks.cpp).
std::vector<ast::insert> insert_statements(const schema::table& t, const std::vector<std::vector<value>>& generated,
                                           const std::vector<std::vector<value>>& keyed, ast::insert::conflict mode,
                                           const std::vector<int>& conflict, const std::vector<int>& update,
                                           int max_params);
}  // namespace detail

/// INSERT INTO T (...) VALUES (...), (...) [ON CONFLICT ...]
template <class T>
class insert_stmt {
public:
    using table_type = T;
    insert_stmt() = default;

    /// The rows to insert (objects are copied into parameters, not added to a session).
    template <std::ranges::input_range R>
    insert_stmt values(const R& objects) const {
        insert_stmt s = *this;
        for (const auto& o : objects) {
            if constexpr (detail::is_shared_ptr<std::remove_cvref_t<decltype(o)>>::value)
                s.add_row(*o);
            else
                s.add_row(o);
        }
        return s;
    }
    insert_stmt values(std::initializer_list<T> objects) const { return values<std::initializer_list<T>>(objects); }

    /// ON CONFLICT (columns): the unique key whose duplicates trigger do_update / do_nothing.
    template <class... M, class... TM>
    insert_stmt on_conflict(const expression<M, TM>&... columns) const {
        insert_stmt s = *this;
        s.conflict_.clear();
        (s.conflict_.push_back(detail::column_index_of<T>(columns)), ...);
        s.mode_ = ast::insert::conflict::do_nothing;
        return s;
    }
    /// On a duplicate, set the listed columns from the incoming row.
    template <class... M, class... TM>
    insert_stmt do_update(const expression<M, TM>&... columns) const {
        insert_stmt s = *this;
        s.update_.clear();
        (s.update_.push_back(detail::column_index_of<T>(columns)), ...);
        s.mode_ = ast::insert::conflict::do_update;
        return s;
    }
    /// On a duplicate, skip the row.
    insert_stmt do_nothing() const {
        insert_stmt s = *this;
        s.mode_ = ast::insert::conflict::do_nothing;
        return s;
    }

    /// One statement per group of rows that fits under `max_params` bound parameters.
    std::vector<ast::insert> statements(int max_params) const {
        return detail::insert_statements(table_of<T>(), generated_, keyed_, mode_, conflict_, update_, max_params);
    }
    std::size_t size() const noexcept { return generated_.size() + keyed_.size(); }

private:
    void add_row(const T& o) {
        std::vector<value> row = detail::column_values(o);
        const auto& t = table_of<T>();
        const bool generated = t.autoincrement_column >= 0 &&
                               row[static_cast<std::size_t>(t.autoincrement_column)] == value(std::int64_t{0});
        (generated ? generated_ : keyed_).push_back(std::move(row));
    }

    std::vector<std::vector<value>> generated_, keyed_;
    ast::insert::conflict mode_ = ast::insert::conflict::none;
    std::vector<int> conflict_, update_;
};

template <class T>
update_stmt<T> update() {
    return {};
}
template <class T>
delete_stmt<T> delete_from() {
    return {};
}
template <class T>
insert_stmt<T> insert() {
    return {};
}

/// SQL text and parameters of a bulk statement (an insert compiles its first chunk).
template <class T>
compiled compile(const update_stmt<T>& s, dialect d) {
    return detail::compile_update(s.ast(), d);
}
template <class T>
compiled compile(const delete_stmt<T>& s, dialect d) {
    return detail::compile_delete(s.ast(), d);
}
template <class T>
compiled compile(const insert_stmt<T>& s, dialect d) {
    auto stmts = s.statements(1 << 30);
    if (stmts.empty()) throw argument_error("dorm: insert<T>() without values()");
    return detail::compile_insert(stmts.front(), d);
}

/// The outcome of a statement without rows.
class dml_result {
public:
    explicit dml_result(std::int64_t rows) : rows_(rows) {}
    /// Rows inserted, updated or deleted.
    std::int64_t rowcount() const noexcept { return rows_; }

private:
    std::int64_t rows_;
};

}  // namespace dorm
