#pragma once
// Spare std::vector buffers of the statement tree (an operator's argument list, a select's
// entity list and WHERE list), kept per thread: a statement built per call
// (`select<User>().where(col(&User::id) == id)`) reuses the buffers of the previous one instead of
// a malloc and a free for each list. The lists keep their std::allocator type: a vector taken
// from here is an ordinary vector, and one that is never given back is freed as usual.
//
// Like the node pool (node_pool.hpp): a buffer given back on another thread joins that thread's
// spares; when a thread ends its spares are freed; under AddressSanitizer nothing is kept, so a
// use of a finished statement's list is still reported.
#include <cstddef>
#include <new>
#include <utility>
#include <vector>

namespace dorm::detail {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool vector_spares_enabled = false;
#else
inline constexpr bool vector_spares_enabled = true;
#endif

/// One thread's spare vectors of T: up to `keep` empty vectors (of a capacity that the caller of
/// give_spare_vector bounds). Raw bytes, so that the thread_local is trivially destructible and its
/// "initial-exec" address is one instruction away (no guard, no __tls_get_addr call).
template <class T>
struct vector_spare_stack {
    static constexpr std::size_t keep = 8;
    alignas(std::vector<T>) unsigned char bytes[keep][sizeof(std::vector<T>)];
    unsigned char count;  ///< vectors live in bytes[0 .. count)
    unsigned char state;  ///< 0: unused on this thread, 1: open (closer registered), 2: thread ending

    std::vector<T>& at(std::size_t i) noexcept { return *std::launder(reinterpret_cast<std::vector<T>*>(bytes[i])); }
};

template <class T>
__attribute__((tls_model("initial-exec"))) inline thread_local vector_spare_stack<T> vector_spares{};

/// Frees the thread's spare vectors of T when the thread ends.
template <class T>
struct vector_spares_closer {
    ~vector_spares_closer() {
        auto& s = vector_spares<T>;
        while (s.count > 0) s.at(--s.count).~vector();
        s.state = 2;
    }
};

/// An empty vector: a spare one (with its buffer) when the thread has one, else a new one.
template <class T>
std::vector<T> take_spare_vector() noexcept {
    if constexpr (vector_spares_enabled) {
        auto& s = vector_spares<T>;
        if (s.count > 0) {
            auto& top = s.at(--s.count);
            std::vector<T> v(std::move(top));
            top.~vector();
            return v;
        }
    }
    return {};
}

/// Empties `v` and keeps its buffer as a spare (unless it has no capacity, more than
/// `max_capacity`, or the thread has enough). Elements are destroyed first: their own lists may
/// come back here meanwhile.
template <class T, std::size_t max_capacity = 16>
void give_spare_vector(std::vector<T>& v) noexcept {
    if constexpr (vector_spares_enabled) {
        const std::size_t cap = v.capacity();
        if (cap == 0 || cap > max_capacity) return;
        v.clear();
        auto& s = vector_spares<T>;
        if (s.state == 0) {
            thread_local vector_spares_closer<T> c;  // registered once per thread
            (void)c;
            s.state = 1;
        }
        if (s.state != 1 || s.count == vector_spare_stack<T>::keep) return;
        ::new (static_cast<void*>(s.bytes[s.count])) std::vector<T>(std::move(v));
        ++s.count;
    }
}

}  // namespace dorm::detail
