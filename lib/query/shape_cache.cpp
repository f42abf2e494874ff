// The compiled-statement cache of compile_select() (see shape_cache.hpp).
#include "query/shape_cache.hpp"
#include "query/sql_writer.hpp"

namespace dorm::detail {

select_shape_cache& select_shape_cache::instance() {
    thread_local select_shape_cache cache;
    return cache;
}

void select_shape_cache::walk(const ast::expr& e) {
    // each node's fixed part in one put (no padding: every byte of the key is written), then
    // its strings' bytes and its children
    switch (e.k) {
        case ast::expr::kind::param: {
            const struct {
                unsigned char kind;
                unsigned char pad[3];
                std::uint32_t name_size;
            } f{static_cast<unsigned char>(e.k), {static_cast<unsigned char>(e.typed_double ? 1 : 0), 0, 0},
                static_cast<std::uint32_t>(e.name.size())};
            put(f);
            if (e.name.empty()) {
                slots_.push_back(slot{&e.val, nullptr, nullptr});
            } else {  // a bindparam's name is part of the shape
                put(e.name.data(), e.name.size());
                slots_.push_back(slot{nullptr, nullptr, &e});
            }
            return;
        }
        case ast::expr::kind::column: {
            const struct {
                unsigned char kind;  // every node's key starts with its kind
                unsigned char pad[3];
                std::int32_t column;
                const schema::table* table;
                std::uint32_t alias_size, pad2;
            } f{static_cast<unsigned char>(e.k), {}, e.column, e.table, static_cast<std::uint32_t>(e.alias.size()), 0};
            static_assert(sizeof f == 24);
            put(f);
            if (!e.alias.empty()) put(e.alias.data(), e.alias.size());
            return;
        }
        case ast::expr::kind::raw_column:
            put(static_cast<unsigned char>(e.k));
            put(e.alias);
            put(e.name);
            return;
        default: break;
    }
    const struct {
        unsigned char kind, o, flags, has_sub;
        std::uint32_t name_size, arg_count;
    } f{static_cast<unsigned char>(e.k),
        static_cast<unsigned char>(e.o),
        static_cast<unsigned char>((e.star ? 1 : 0) | (e.distinct ? 2 : 0) | (e.escape ? 4 : 0) |
                                   (static_cast<unsigned>(e.match) << 3)),
        static_cast<unsigned char>(e.sub ? 1 : 0),
        static_cast<std::uint32_t>(e.name.size()),
        static_cast<std::uint32_t>(e.args.size())};
    static_assert(sizeof f == 12);
    put(f);
    if (!e.name.empty()) put(e.name.data(), e.name.size());
    for (const auto& a : e.args) walk(*a);
    if (e.sub) walk(*e.sub);
}

void select_shape_cache::walk(const ast::table_ref& t) {
    put(t.table);
    put(t.alias);
    put(static_cast<unsigned char>(t.subquery ? 1 : 0));
    if (t.subquery) walk(*t.subquery);
}

void select_shape_cache::walk(const ast::select& s) {
    // the clause sizes and flags first (compiled_memo::shape_of: LIMIT/OFFSET/DISTINCT and the
    // lock are in its last two words), in one put; then each clause's items: every item's walk is
    // self-delimiting, so the key stays unambiguous
    put(ast::compiled_memo::shape_of(s));
    for (const auto& e : s.entities) {
        put(e.table);
        put(e.alias);
    }
    for (const auto& e : s.columns) walk(*e);
    for (const auto& f : s.from) walk(f);
    for (const auto& j : s.joins) {
        put(static_cast<unsigned char>(j.kind));
        walk(j.target);
        put(static_cast<unsigned char>(j.on ? 1 : 0));
        if (j.on) walk(*j.on);
    }
    for (const auto& e : s.where) walk(*e);
    for (const auto& e : s.group_by) walk(*e);
    for (const auto& e : s.having) walk(*e);
    for (const auto& o : s.order_by) {
        put(static_cast<unsigned char>((o.desc ? 1 : 0) | static_cast<unsigned>(o.nulls) << 1));
        walk(*o.e);
    }
    for (const auto& t : s.lock.of) walk(t);
    if (s.limit) slots_.push_back(slot{nullptr, &*s.limit, nullptr});
    if (s.offset) slots_.push_back(slot{nullptr, &*s.offset, nullptr});
}

bool select_shape_cache::describe(const ast::select& s, dialect d) {
    match_len_ = last_ ? last_len_ : 0;
    key_len_ = 0;
    slots_.clear();
    put(static_cast<unsigned char>(d));
    walk(s);
    if (match_len_ != 0 && key_len_ == match_len_) return true;
    last_ = nullptr;  // the buffer no longer holds its key
    return false;
}

const std::string* select_shape_cache::lookup(const ast::select& s, dialect d, std::vector<value>& params,
                                              const named_params* named) {
    if (!describe(s, d)) {
        auto it = map_.find(key());
        if (it == map_.end()) return nullptr;
        last_ = &it->second;
        last_len_ = key_len_;
    }
    params.clear();
    params.reserve(last_->order.size());
    for (std::uint32_t k : last_->order) {
        const slot& sl = slots_[k];
        if (sl.v)
            params.push_back(*sl.v);
        else if (sl.i)
            params.emplace_back(*sl.i);
        else
            params.push_back(sql_writer::named_value(named, *sl.bind));
    }
    return &last_->sql;
}

const std::string* select_shape_cache::store(const ast::select& s, dialect d, const std::string& sql,
                                             const std::vector<value>& params,
                                             const std::vector<const void*>& origins) {
    describe(s, d);
    if (origins.size() != params.size() || slots_.size() > 0xffffffffu) return nullptr;
    entry e;
    e.order.reserve(origins.size());
    // The printer mostly binds in walk order: try the slot after the previous one first, and
    // only for the others look the address up in an index of every slot (built once). O(n) for
    // a statement of n parameters (an in() of 100,000 values), not O(n^2).
    std::unordered_map<const void*, std::size_t> index;
    std::size_t next = 0;
    for (const void* o : origins) {
        std::size_t k = next;
        if (k >= slots_.size() || slots_[k].address() != o) {
            if (index.empty()) {
                index.reserve(slots_.size());
                for (std::size_t i = 0; i < slots_.size(); ++i) index.emplace(slots_[i].address(), i);
            }
            auto it = index.find(o);
            if (it == index.end()) return nullptr;  // a value the walk does not know: do not cache
            k = it->second;
        }
        e.order.push_back(static_cast<std::uint32_t>(k));
        next = k + 1;
    }
    if (map_.size() >= max_entries) map_.clear();
    e.sql = sql;
    last_ = &map_.emplace(std::string(key()), std::move(e)).first->second;
    last_len_ = key_len_;
    return &last_->sql;
}

const std::string& select_shape_cache::recipe_sql(const ast::select_recipe& r, dialect d, std::vector<value>& params) {
    recipe_key k;
    k.entity = r.entity;
    k.d = static_cast<unsigned char>(d);
    if (r.has_condition) {
        k.table = r.condition.table;
        k.column = r.condition.column;
        k.o = static_cast<unsigned char>(r.condition.o);
        k.has_condition = 1;
    }
    if (!last_recipe_ || !(k == last_recipe_key_)) {
        auto it = recipes_.find(k);
        if (it == recipes_.end()) {
            // the first statement of this recipe shape: print the tree it stands for
            ast::select tree = ast::entity_select(r.entity);
            const value* bound = nullptr;
            if (r.has_condition) {
                ast::expr_ptr c = ast::make_condition(r.condition);
                bound = &c->args[1]->val;
                tree.where.push_back(std::move(c));
            }
            recipe_entry made;
            std::vector<const void*> origins;
            params.clear();
            sql_writer w(d, made.sql, params);
            w.track_origins(&origins);
            w.select(tree);
            const bool traced = bound ? origins.size() == 1 && origins[0] == bound : origins.empty();
            if (!traced) {  // a dialect that binds otherwise: the printed statement, not cached
                thread_local std::string printed;
                printed = std::move(made.sql);
                return printed;
            }
            made.binds_value = bound != nullptr;
            if (recipes_.size() >= max_entries) recipes_.clear();
            it = recipes_.emplace(k, std::move(made)).first;
        }
        last_recipe_ = &it->second;
        last_recipe_key_ = k;
    }
    params.clear();
    if (last_recipe_->binds_value) params.push_back(r.condition.val);
    return last_recipe_->sql;
}

std::unique_ptr<ast::compiled_memo> select_shape_cache::make_memo(const ast::select& s, dialect d) const {
    using from = ast::compiled_memo::from;
    auto m = std::make_unique<ast::compiled_memo>();
    m->d = d;
    m->sql = last_->sql;
    m->shape = ast::compiled_memo::shape_of(s);
    m->params.reserve(last_->order.size());
    for (std::uint32_t k : last_->order) {
        const slot& sl = slots_[k];
        ast::compiled_memo::source src;
        if (sl.v) {
            src.v = sl.v;
        } else if (sl.bind) {
            src.kind = from::bindparam;
            src.bind = sl.bind;
        } else {
            src.kind = sl.i == &*s.limit ? from::limit : from::offset;
        }
        m->params.push_back(src);
    }
    return m;
}

}  // namespace dorm::detail

namespace dorm::ast {

std::array<std::uint32_t, 10> compiled_memo::shape_of(const select& s) noexcept {
    auto n = [](const auto& v) { return static_cast<std::uint32_t>(v.size()); };
    return {n(s.entities), n(s.columns), n(s.from), n(s.joins), n(s.where), n(s.group_by), n(s.having),
            n(s.order_by),
            static_cast<std::uint32_t>((s.limit ? 1 : 0) | (s.offset ? 2 : 0) | (s.distinct ? 4 : 0)),
            static_cast<std::uint32_t>(static_cast<unsigned>(s.lock.mode) | (s.lock.nowait ? 4u : 0u) |
                                       (s.lock.skip_locked ? 8u : 0u) | (n(s.lock.of) << 4))};
}

void compiled_memo::collect(const select& s, std::vector<value>& out, const named_params* named) const {
    out.clear();
    out.reserve(params.size());
    for (const source& p : params) {
        switch (p.kind) {
            case from::param: out.push_back(*p.v); break;
            case from::limit: out.emplace_back(*s.limit); break;
            case from::offset: out.emplace_back(*s.offset); break;
            case from::bindparam: out.push_back(detail::sql_writer::named_value(named, *p.bind)); break;
        }
    }
}

const compiled_memo* memo_slot::offer(const compiled_memo* m) const noexcept {
    std::uintptr_t expected = compiled_once;
    if (p_.compare_exchange_strong(expected, reinterpret_cast<std::uintptr_t>(m), std::memory_order_acq_rel))
        return m;
    delete m;  // another thread was first (or the slot was reset)
    return get();
}

void memo_slot::reset() noexcept {
    if (p_.load(std::memory_order_relaxed) == 0) return;  // the usual case (a statement being built): no atomic write
    const auto v = p_.exchange(0, std::memory_order_acq_rel);
    if (v > compiled_once) delete reinterpret_cast<const compiled_memo*>(v);
}

}  // namespace dorm::ast

namespace dorm::detail {

}  // namespace dorm::detail
