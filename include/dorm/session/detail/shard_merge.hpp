#pragma once
/// @file dorm/session/detail/shard_merge.hpp
/// One SELECT run on several shards of a dorm::sharded_engine session: each shard gets the
/// statement with its ORDER BY expressions appended as trailing columns and LIMIT n OFFSET m
/// turned into LIMIT n+m; the rows of all shards are then ordered by those columns (NULLs where
/// the backend puts them) and cut to the OFFSET / LIMIT. Compiled in lib/session/sharding.cpp.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <dorm/dialect/dialect.hpp>
#include <dorm/driver/driver.hpp>
#include <dorm/engine/value.hpp>
#include <dorm/query/ast.hpp>
#include <dorm/session/loaders.hpp>

namespace dorm::detail {

class shard_merge {
public:
    shard_merge(const ast::select& s, dorm::dialect d, std::size_t shards);
    /// The statement each shard runs.
    ast::select per_shard;
    /// The trailing order-key columns of each row (0: nothing to merge by).
    std::size_t keys = 0;
    /// After a row was read (in the order rows are kept): keeps its order keys.
    void read_keys(driver::statement& st);
    /// The rows to return, as indexes into the rows read (all shards, in shard order), ordered and
    /// cut to OFFSET / LIMIT.
    std::vector<std::size_t> order(std::size_t rows) const;

private:
    std::vector<bool> desc_;
    bool nulls_high_ = false;
    std::optional<std::int64_t> limit_, offset_;
    std::vector<std::vector<value>> row_keys_;
};

/// Runs a SELECT on the shards of a sharded session that it names (session_impl::shards_for):
/// `on_row(ctx, stmt)` reads each row, shard after shard (in a shard_scope: rows get their
/// shard's identity). Returns the order in which to hand out the rows read (the merge).
std::vector<std::size_t> select_on_shards(session_impl& s, const ast::select& sel, const named_params* named,
                                          void (*on_row)(void* ctx, driver::statement&), void* ctx);
/// An entity SELECT (with its loaders, which run on each shard) on the shards it names: the
/// objects in the merged order.
object_list load_on_shards(session_impl& s, const ast::select& sel, const std::vector<loader_node>& loaders,
                           entity_reader read, const named_params* named);
/// get(pk) in a sharded session: the identity map of each shard the key may be on, then one
/// SELECT per shard until one has the row; nullptr when none has.
std::shared_ptr<void> get_on_shards(session_impl& s, identity_key k, std::span<const value> pk, entity_reader read);

}  // namespace dorm::detail
