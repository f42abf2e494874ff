#pragma once
/// @file dorm/query/expression.hpp
/// Typed SQL expressions: `col(&User::name) == "Alice"`, `col(&User::age) > 30 && ...`.
/// An expression<T, Tables> is a node of the runtime statement tree (dorm/query/ast.hpp) plus,
/// at compile time, its C++ result type T and the list of mapped structs whose columns it uses
/// (so a statement can reject a column of a table it does not select from).
#include <dorm/detail/ranges_fwd.hpp>
#include <dorm/detail/chrono_fwd.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/set.hpp>

#include <dorm/query/ast.hpp>
#include <dorm/reflect/column_traits.hpp>
#include <dorm/schema/table_of.hpp>

namespace dorm {

namespace detail {

template <class T>
struct strip_optional {
    using type = T;
};
template <class T>
struct strip_optional<std::optional<T>> {
    using type = T;
};
template <class T>
using base_t = typename strip_optional<std::remove_cvref_t<T>>::type;

template <class T>
inline constexpr bool is_optional_v = !std::is_same_v<base_t<T>, std::remove_cvref_t<T>>;

template <class T>
struct is_sys_time : std::false_type {};
template <class D>
struct is_sys_time<detail::sys_time<D>> : std::true_type {};

/// Value categories that may be compared with each other.
struct cat_numeric {};
struct cat_text {};
struct cat_blob {};
struct cat_timestamp {};
struct cat_date {};
struct cat_null {};
struct cat_none {};
template <class E>
struct cat_enum {};
template <class T>
struct cat_adapted {};

template <class V>
auto category_of() {
    using B = base_t<V>;
    if constexpr (std::is_same_v<B, std::nullopt_t> || std::is_same_v<B, std::nullptr_t>)
        return cat_null{};
    else if constexpr (adapted<B>)
        return cat_adapted<B>{};
    else if constexpr (std::is_arithmetic_v<B>)
        return cat_numeric{};
    else if constexpr (std::is_enum_v<B>)
        return cat_enum<B>{};
    else if constexpr (std::is_convertible_v<const B&, std::string_view>)
        return cat_text{};
    else if constexpr (std::is_same_v<B, blob>)
        return cat_blob{};
    else if constexpr (is_sys_time<B>::value)
        return cat_timestamp{};
    else if constexpr (std::is_same_v<B, std::chrono::year_month_day>)
        return cat_date{};
    else
        return cat_none{};
}
template <class V>
using category_t = decltype(category_of<V>());

template <class A, class B>
inline constexpr bool comparable_v =
    std::is_same_v<category_t<A>, category_t<B>> && !std::is_same_v<category_t<A>, cat_none>;

template <class A>
inline constexpr bool is_text_v = std::is_same_v<category_t<A>, cat_text>;
template <class A>
inline constexpr bool is_numeric_v = std::is_same_v<category_t<A>, cat_numeric>;

/// Converts a C++ value to the bound parameter for a column of type A.
template <class A, class V>
value to_param(const V& v) {
    using B = base_t<A>;
    using VB = std::remove_cvref_t<V>;
    if constexpr (std::is_same_v<VB, std::nullopt_t> || std::is_same_v<VB, std::nullptr_t>) {
        return value();
    } else if constexpr (is_optional_v<VB>) {
        return v ? to_param<A>(*v) : value();
    } else if constexpr (is_text_v<B>) {
        return value(std::string(std::string_view(v)));
    } else if constexpr (std::is_same_v<B, bool>) {
        return value(static_cast<bool>(v));
    } else if constexpr (std::is_integral_v<B> && std::is_integral_v<VB>) {
        return column_traits<VB>::to_value(v);  // a std::uint64_t above INT64_MAX is a data_error, not -1
    } else if constexpr (std::is_arithmetic_v<B>) {
        return value(static_cast<double>(v));
    } else {
        return column_traits<B>::to_value(static_cast<B>(v));
    }
}

template <class L1, class L2>
using tables_union = boost::mp11::mp_set_union<L1, L2>;

/// The name of V's comparison category, as a bindparam's value is checked against it at run time
/// (values that could not be compared with a column of the bindparam's type are refused).
template <class V>
constexpr std::string_view category_name() {
    using C = category_t<V>;
    if constexpr (std::is_same_v<C, cat_numeric>)
        return "number";
    else if constexpr (std::is_same_v<C, cat_text>)
        return "text";
    else if constexpr (std::is_same_v<C, cat_blob>)
        return "blob";
    else if constexpr (std::is_same_v<C, cat_timestamp>)
        return "timestamp";
    else if constexpr (std::is_same_v<C, cat_date>)
        return "date";
    else if constexpr (std::is_same_v<C, cat_null>)
        return "null";
    else if constexpr (std::is_same_v<C, cat_none>)
        return "";  // refused by bind_value_of
    else
        return column_traits<base_t<V>>::cpp_name;  // an enum or an adapted type: only itself
}

template <class T>
constexpr ast::param_type::storage param_storage() {
    using C = category_t<T>;
    if constexpr (std::is_same_v<C, cat_numeric>)
        return std::is_integral_v<base_t<T>> ? ast::param_type::storage::integer : ast::param_type::storage::number;
    else if constexpr (std::is_same_v<C, cat_blob>)
        return ast::param_type::storage::blob;
    else if constexpr (std::is_same_v<C, cat_text> || std::is_same_v<C, cat_timestamp> || std::is_same_v<C, cat_date> ||
                       std::is_enum_v<base_t<T>>)
        return ast::param_type::storage::text;  // time points and dates as ISO text, enums by name
    else
        return ast::param_type::storage::any;
}

/// A bindparam value as it is bound (refused at compile time when no column can hold V).
template <class V>
value bind_value_of(const V& v) {
    static_assert(!std::is_same_v<category_t<V>, cat_none>,
                  "dorm: a bindparam value must be a value a column can hold (a number, a string, a blob, a time "
                  "point, a date, a described enum, an adapted type, std::nullopt) or a dorm::value");
    if constexpr (std::is_same_v<category_t<V>, cat_none>)
        return value();
    else
        return to_param<V>(v);
}

/// What dorm::bindparam<T> takes.
template <class T>
inline constexpr ast::param_type param_type_of{category_name<T>(), column_traits<base_t<T>>::cpp_name,
                                               param_storage<T>()};

}  // namespace detail

template <class V>
named_value::named_value(std::string n, const V& v)
    : name(std::move(n)), val(detail::bind_value_of<V>(v)), category(detail::category_name<V>()) {}

template <class T, class Tables>
class expression;
template <class Tables>
struct ordering;

/// An ORDER BY item: `col(&User::name).desc()`, `col(&User::age).desc().nulls_last()`.
template <class Tables = boost::mp11::mp_list<>>
struct ordering {
    ast::expr_ptr node;
    bool desc = false;
    ast::nulls_place nulls = ast::nulls_place::database;
    /// NULLs before every value (SQLAlchemy's nulls_first(); MariaDB has no NULLS FIRST: dorm
    /// orders by `x IS NULL` first there).
    ordering nulls_first() const { return {node, desc, ast::nulls_place::first}; }
    /// NULLs after every value.
    ordering nulls_last() const { return {node, desc, ast::nulls_place::last}; }
};

template <class T>
struct is_expression : std::false_type {};
template <class T, class Tb>
struct is_expression<expression<T, Tb>> : std::true_type {};
template <class T>
inline constexpr bool is_expression_v = is_expression<std::remove_cvref_t<T>>::value;

/// A typed SQL expression whose value has C++ type T.
///
/// Most expressions are a node of the statement tree. Two of the commonest are kept flat until a
/// tree needs them (node() makes it then): a column, `col(&T::c)`, and a comparison of a column
/// with a value, `col(&T::c) == v` (any binary operator with a value on its right), so that
/// `select<T>().where(col(&T::id) == id)` built per call makes no node at all (see
/// dorm/query/lazy_select.hpp).
template <class T, class Tables = boost::mp11::mp_list<>>
class expression {
public:
    using value_type = T;
    using tables = Tables;

    expression() = default;
    explicit expression(ast::expr_ptr n) noexcept : h_(std::move(n)) {}
    /// The column `index` of `t` (col()).
    explicit expression(const schema::table* t, int index) noexcept : h_(t, index) {}
    explicit expression(ast::expr_handle h) noexcept : h_(std::move(h)) {}

    /// The expression's tree node (made now for a flat column or comparison).
    ast::expr_ptr node() const { return h_.node(); }
    /// What the expression holds: a node or a flat form.
    const ast::expr_handle& handle() const& noexcept { return h_; }
    ast::expr_handle&& handle() && noexcept { return std::move(h_); }

    ordering<Tables> asc() const { return {node(), false}; }
    ordering<Tables> desc() const { return {node(), true}; }
    /// Ascending, NULLs first / last (the same on every backend).
    ordering<Tables> nulls_first() const { return {node(), false, ast::nulls_place::first}; }
    ordering<Tables> nulls_last() const { return {node(), false, ast::nulls_place::last}; }
    /// `expr AS name` in a column select.
    expression label(std::string name) const {
        auto e = ast::new_expr();
        e->k = ast::expr::kind::label;
        e->name = std::move(name);
        e->args = {node()};
        return expression(std::move(e));
    }

    expression<bool, Tables> is_null() const { return unary(ast::op::is_null); }
    expression<bool, Tables> is_not_null() const { return unary(ast::op::is_not_null); }

    template <class V>
    expression<bool, Tables> like(const V& pattern) const {
        static_assert(detail::is_text_v<T>, "dorm: like() applies to string columns");
        return binary(ast::op::like, pattern);
    }
    template <class V>
    expression<bool, Tables> not_like(const V& pattern) const {
        static_assert(detail::is_text_v<T>, "dorm: not_like() applies to string columns");
        return binary(ast::op::not_like, pattern);
    }
    /// Case-insensitive LIKE (native ILIKE on PostgreSQL, lower() LIKE lower() elsewhere).
    template <class V>
    expression<bool, Tables> ilike(const V& pattern) const {
        static_assert(detail::is_text_v<T>, "dorm: ilike() applies to string columns");
        return binary(ast::op::ilike, pattern);
    }
    /// Whether the text starts with / ends with / contains `v`, byte for byte (case and accents
    /// count; % and _ in `v` are plain characters): LIKE 'v%' where the dialect's LIKE is exact,
    /// another exact form where it is not (SQLite).
    expression<bool, Tables> starts_with(std::string_view v) const { return text_match(ast::text_match::starts_with, v); }
    expression<bool, Tables> ends_with(std::string_view v) const { return text_match(ast::text_match::ends_with, v); }
    expression<bool, Tables> contains(std::string_view v) const { return text_match(ast::text_match::contains, v); }

    template <class A, class B>
    expression<bool, Tables> between(const A& lo, const B& hi) const {
        static_assert(detail::comparable_v<T, A> && detail::comparable_v<T, B>,
                      "dorm: between() bounds must have the column's type");
        return expression<bool, Tables>(
            ast::make_op(ast::op::between, node(), param_of(detail::to_param<T>(lo)), param_of(detail::to_param<T>(hi))));
    }

    /// `IN (...)`; an empty list is always false (valid SQL on every dialect).
    template <class V>
    expression<bool, Tables> in(std::initializer_list<V> values) const {
        return in_range(ast::op::in, values);
    }
    template <std::ranges::input_range R>
        requires(!is_expression_v<R> && !requires(const R& r) { r.ast(); })
    expression<bool, Tables> in(const R& values) const {
        return in_range(ast::op::in, values);
    }
    /// `IN (SELECT ...)`: a select of one expression of this type.
    template <class S>
        requires requires(const S& s) { s.ast().entities; typename S::row_type; }
    expression<bool, Tables> in(const S& sub) const {
        return subquery_op(ast::op::in, sub);
    }
    template <class S>
        requires requires(const S& s) { s.ast().entities; typename S::row_type; }
    expression<bool, Tables> not_in(const S& sub) const {
        return subquery_op(ast::op::not_in, sub);
    }
    template <class V>
    expression<bool, Tables> not_in(std::initializer_list<V> values) const {
        return in_range(ast::op::not_in, values);
    }
    template <std::ranges::input_range R>
        requires(!is_expression_v<R> && !requires(const R& r) { r.ast(); })
    expression<bool, Tables> not_in(const R& values) const {
        return in_range(ast::op::not_in, values);
    }

    /// `IS DISTINCT FROM` (null-safe inequality), spelled per dialect.
    template <class V>
    expression<bool, Tables> is_distinct_from(const V& v) const {
        return binary(ast::op::is_distinct_from, v);
    }
    template <class V>
    expression<bool, Tables> is_not_distinct_from(const V& v) const {
        return binary(ast::op::is_not_distinct_from, v);
    }

    // building blocks for the operators below
    expression<bool, Tables> unary(ast::op o) const { return expression<bool, Tables>(ast::make_op(o, node())); }
    template <class V>
    ast::expr_ptr operand(const V& v) const {
        if constexpr (is_expression_v<V>) {
            static_assert(detail::comparable_v<T, typename V::value_type>,
                          "dorm: these two expressions have types that cannot be compared");
            return v.node();
        } else {
            return param_of(operand_value(v));
        }
    }
    /// A param for a value beside this expression (typed when a floating-point value meets an
    /// integer expression: ast::expr::typed_double).
    ast::expr_ptr param_of(value v) const {
        const bool typed = std::is_integral_v<detail::base_t<T>> && v.kind() == value_kind::real;
        return ast::make_param(std::move(v), typed);
    }
    /// A value compared with this expression, as it is bound.
    template <class V>
    value operand_value(const V& v) const {
        static_assert(detail::comparable_v<T, V> || std::is_same_v<detail::category_t<V>, detail::cat_null>,
                      "dorm: comparing a column with a value of a different type (e.g. a string column with an "
                      "int): pass a value of the column's type");
        return detail::to_param<T>(v);
    }
    template <class V>
    expression<bool, Tables> binary(ast::op o, const V& v) const {
        if constexpr (detail::is_optional_v<std::remove_cvref_t<V>>) {
            // an empty optional means NULL: `== nullopt` is IS NULL (`= NULL` would match nothing)
            if (!v && (o == ast::op::eq || o == ast::op::ne))
                return unary(o == ast::op::eq ? ast::op::is_null : ast::op::is_not_null);
        }
        if constexpr (is_expression_v<V>)
            return expression<bool, Tables>(ast::make_op(o, node(), operand(v)));
        else
            return compare(o, operand_value(v));
    }

private:
    /// `this <o> val`: flat when this is a column.
    expression<bool, Tables> compare(ast::op o, value val) const {
        return expression<bool, Tables>(
            ast::expr_handle::compare(h_, o, std::move(val), std::is_integral_v<detail::base_t<T>>));
    }
    template <class S>
    expression<bool, Tables> subquery_op(ast::op o, const S& sub) const {
        using R = typename S::row_type;
        static_assert(detail::comparable_v<T, R>,
                      "dorm: in(subquery) needs a select of one expression of the column's type");
        return expression<bool, Tables>(
            ast::make_op(o, node(), ast::make_subquery(std::make_shared<ast::select>(sub.ast()))));
    }
    expression<bool, Tables> text_match(ast::text_match m, std::string_view v) const {
        static_assert(detail::is_text_v<T>, "dorm: starts_with/ends_with/contains apply to string columns");
        return expression<bool, Tables>(ast::make_text_match(node(), m, v));
    }
    template <class R>
    expression<bool, Tables> in_range(ast::op o, const R& values) const {
        std::vector<ast::expr_ptr> args{node()};
        for (const auto& v : values) {
            static_assert(detail::comparable_v<T, std::remove_cvref_t<decltype(v)>>,
                          "dorm: in() values must have the column's type");
            args.push_back(param_of(detail::to_param<T>(v)));
        }
        return expression<bool, Tables>(ast::make_op(o, std::move(args)));
    }

    ast::expr_handle h_;
};

/// The column a data member maps to: `col(&User::name)`.
template <class C, class M>
expression<M, boost::mp11::mp_list<C>> col(M C::*member) {
    static_assert(!detail::relationship_traits<M>::is_relationship,
                  "dorm: col() takes a column member; a relationship (dorm::many / dorm::one) is not a column: "
                  "join the related struct with .join<U>() and use its columns");
    static_assert(boost::describe::has_describe_members<C>::value,
                  "dorm: col(&T::member) needs T described with BOOST_DESCRIBE_STRUCT");
    const auto index = detail::model<C>::index_of(member);
    if (index >= detail::model<C>::column_count)
        throw argument_error("dorm: col(): the member is not listed in BOOST_DESCRIBE_STRUCT");
    return expression<M, boost::mp11::mp_list<C>>(&table_of<C>(), static_cast<int>(index));
}
/// The column of a data member that T inherits from a described base (a mixin):
/// `col<Author>(&Author::created_by)` (`col(&Author::created_by)` would name the base).
template <class T, class M, class Base>
    requires(!std::is_same_v<T, Base>)
expression<M, boost::mp11::mp_list<T>> col(M Base::*member) {
    static_assert(std::is_base_of_v<Base, T>,
                  "dorm: col<T>(&T::member) needs a member of T (declared in T or in a base of it)");
    static_assert(!detail::relationship_traits<M>::is_relationship,
                  "dorm: col() takes a column member; a relationship (dorm::many / dorm::one) is not a column: "
                  "join the related struct with .join<U>() and use its columns");
    const auto index = detail::model<T>::index_of(member);
    if (index >= detail::model<T>::column_count)
        throw argument_error("dorm: col(): the member is not listed in BOOST_DESCRIBE_STRUCT of the struct or its bases");
    return expression<M, boost::mp11::mp_list<T>>(&table_of<T>(), static_cast<int>(index));
}

// -- comparison operators ----------------------------------------------------------------------

#define DORM_DETAIL_COMPARISON(OP, CODE)                                                                    \
    template <class A, class TA, class V>                                                                   \
        requires(!is_expression_v<V>)                                                                       \
    expression<bool, TA> operator OP(const expression<A, TA>& l, const V& r) {                              \
        if constexpr (std::is_same_v<detail::category_t<V>, detail::cat_null>) {                            \
            static_assert(sizeof(V) == 0 || ast::op::CODE == ast::op::eq || ast::op::CODE == ast::op::ne,    \
                          "dorm: only == and != compare with null (IS NULL / IS NOT NULL)");                \
            return l.unary(ast::op::CODE == ast::op::eq ? ast::op::is_null : ast::op::is_not_null);         \
        } else {                                                                                            \
            return l.binary(ast::op::CODE, r);                                                              \
        }                                                                                                   \
    }                                                                                                       \
    template <class A, class TA, class V>                                                                   \
        requires(!is_expression_v<V>)                                                                       \
    expression<bool, TA> operator OP(const V& l, const expression<A, TA>& r) {                              \
        if constexpr (std::is_same_v<detail::category_t<V>, detail::cat_null> ||                            \
                      detail::is_optional_v<std::remove_cvref_t<V>>) {                                      \
            return r OP l; /* null on either side is IS [NOT] NULL */                                       \
        } else {                                                                                            \
            return expression<bool, TA>(ast::make_op(ast::op::CODE, r.operand(l), r.node()));            \
        }                                                                                                   \
    }                                                                                                       \
    template <class A, class TA, class B, class TB>                                                         \
    expression<bool, detail::tables_union<TA, TB>> operator OP(const expression<A, TA>& l,                  \
                                                               const expression<B, TB>& r) {                \
        return expression<bool, detail::tables_union<TA, TB>>(ast::make_op(ast::op::CODE, l.node(), l.operand(r))); \
    }

DORM_DETAIL_COMPARISON(==, eq)
DORM_DETAIL_COMPARISON(!=, ne)
DORM_DETAIL_COMPARISON(<, lt)
DORM_DETAIL_COMPARISON(<=, le)
DORM_DETAIL_COMPARISON(>, gt)
DORM_DETAIL_COMPARISON(>=, ge)
#undef DORM_DETAIL_COMPARISON

// -- logical operators -------------------------------------------------------------------------

namespace detail {
template <class T>
inline constexpr bool is_boolean_v = std::is_same_v<base_t<T>, bool>;
}

template <class A, class TA, class B, class TB>
expression<bool, detail::tables_union<TA, TB>> operator&&(const expression<A, TA>& l, const expression<B, TB>& r) {
    static_assert(detail::is_boolean_v<A> && detail::is_boolean_v<B>, "dorm: && combines conditions (bool expressions)");
    return expression<bool, detail::tables_union<TA, TB>>(ast::make_op(ast::op::and_, l.node(), r.node()));
}
template <class A, class TA, class B, class TB>
expression<bool, detail::tables_union<TA, TB>> operator||(const expression<A, TA>& l, const expression<B, TB>& r) {
    static_assert(detail::is_boolean_v<A> && detail::is_boolean_v<B>, "dorm: || combines conditions (bool expressions)");
    return expression<bool, detail::tables_union<TA, TB>>(ast::make_op(ast::op::or_, l.node(), r.node()));
}
template <class A, class TA>
expression<bool, TA> operator!(const expression<A, TA>& e) {
    static_assert(detail::is_boolean_v<A>, "dorm: ! negates a condition (a bool expression)");
    return e.unary(ast::op::not_);
}

// -- arithmetic --------------------------------------------------------------------------------

namespace detail {
template <class A, class B>
struct arithmetic_result_impl {
    using type = void;  // not numeric: the operator's static_assert explains
};
template <class A, class B>
    requires(std::is_arithmetic_v<base_t<A>> && std::is_arithmetic_v<base_t<B>>)
struct arithmetic_result_impl<A, B> {
    using common = std::common_type_t<base_t<A>, base_t<B>>;
    using type = std::conditional_t<is_optional_v<A> || is_optional_v<B>, std::optional<common>, common>;
};
template <class A, class B>
using arithmetic_result = typename arithmetic_result_impl<A, B>::type;
/// The operator of an arithmetic expression whose C++ result type is R: `/` with an integer
/// result is integer division (truncating, as in C++) on every backend.
template <class R>
constexpr ast::op arithmetic_op(ast::op o) {
    return o == ast::op::div && std::is_integral_v<base_t<R>> ? ast::op::int_div : o;
}
}

#define DORM_DETAIL_ARITHMETIC(OP, CODE)                                                                    \
    template <class A, class TA, class V>                                                                   \
        requires(!is_expression_v<V> && std::is_arithmetic_v<detail::base_t<V>>)                           \
    auto operator OP(const expression<A, TA>& l, const V& r) {                                              \
        static_assert(detail::is_numeric_v<A>, "dorm: arithmetic needs numeric operands");                  \
        return expression<detail::arithmetic_result<A, V>, TA>(                                              \
            ast::make_op(detail::arithmetic_op<detail::arithmetic_result<A, V>>(ast::op::CODE),             \
                         {l.node(), l.param_of(detail::to_param<detail::arithmetic_result<A, V>>(r))}));     \
    }                                                                                                       \
    template <class A, class TA, class V>                                                                   \
        requires(!is_expression_v<V> && std::is_arithmetic_v<detail::base_t<V>>)                           \
    auto operator OP(const V& l, const expression<A, TA>& r) {                                              \
        static_assert(detail::is_numeric_v<A>, "dorm: arithmetic needs numeric operands");                  \
        return expression<detail::arithmetic_result<A, V>, TA>(                                              \
            ast::make_op(detail::arithmetic_op<detail::arithmetic_result<A, V>>(ast::op::CODE),             \
                         {r.param_of(detail::to_param<detail::arithmetic_result<A, V>>(l)), r.node()}));     \
    }                                                                                                       \
    template <class A, class TA, class B, class TB>                                                         \
    auto operator OP(const expression<A, TA>& l, const expression<B, TB>& r) {                              \
        static_assert(detail::is_numeric_v<A> && detail::is_numeric_v<B>,                                   \
                      "dorm: arithmetic needs numeric operands");                                           \
        return expression<detail::arithmetic_result<A, B>, detail::tables_union<TA, TB>>(                   \
            ast::make_op(detail::arithmetic_op<detail::arithmetic_result<A, B>>(ast::op::CODE),             \
                         {l.node(), r.node()}));                                                            \
    }

DORM_DETAIL_ARITHMETIC(+, add)
DORM_DETAIL_ARITHMETIC(-, sub)
DORM_DETAIL_ARITHMETIC(*, mul)
DORM_DETAIL_ARITHMETIC(/, div)
DORM_DETAIL_ARITHMETIC(%, mod)
#undef DORM_DETAIL_ARITHMETIC

template <class A, class TA>
expression<A, TA> operator-(const expression<A, TA>& e) {
    static_assert(detail::is_numeric_v<A>, "dorm: unary minus needs a numeric operand");
    return expression<A, TA>(ast::make_op(ast::op::neg, e.node()));
}

// -- parameters given at execution -------------------------------------------------------------

/// A named parameter whose value is given each time the statement runs (SQLAlchemy's
/// bindparam): build a statement once, run it many times.
///
///     auto by_name = dorm::select<User>().where(col(&User::name) == dorm::bindparam<std::string>("name"));
///     session.execute(by_name, {{"name", "Bob"}}).all();
template <class T>
expression<T> bindparam(std::string name) {
    auto e = ast::new_expr();
    e->k = ast::expr::kind::param;
    e->name = std::move(name);
    e->expects = &detail::param_type_of<T>;
    return expression<T>(std::move(e));
}

// -- aggregates and functions ------------------------------------------------------------------

/// `count(*)`.
inline expression<std::int64_t> count() {
    auto e = ast::new_expr();
    e->k = ast::expr::kind::func;
    e->name = "count";
    e->star = true;
    return expression<std::int64_t>(std::move(e));
}
/// `count(e)`: rows where e is not NULL.
template <class A, class TA>
expression<std::int64_t, TA> count(const expression<A, TA>& e) {
    return expression<std::int64_t, TA>(ast::make_func("count", {e.node()}));
}
/// `sum(e)`: 64-bit for integers, double for floating point; empty set -> nullopt.
template <class A, class TA>
auto sum(const expression<A, TA>& e) {
    static_assert(detail::is_numeric_v<A>, "dorm: sum() needs a numeric expression");
    using R = std::conditional_t<std::is_floating_point_v<detail::base_t<A>>, double, std::int64_t>;
    return expression<std::optional<R>, TA>(ast::make_func("sum", {e.node()}));
}
/// `avg(e)` as double; empty set -> nullopt.
template <class A, class TA>
expression<std::optional<double>, TA> avg(const expression<A, TA>& e) {
    static_assert(detail::is_numeric_v<A>, "dorm: avg() needs a numeric expression");
    return expression<std::optional<double>, TA>(ast::make_func("avg", {e.node()}));
}
/// `min(e)` / `max(e)`: the column's type; empty set -> nullopt.
template <class A, class TA>
expression<std::optional<detail::base_t<A>>, TA> min(const expression<A, TA>& e) {
    return expression<std::optional<detail::base_t<A>>, TA>(ast::make_func("min", {e.node()}));
}
template <class A, class TA>
expression<std::optional<detail::base_t<A>>, TA> max(const expression<A, TA>& e) {
    return expression<std::optional<detail::base_t<A>>, TA>(ast::make_func("max", {e.node()}));
}
/// `lower(e)`, `upper(e)`, `length(e)`.
template <class A, class TA>
expression<A, TA> lower(const expression<A, TA>& e) {
    static_assert(detail::is_text_v<A>, "dorm: lower() applies to strings");
    return expression<A, TA>(ast::make_func("lower", {e.node()}));
}
template <class A, class TA>
expression<A, TA> upper(const expression<A, TA>& e) {
    static_assert(detail::is_text_v<A>, "dorm: upper() applies to strings");
    return expression<A, TA>(ast::make_func("upper", {e.node()}));
}
template <class A, class TA>
auto length(const expression<A, TA>& e) {
    static_assert(detail::is_text_v<A>, "dorm: length() applies to strings");
    using R = std::conditional_t<detail::is_optional_v<A>, std::optional<std::int64_t>, std::int64_t>;
    return expression<R, TA>(ast::make_func("length", {e.node()}));
}
/// `coalesce(e, v)`: the first non-NULL.
template <class A, class TA, class V>
expression<detail::base_t<A>, TA> coalesce(const expression<A, TA>& e, const V& v) {
    return expression<detail::base_t<A>, TA>(ast::make_func("coalesce", {e.node(), e.operand(v)}));
}

}  // namespace dorm
