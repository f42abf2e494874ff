#pragma once
/// @file dorm/session/sharded_engine.hpp
/// dorm::sharded_engine: one logical database spread over N engines (horizontal sharding, the
/// model of SQLAlchemy's ext.horizontal_shard). Each row lives on one shard, picked from one of
/// its columns (the shard key); a session over a sharded_engine writes each object to its shard,
/// reads get<T>(pk) from the shard that can hold it, and runs a query on the shards its WHERE
/// names (all of them otherwise), merging the rows (ORDER BY and LIMIT / OFFSET apply after the merge).
///
///     auto shards = dorm::sharded_engine({{"eu", eu_db}, {"us", us_db}})
///                       .shard_by(&Customer::id)                  // stable hash of the key
///                       .shard_by(&Order::customer_id)            // next to its customer
///                       .shard_by(&Region::code, [](const std::string& c) { return c.substr(0, 2); });
///     dorm::session s(shards);
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <dorm/detail/function_fwd.hpp>
#include <dorm/detail/lazy.hpp>
#include <dorm/detail/owned_ptr.hpp>
#include <dorm/engine/engine.hpp>
#include <dorm/engine/value.hpp>
#include <dorm/query/expression.hpp>
#include <dorm/reflect/column_ops.hpp>
#include <dorm/schema/table_of.hpp>

namespace dorm {

/// A stable hash of a shard-key value onto `n` shards: the same shard for the same value in every
/// process, on every machine and in every dorm version (integers: splitmix64; text and blobs:
/// FNV-1a over the bytes; reals: over their integer value when they have one, else their bits).
std::size_t shard_hash(const value& v, std::size_t n);

/// Integer shard keys by range: `{{0, "a"}, {1'000'000, "b"}}` puts keys 0..999999 on "a" and
/// 1000000 and above on "b". A key below the first bound has no shard (argument_error).
/// (Used as dorm::shard_ranges: a template only so that a program that never shards does not
/// compile its container; see dorm/detail/lazy.hpp.)
template <class V = void>
struct basic_shard_ranges {
    std::vector<std::pair<std::int64_t, detail::lazy_t<std::string, V>>> starts;  ///< (first key, shard), in any order
    std::string operator()(std::int64_t key) const;
};
using shard_ranges = basic_shard_ranges<>;

namespace detail {
struct sharding_state;  // lib/session/sharding_state.hpp
}

/// The shards and the rule of each sharded model. Copyable (a value, like dorm::engine); a session
/// takes a copy. (Its state lives in lib/, so that a program that never shards does not compile
/// its containers.)
class sharded_engine {
public:
    /// The shards: (name, engine) in a fixed order (shard_hash maps onto that order). All engines
    /// must have the same backend. @throws argument_error on no shards, an empty engine, a name
    /// given twice or engines of two backends.
    explicit sharded_engine(std::vector<std::pair<std::string, engine>> shards);
    sharded_engine(const sharded_engine& o);
    sharded_engine& operator=(const sharded_engine& o);
    ~sharded_engine();

    /// Rows of T live on the shard that the stable hash of the member's value picks (shard_hash).
    template <class T, class M>
    sharded_engine& shard_by(M T::*member) {
        const std::size_t n = shard_count();
        return add_rule(&table_of<T>(), column_of(member), [n](const value& v) { return shard_hash(v, n); });
    }
    /// Rows of T live on the shard `choose(member value)` names: a shard name (anything convertible
    /// to std::string_view) or its index in the constructor's list. A name that is not a shard, or
    /// an index out of range, is an argument_error naming the table and the value.
    template <class T, class M, class F>
        requires std::is_invocable_v<const F&, const M&>
    sharded_engine& shard_by(M T::*member, F choose) {
        table_rule_fn fn = [shard_names = names(), choose = std::move(choose)](const value& v) -> std::size_t {
            M m{};
            assign_member(m, v);
            using R = std::invoke_result_t<const F&, const M&>;
            if constexpr (std::is_convertible_v<R, std::string_view>) {
                const auto& r = choose(std::as_const(m));
                return index_of_name(shard_names, std::string_view(r));
            } else {
                static_assert(std::is_integral_v<R>,
                              "dorm::sharded_engine::shard_by: the chooser returns a shard name (a string) or "
                              "a shard index (an integer)");
                return static_cast<std::size_t>(choose(std::as_const(m)));
            }
        };
        return add_rule(&table_of<T>(), column_of(member), fn);
    }
    /// New objects whose integer autoincrement key is still 0 get `next(table)` as their key at
    /// the flush, before their shard is chosen: keys unique across shards, and a shard rule on the
    /// primary key works for new rows. Where it returns 0 (and without a generator) the shard's
    /// database generates the key; such keys repeat across shards, which the session tells apart
    /// (the identity of an object includes its shard), but a rule on that key cannot place new rows.
    sharded_engine& key_generator(std::function<std::int64_t(const schema::table&)> next);
    /// A commit that spans several shards prepares each transaction first (PostgreSQL only), as
    /// dorm::binds::two_phase.
    sharded_engine& two_phase(bool on = true);

    // -- what the session reads ----------------------------------------------------------------------
    using table_rule_fn = std::function<std::size_t(const value&)>;
    /// A table's rule: its table, its shard-key column and the shard-key value -> shard index
    /// function (checked: an index out of range is an argument_error). Opaque here: defined in
    /// lib/session/sharding_state.hpp.
    struct rule;
    const std::vector<std::pair<std::string, engine>>& shards() const noexcept;
    std::size_t shard_count() const noexcept;
    /// The shard rule of table `t` (shard_by), or nullptr: rows of `t` follow their parent.
    const rule* rule_for(const schema::table* t) const noexcept;
    const std::function<std::int64_t(const schema::table&)>& generator() const noexcept;
    bool uses_two_phase() const noexcept;

private:
    template <class T, class M>
    static int column_of(M T::*member) {
        return col(member).node()->column;
    }
    template <class M>
    static void assign_member(M& m, const value& v) {
        detail::column_ops_of<M>::from_value(&m, v);
    }
    std::vector<std::string> names() const;
    static std::size_t index_of_name(const std::vector<std::string>& names, std::string_view name);
    sharded_engine& add_rule(const schema::table* t, int column, table_rule_fn pick);

    detail::owned_ptr<detail::sharding_state> state_;  // never null
};

}  // namespace dorm
