// The per-thread free list of statement-tree node blocks (see node_pool.hpp).
#include "query/node_pool.hpp"
#include "util/thread_state.hpp"

namespace dorm::detail {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool pool_enabled = false;
#else
constexpr bool pool_enabled = true;
#endif

struct free_block {
    free_block* next;
};

/// One thread's free blocks (see thread_state.hpp).
struct free_list {
    free_block* head;
    unsigned count;
    void close() noexcept {
        while (free_block* b = head) {
            head = b->next;
            ::operator delete(b);
        }
        count = 0;
    }
};
constexpr unsigned max_kept = 256;
using pool = thread_state<free_list>;

}  // namespace

void* take_node_block() {
    if constexpr (pool_enabled) {
        free_list& list = pool::get();
        if (free_block* b = list.head) {
            list.head = b->next;
            --list.count;
            return b;
        }
        pool::open();  // at the thread's first node: its blocks are kept from now on
    }
    return ::operator new(node_block_size);
}

void give_node_block(void* p) noexcept {
    if constexpr (pool_enabled) {
        free_list& list = pool::get();
        if (pool::is_open() && list.count < max_kept) {
            auto* b = static_cast<free_block*>(p);
            b->next = list.head;
            list.head = b;
            ++list.count;
            return;
        }
    }
    ::operator delete(p);
}

}  // namespace dorm::detail
