#pragma once
/// @file dorm/query/lazy_select.hpp
/// The statement a select_stmt holds: the tree (dorm/query/ast.hpp), or, for the commonest
/// statement built per call, `select<T>()` with at most one `col(&T::c) <op> value` condition,
/// only those few facts (a recipe) until something asks for the tree. Executing a recipe looks
/// its SQL up by the recipe itself (lib/query/compile.cpp): no nodes are made, no tree walked.
#include <dorm/detail/atomic_cell.hpp>
#include <dorm/query/ast.hpp>

namespace dorm::ast {

/// SELECT every column of `entity` [WHERE condition].
struct select_recipe {
    const schema::table* entity = nullptr;
    bool has_condition = false;
    flat_condition condition;
};

/// A select's statement: a recipe until its tree is asked for (tree(): made once, also when
/// several threads ask at the same time for a const statement they share) or it is changed in
/// another way (edit()).
class lazy_select {
public:
    /// An empty statement (its tree is an empty ast::select).
    lazy_select() noexcept = default;
    explicit lazy_select(select s);
    /// The recipe `SELECT <every column of entity>`.
    explicit lazy_select(const schema::table* entity) noexcept { recipe_.entity = entity; }
    lazy_select(const lazy_select& o);
    lazy_select(lazy_select&& o) noexcept;
    lazy_select& operator=(const lazy_select& o);
    lazy_select& operator=(lazy_select&& o) noexcept;
    ~lazy_select();

    /// The tree (made now from the recipe, the first time).
    const select& tree() const {
        if (const select* t = tree_.load(std::memory_order_acquire)) return *t;
        return make_tree();
    }
    /// The tree, for a change (the recipe is given up; the compiled memo is forgotten).
    select& edit();
    /// The recipe, or nullptr once the statement is a tree (or when it is empty).
    const select_recipe* recipe() const noexcept {
        return recipe_.entity && !tree_.load(std::memory_order_acquire) ? &recipe_ : nullptr;
    }
    /// The tree when it is made, else nullptr (a recipe: no lock, no populate_existing).
    const select* made() const noexcept { return tree_.load(std::memory_order_acquire); }
    /// Adds a WHERE condition: the recipe's, when this is a recipe without one and `c` is a flat
    /// comparison; else a node of the tree.
    void add_where(const expr_handle& c);
    void add_where(expr_handle&& c);
    /// SELECT these expressions (moved from `nodes`).
    static lazy_select of_columns(expr_ptr* nodes, std::size_t n);

private:
    const select& make_tree() const;
    static void destroy_tree(select* t) noexcept;

    select_recipe recipe_;
    mutable dorm::detail::atomic_cell<select*> tree_{nullptr};
};

}  // namespace dorm::ast

namespace dorm::detail {
/// compile_select_sql (dorm/query/ast.hpp) of a select as it is kept: a recipe's SQL is found by
/// the recipe (a compare of a few words with the recipe compiled last on this thread), without
/// making its tree.
const std::string& compile_select_sql(const ast::lazy_select& s, dialect d, std::vector<value>& params,
                                      const named_params* named = nullptr);
}  // namespace dorm::detail
