#pragma once
/// @file dorm/query/ast.hpp
/// The runtime statement tree. Typed statements (dorm/query/select.hpp, ...) lower to it; the
/// compiled printer in lib/query/print_*.cpp prints it for a dialect. No templates here.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <dorm/detail/atomic_cell.hpp>
#include <dorm/dialect/dialect.hpp>
#include <dorm/engine/value.hpp>
#include <dorm/schema/table.hpp>

namespace dorm {
/// Named parameter values: of a text() statement, or for the dorm::bindparam()s of a statement.
using text_params = std::vector<std::pair<std::string, value>>;
namespace ast {
struct expr;
}

/// One value for a dorm::bindparam, as a braced list gives it: `{"since", t}` converts `t` as a
/// column value of its C++ type (a time point, an enum, a string...) and remembers that type's
/// category, so that a value of another category than the bindparam's is an argument_error;
/// `{"x", dorm::value(...)}` is taken as the stored value itself (its storage kind is checked).
struct named_value {
    named_value(std::string n, value v) : name(std::move(n)), val(std::move(v)) {}
    template <class V>
    named_value(std::string n, const V& v);  // dorm/query/expression.hpp

    std::string name;
    value val;
    std::string_view category;  ///< empty: a dorm::value
};

/// A view of the values of a statement's dorm::bindparam()s for one execution.
class named_params {
public:
    named_params() noexcept = default;
    named_params(const text_params& values) noexcept;  // (out of line: keeps text_params uncompiled here)
    named_params(const named_value* values, std::size_t n) noexcept : typed_(values), count_(n) {}
    /// The value given for the bindparam node `bind`.
    /// @throws argument_error when there is none, or when it is not of the bindparam's type
    const value& of(const ast::expr& bind) const;

private:
    const std::pair<std::string, value>* plain_ = nullptr;
    const named_value* typed_ = nullptr;
    std::size_t count_ = 0;
};

/// The values of a statement's dorm::bindparam()s, as execute() and compile() take them: a braced
/// list `{{"id", 5}, {"since", t}}` (read in place: no list is allocated), a
/// std::vector<dorm::named_value> kept for reuse, or a text_params (dorm::values). Holds a view:
/// use it within the call it is passed to.
class bind_values {
public:
    bind_values(const text_params& values) noexcept;  // (out of line: keeps text_params uncompiled here)
    bind_values(const std::vector<named_value>& values) noexcept : view_(values.data(), values.size()) {}
    bind_values(std::initializer_list<named_value> values) noexcept : view_(values.begin(), values.size()) {}
    named_params view() const noexcept { return view_; }

private:
    named_params view_;
};
}  // namespace dorm

namespace dorm::ast {

struct expr;
struct select;

/// A node's reference count: atomic (a node is shared by every statement built from it, and a
/// const statement may run on several threads). A copied or moved node starts unshared.
class node_refs {
public:
    node_refs() noexcept = default;
    node_refs(const node_refs&) noexcept {}
    node_refs& operator=(const node_refs&) noexcept { return *this; }
    void acquire() const noexcept { n_.fetch_add(1, std::memory_order_relaxed); }
    /// true when that was the last reference
    bool release() const noexcept { return n_.fetch_sub(1, std::memory_order_acq_rel) == 1; }

private:
    mutable dorm::detail::atomic_cell<std::uint32_t> n_{0};
};

/// Destroys a node whose last reference went (and gives its block back to the thread's pool).
void destroy_node(const expr* e) noexcept;

/// Shared ownership of a statement-tree node, counted in the node itself: copying is one atomic
/// increment, dropping the last reference one decrement and the node's destruction (no control
/// block, no virtual calls). T is expr or const expr.
template <class T>
class node_ptr {
public:
    node_ptr() noexcept = default;
    node_ptr(std::nullptr_t) noexcept {}
    /// Shares `p` (a node from new_expr()).
    explicit node_ptr(T* p) noexcept : p_(p) {
        if (p_) p_->refs.acquire();
    }
    node_ptr(const node_ptr& o) noexcept : node_ptr(o.p_) {}
    node_ptr(node_ptr&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    template <class U>
        requires std::is_convertible_v<U*, T*>
    node_ptr(const node_ptr<U>& o) noexcept : node_ptr(o.get()) {}
    template <class U>
        requires std::is_convertible_v<U*, T*>
    node_ptr(node_ptr<U>&& o) noexcept : p_(o.detach()) {}
    ~node_ptr() { reset(); }
    node_ptr& operator=(node_ptr o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }

    T* get() const noexcept { return p_; }
    T& operator*() const noexcept { return *p_; }
    T* operator->() const noexcept { return p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    void reset() noexcept {
        if (p_ && p_->refs.release()) destroy_node(p_);
        p_ = nullptr;
    }
    /// Gives up the reference without dropping it (node_ptr's converting move).
    T* detach() noexcept {
        T* p = p_;
        p_ = nullptr;
        return p;
    }
    friend bool operator==(const node_ptr& a, const node_ptr& b) noexcept { return a.p_ == b.p_; }
    friend bool operator==(const node_ptr& a, std::nullptr_t) noexcept { return a.p_ == nullptr; }

private:
    template <class U>
    friend class node_ptr;
    T* p_ = nullptr;
};

using expr_ptr = node_ptr<const expr>;

struct compiled_memo;  // lib/query/shape_cache.hpp
/// A select's own record of its compiled SQL (the shape cache's entry, with where each parameter
/// comes from), so that executing one statement object again skips describing its tree. Made on
/// the second compile of the same object (a statement built per call never pays for it); a copy
/// starts empty; editing the statement forgets it (select_stmt::edit()). Set once, atomically:
/// a const statement may be executed from several threads.
class memo_slot {
public:
    memo_slot() noexcept = default;
    memo_slot(const memo_slot&) noexcept {}
    memo_slot(memo_slot&& o) noexcept : p_(o.p_.exchange(0)) {}
    memo_slot& operator=(const memo_slot& o) noexcept {
        if (this != &o) reset();
        return *this;
    }
    memo_slot& operator=(memo_slot&& o) noexcept {
        if (this != &o) {
            reset();
            p_.store(o.p_.exchange(0));
        }
        return *this;
    }
    ~memo_slot() { reset(); }

    /// The memo, or nullptr.
    const compiled_memo* get() const noexcept {
        const auto v = p_.load(std::memory_order_acquire);
        return v > compiled_once ? reinterpret_cast<const compiled_memo*>(v) : nullptr;
    }
    /// Counts a compile: true from the second one on (then a memo is worth making).
    bool compiled_before() const noexcept {
        std::uintptr_t expected = 0;
        return !p_.compare_exchange_strong(expected, compiled_once, std::memory_order_relaxed);
    }
    /// Keeps `m` (taking ownership) unless a memo is there already; returns the memo kept.
    const compiled_memo* offer(const compiled_memo* m) const noexcept;
    void reset() noexcept;

private:
    static constexpr std::uintptr_t compiled_once = 1;
    mutable dorm::detail::atomic_cell<std::uintptr_t> p_{0};
};

enum class op : unsigned char {
    // binary
    eq, ne, lt, le, gt, ge, and_, or_, add, sub, mul, div, mod, concat,
    like, not_like, ilike, not_ilike, is_distinct_from, is_not_distinct_from,
    // unary
    not_, neg, is_null, is_not_null, exists,
    // n-ary
    in, not_in, between,
    // binary: `/` of two integers, which truncates as in C++ (MySQL's and Oracle's `/` of integers
    // is exact division: they print DIV / TRUNC(a / b))
    int_div,
};

/// What contains() / starts_with() / ends_with() ask of a text (issue 16 item 4: matched byte
/// for byte; where LIKE is not exact, the dialect prints another form).
enum class text_match : unsigned char { none, contains, starts_with, ends_with };

/// A table in a FROM/JOIN list: a mapped table, optionally under an alias (self-joins).
struct table_ref {
    const schema::table* table = nullptr;
    std::string alias;  ///< empty: the table's own name
    std::shared_ptr<const select> subquery;  ///< a subquery as a source (alias required)
};

/// What a dorm::bindparam<T> takes: its value is checked against it at each execution.
struct param_type {
    enum class storage : unsigned char { any, integer, number, text, blob };
    std::string_view category;  ///< "number", "text", "blob", "timestamp", "date", or the type's own name
    std::string_view cpp_name;  ///< T, for messages
    storage stored = storage::any;  ///< what its value must hold (integer: not a floating-point one)
};

/// An expression node.
struct expr {
    // special members are defined in lib/ (not re-generated in every translation unit)
    expr();
    expr(const expr&);
    expr(expr&&) noexcept;
    expr& operator=(const expr&);
    expr& operator=(expr&&) noexcept;
    ~expr();

    enum class kind : unsigned char {
        column,     ///< table.column
        param,      ///< a bound value
        op,         ///< operator over args
        func,       ///< name(args...) ; `count(*)` has no args and star=true
        subquery,   ///< (SELECT ...) as a scalar, an IN source or an EXISTS operand
        label,      ///< args[0] AS name
        raw_column, ///< a named column of a subquery source: alias.name
        tuple,      ///< (a, b, ...)
    };
    kind k = kind::param;
    op o = op::eq;
    const schema::table* table = nullptr;  ///< column
    int column = -1;                       ///< column
    std::string alias;                     ///< column: table alias; raw_column: source alias
    value val;                             ///< param (a bindparam has a name and no value)
    std::string name;                      ///< func / label / raw_column / bindparam name
    bool star = false;                     ///< count(*)
    bool distinct = false;                 ///< count(DISTINCT x)
    std::vector<expr_ptr> args;
    std::shared_ptr<const select> sub;
    bool escape = false;  ///< like: append ESCAPE '/'
    /// like made by contains/starts_with/ends_with: args are {x, escaped pattern, the value itself}
    text_match match = text_match::none;
    const param_type* expects = nullptr;  ///< bindparam: the type its value must have (null: any)
    /// param: a floating-point value beside an integer expression (`col(&T::qty) > 2.5`): PostgreSQL
    /// would take the parameter for an integer, so the dialect types it (dialect_hooks::double_cast)
    bool typed_double = false;
    node_refs refs;  ///< node_ptr's count (not part of the node's value: a copy starts at 0)
};

/// A condition `table.column <op> value` not yet made into nodes: the form `col(&T::c) == v`
/// keeps until a tree needs it (dorm::expression), so that a statement built per call makes no
/// nodes. make_condition() gives the tree it stands for.
struct flat_condition {
    const schema::table* table = nullptr;
    int column = -1;
    op o = op::eq;
    value val;
};

/// A new, empty node (from the thread's pool of node blocks: building a small statement per call
/// does not go to malloc for each node).
node_ptr<expr> new_expr();

expr_ptr make_column(const schema::table* t, int column, std::string alias = {});
expr_ptr make_param(value v);
/// A param; `typed_double`: see expr::typed_double.
expr_ptr make_param(value v, bool typed_double);
expr_ptr make_op(op o, std::vector<expr_ptr> args);
// the common arities, so that callers do not build the argument vector inline
expr_ptr make_op(op o, expr_ptr a);
expr_ptr make_op(op o, expr_ptr a, expr_ptr b);
expr_ptr make_op(op o, expr_ptr a, expr_ptr b, expr_ptr c);
/// The tree of `c`: op(column, param) (a copy of its value).
expr_ptr make_condition(const flat_condition& c);

/// What a typed dorm::expression holds: a tree node, or one of the two flat forms that need no
/// node until a tree asks for one (a column; a column compared with a value). Its special
/// members and node() are compiled in lib/ (one copy for every expression type).
class expr_handle {
public:
    enum class form : unsigned char { tree, column, condition };
    expr_handle() noexcept = default;
    explicit expr_handle(expr_ptr n) noexcept : node_(std::move(n)) {}
    /// The column `column` of `t`.
    expr_handle(const schema::table* t, int column) noexcept : form_(form::column) {
        flat_.table = t;
        flat_.column = column;
    }
    explicit expr_handle(flat_condition c) noexcept : flat_(std::move(c)), form_(form::condition) {}
    expr_handle(const expr_handle&);
    expr_handle(expr_handle&&) noexcept;
    expr_handle& operator=(const expr_handle&);
    expr_handle& operator=(expr_handle&&) noexcept;
    ~expr_handle();

    /// The node (made now for a flat form).
    expr_ptr node() const;
    form kind() const noexcept { return form_; }
    /// The flat column or comparison.
    const flat_condition& flat() const noexcept { return flat_; }
    flat_condition& flat() noexcept { return flat_; }
    /// `x <o> v`: flat when x is a flat column, else op(x, param v). `integral`: x has an integer
    /// type (a floating-point v then makes a typed param, in a tree: expr::typed_double).
    static expr_handle compare(const expr_handle& x, op o, value v, bool integral);

private:
    expr_ptr node_;        ///< form::tree
    flat_condition flat_;  ///< form::column (table, column) and form::condition
    form form_ = form::tree;
};
expr_ptr make_func(std::string name, std::vector<expr_ptr> args);
expr_ptr make_subquery(std::shared_ptr<const select> s);
/// `x` contains / starts with / ends with `v`, exactly (wildcards in `v` are plain characters).
expr_ptr make_text_match(expr_ptr x, text_match m, std::string_view v);

/// Where an ORDER BY item puts NULLs: the database's default place (PostgreSQL: above every
/// value; SQLite, MariaDB: below), first, or last.
enum class nulls_place : unsigned char { database, first, last };

struct order_item {
    expr_ptr e;
    bool desc = false;
    nulls_place nulls = nulls_place::database;
};

enum class join_kind : unsigned char { inner, left };
struct join {
    join_kind kind = join_kind::inner;
    table_ref target;
    expr_ptr on;
};

/// The entity a select loads (its columns come first in the result, in table order).
struct entity_ref {
    const schema::table* table = nullptr;
    std::string alias;
};

/// SELECT ... FOR UPDATE / FOR SHARE (with_for_update()).
struct row_lock {
    enum class strength : unsigned char { none, update, share };
    strength mode = strength::none;
    bool nowait = false;
    bool skip_locked = false;
    std::vector<table_ref> of;  ///< FOR UPDATE OF these tables (empty: every table)
};

/// SELECT ...
struct select {
    select();
    select(const select&);
    select(select&&) noexcept;
    select& operator=(const select&);
    select& operator=(select&&) noexcept;
    ~select();

    std::vector<entity_ref> entities;  ///< entity columns come first
    std::vector<expr_ptr> columns;     ///< then these expressions
    std::vector<table_ref> from;       ///< explicit FROM (else: the tables of entities/columns)
    std::vector<join> joins;
    std::vector<expr_ptr> where;  ///< ANDed
    std::vector<expr_ptr> group_by;
    std::vector<expr_ptr> having;  ///< ANDed
    std::vector<order_item> order_by;
    std::optional<std::int64_t> limit, offset;
    bool distinct = false;
    row_lock lock;
    /// Objects already in the session are overwritten by the rows read (SQLAlchemy's
    /// populate_existing; always so for a locking SELECT).
    bool populate_existing = false;
    memo_slot memo;  ///< compile_select_sql's memo for this object (not part of the statement)
};

/// INSERT INTO t (cols) VALUES (...), (...) [ON CONFLICT ...] [RETURNING ...]
struct insert {
    const schema::table* table = nullptr;
    std::vector<int> columns;
    std::vector<std::vector<value>> rows;
    enum class conflict : unsigned char { none, do_nothing, do_update } on_conflict = conflict::none;
    std::vector<int> conflict_columns;  ///< the unique key the conflict is detected on
    std::vector<int> update_columns;    ///< set from the incoming row
    std::vector<int> returning;
};

/// UPDATE t SET c = e, ... WHERE ...
struct update {
    const schema::table* table = nullptr;
    std::vector<std::pair<int, expr_ptr>> sets;
    std::vector<expr_ptr> where;
};

/// DELETE FROM t WHERE ...
struct delete_ {
    const schema::table* table = nullptr;
    std::vector<expr_ptr> where;
};

/// SELECT every column of table `t` (the start of select<T>()).
select entity_select(const schema::table* t);

}  // namespace dorm::ast

namespace dorm {

/// SQL text and its parameters, in order.
struct compiled {
    std::string sql;
    std::vector<value> params;
};

namespace detail {
compiled compile_select(const ast::select& s, dialect d);
/// The SQL of `s` from the per-thread cache of compiled shapes (printed on first use), its
/// parameters into `params`. The reference is valid until the next compile on this thread.
/// `named` gives the values of bindparam()s (nullptr: the statement has none).
const std::string& compile_select_sql(const ast::select& s, dialect d, std::vector<value>& params,
                                      const named_params* named = nullptr);
compiled compile_select(const ast::select& s, dialect d, named_params named);
compiled compile_insert(const ast::insert& s, dialect d);
compiled compile_update(const ast::update& s, dialect d);
compiled compile_delete(const ast::delete_& s, dialect d);
/// Throws data_error (naming the table, the column and the value) when a value that a bulk
/// INSERT / upsert or a bulk UPDATE writes does not fit its column: a text longer than its
/// VARCHAR(n), counted in characters as the flush counts them (SQLite would keep it; the servers
/// refuse it with a message that names neither). An UPDATE's computed values (`col + "x"`) are
/// the database's to check. Also argument_error for an upsert whose on_conflict() columns are no
/// unique key of the table. lib/query/written_values.cpp.
void check_written_values(const ast::insert& s);
void check_written_values(const ast::update& s);
}  // namespace detail

}  // namespace dorm
