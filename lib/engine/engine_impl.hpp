#pragma once
/// @file lib/engine/engine_impl.hpp
/// Private: the engine's connection pool and the pooled connection behind dorm::connection.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <dorm/driver/driver.hpp>
#include <dorm/engine/engine.hpp>
#include <dorm/engine/url.hpp>

#include "../util/hash.hpp"

namespace dorm::detail {

/// Hash for std::string keys that also accepts std::string_view (heterogeneous lookup, no allocation).
using string_hash = fast_string_hash;

/// A prepared statement cached by its connection, and whether a statement_lease holds it.
struct statement_cache_entry {
    std::unique_ptr<driver::statement> stmt;
    bool leased = false;
};

/// Opens a driver connection for a URL (driver::connect, or a test's replacement).
using connect_function =
    std::function<std::unique_ptr<driver::connection>(const url&, const driver::connect_options&)>;

/// Test hook: engines created while a hook is set open their connections through it instead of
/// driver::connect (e.g. to wrap the driver connection and simulate a dead one). Pass {} to clear.
void set_connect_hook(connect_function hook);

/// Drops a connection's cached statements that no statement_lease holds.
void drop_cached_statements(pooled_connection& pc) noexcept;

class engine_impl;

/// A driver connection owned by the pool, with its statement cache and transaction state.
class pooled_connection {
public:
    pooled_connection(std::unique_ptr<driver::connection> conn, std::uint64_t generation, bool echo)
        : conn_(std::move(conn)), generation_(generation), echo_(echo) {}
    pooled_connection(const pooled_connection&) = delete;
    pooled_connection& operator=(const pooled_connection&) = delete;
    ~pooled_connection() = default;

    /// Set while checked out (keeps the engine alive), empty while idle in the pool.
    std::shared_ptr<engine_impl> engine_;
    std::unique_ptr<driver::connection> conn_;
    /// Declared after conn_: statements are finalized before their connection closes.
    std::unordered_map<std::string, statement_cache_entry, string_hash, std::equal_to<>> cache_;
    /// The entry prepared last, and its SQL (the map's key): a statement run in a loop is found
    /// by one comparison instead of a hash lookup. Cleared when entries are evicted.
    std::string_view last_sql_;
    statement_cache_entry* last_entry_ = nullptr;
    std::uint64_t generation_;
    /// The engine's schema epoch when this cache was last known valid (see
    /// engine_impl::schema_changed): a smaller number than the engine's means drop the cache.
    std::uint64_t schema_epoch_ = 0;
    bool echo_;
    bool in_transaction_ = false;
    /// The open transaction holds the database's write lock (SQLite BEGIN IMMEDIATE/EXCLUSIVE).
    bool write_locked_ = false;
    /// The isolation level set on the connection (SET SESSION ...): the engine's when it was
    /// opened, or a transaction's on a dialect that cannot give one transaction its own level
    /// (MariaDB). None: the server's default.
    std::optional<isolation> session_level_;
    /// Set when the connection must not go back to the pool (failed rollback, dead connection).
    bool invalid_ = false;
};

/// The shared state behind dorm::engine: URL, options, pool, echo bookkeeping.
class engine_impl : public std::enable_shared_from_this<engine_impl> {
public:
    using clock = std::chrono::steady_clock;

    engine_impl(dorm::url u, engine_options options);
    engine_impl(const engine_impl&) = delete;
    engine_impl& operator=(const engine_impl&) = delete;
    ~engine_impl();

    /// A connection out of the pool (waiting up to pool_timeout).
    std::unique_ptr<pooled_connection> checkout();
    /// Gives a connection back: rolls back an open transaction, closes overflow/invalid ones.
    void checkin(std::unique_ptr<pooled_connection> pc) noexcept;
    /// Closes idle connections; checked-out ones close when returned.
    void dispose();
    engine::pool_status status() const;
    /// A connection changed the schema: every pooled connection drops its prepared statements
    /// before its next checkout (a PostgreSQL plan must not outlive a column's type).
    void schema_changed() noexcept { schema_epoch_.fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t schema_epoch() const noexcept { return schema_epoch_.load(std::memory_order_relaxed); }

    /// Writes one echo entry (serialized between threads).
    void echo(std::string_view entry) const;
    /// The badge for a statement whose preparation started at `started`: `generated in ...` the
    /// first time this engine sees the SQL text, `cached since ... ago` afterwards.
    statement_badge_info statement_badge(std::string_view sql, clock::time_point started);

    const dorm::url& url() const noexcept { return url_; }
    const engine_options& options() const noexcept { return options_; }
    dorm::dialect dialect() const noexcept { return dialect_; }
    /// A connection for reading: from a replica in turn (see engine::connect_for_read), else
    /// from this engine's own pool.
    std::unique_ptr<pooled_connection> checkout_for_read();
    /// Adds a read replica (create_engine, before the engine is shared).
    void add_replica(std::shared_ptr<engine_impl> replica);
    std::size_t replica_count() const noexcept { return replicas_.size(); }
    engine_impl& replica(std::size_t i) const;

    /// The URL handed to the driver (for in-memory SQLite: the engine's shared memdb name).
    const dorm::url& driver_url() const noexcept { return driver_url_; }

private:
    std::unique_ptr<pooled_connection> open_pooled(std::uint64_t generation);
    /// open_pooled for a slot already counted in open_ and checked_out_ (mutex_ not held): when
    /// opening fails, the slot is given back and a waiter woken.
    std::unique_ptr<pooled_connection> open_in_slot(std::uint64_t generation);

    dorm::url url_;
    dorm::url driver_url_;
    engine_options options_;
    dorm::dialect dialect_;
    connect_function connect_;
    driver::connect_options connect_options_;

    mutable std::mutex mutex_;
    std::condition_variable available_;
    /// In-memory SQLite: one connection held for the engine's life so the database survives idle
    /// periods. Declared before idle_ so it closes last.
    std::unique_ptr<driver::connection> keeper_;
    std::deque<std::unique_ptr<pooled_connection>> idle_;
    int open_ = 0;
    int checked_out_ = 0;
    std::uint64_t generation_ = 0;
    std::atomic<std::uint64_t> schema_epoch_{0};

    /// Read replicas, each an engine of its own (own pool), and until when each is left out
    /// after it could not be reached (clock ticks; 0: in use).
    struct replica_slot {
        std::shared_ptr<engine_impl> engine;
        std::atomic<clock::rep> down_until{0};
    };
    std::vector<std::unique_ptr<replica_slot>> replicas_;
    std::atomic<std::size_t> next_replica_{0};

    mutable std::mutex echo_mutex_;
    std::mutex seen_mutex_;
    std::unordered_map<std::string, clock::time_point, string_hash, std::equal_to<>> seen_;
};

}  // namespace dorm::detail
