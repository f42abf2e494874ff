#pragma once
/// @file dorm/session/detail/shard_merge.hpp
/// One SELECT run on several shards of a dorm::sharded_engine session (the merge itself,
/// class shard_merge, is lib/session/sharding.cpp's).
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include <dorm/driver/driver.hpp>
#include <dorm/engine/value.hpp>
#include <dorm/query/ast.hpp>
#include <dorm/session/loaders.hpp>

namespace dorm::detail {

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
