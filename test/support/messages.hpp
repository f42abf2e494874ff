#pragma once
// Test support: the message of the exception a call throws, so that a case can check its wording.
#include <exception>
#include <string>

namespace dorm_test {

/// what() of the std::exception `f()` throws, or "<no exception>".
template <class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "<no exception>";
}

}  // namespace dorm_test
