// ast::lazy_select: a select's recipe and the tree made from it once (dorm/query/lazy_select.hpp).
#include <dorm/query/lazy_select.hpp>

namespace dorm::ast {

lazy_select::lazy_select(select s) : tree_(new select(std::move(s))) {}

lazy_select::lazy_select(const lazy_select& o) {
    if (const select* t = o.tree_.load(std::memory_order_acquire))
        tree_.store(new select(*t), std::memory_order_relaxed);  // the copy's memo starts empty
    else
        recipe_ = o.recipe_;
}

lazy_select::lazy_select(lazy_select&& o) noexcept
    : recipe_(std::move(o.recipe_)), tree_(o.tree_.load(std::memory_order_relaxed)) {
    o.tree_.store(nullptr, std::memory_order_relaxed);
}

lazy_select::~lazy_select() {
    if (select* t = tree_.load(std::memory_order_relaxed)) destroy_tree(t);
}

lazy_select& lazy_select::operator=(const lazy_select& o) {
    if (this != &o) *this = lazy_select(o);
    return *this;
}

lazy_select& lazy_select::operator=(lazy_select&& o) noexcept {
    if (this != &o) {
        if (select* t = tree_.load(std::memory_order_relaxed)) destroy_tree(t);
        recipe_ = std::move(o.recipe_);
        tree_.store(o.tree_.load(std::memory_order_relaxed), std::memory_order_relaxed);
        o.tree_.store(nullptr, std::memory_order_relaxed);
    }
    return *this;
}

void lazy_select::destroy_tree(select* t) noexcept { delete t; }

const select& lazy_select::make_tree() const {
    auto* made = new select(recipe_.entity ? entity_select(recipe_.entity) : select());
    if (recipe_.entity && recipe_.has_condition) made->where.push_back(make_condition(recipe_.condition));
    // several threads may make it at once (a const statement they share): the first one kept wins
    select* expected = nullptr;
    if (tree_.compare_exchange_strong(expected, made, std::memory_order_acq_rel, std::memory_order_acquire))
        return *made;
    delete made;
    return *expected;
}

namespace {
/// Whether `c` can be the recipe's condition: a flat comparison, and `r` a recipe without one.
bool takes_condition(const select_recipe& r, bool made, const expr_handle& c) noexcept {
    return c.kind() == expr_handle::form::condition && r.entity && !r.has_condition && !made;
}
}  // namespace

void lazy_select::add_where(const expr_handle& c) {
    if (takes_condition(recipe_, tree_.load(std::memory_order_relaxed), c)) {
        recipe_.condition = c.flat();
        recipe_.has_condition = true;
    } else {
        edit().where.push_back(c.node());
    }
}

void lazy_select::add_where(expr_handle&& c) {
    if (takes_condition(recipe_, tree_.load(std::memory_order_relaxed), c)) {
        recipe_.condition = std::move(c.flat());
        recipe_.has_condition = true;
    } else {
        edit().where.push_back(c.node());
    }
}

lazy_select lazy_select::of_columns(expr_ptr* nodes, std::size_t n) {
    select s;
    s.columns.reserve(n);
    for (std::size_t i = 0; i < n; ++i) s.columns.push_back(std::move(nodes[i]));
    return lazy_select(std::move(s));
}

select& lazy_select::edit() {
    select& t = const_cast<select&>(tree());
    if (recipe_.entity) recipe_ = select_recipe{};  // the tree is the statement from now on
    t.memo.reset();
    return t;
}

}  // namespace dorm::ast
