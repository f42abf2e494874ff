// The engine's connection pool: opening connections, checkout with pre-ping and timeout,
// checkin (rollback, invalidation, overflow), dispose and status.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <utility>

#include <unistd.h>

#include <dorm/error.hpp>

#include "dialect/hooks.hpp"
#include "engine_impl.hpp"

namespace dorm::detail {

namespace {

std::mutex hook_mutex;
connect_function& connect_hook() {
    static connect_function hook;
    return hook;
}

std::string memory_database_name() {
    static std::atomic<std::uint64_t> counter{0};
    return "file:/dorm-mem-" + std::to_string(static_cast<long long>(::getpid())) + "-" +
           std::to_string(counter.fetch_add(1) + 1) + "?vfs=memdb";
}

}  // namespace

void set_connect_hook(connect_function hook) {
    std::lock_guard lock(hook_mutex);
    connect_hook() = std::move(hook);
}

engine_impl::engine_impl(dorm::url u, engine_options options)
    : url_(std::move(u)), driver_url_(url_), options_(std::move(options)), dialect_(url_.dialect()) {
    if (url_.is_memory()) driver_url_.database = memory_database_name();
    {
        std::lock_guard lock(hook_mutex);
        connect_ = connect_hook();
    }
    if (!connect_) {
        connect_ = [](const dorm::url& target, const driver::connect_options& o) { return driver::connect(target, o); };
    }
    connect_options_.statement_timeout = options_.statement_timeout;
}

engine_impl::~engine_impl() {
    // idle_ (declared after keeper_) is destroyed first; nothing is checked out, since a
    // checked-out connection keeps its engine alive.
}

std::unique_ptr<pooled_connection> engine_impl::open_pooled(std::uint64_t generation) {
    auto pc = std::make_unique<pooled_connection>(connect_(driver_url_, connect_options_), generation, options_.echo);
    pc->schema_epoch_ = schema_epoch();
    if (options_.isolation && pc->conn_->keeps_session_state()) {
        // PostgreSQL and MariaDB keep the level for every later transaction of the connection
        // (behind a transaction-pooling proxy they do not: each BEGIN then names the level)
        const std::string sql = hooks(dialect_).connection_isolation_sql(*options_.isolation);
        if (!sql.empty()) {
            if (options_.echo) echo(sql);
            pc->conn_->execute(sql);
            pc->session_level_ = options_.isolation;
        }
    }
    return pc;
}

std::unique_ptr<pooled_connection> engine_impl::open_in_slot(std::uint64_t generation) {
    try {
        return open_pooled(generation);
    } catch (...) {  // the slot counted for it is free again
        {
            std::lock_guard relock(mutex_);
            --open_;
            --checked_out_;
        }
        available_.notify_one();
        throw;
    }
}

std::unique_ptr<pooled_connection> engine_impl::checkout() {
    std::unique_lock lock(mutex_);
    if (url_.is_memory() && !keeper_) keeper_ = connect_(driver_url_, connect_options_);

    const double timeout = options_.pool_timeout;
    const bool bounded = std::isfinite(timeout) && timeout < 1e9;
    const auto deadline =
        clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(bounded ? timeout : 0.0));
    const int limit = options_.pool_size + options_.max_overflow;

    for (;;) {
        if (!idle_.empty()) {
            auto pc = std::move(idle_.front());
            idle_.pop_front();
            ++checked_out_;
            const auto generation = generation_;
            lock.unlock();
            if (const auto epoch = schema_epoch(); pc->schema_epoch_ != epoch) {
                drop_cached_statements(*pc);
                pc->schema_epoch_ = epoch;
            }
            if (options_.pool_pre_ping) {
                bool alive = false;
                try {
                    alive = pc->conn_->ping();
                } catch (...) {
                    alive = false;
                }
                if (!alive) {
                    pc.reset();  // close the dead connection, reuse its slot
                    pc = open_in_slot(generation);
                }
            }
            pc->engine_ = shared_from_this();
            return pc;
        }
        if (open_ < limit) {
            ++open_;
            ++checked_out_;
            const auto generation = generation_;
            lock.unlock();
            auto pc = open_in_slot(generation);
            pc->engine_ = shared_from_this();
            return pc;
        }
        if (!bounded) {
            available_.wait(lock);
        } else if (available_.wait_until(lock, deadline) == std::cv_status::timeout) {
            if (!idle_.empty() || open_ < limit) continue;
            char msg[160];
            std::snprintf(msg, sizeof msg,
                          "QueuePool limit of size %d overflow %d reached, connection timed out, timeout %.2f",
                          options_.pool_size, options_.max_overflow, timeout);
            throw operational_error(msg);
        }
    }
}

void engine_impl::checkin(std::unique_ptr<pooled_connection> pc) noexcept {
    if (!pc) return;
    if (pc->in_transaction_) {
        if (pc->echo_) {
            try {
                echo("ROLLBACK");
            } catch (...) {
            }
        }
        try {
            pc->conn_->execute("ROLLBACK");
        } catch (...) {
            pc->invalid_ = true;
        }
        pc->in_transaction_ = false;
        pc->write_locked_ = false;
    }
    // a statement that failed outside a transaction (dorm::execute in autocommit mode) leaves no
    // trace in pc: ask the driver whether the connection died, or the pool keeps handing it out
    if (pc->conn_->lost()) pc->invalid_ = true;
    pc->engine_.reset();  // an idle connection must not keep its engine alive
    std::unique_ptr<pooled_connection> to_close;
    {
        std::lock_guard lock(mutex_);
        --checked_out_;
        if (pc->invalid_ || pc->generation_ != generation_ ||
            idle_.size() >= static_cast<std::size_t>(options_.pool_size)) {
            to_close = std::move(pc);
            --open_;
        } else {
            try {
                idle_.push_back(std::move(pc));  // strong guarantee: pc is untouched if this throws
            } catch (...) {
                to_close = std::move(pc);
                --open_;
            }
        }
    }
    available_.notify_one();
    to_close.reset();  // closed outside the lock
}

void engine_impl::dispose() {
    std::deque<std::unique_ptr<pooled_connection>> closing;
    {
        std::lock_guard lock(mutex_);
        ++generation_;
        closing.swap(idle_);
        open_ -= static_cast<int>(closing.size());
    }
    available_.notify_all();
    closing.clear();
    for (auto& r : replicas_) r->engine->dispose();
}

engine::pool_status engine_impl::status() const {
    std::lock_guard lock(mutex_);
    engine::pool_status s;
    s.open = open_;
    s.checked_out = checked_out_;
    s.idle = static_cast<int>(idle_.size());
    return s;
}

}  // namespace dorm::detail
