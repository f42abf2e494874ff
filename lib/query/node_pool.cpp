// The per-thread free list of statement-tree node blocks (see node_pool.hpp).
#include "query/node_pool.hpp"

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

/// One thread's free blocks. Trivially destructible, so usable until the thread is gone; the
/// "initial-exec" TLS model makes its address one instruction away (no __tls_get_addr call per
/// node). It is a few bytes: a program that dlopen()s libdorm still finds room in static TLS.
struct free_list {
    free_block* head;
    unsigned count;
    unsigned char state;  ///< 0: unused on this thread, 1: open (closer registered), 2: closed
};
constexpr unsigned max_kept = 256;
__attribute__((tls_model("initial-exec"))) thread_local free_list list{};

/// Gives the thread's blocks back to the heap when the thread ends.
struct closer {
    ~closer() {
        while (free_block* b = list.head) {
            list.head = b->next;
            ::operator delete(b);
        }
        list.count = 0;
        list.state = 2;
    }
};

void open_list() {
    thread_local closer c;  // registered once per thread, at its first pooled node
    (void)c;
    list.state = 1;
}

}  // namespace

void* take_node_block() {
    if constexpr (pool_enabled) {
        if (free_block* b = list.head) {
            list.head = b->next;
            --list.count;
            return b;
        }
        if (list.state == 0) open_list();
    }
    return ::operator new(node_block_size);
}

void give_node_block(void* p) noexcept {
    if constexpr (pool_enabled) {
        if (list.state == 1 && list.count < max_kept) {
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
