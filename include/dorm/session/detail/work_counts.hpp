#pragma once
/// @file dorm/session/detail/work_counts.hpp
/// Counts of the steps that would turn quadratic if a linear search came back into a per-object
/// path (issue 16, item 1). Per thread; tests compare them with the number of objects instead of
/// timing anything. Counting costs one increment where the work happens.
#include <cstdint>

namespace dorm::detail {

struct work_counts {
    /// order_records (flush order): records taken from and put into its ready queues.
    std::uint64_t order_steps = 0;
    /// dorm::many membership tests: elements compared one by one (small collections) plus
    /// elements hashed while (re)building a collection's lookup set.
    std::uint64_t collection_steps = 0;
    /// Records examined by a flush (the passes over pending, watched and deleted records).
    std::uint64_t flush_visits = 0;
    /// Slots of the identity map's flat table visited by its rebuilds (growth, tombstone clean-up).
    std::uint64_t identity_rebuild_slots = 0;
};

/// This thread's counts (lib/session/work_counts.cpp).
work_counts& thread_work_counts() noexcept;

}  // namespace dorm::detail
