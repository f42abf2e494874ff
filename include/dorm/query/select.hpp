#pragma once
/// @file dorm/query/select.hpp
/// SELECT statements: `dorm::select<User>()` (rows are objects) and
/// `dorm::select(col(&User::name), col(&User::age))` (rows are values / tuples).
#include <cstdint>
#include <memory>
#include <tuple>
#include <type_traits>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/set.hpp>

#include <dorm/dialect/dialect.hpp>
#include <dorm/query/ast.hpp>
#include <dorm/query/expression.hpp>
#include <dorm/query/lazy_select.hpp>

namespace dorm {

namespace detail {
struct loader_node;  // dorm/session/loaders.hpp
/// argument_error: `a` and `b` cannot both refine one FOR UPDATE (lib/query/select_errors.cpp).
[[noreturn]] void throw_lock_conflict(const char* a, const char* b);
}

/// Row marker of an entity select: rows are std::shared_ptr<T> in a session.
template <class T>
struct entity {
    using type = T;
};
template <class R>
struct is_entity : std::false_type {};
template <class T>
struct is_entity<entity<T>> : std::true_type {};

/// Row marker of a select of several structs (`select<User, Comment>()`): rows are tuples of
/// objects. Each E is a struct T, or std::optional<T> once T is outer-joined (the row may have no
/// match: a null std::shared_ptr in a session, std::nullopt on a connection).
template <class... E>
struct entities {};
template <class R>
struct is_entities : std::false_type {};
template <class... E>
struct is_entities<entities<E...>> : std::true_type {};

namespace detail {

template <class Tb>
Tb ordering_tables(const ordering<Tb>&);

template <class Sub, class Super>
inline constexpr bool tables_subset_v =
    boost::mp11::mp_all_of_q<Sub, boost::mp11::mp_bind_front<boost::mp11::mp_set_contains, Super>>::value;

/// How many columns of From are foreign keys to To.
template <class From, class To>
constexpr int fk_count() {
    return fk_columns<From, To>::count;
}

template <class U, class Tables>
constexpr int fk_paths() {
    int n = 0;
    boost::mp11::mp_for_each<boost::mp11::mp_transform<boost::mp11::mp_identity, Tables>>([&](auto id) {
        using X = typename decltype(id)::type;
        n += fk_count<U, X>();
        if constexpr (!std::is_same_v<U, X>) n += fk_count<X, U>();
    });
    return n;
}

/// The ON clause of a join from `left` tables to `right` along its single foreign-key path.
ast::expr_ptr infer_join_condition(const std::vector<const schema::table*>& left, const schema::table* right);

template <class Tables>
std::vector<const schema::table*> tables_of_list() {
    std::vector<const schema::table*> out;
    boost::mp11::mp_for_each<boost::mp11::mp_transform<boost::mp11::mp_identity, Tables>>(
        [&](auto id) { out.push_back(&table_of<typename decltype(id)::type>()); });
    return out;
}

/// The row type after a LEFT OUTER JOIN of Tag: selected expressions that use Tag's columns
/// become std::optional (their values are NULL for rows without a match).
template <class E, class TE, class Tag>
using outer_element =
    std::conditional_t<boost::mp11::mp_set_contains<TE, Tag>::value, std::optional<base_t<E>>, E>;
template <class Row, class Cols, class Tag>
struct outer_row {
    using type = Row;
};
template <class... E, class... TE, class Tag>
    requires(sizeof...(E) == sizeof...(TE))
struct outer_row<std::tuple<E...>, boost::mp11::mp_list<TE...>, Tag> {
    using type = std::tuple<outer_element<E, TE, Tag>...>;
};
template <class E, class TE, class Tag>
struct outer_row<E, boost::mp11::mp_list<TE>, Tag> {
    using type = outer_element<E, TE, Tag>;
};

/// entities<E...> after a LEFT OUTER JOIN of Tag: Tag's objects may be missing.
template <class Row, class Tag>
struct outer_entities {
    using type = Row;
};
template <class... E, class Tag>
struct outer_entities<entities<E...>, Tag> {
    using type = entities<std::conditional_t<std::is_same_v<E, Tag>, std::optional<E>, E>...>;
};

template <class... Rows>
struct column_row {
    using type = std::tuple<Rows...>;
};
template <class R>
struct column_row<R> {
    using type = R;
};

}  // namespace detail

/// A second reference to T's table (self-joins): `auto parent = dorm::aliased<Node>("parent");`
/// then `parent.col(&Node::id)` and `.join(parent, col(&Node::parent_id) == parent.col(&Node::id))`.
template <class T, class Tag>
struct alias_tag {};
template <class T, class Tag>
class aliased_table {
public:
    using table_type = T;
    using tag = alias_tag<T, Tag>;
    explicit aliased_table(std::string name) : name_(std::move(name)) {}
    /// A column of the aliased table.
    template <class M>
    expression<M, boost::mp11::mp_list<tag>> col(M T::*member) const {
        const ast::expr_ptr n = dorm::col(member).node();
        return expression<M, boost::mp11::mp_list<tag>>(ast::make_column(n->table, n->column, name_));
    }
    const std::string& name() const noexcept { return name_; }

private:
    std::string name_;
};
/// Each call site gets its own alias type, so two aliases of one struct are told apart at compile time.
template <class T, class Tag = decltype([] {})>
aliased_table<T, Tag> aliased(std::string name) {
    return aliased_table<T, Tag>(std::move(name));
}

template <class Row, class Tables>
struct subquery_tag {};

/// A SELECT used as a FROM/JOIN source: `auto sq = stmt.subquery("counts");` then
/// `sq.c<std::int64_t>("n")` names one of its columns (give computed columns a label()).
template <class Tag>
class subquery_source {
public:
    using tag = Tag;
    subquery_source(std::shared_ptr<const ast::select> s, std::string alias) : select_(std::move(s)), alias_(std::move(alias)) {}
    template <class V>
    expression<V, boost::mp11::mp_list<Tag>> c(std::string column) const {
        auto e = ast::new_expr();
        e->k = ast::expr::kind::raw_column;
        e->alias = alias_;
        e->name = std::move(column);
        return expression<V, boost::mp11::mp_list<Tag>>(std::move(e));
    }
    const std::shared_ptr<const ast::select>& select() const noexcept { return select_; }
    const std::string& alias() const noexcept { return alias_; }

private:
    std::shared_ptr<const ast::select> select_;
    std::string alias_;
};

/// A SELECT. Row: entity<T> or the value type(s) of the selected expressions; Tables: the
/// structs in FROM/JOIN; Grouped: whether group_by() was called; Cols: the structs each
/// selected expression uses (column selects), so an outer join can make them optional.
template <class Row, class Tables, bool Grouped = false, class Cols = void>
class select_stmt {
public:
    using row_type = Row;
    using tables = Tables;

    select_stmt() = default;
    explicit select_stmt(ast::select s) : ast_(std::move(s)) {}
    /// SELECT every column of `t` (select<T>()): a recipe until a tree is needed.
    struct of_table {
        const schema::table* t;
    };
    explicit select_stmt(of_table from) noexcept : ast_(from.t) {}
    explicit select_stmt(ast::lazy_select s) noexcept : ast_(std::move(s)) {}

    /// Adds a condition (chained where() calls are ANDed).
    // (Each builder has a const& form that copies and an && form that reuses a temporary: the
    // usual chain select<T>().where(...).order_by(...) copies nothing.)
    template <class E, class TE>
    select_stmt where(const expression<E, TE>& cond) const& {
        return select_stmt(*this).where(cond);
    }
    template <class E, class TE>
    select_stmt where(const expression<E, TE>& cond) && {
        check_where<E, TE>();
        ast_.add_where(cond.handle());
        return std::move(*this);
    }
    template <class E, class TE>
    select_stmt where(expression<E, TE>&& cond) && {
        check_where<E, TE>();
        ast_.add_where(std::move(cond).handle());
        return std::move(*this);
    }

    /// ORDER BY items: `col(&User::name)` (ascending), `col(&User::age).desc()`.
    template <class... O>
    select_stmt order_by(const O&... items) const& {
        return select_stmt(*this).order_by(items...);
    }
    template <class... O>
    select_stmt order_by(const O&... items) && {
        (add_order(items), ...);
        return std::move(*this);
    }
    select_stmt limit(std::int64_t n) const& { return select_stmt(*this).limit(n); }
    select_stmt limit(std::int64_t n) && {
        edit().limit = n;
        return std::move(*this);
    }
    select_stmt offset(std::int64_t n) const& { return select_stmt(*this).offset(n); }
    select_stmt offset(std::int64_t n) && {
        edit().offset = n;
        return std::move(*this);
    }
    select_stmt distinct() const& { return select_stmt(*this).distinct(); }
    select_stmt distinct() && {
        edit().distinct = true;
        return std::move(*this);
    }

    /// `SELECT ... FOR UPDATE`: the rows read are locked until the transaction ends (SQLAlchemy's
    /// with_for_update()). Objects already in the session are refreshed from the locked rows.
    /// Refine with `.nowait()`, `.skip_locked()`, `.read()` (a shared lock: FOR SHARE / LOCK IN
    /// SHARE MODE) and `.of<U...>()` (lock only the rows of those structs; MariaDB locks every
    /// joined table's rows). On SQLite, which has no row locks, the session's transaction takes
    /// the database's write lock before the SELECT runs (BEGIN IMMEDIATE), so read-then-write
    /// transactions run one after the other instead of failing with SQLITE_BUSY.
    select_stmt with_for_update() const& { return select_stmt(*this).with_for_update(); }
    select_stmt with_for_update() && {
        auto& l = edit().lock;
        if (l.mode == ast::row_lock::strength::none) l.mode = ast::row_lock::strength::update;
        return std::move(*this);
    }
    /// FOR UPDATE NOWAIT: a row locked by another transaction is an error at once
    /// (operational_error; dorm::is_retryable says true) instead of a wait.
    select_stmt nowait() const& { return select_stmt(*this).nowait(); }
    select_stmt nowait() && {
        auto& l = with_lock();
        if (l.skip_locked) detail::throw_lock_conflict("nowait", "skip_locked");
        l.nowait = true;
        return std::move(*this);
    }
    /// FOR UPDATE SKIP LOCKED: rows locked by another transaction are left out of the result
    /// (a work queue). On SQLite every row is returned: there the whole database is locked.
    select_stmt skip_locked() const& { return select_stmt(*this).skip_locked(); }
    select_stmt skip_locked() && {
        auto& l = with_lock();
        if (l.nowait) detail::throw_lock_conflict("skip_locked", "nowait");
        l.skip_locked = true;
        return std::move(*this);
    }
    /// A shared lock (FOR SHARE; MariaDB LOCK IN SHARE MODE; Oracle has only FOR UPDATE): other
    /// transactions may read and share-lock the rows, not change them.
    select_stmt read() const& { return select_stmt(*this).read(); }
    select_stmt read() && {
        edit().lock.mode = ast::row_lock::strength::share;
        return std::move(*this);
    }
    /// FOR UPDATE OF: lock only the rows of these structs (each must be in FROM/JOIN).
    template <class... U>
    select_stmt of() const& {
        return select_stmt(*this).template of<U...>();
    }
    template <class... U>
    select_stmt of() && {
        static_assert(sizeof...(U) > 0, "dorm: of<U...>() names at least one struct");
        static_assert((detail::tables_subset_v<boost::mp11::mp_list<U>, Tables> && ...),
                      "dorm: of<U>() names a struct that is not in this select's FROM/JOIN list");
        auto& l = with_lock();
        (l.of.push_back(ast::table_ref{&table_of<U>(), {}, nullptr}), ...);
        return std::move(*this);
    }
    /// Objects already in the session are overwritten with the values of the rows read
    /// (SQLAlchemy's populate_existing), unflushed changes included.
    select_stmt populate_existing() const& { return select_stmt(*this).populate_existing(); }
    select_stmt populate_existing() && {
        edit().populate_existing = true;
        return std::move(*this);
    }

    /// JOIN U ON <the single foreign-key path between U and the selected structs>.
    template <class U>
    auto join() const {
        return join_inferred<U, false>();
    }
    /// JOIN U ON cond.
    template <class U, class E, class TE>
    auto join(const expression<E, TE>& on) const {
        check_not_self_join<U>();
        return join_source<U, false>(ast::table_ref{&table_of<U>(), {}, nullptr}, on);
    }
    /// LEFT OUTER JOIN U (ON inferred from the foreign key, or given).
    template <class U>
    auto outer_join() const {
        return join_inferred<U, true>();
    }
    template <class U, class E, class TE>
    auto outer_join(const expression<E, TE>& on) const {
        check_not_self_join<U>();
        return join_source<U, true>(ast::table_ref{&table_of<U>(), {}, nullptr}, on);
    }

    /// JOIN an aliased table (self-joins).
    template <class T, class Tag, class E, class TE>
    auto join(const aliased_table<T, Tag>& a, const expression<E, TE>& on) const {
        return join_source<alias_tag<T, Tag>, false>(ast::table_ref{&table_of<T>(), a.name(), nullptr}, on);
    }
    template <class T, class Tag, class E, class TE>
    auto outer_join(const aliased_table<T, Tag>& a, const expression<E, TE>& on) const {
        return join_source<alias_tag<T, Tag>, true>(ast::table_ref{&table_of<T>(), a.name(), nullptr}, on);
    }
    /// JOIN a subquery.
    template <class Tag, class E, class TE>
    auto join(const subquery_source<Tag>& sq, const expression<E, TE>& on) const {
        return join_source<Tag, false>(ast::table_ref{nullptr, sq.alias(), sq.select()}, on);
    }
    template <class Tag, class E, class TE>
    auto outer_join(const subquery_source<Tag>& sq, const expression<E, TE>& on) const {
        return join_source<Tag, true>(ast::table_ref{nullptr, sq.alias(), sq.select()}, on);
    }

    /// Lets the statement refer to columns of the enclosing statement's structs (a correlated
    /// subquery); those tables are not added to this statement's FROM.
    template <class... U>
    auto correlate() const {
        using NT = boost::mp11::mp_fold<boost::mp11::mp_list<U...>, Tables, boost::mp11::mp_set_push_back>;
        select_stmt<Row, NT, Grouped, Cols> s(ast_);
        s.loaders_ = loaders_;
        return s;
    }
    /// The statement as a scalar value: `(SELECT count(*) FROM ...)` in a where() or a select().
    auto scalar_subquery() const {
        static_assert(!is_entity<Row>::value && !is_entities<Row>::value && !requires { std::tuple_size<Row>::value; },
                      "dorm: scalar_subquery() needs a select of exactly one expression");
        return expression<Row>(ast::make_subquery(std::make_shared<ast::select>(ast())));
    }
    /// The statement as a FROM/JOIN source named `alias`.
    auto subquery(std::string alias) const {
        return subquery_source<subquery_tag<Row, Tables>>(std::make_shared<ast::select>(ast()), std::move(alias));
    }

    /// FROM U, for selects whose columns name no table (e.g. `select(count()).select_from<User>()`).
    template <class U>
    auto select_from() const {
        using NT = boost::mp11::mp_set_push_back<Tables, U>;
        select_stmt<Row, NT, Grouped, Cols> s(ast_);
        s.loaders_ = loaders_;
        s.mutable_ast().from.push_back(ast::table_ref{&table_of<U>(), {}, nullptr});
        return s;
    }

    /// GROUP BY expressions.
    template <class... E, class... TE>
    select_stmt<Row, Tables, true, Cols> group_by(const expression<E, TE>&... exprs) const {
        static_assert((detail::tables_subset_v<TE, Tables> && ...),
                      "dorm: group_by() uses a column of a struct that is not in this select's FROM/JOIN list: add "
                      ".join<U>() (or .select_from<U>()), or .correlate<U>() inside a subquery");
        select_stmt<Row, Tables, true, Cols> s(ast_);
        s.loaders_ = loaders_;
        (s.mutable_ast().group_by.push_back(exprs.node()), ...);
        return s;
    }
    /// HAVING condition (needs group_by()).
    template <class E, class TE>
    select_stmt having(const expression<E, TE>& cond) const& {
        return select_stmt(*this).having(cond);
    }
    template <class E, class TE>
    select_stmt having(const expression<E, TE>& cond) && {
        static_assert(Grouped, "dorm: having() filters groups: call group_by(...) before having(...)");
        static_assert(detail::is_boolean_v<E>, "dorm: having() takes a condition (a bool expression)");
        static_assert(detail::tables_subset_v<TE, Tables>,
                      "dorm: having() uses a column of a struct that is not in this select's FROM/JOIN list: add "
                      ".join<U>() (or .select_from<U>()), or .correlate<U>() inside a subquery");
        edit().having.push_back(cond.node());
        return std::move(*this);
    }

    /// Relationship loader options (dorm::selectinload, joinedload, raiseload; see dorm/session/loaders.hpp).
    template <class... Opts>
    select_stmt options(const Opts&... opts) const {
        static_assert(is_entity<Row>::value, "dorm: options() applies to entity selects (select<T>())");
        static_assert((std::is_same_v<typename Opts::owner_type, typename Row::type> && ...),
                      "dorm: a loader option must name a relationship of the selected struct");
        select_stmt s = *this;
        // a dependent spelling of loader_node: the type is complete only where the options are used
        using node_t = std::conditional_t<(sizeof...(Opts) >= 0), detail::loader_node, void>;
        auto v = std::make_shared<std::vector<node_t>>();
        if (loaders_) *v = *loaders_;
        (v->push_back(opts.node()), ...);
        s.loaders_ = std::move(v);
        return s;
    }
    /// The loader options (null when there are none).
    const std::shared_ptr<const std::vector<detail::loader_node>>& loaders() const noexcept { return loaders_; }

    /// The statement's tree (made now from its recipe, the first time: see lazy_select).
    const ast::select& ast() const { return ast_.tree(); }
    ast::select& mutable_ast() { return edit(); }
    /// The statement as it is kept: a recipe or a tree.
    const ast::lazy_select& lazy_ast() const noexcept { return ast_; }

private:
    /// The tree, for a change: forgets its compiled memo. Every change goes through here.
    ast::select& edit() { return ast_.edit(); }
    template <class E, class TE>
    static constexpr void check_where() {
        static_assert(detail::is_boolean_v<E>, "dorm: where() takes a condition (a bool expression)");
        static_assert(detail::tables_subset_v<TE, Tables>,
                      "dorm: the condition uses a column of a struct that is not in this select's FROM/JOIN list: "
                      "add .join<U>() (or .select_from<U>()); inside a subquery that refers to the enclosing query's "
                      "struct U, add .correlate<U>()");
    }
    /// The row lock, FOR UPDATE unless already set.
    ast::row_lock& with_lock() {
        auto& l = edit().lock;
        if (l.mode == ast::row_lock::strength::none) l.mode = ast::row_lock::strength::update;
        return l;
    }

    template <class, class, bool, class>
    friend class select_stmt;

    template <class O>
    void add_order(const O& item) {
        if constexpr (is_expression_v<O>) {
            static_assert(detail::tables_subset_v<typename O::tables, Tables>,
                          "dorm: order_by() uses a column of a struct that is not in this select's FROM/JOIN list: add "
                      ".join<U>() (or .select_from<U>()), or .correlate<U>() inside a subquery");
            edit().order_by.push_back({item.node(), false});
        } else {
            static_assert(detail::tables_subset_v<decltype(detail::ordering_tables(item)), Tables>,
                          "dorm: order_by() uses a column of a struct that is not in this select's FROM/JOIN list: add "
                      ".join<U>() (or .select_from<U>()), or .correlate<U>() inside a subquery");
            edit().order_by.push_back({item.node, item.desc, item.nulls});
        }
    }
    /// The statement with one more JOIN of Tag (a struct, an alias or a subquery). After a
    /// LEFT OUTER JOIN, selected expressions that use Tag's columns become std::optional.
    template <class Tag, bool Outer>
    auto add_join(ast::table_ref ref, ast::expr_ptr on) const {
        using NT = boost::mp11::mp_set_push_back<Tables, Tag>;
        using NR = std::conditional_t<
            !Outer, Row,
            std::conditional_t<is_entities<Row>::value, typename detail::outer_entities<Row, Tag>::type,
                               std::conditional_t<std::is_void_v<Cols>, Row,
                                                  typename detail::outer_row<Row, Cols, Tag>::type>>>;
        select_stmt<NR, NT, Grouped, Cols> s(ast_);
        s.loaders_ = loaders_;
        s.mutable_ast().joins.push_back(
            ast::join{Outer ? ast::join_kind::left : ast::join_kind::inner, std::move(ref), std::move(on)});
        return s;
    }
    template <class Tag, bool Outer, class E, class TE>
    auto join_source(ast::table_ref ref, const expression<E, TE>& on) const {
        using NT = boost::mp11::mp_set_push_back<Tables, Tag>;
        static_assert(detail::is_boolean_v<E>, "dorm: the ON clause is a condition (a bool expression)");
        static_assert(detail::tables_subset_v<TE, NT>,
                      "dorm: the ON clause uses a column of a struct that is neither joined nor selected");
        return add_join<Tag, Outer>(std::move(ref), on.node());
    }
    template <class U>
    static constexpr void check_not_self_join() {
        if constexpr (is_entity<Row>::value)
            static_assert(!std::is_same_v<U, typename Row::type>,
                          "dorm: joining the selected struct to itself needs an alias: auto a = "
                          "dorm::aliased<T>(\"a\"); then .join(a, on)");
    }
    template <class U, bool Outer>
    auto join_inferred() const {
        check_not_self_join<U>();
        constexpr int paths = detail::fk_paths<U, Tables>();
        static_assert(paths > 0,
                      "dorm: join<U>() found no foreign key between U and the selected structs: write the ON "
                      "clause, e.g. .join<U>(col(&U::x) == col(&T::y))");
        static_assert(paths < 2,
                      "dorm: join<U>() found more than one foreign-key path between U and the selected structs: "
                      "write the ON clause, e.g. .join<U>(col(&U::x) == col(&T::y))");
        return add_join<U, Outer>(ast::table_ref{&table_of<U>(), {}, nullptr},
                                  detail::infer_join_condition(detail::tables_of_list<Tables>(), &table_of<U>()));
    }

    ast::lazy_select ast_;
    std::shared_ptr<const std::vector<detail::loader_node>> loaders_;
};

/// SELECT every column of T: rows are objects (`std::shared_ptr<T>` in a session).
template <class T>
select_stmt<entity<T>, boost::mp11::mp_list<T>> select() {
    using stmt = select_stmt<entity<T>, boost::mp11::mp_list<T>>;
    return stmt(typename stmt::of_table{&table_of<T>()});
}

/// SELECT every column of several structs: rows are tuples of objects
/// (`std::tuple<std::shared_ptr<A>, std::shared_ptr<B>>` in a session, `std::tuple<A, B>` on a
/// connection). Join them, e.g. `select<User, Comment>().join<Comment>()`; without a join the
/// FROM list is their cross product.
template <class T1, class T2, class... Ts>
select_stmt<entities<T1, T2, Ts...>, boost::mp11::mp_list<T1, T2, Ts...>> select() {
    static_assert(boost::mp11::mp_is_set<boost::mp11::mp_list<T1, T2, Ts...>>::value,
                  "dorm: select<A, B>() names a struct twice: select a dorm::aliased<T>() for the second one");
    ast::select s;
    s.entities.push_back(ast::entity_ref{&table_of<T1>(), {}});
    s.entities.push_back(ast::entity_ref{&table_of<T2>(), {}});
    (s.entities.push_back(ast::entity_ref{&table_of<Ts>(), {}}), ...);
    return select_stmt<entities<T1, T2, Ts...>, boost::mp11::mp_list<T1, T2, Ts...>>(std::move(s));
}

/// SELECT expressions: rows are the value (one expression) or a std::tuple of values.
template <class E, class TE, class... Es, class... TEs>
auto select(const expression<E, TE>& first, const expression<Es, TEs>&... rest) {
    using row = typename detail::column_row<E, Es...>::type;
    using tables = boost::mp11::mp_fold<boost::mp11::mp_list<TEs...>, TE, boost::mp11::mp_set_union>;
    ast::expr_ptr nodes[] = {first.node(), rest.node()...};
    return select_stmt<row, tables, false, boost::mp11::mp_list<TE, TEs...>>(
        ast::lazy_select::of_columns(nodes, 1 + sizeof...(rest)));
}

/// `EXISTS (SELECT ...)`; use `.correlate<Outer>()` on the inner select to refer to the outer one.
template <class Row, class Tables, bool G, class C>
expression<bool> exists(const select_stmt<Row, Tables, G, C>& sub) {
    return expression<bool>(ast::make_op(ast::op::exists, ast::make_subquery(std::make_shared<ast::select>(sub.ast()))));
}

/// SQL text and parameters of a statement for a dialect.
template <class Row, class Tables, bool G, class C>
compiled compile(const select_stmt<Row, Tables, G, C>& stmt, dialect d) {
    return detail::compile_select(stmt.ast(), d);
}
/// The SQL and parameters of a SELECT with the values of its dorm::bindparam()s.
template <class Row, class Tables, bool G, class C>
compiled compile(const select_stmt<Row, Tables, G, C>& stmt, dialect d, const bind_values& params) {
    return detail::compile_select(stmt.ast(), d, params.view());
}

}  // namespace dorm
