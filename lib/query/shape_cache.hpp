#pragma once
// The compiled-statement cache of compile_select(): SELECTs of the same *shape* (tables,
// columns, operators, functions, aliases, clause structure: everything but the bound values)
// print the same SQL, so the printer runs once per shape, thread and dialect; later statements
// of that shape only collect their values. SQLAlchemy caches compiled statements the same way
// ("[cached since ...]": the same shape with different values is a hit).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <dorm/query/ast.hpp>
#include <dorm/query/lazy_select.hpp>

#include "util/hash.hpp"

namespace dorm::ast {

/// One select object's compiled SQL and where each of its parameters comes from (memo_slot).
struct compiled_memo {
    enum class from : unsigned char { param, limit, offset, bindparam };
    struct source {
        from kind = from::param;
        const value* v = nullptr;          ///< a param node's value (nodes are shared, never moved)
        const expr* bind = nullptr;         ///< a bindparam node
    };
    dialect d = dialect::sqlite;
    std::string sql;
    std::vector<source> params;
    /// The statement's clause sizes when the memo was made: a change that bypassed
    /// select_stmt::edit() makes the memo unusable instead of wrong.
    std::array<std::uint32_t, 10> shape{};

    static std::array<std::uint32_t, 10> shape_of(const select& s) noexcept;
    bool fits(const select& s, dialect dl) const noexcept { return d == dl && shape == shape_of(s); }
    /// The parameter values for an execution of s.
    void collect(const select& s, std::vector<value>& out, const named_params* named) const;
};

}  // namespace dorm::ast

namespace dorm::detail {

class select_shape_cache {
public:
    /// The cache of the calling thread.
    static select_shape_cache& instance();

    /// The SQL of a statement of the shape of `s` compiled before (its parameters into `params`),
    /// or nullptr. The string stays valid until the next store() of this thread.
    const std::string* lookup(const ast::select& s, dialect d, std::vector<value>& params, const named_params* named);
    /// Remembers `sql`/`params`, the printer's output for `s`; `origins` are the addresses the
    /// printer bound its parameters from (param nodes, LIMIT/OFFSET), in order. Returns the cached
    /// SQL, or nullptr for a statement whose parameters cannot all be traced to the tree.
    const std::string* store(const ast::select& s, dialect d, const std::string& sql,
                             const std::vector<value>& params, const std::vector<const void*>& origins);
    /// The SQL of recipe `r` (its tree printed once per recipe shape and dialect: see
    /// lazy_select.hpp), its parameters into `params`. Valid until the next compile on this thread.
    const std::string& recipe_sql(const ast::select_recipe& r, dialect d, std::vector<value>& params);
    /// A memo of `s` from the entry that the last successful lookup() / store() of `s` found.
    std::unique_ptr<ast::compiled_memo> make_memo(const ast::select& s, dialect d) const;

private:
    /// Where a parameter value lives in a statement tree: a param node's value or LIMIT/OFFSET.
    struct slot {
        const value* v = nullptr;
        const std::int64_t* i = nullptr;
        const ast::expr* bind = nullptr;  ///< a bindparam: its value comes with the execution
        const void* address() const {  // (the printer names a bindparam's origin by its name's address)
            return v ? static_cast<const void*>(v) : i ? static_cast<const void*>(i) : static_cast<const void*>(&bind->name);
        }
    };
    struct entry {
        std::string sql;
        std::vector<std::uint32_t> order;  ///< parameter k comes from slot order[k]
    };
    static constexpr std::size_t max_entries = 1024;

    /// key_ := the shape of `s` for dialect d; slots_ := its parameter slots in walk order.
    /// True when that is the key of last_ (the shape looked up last: a statement built per call
    /// at one place in the program), found without hashing or a map lookup.
    bool describe(const ast::select& s, dialect d);
    void walk(const ast::select& s);
    void walk(const ast::expr& e);
    void walk(const ast::table_ref& t);
    // The key is written into a buffer that only grows (key_len_ bytes used): a put of a few
    // bytes is a compare and a copy, not a std::string::append call (a lookup makes ~30 puts).
    // While the key so far equals the first bytes of last_'s key (still in the buffer), a put
    // compares instead of writing; the first difference ends that (match_len_ = 0).
    void put(const void* p, std::size_t n) {
        if (key_len_ + n <= match_len_) {
            if (std::memcmp(key_.data() + key_len_, p, n) == 0) {
                key_len_ += n;
                return;
            }
        }
        match_len_ = 0;
        if (key_len_ + n > key_.size()) key_.resize(std::max(key_.size() * 2, key_len_ + n + 128));
        std::memcpy(key_.data() + key_len_, p, n);
        key_len_ += n;
    }
    template <class T>
    void put(const T& v) {
        put(&v, sizeof v);
    }
    void put(const std::string& s) {
        put(static_cast<std::uint32_t>(s.size()));
        if (!s.empty()) put(s.data(), s.size());
    }
    std::string_view key() const noexcept { return {key_.data(), key_len_}; }

    std::string key_;
    std::size_t key_len_ = 0;
    std::vector<slot> slots_;
    const entry* last_ = nullptr;  ///< the entry of the last lookup hit or store (its key is in key_)
    std::size_t last_len_ = 0;     ///< the length of last_'s key
    std::size_t match_len_ = 0;    ///< during describe(): last_len_ while the key still matches, else 0
    std::unordered_map<std::string, entry, fast_string_hash, std::equal_to<>> map_;

    /// What a recipe's SQL depends on (not its value).
    struct recipe_key {
        const schema::table* entity = nullptr;
        const schema::table* table = nullptr;
        std::int32_t column = -1;
        unsigned char d = 0, o = 0, has_condition = 0, pad = 0;
        bool operator==(const recipe_key&) const = default;
    };
    struct recipe_key_hash {
        std::size_t operator()(const recipe_key& k) const noexcept {
            return std::hash<const void*>()(k.entity) * 31u ^ std::hash<const void*>()(k.table) * 7u ^
                   static_cast<std::size_t>(k.column) * 131u ^ (static_cast<std::size_t>(k.d) << 8 | k.o) ^
                   static_cast<std::size_t>(k.has_condition) << 20;
        }
    };
    struct recipe_entry {
        std::string sql;
        bool binds_value = false;  ///< its one parameter is the condition's value
    };
    recipe_key last_recipe_key_;
    const recipe_entry* last_recipe_ = nullptr;
    std::unordered_map<recipe_key, recipe_entry, recipe_key_hash> recipes_;
};

}  // namespace dorm::detail
