#pragma once
// The allocator of statement-tree nodes (ast::new_expr): a per-thread list of freed node blocks,
// so that a statement built per call (`select<User>().where(col(&User::id) == id)`, three nodes)
// reuses the blocks of the previous one instead of calling malloc and free for each node.
//
// A block freed on another thread than the one that made it joins that thread's list: every
// block comes from ::operator new, so any thread may keep it or give it back. When a thread ends,
// its list is given back to the heap; blocks freed after that (a static holding a statement,
// destroyed after the thread's thread_local objects) go straight to ::operator delete.
// Under AddressSanitizer the pool is off, so that a use of a freed node is still reported.
#include <cstddef>
#include <new>

namespace dorm::detail {

/// Every pooled block has this size (an ast::expr fits).
inline constexpr std::size_t node_block_size = 256;

/// A block of node_block_size bytes: from the thread's free list, else the heap.
void* take_node_block();
/// Gives a block of take_node_block() back (to the thread's list, or the heap when full or closed).
void give_node_block(void* p) noexcept;

}  // namespace dorm::detail
