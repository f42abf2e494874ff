#pragma once
// rethrow_prefixed: the exception being handled again, as the same dorm error type, with words
// before its message (an autoflush's error, a commit that failed on one of several engines).
#include <string>
#include <type_traits>

#include <dorm/error.hpp>

namespace dorm::detail {

/// Rethrows the exception being handled as the same dorm error type with `prefix` before its
/// message (other exceptions as they are).
template <class E, class... Rest>
[[noreturn]] inline void rethrow_prefixed(const std::exception& e, const std::string& prefix) {
    if (auto* x = dynamic_cast<const E*>(&e)) {
        if constexpr (std::is_same_v<E, data_error>)
            throw data_error(prefix + x->what(), x->details(), x->code(), x->sqlstate());
        else if constexpr (std::is_same_v<E, stale_data_error>)
            throw stale_data_error(prefix + x->what(), x->details());
        else if constexpr (std::is_base_of_v<database_error, E>)
            throw E(prefix + x->what(), x->code(), x->sqlstate());
        else
            throw E(prefix + x->what());
    }
    if constexpr (sizeof...(Rest) > 0)
        rethrow_prefixed<Rest...>(e, prefix);
    else
        throw;
}

/// rethrow_prefixed over every dorm error type, most derived first.
[[noreturn]] inline void rethrow_any_prefixed(const std::exception& e, const std::string& prefix) {
    rethrow_prefixed<unique_violation, foreign_key_violation, not_null_violation, check_violation, integrity_error,
                     data_error, programming_error, operational_error, database_error, stale_data_error,
                     invalid_request_error, argument_error, detached_instance_error, unsupported_error, error>(e, prefix);
}

}  // namespace dorm::detail
