#pragma once
// write_runner: runs the executions of one prepared write statement of a flush on one lease, at
// once or queued in batches (PostgreSQL's pipeline mode), and hands each outcome to a callback.
// The lease is re-used across the rows of a table: binding and echo are the caller's, per row.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <dorm/engine/engine.hpp>

namespace dorm::detail {

/// INSERTs, UPDATEs and DELETEs sent per round trip by a driver that can queue executions
/// (results are small: generated keys, row counts; a batch stays well inside the socket buffers).
inline constexpr std::size_t write_batch = 256;

/// Runs the executions of one prepared write statement at a time and hands each one's outcome to
/// `done(statement&, Item, bool row)`, in order: at once, or, when the driver can queue executions
/// (PostgreSQL's pipeline mode) and `queue_ok`, in batches of write_batch (one round trip each).
/// `row` says whether the execution returned a row (INSERT ... RETURNING).
template <class Item, class Done>
class write_runner {
public:
    write_runner(bool queue_ok, Done done) : queue_ok_(queue_ok), done_(std::move(done)) {}

    /// Switches to the statement of `sql` on `c` (a string that lives as long as the flush; the
    /// same pointer and connection keep the current statement), after finishing the executions
    /// still queued.
    driver::statement& use(const std::string& sql, dorm::connection& c) {
        if (&sql != sql_ || &c != c_) {
            finish();
            lease_.release();  // before prepare: the cache hands out a free statement only
            lease_ = c.prepare(sql);
            sql_ = &sql;
            c_ = &c;
        }
        return *lease_;
    }
    const statement_lease& lease() const noexcept { return lease_; }
    /// Executes the bound statement (or queues it).
    void run(Item item) {
        if (queue_ok_ && lease_->can_queue()) {
            lease_->queue();
            queued_.push_back(item);
            if (queued_.size() >= write_batch) finish();
            return;
        }
        const bool row = lease_->step();
        done_(*lease_, item, row);
    }
    /// Reads back every queued execution.
    void finish() {
        for (auto& item : queued_) {
            lease_->next_queued();
            const bool row = lease_->step();
            done_(*lease_, item, row);
        }
        queued_.clear();
    }

private:
    dorm::connection* c_ = nullptr;
    const bool queue_ok_;
    Done done_;
    statement_lease lease_;
    const std::string* sql_ = nullptr;
    std::vector<Item> queued_;
};

}  // namespace dorm::detail
