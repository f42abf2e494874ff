#pragma once
// The payload an exception carries (dorm::detail::exception_payload, dorm/error.hpp): a reference-
// counted immutable value, made and read here in lib/.
#include <atomic>
#include <utility>

#include <dorm/error.hpp>

namespace dorm::detail {

struct exception_payload::block {
    std::atomic<long> refs{1};  // (atomic: an exception_ptr may be copied on another thread)
    virtual ~block() = default;
};

template <class T>
struct payload_of final : exception_payload::block {
    explicit payload_of(T v) : value(std::move(v)) {}
    const T value;
};

template <class T>
exception_payload make_payload(T v) {
    return exception_payload(new payload_of<T>(std::move(v)));
}

/// The value of a payload made by make_payload<T>, or nullptr for none.
template <class T>
const T* payload_value(const exception_payload& p) noexcept {
    return p.get() ? &static_cast<const payload_of<T>*>(p.get())->value : nullptr;
}

}  // namespace dorm::detail
