#pragma once
/// @file dorm/engine/engine.hpp
/// dorm::engine: a URL, a dialect, a connection pool and the echo log. Cheap to copy, thread-safe.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dorm/detail/function_fwd.hpp>
#include <dorm/detail/owned_ptr.hpp>
#include <dorm/dialect/dialect.hpp>
#include <dorm/driver/driver.hpp>
#include <dorm/engine/isolation.hpp>
#include <dorm/engine/url.hpp>

namespace dorm {

/// Options of create_engine (use designated initializers: `{.echo = true}`).
struct engine_options {
    /// Log every statement SQLAlchemy-style (`BEGIN (implicit)`, SQL, parameters, `COMMIT`).
    bool echo = false;
    /// Receives one call per log entry (no timestamp). Without it, echo goes to std::clog with a timestamp.
    std::function<void(std::string_view)> echo_sink{};
    /// Connections kept open in the pool.
    int pool_size = 5;
    /// Extra connections opened beyond pool_size under load (closed when returned).
    int max_overflow = 10;
    /// Seconds a checkout waits for a free connection before operational_error.
    double pool_timeout = 30.0;
    /// Test each connection on checkout (`SELECT 1`) and replace a dead one transparently.
    bool pool_pre_ping = false;
    /// Echo `[SQL parameters hidden due to hide_parameters=True]` instead of the values.
    bool hide_parameters = false;
    /// The isolation level of every transaction on this engine's connections (none: the
    /// server's default — READ COMMITTED on PostgreSQL, REPEATABLE READ on MariaDB, a deferred
    /// BEGIN on SQLite). PostgreSQL and MariaDB set it once per connection, when it is opened;
    /// SQLite at each BEGIN. A level the backend does not have is an argument_error from
    /// create_engine (see dorm/engine/isolation.hpp).
    std::optional<dorm::isolation> isolation{};
    /// Seconds one statement may run before it is cancelled with dorm::timeout_error (0: no
    /// limit). The server enforces it where it can — PostgreSQL `statement_timeout`, MariaDB
    /// `max_statement_time`, SQLite through a progress handler (and its busy timeout is capped to
    /// it) — and the connection stays usable. A server that stops answering altogether is given
    /// up on by the client after the timeout plus a grace of 2 s + 10 % (socket read timeout on
    /// MariaDB, a bounded wait on PostgreSQL): that connection is closed, the error is a
    /// timeout_error too, and the pool opens a new one. See README "Timeouts".
    double statement_timeout = 0.0;
    /// Read replicas of this engine's database (URLs of the same backend; the primary is the URL
    /// given to create_engine). Each has its own pool with these options and pool_pre_ping
    /// always on. engine::connect() is the primary; engine::connect_for_read() takes the
    /// replicas in turn, skipping one that cannot be reached, and falls back to the primary.
    /// A session sends its reads to a replica until its transaction on the primary has begun
    /// (a flush, a write, a locking read, session.begin()). See README "Scaling out".
    std::vector<std::string> replicas{};
    /// Seconds a replica that could not be reached is left out before it is tried again.
    double replica_retry_interval = 10.0;
};

namespace detail {
class engine_impl;
struct statement_cache_entry;
class pooled_connection;

/// The echo badge of a statement lease, formatted only when it is logged.
struct statement_badge_info {
    enum class kind : unsigned char { none, generated, cached } k = kind::none;
    double seconds = 0;
};
}  // namespace detail

/// A prepared statement checked out of a connection's cache. Resets the statement and
/// gives it back when destroyed. Move-only. Destroy it before its connection is returned.
class statement_lease {
public:
    statement_lease() = default;
    statement_lease(driver::statement* stmt, detail::statement_cache_entry* entry,
                    driver::statement* owned, detail::statement_badge_info badge = {}) noexcept
        : stmt_(stmt), entry_(entry), owned_(owned), badge_(badge) {}
    statement_lease(statement_lease&& other) noexcept
        : stmt_(std::exchange(other.stmt_, nullptr)),
          entry_(std::exchange(other.entry_, nullptr)),
          owned_(std::move(other.owned_)),
          badge_(other.badge_) {}
    statement_lease& operator=(statement_lease&& other) noexcept {
        if (this != &other) {
            release();
            stmt_ = std::exchange(other.stmt_, nullptr);
            entry_ = std::exchange(other.entry_, nullptr);
            owned_ = std::move(other.owned_);
            badge_ = other.badge_;
        }
        return *this;
    }
    ~statement_lease() { release(); }

    driver::statement* operator->() const noexcept { return stmt_; }
    driver::statement& operator*() const noexcept { return *stmt_; }
    driver::statement* get() const noexcept { return stmt_; }
    /// `generated in 0.00012s` / `cached since 1.2s ago` (for echo); empty when the connection
    /// does not echo.
    std::string badge() const;
    /// Resets the statement and gives it back now (the destructor does the same); the lease is
    /// empty afterwards.
    void release() noexcept {
        if (stmt_) give_back();
    }

private:
    void give_back() noexcept;
    driver::statement* stmt_ = nullptr;
    detail::statement_cache_entry* entry_ = nullptr;
    detail::owned_ptr<driver::statement> owned_;
    detail::statement_badge_info badge_;
};

/// A connection checked out of an engine's pool; returned (rolled back if a transaction is
/// open) when destroyed. Move-only. Not thread-safe: one thread at a time.
class connection {
public:
    connection() noexcept;
    explicit connection(std::unique_ptr<detail::pooled_connection> impl);
    connection(connection&&) noexcept;
    connection& operator=(connection&&) noexcept;
    ~connection();

    explicit operator bool() const noexcept { return impl_ != nullptr; }
    dorm::dialect dialect() const;

    /// Starts a transaction (logs `BEGIN (implicit)`) at the engine's isolation level. No-op if
    /// one is open.
    void begin();
    /// Starts a transaction at `level` (logs the statements, e.g. `BEGIN ISOLATION LEVEL
    /// SERIALIZABLE (implicit)`). No-op if one is open.
    /// @throws argument_error when the backend has no such level.
    void begin(dorm::isolation level);
    /// Makes sure the open transaction may write without waiting for another lock later: on
    /// SQLite, which cannot lock rows, the transaction takes the database's write lock now
    /// (`BEGIN IMMEDIATE`, waiting up to the busy timeout); a transaction that has not written yet
    /// is ended and begun again that way (nothing is lost: it has only read). Without an open
    /// transaction one is begun at `level` (none: the engine's level; on SQLite IMMEDIATE unless
    /// `level` is exclusive). Other backends lock rows (`SELECT ... FOR UPDATE`): there it only
    /// begins a transaction if none is open.
    void begin_write(std::optional<dorm::isolation> level = std::nullopt);
    /// Commits the open transaction (logs `COMMIT`). No-op without one.
    void commit();
    /// Rolls back the open transaction (logs `ROLLBACK`). No-op without one. Never throws.
    void rollback() noexcept;
    bool in_transaction() const noexcept;
    /// Two-phase commit, first phase: the open transaction is prepared under the name `gid`
    /// (PostgreSQL `PREPARE TRANSACTION`; the server needs max_prepared_transactions > 0) and
    /// leaves the connection; commit_prepared / rollback_prepared finish it, from any connection.
    /// @throws argument_error on a backend without two-phase commit or without an open transaction.
    void prepare_transaction(std::string_view gid);
    /// Second phase: `COMMIT PREPARED` the transaction named `gid`.
    void commit_prepared(std::string_view gid);
    /// Second phase: `ROLLBACK PREPARED` the transaction named `gid`.
    void rollback_prepared(std::string_view gid);

    /// A prepared statement for `sql`, from this connection's cache (prepared on first use).
    statement_lease prepare(std::string_view sql);
    /// Runs SQL without parameters and rows (DDL), logged with `[no key ...]`.
    void execute_ddl(std::string_view sql);
    /// Says that this connection changed the schema (ALTER, DROP, ...): its own prepared
    /// statements and those of every other connection of the engine are prepared again at their
    /// next use (on PostgreSQL a cached plan must not outlive a column's type). upgrade() and the
    /// migrations runner call it; call it after DDL of your own through execute_ddl.
    void schema_changed() noexcept;
    /// The one path every statement with parameters takes: prepares `sql` (from the cache), logs
    /// it with `params` when echo is on (before binding, as SQLAlchemy logs before it executes),
    /// binds them. The lease is ready to step.
    statement_lease run(std::string_view sql, std::span<const value> params);
    /// Runs SQL with parameters and no rows; returns rows affected. Logged.
    std::int64_t execute(std::string_view sql, std::span<const value> params = {});

    /// Whether statements are echoed.
    bool echo() const noexcept;
    /// Writes one echo entry (no-op when echo is off).
    void log(std::string_view entry) const;
    /// Logs a statement and its parameters the way SQLAlchemy does (SQL entry, then `[badge] params`).
    void log_statement(std::string_view sql, const statement_lease& lease, std::span<const value> params) const;
    /// Logs a statement executed once per parameter set (a list of tuples, at most 10 shown).
    void log_statement_many(std::string_view sql, const statement_lease& lease,
                            std::span<const std::vector<value>> param_sets, std::size_t total) const;

    /// The driver connection underneath.
    driver::connection& raw();

private:
    detail::owned_ptr<detail::pooled_connection> impl_;
};

/// An engine: create it once per database, share it (copies are cheap handles to the same pool).
class engine {
public:
    engine() = default;
    explicit engine(std::shared_ptr<detail::engine_impl> impl) : impl_(std::move(impl)) {}

    dorm::dialect dialect() const;
    const dorm::url& url() const;
    const engine_options& options() const;
    /// Checks a connection out of the pool.
    /// @throws operational_error when the database cannot be reached or the pool timed out.
    connection connect() const;
    /// A connection to a read replica (engine_options::replicas), chosen round-robin; a replica
    /// that cannot be reached (connection refused, failed pre-ping) is skipped and left out for
    /// replica_retry_interval seconds. Without replicas, or when none answers: the primary's.
    /// What it reads may lag behind the primary (asynchronous replication).
    /// @throws operational_error when neither a replica nor the primary can be reached.
    connection connect_for_read() const;
    /// Number of read replicas (engine_options::replicas).
    std::size_t replica_count() const;
    /// `Engine(postgresql://scott:***@localhost/db)`.
    std::string repr() const;

    struct pool_status {
        int open = 0;         ///< connections open (idle + checked out)
        int checked_out = 0;  ///< connections in use
        int idle = 0;         ///< connections waiting in the pool
    };
    /// For `sqlite://` the engine also holds one connection that keeps its memory database
    /// alive; it is not counted here.
    pool_status status() const;
    /// Pool status of replica i (0 <= i < replica_count()).
    /// @throws argument_error for another i.
    pool_status replica_status(std::size_t i) const;
    /// Closes every idle connection (checked-out ones close when returned). A `sqlite://`
    /// engine's memory database survives: it lives as long as the engine.
    void dispose();

    explicit operator bool() const noexcept { return impl_ != nullptr; }
    /// The same engine (copies of one create_engine result), not engines of equal URLs.
    friend bool operator==(const engine& a, const engine& b) noexcept { return a.impl_ == b.impl_; }

private:
    std::shared_ptr<detail::engine_impl> impl_;
};

/// Creates an engine from a URL. Makes no connection yet.
/// @throws argument_error for a malformed URL, an unknown dialect or a bad option;
///         unsupported_error for a dialect whose client library is not built in.
///
///     auto engine = dorm::create_engine("sqlite:///example.db", {.echo = true});
engine create_engine(std::string_view url, engine_options options = {});

}  // namespace dorm
