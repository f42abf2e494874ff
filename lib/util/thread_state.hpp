#pragma once
// Per-thread state of the statement layer's caches (node pool, spare vectors, column nodes), kept
// where a hot path reaches it in one instruction and usable until the thread is gone:
//  - the state S lives in "initial-exec" TLS as raw, trivially destructible data (no guard
//    variable, no __tls_get_addr call; a few bytes, so a program that dlopen()s libdorm still
//    finds room in static TLS);
//  - on the thread's first open() a thread_local closer is registered (once); when the thread
//    ends it calls S::close() (which frees what S holds) and the state stays closed: anything
//    given back later — a static holding a statement, destroyed after the thread_local objects —
//    goes straight to the heap.
//
//     struct spares { ...; void close() noexcept; };   // trivially destructible
//     if (thread_state<spares>::open()) thread_state<spares>::get().keep(p);
#include <type_traits>

namespace dorm::detail {

template <class S>
struct thread_state_slot {
    S state;
    unsigned char phase;  ///< 0: unused on this thread, 1: open (closer registered), 2: closed
};

template <class S>
__attribute__((tls_model("initial-exec"))) inline thread_local thread_state_slot<S> thread_state_of{};

template <class S>
class thread_state {
    static_assert(std::is_trivially_destructible_v<S>, "thread_state: the state must be trivially destructible");

public:
    /// The thread's state (zero-initialised until the thread first uses it).
    static S& get() noexcept { return thread_state_of<S>.state; }
    /// Whether the state is open: true after open() on this thread, until the thread ends.
    static bool is_open() noexcept { return thread_state_of<S>.phase == 1; }
    /// Opens the state on its first use by this thread (registering the closer); false once the
    /// thread is ending (then nothing may be kept in it).
    static bool open() {
        auto& slot = thread_state_of<S>;
        if (slot.phase == 1) return true;
        if (slot.phase == 2) return false;
        thread_local closer c;  // registered once per thread
        (void)c;
        slot.phase = 1;
        return true;
    }

private:
    struct closer {
        ~closer() {
            auto& slot = thread_state_of<S>;
            slot.state.close();
            slot.phase = 2;
        }
    };
};

}  // namespace dorm::detail
