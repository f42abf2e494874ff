#pragma once
/// @file lib/engine/connection_guard.hpp
/// Private: the checks every dorm::connection operation shares (a closed connection, a dead one).
#include <memory>
#include <utility>

#include <dorm/error.hpp>

#include "engine_impl.hpp"

namespace dorm::detail {

/// The pooled connection behind a dorm::connection, or argument_error for a closed/moved one.
inline pooled_connection& checked(const owned_ptr<pooled_connection>& pc) {
    if (!pc) throw argument_error("dorm::connection: this connection was closed or moved from");
    return *pc;
}

/// Runs f; when it fails with operational_error outside a transaction and the connection no
/// longer answers, marks the connection so it is not returned to the pool.
template <class F>
decltype(auto) guarded(pooled_connection& pc, F&& f) {
    try {
        return std::forward<F>(f)();
    } catch (const operational_error&) {
        if (!pc.in_transaction_) {
            bool alive = false;
            try {
                alive = pc.conn_->ping();
            } catch (...) {
            }
            if (!alive) pc.invalid_ = true;
        }
        throw;
    }
}

/// Seconds elapsed since t.
inline double seconds_since(engine_impl::clock::time_point t) {
    return std::chrono::duration<double>(engine_impl::clock::now() - t).count();
}

}  // namespace dorm::detail
