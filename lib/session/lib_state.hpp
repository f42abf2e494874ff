#pragma once
// The session's containers that only lib/ code reads, kept out of the public headers (every
// distinct std::vector type a public class holds costs each user translation unit ~0.4 MB of
// compiler memory to instantiate). Made with the session (session_impl's first constructor).
#include <cstddef>
#include <utility>
#include <vector>

#include <dorm/session/detail/session_impl.hpp>

namespace dorm::detail {

struct session_impl::lib_state {
    /// The engines: [0] the default one, then the engines dorm::binds names, or the shards.
    std::vector<engine_slot> slots;
    /// Tables bound to another engine than the default one (dorm::binds), with their slot.
    std::vector<std::pair<const schema::table*, std::size_t>> bound;
    /// Per shard: whether its text comparisons are bytewise (-1: not asked yet, else 0 / 1).
    std::vector<signed char> text_bytewise;
    /// The row switches of the flush under way (new record, deleted record): found before the
    /// deleted objects cascade (flush_order.cpp), written by the plan.
    std::vector<std::pair<record_base*, record_base*>> row_switches;
    /// commit(): the updated records whose snapshots wait until COMMIT succeeded.
    std::vector<std::pair<record_base*, column_mask>> deferred_snapshots;
};

}  // namespace dorm::detail
