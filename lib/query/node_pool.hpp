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

/// Every pooled block has this size (an ast::expr and its shared_ptr control block fit).
inline constexpr std::size_t node_block_size = 256;

/// A block of node_block_size bytes: from the thread's free list, else the heap.
void* take_node_block();
/// Gives a block of take_node_block() back (to the thread's list, or the heap when full or closed).
void give_node_block(void* p) noexcept;

/// A std allocator whose single-object allocations (the control block and node of
/// std::allocate_shared) are pooled blocks.
template <class T>
struct node_allocator {
    using value_type = T;
    node_allocator() noexcept = default;
    template <class U>
    node_allocator(const node_allocator<U>&) noexcept {}

    static constexpr bool pooled = sizeof(T) <= node_block_size && alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__;

    T* allocate(std::size_t n) {
        if constexpr (pooled)
            if (n == 1) return static_cast<T*>(take_node_block());
        return static_cast<T*>(::operator new(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if constexpr (pooled)
            if (n == 1) return give_node_block(p);
        ::operator delete(p);
    }
    template <class U>
    bool operator==(const node_allocator<U>&) const noexcept {
        return true;
    }
};

}  // namespace dorm::detail
