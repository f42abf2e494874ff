// session.commit()'s last step: committing the transaction of each engine the session used (one
// engine, or several with dorm::binds), one after the other or in two phases.
#include <dorm/session/detail/session_impl.hpp>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <dorm/error.hpp>

#include "session/lib_state.hpp"
#include "session/rethrow.hpp"

namespace dorm::detail {

namespace {

/// A name for the transactions of one two-phase commit: `dorm-<random>-<n>` per engine.
std::string two_phase_name() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[32];
    std::snprintf(buf, sizeof buf, "dorm-%016llx", static_cast<unsigned long long>(rng()));
    return buf;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

}  // namespace

void session_impl::commit_engines() {
    for (auto& e : state_->slots)
        if (e.read_conn) e.read_conn.commit();  // it has only read
    std::vector<std::size_t> writing;
    for (std::size_t i = 0; i < state_->slots.size(); ++i)
        if (state_->slots[i].conn && state_->slots[i].conn.in_transaction()) writing.push_back(i);

    if (two_phase_ && writing.size() > 1) {
        // first phase: every engine prepares; one that cannot makes all of them roll back
        const std::string base = two_phase_name();
        std::vector<std::string> gids;
        for (std::size_t k = 0; k < writing.size(); ++k) {
            engine_slot& e = state_->slots[writing[k]];
            const std::string gid = base + "-" + std::to_string(k + 1);
            try {
                e.conn.prepare_transaction(gid);
            } catch (const std::exception& ex) {
                for (std::size_t p = 0; p < gids.size(); ++p) {
                    try {
                        state_->slots[writing[p]].conn.rollback_prepared(gids[p]);
                    } catch (...) {  // it stays prepared: the message names it
                    }
                }
                rethrow_any_prefixed(ex, "two-phase commit: PREPARE TRANSACTION failed on " + e.engine.repr() +
                                             "; nothing was committed on any engine: ");
            }
            gids.push_back(gid);
        }
        // second phase: once every engine prepared, each commits
        std::vector<std::string> committed;
        for (std::size_t k = 0; k < writing.size(); ++k) {
            engine_slot& e = state_->slots[writing[k]];
            try {
                e.conn.commit_prepared(gids[k]);
            } catch (const std::exception& ex) {
                std::string left;
                for (std::size_t p = k; p < writing.size(); ++p)
                    left += (p > k ? ", '" : "'") + gids[p] + "' on " + state_->slots[writing[p]].engine.repr();
                rethrow_any_prefixed(ex, "two-phase commit: COMMIT PREPARED failed on " + e.engine.repr() +
                                             (committed.empty() ? "" : " after " + joined(committed) + " committed") +
                                             "; every engine had prepared, so these transactions stay prepared "
                                             "until COMMIT PREPARED runs for them: " + left + ": ");
            }
            committed.push_back(e.engine.repr());
        }
        return;
    }

    std::vector<std::string> committed;
    for (std::size_t i : writing) {
        engine_slot& e = state_->slots[i];
        try {
            e.conn.commit();
        } catch (const std::exception& ex) {
            if (committed.empty()) throw;
            std::string not_committed;
            for (std::size_t j : writing)
                if (j >= i) not_committed += (not_committed.empty() ? "" : ", ") + state_->slots[j].engine.repr();
            rethrow_any_prefixed(ex, "commit failed on " + e.engine.repr() + " after " + joined(committed) +
                                         " committed: the changes of " + joined(committed) +
                                         " are in the database, those of " + not_committed + " are not: ");
        }
        committed.push_back(e.engine.repr());
    }
}

}  // namespace dorm::detail
