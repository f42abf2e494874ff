#pragma once
/// @file dorm/detail/atomic_cell.hpp
/// dorm::detail::atomic_cell<T>: the part of std::atomic<T> dorm's headers use (load, store,
/// exchange, compare_exchange_strong, fetch_add, fetch_sub) for an integer, bool or pointer T,
/// without <atomic>, which costs every translation unit that includes <dorm/dorm.hpp> about
/// 4 MB of compiler memory. With libstdc++ it is the compiler's __atomic builtins (what
/// std::atomic itself is made of) on a plain member, and std::memory_order comes from
/// <bits/atomic_base.h>, which <memory> includes anyway; elsewhere it is std::atomic<T>.
/// <cstddef> comes first so that __GLIBCXX__ (from <bits/c++config.h>) is defined whichever
/// header a translation unit includes first: every TU must see the same atomic_cell (ODR).
#include <cstddef>
#include <type_traits>

#if defined(__GLIBCXX__) && __has_include(<bits/atomic_base.h>)
#include <bits/atomic_base.h>

namespace dorm::detail {

template <class T>
class atomic_cell {
public:
    constexpr atomic_cell() noexcept : v_{} {}
    constexpr atomic_cell(T v) noexcept : v_(v) {}
    atomic_cell(const atomic_cell&) = delete;
    atomic_cell& operator=(const atomic_cell&) = delete;
    /// Sequentially consistent, as std::atomic's.
    T operator=(T v) noexcept {
        store(v);
        return v;
    }
    operator T() const noexcept { return load(); }

    T load(std::memory_order o = std::memory_order_seq_cst) const noexcept { return __atomic_load_n(&v_, int(o)); }
    void store(T v, std::memory_order o = std::memory_order_seq_cst) noexcept { __atomic_store_n(&v_, v, int(o)); }
    T exchange(T v, std::memory_order o = std::memory_order_seq_cst) noexcept {
        return __atomic_exchange_n(&v_, v, int(o));
    }
    /// As std::atomic's one-order form: the failure order is `o` without its release part.
    bool compare_exchange_strong(T& expected, T desired, std::memory_order o = std::memory_order_seq_cst) noexcept {
        return __atomic_compare_exchange_n(&v_, &expected, desired, false, int(o), int(failure_order(o)));
    }
    /// As std::atomic's two-order form.
    bool compare_exchange_strong(T& expected, T desired, std::memory_order success,
                                 std::memory_order failure) noexcept {
        return __atomic_compare_exchange_n(&v_, &expected, desired, false, int(success), int(failure));
    }
    /// Integers only: for a pointer the builtin would count bytes, not elements.
    T fetch_add(T d, std::memory_order o = std::memory_order_seq_cst) noexcept
        requires std::is_integral_v<T>
    {
        return __atomic_fetch_add(&v_, d, int(o));
    }
    T fetch_sub(T d, std::memory_order o = std::memory_order_seq_cst) noexcept
        requires std::is_integral_v<T>
    {
        return __atomic_fetch_sub(&v_, d, int(o));
    }

private:
    static constexpr std::memory_order failure_order(std::memory_order o) noexcept {
        return o == std::memory_order_acq_rel ? std::memory_order_acquire
               : o == std::memory_order_release ? std::memory_order_relaxed
                                                 : o;
    }
    alignas(sizeof(T)) T v_;
};

}  // namespace dorm::detail
#else
#include <atomic>

namespace dorm::detail {
template <class T>
using atomic_cell = std::atomic<T>;
}  // namespace dorm::detail
#endif
