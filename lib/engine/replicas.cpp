// Read replicas of an engine: round-robin choice, leaving out a replica that cannot be reached,
// and the fall-back to the primary.
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

#include <dorm/error.hpp>

#include "engine_impl.hpp"

namespace dorm::detail {

void engine_impl::add_replica(std::shared_ptr<engine_impl> replica) {
    auto slot = std::make_unique<replica_slot>();
    slot->engine = std::move(replica);
    replicas_.push_back(std::move(slot));
}

engine_impl& engine_impl::replica(std::size_t i) const {
    if (i >= replicas_.size())
        throw argument_error("dorm::engine: no replica " + std::to_string(i) + " (the engine has " +
                             std::to_string(replicas_.size()) + ")");
    return *replicas_[i]->engine;
}

std::unique_ptr<pooled_connection> engine_impl::checkout_for_read() {
    const std::size_t n = replicas_.size();
    if (n == 0) return checkout();
    const std::size_t first = next_replica_.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t k = 0; k < n; ++k) {
        replica_slot& slot = *replicas_[(first + k) % n];
        const auto now = clock::now().time_since_epoch().count();
        if (now < slot.down_until.load(std::memory_order_relaxed)) continue;
        try {
            return slot.engine->checkout();  // pre-ping is always on for a replica
        } catch (const operational_error& e) {
            const auto pause = std::chrono::duration_cast<clock::duration>(
                std::chrono::duration<double>(options_.replica_retry_interval));
            slot.down_until.store(now + pause.count(), std::memory_order_relaxed);
            if (options_.echo) {
                char seconds[32];
                std::snprintf(seconds, sizeof seconds, "%g", options_.replica_retry_interval);
                echo("replica " + slot.engine->url().render() + " left out for " + seconds +
                     " s: " + e.what());
            }
        }
    }
    return checkout();  // no replica answers: the primary serves the read
}

}  // namespace dorm::detail
