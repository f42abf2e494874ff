#pragma once
// Spare std::vector buffers of the statement tree (an operator's argument list, a select's
// entity list and WHERE list), kept per thread: a statement built per call
// (`select<User>().where(col(&User::id) == id)`) reuses the buffers of the previous one instead of
// a malloc and a free for each list. The lists keep their std::allocator type: a vector taken
// from here is an ordinary vector, and one that is never given back is freed as usual.
//
// Like the node pool (node_pool.hpp): a buffer given back on another thread joins that thread's
// spares; when a thread ends its spares are freed (util/thread_state.hpp); under AddressSanitizer
// nothing is kept, so a use of a finished statement's list is still reported.
#include <cstddef>
#include <new>
#include <utility>
#include <vector>

#include "util/thread_state.hpp"

namespace dorm::detail {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool vector_spares_enabled = false;
#else
inline constexpr bool vector_spares_enabled = true;
#endif

/// One thread's spare vectors of T: up to `keep` empty vectors (of a capacity that the caller of
/// give_spare_vector bounds), in raw bytes so that the state is trivially destructible (see
/// util/thread_state.hpp).
template <class T>
struct vector_spare_stack {
    static constexpr std::size_t keep = 8;
    alignas(std::vector<T>) unsigned char bytes[keep][sizeof(std::vector<T>)];
    unsigned char count;  ///< vectors live in bytes[0 .. count)

    std::vector<T>& at(std::size_t i) noexcept { return *std::launder(reinterpret_cast<std::vector<T>*>(bytes[i])); }
    void close() noexcept {
        while (count > 0) at(--count).~vector();
    }
};
template <class T>
using vector_spares = thread_state<vector_spare_stack<T>>;

/// An empty vector: a spare one (with its buffer) when the thread has one, else a new one.
template <class T>
std::vector<T> take_spare_vector() noexcept {
    if constexpr (vector_spares_enabled) {
        auto& s = vector_spares<T>::get();
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
        auto& s = vector_spares<T>::get();
        if (!vector_spares<T>::open() || s.count == vector_spare_stack<T>::keep) return;
        ::new (static_cast<void*>(s.bytes[s.count])) std::vector<T>(std::move(v));
        ++s.count;
    }
}

}  // namespace dorm::detail
