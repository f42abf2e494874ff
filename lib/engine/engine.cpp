// dorm::engine, dorm::connection and dorm::statement_lease: the connection pool, transactions,
// the per-connection statement cache and the echo log.
#include <dorm/engine/engine.hpp>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <utility>

#include <unistd.h>

#include <dorm/error.hpp>

#include "dialect/hooks.hpp"
#include "echo.hpp"
#include "engine_impl.hpp"

namespace dorm {

namespace detail {

namespace {

/// Statements cached per connection before idle ones are evicted.
constexpr std::size_t statement_cache_limit = 512;
/// SQL texts remembered per engine for the `cached since` badge (echo only).
constexpr std::size_t seen_statements_limit = 100000;

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

double seconds_since(engine_impl::clock::time_point t) {
    return std::chrono::duration<double>(engine_impl::clock::now() - t).count();
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
}

engine::pool_status engine_impl::status() const {
    std::lock_guard lock(mutex_);
    engine::pool_status s;
    s.open = open_;
    s.checked_out = checked_out_;
    s.idle = static_cast<int>(idle_.size());
    return s;
}

void engine_impl::echo(std::string_view entry) const {
    std::lock_guard lock(echo_mutex_);
    write_echo(options_.echo_sink, entry);
}

statement_badge_info engine_impl::statement_badge(std::string_view sql, clock::time_point started) {
    const auto now = clock::now();
    std::lock_guard lock(seen_mutex_);
    if (auto it = seen_.find(sql); it != seen_.end())
        return {statement_badge_info::kind::cached, std::chrono::duration<double>(now - it->second).count()};
    if (seen_.size() >= seen_statements_limit) seen_.clear();
    seen_.emplace(std::string(sql), started);
    return {statement_badge_info::kind::generated, std::chrono::duration<double>(now - started).count()};
}

namespace {

pooled_connection& checked(const std::unique_ptr<pooled_connection>& pc) {
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

/// Drops idle cached statements once the cache is full (leased ones stay).
void evict(pooled_connection& pc) {
    pc.last_entry_ = nullptr;
    pc.last_sql_ = {};
    for (auto it = pc.cache_.begin(); it != pc.cache_.end() && pc.cache_.size() > statement_cache_limit / 2;) {
        if (it->second.leased)
            ++it;
        else
            it = pc.cache_.erase(it);
    }
}

}  // namespace

void drop_cached_statements(pooled_connection& pc) noexcept {
    pc.last_entry_ = nullptr;
    pc.last_sql_ = {};
    std::erase_if(pc.cache_, [](const auto& entry) { return !entry.second.leased; });
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// statement_lease

void statement_lease::give_back() noexcept {
    try {
        stmt_->reset();
    } catch (...) {
        // reset() reports the last execution's error again; the statement is reset anyway
    }
    if (entry_) entry_->leased = false;
    owned_.reset();
    stmt_ = nullptr;
    entry_ = nullptr;
}

std::string statement_lease::badge() const {
    switch (badge_.k) {
        case detail::statement_badge_info::kind::generated: return detail::badge_generated(badge_.seconds);
        case detail::statement_badge_info::kind::cached: return detail::badge_cached(badge_.seconds);
        case detail::statement_badge_info::kind::none: break;
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// connection

connection::connection() noexcept = default;
connection::connection(std::unique_ptr<detail::pooled_connection> impl) : impl_(std::move(impl)) {}

connection::connection(connection&& other) noexcept = default;

connection& connection::operator=(connection&& other) noexcept {
    if (this != &other) {
        if (impl_) {
            auto eng = impl_->engine_;
            if (eng) eng->checkin(std::move(impl_));
        }
        impl_ = std::move(other.impl_);
    }
    return *this;
}

connection::~connection() {
    if (impl_) {
        auto eng = impl_->engine_;  // keeps the engine alive during checkin
        if (eng) eng->checkin(std::move(impl_));
    }
}

dorm::dialect connection::dialect() const { return detail::checked(impl_).engine_->dialect(); }

namespace detail {
namespace {

/// Begins a transaction on pc at `level` (none: the backend's default, or the engine's level set
/// on the connection when it was opened).
void begin_transaction(pooled_connection& pc, const std::optional<isolation>& level, const connection& log_to) {
    const dialect_hooks& h = hooks(pc.engine_->dialect());
    std::vector<std::string> statements;
    std::optional<isolation> session_level = pc.session_level_;
    if (level == pc.session_level_) {
        statements.emplace_back("BEGIN");  // the connection has the level already
    } else if (!level) {
        // a transaction at the server's default after one that set the connection's level
        statements.push_back(h.connection_isolation_reset_sql());
        statements.emplace_back("BEGIN");
        session_level.reset();
    } else {
        check_isolation(pc.engine_->dialect(), *level, "dorm::connection::begin");
        if (!h.begin_statements(*level, statements)) {
            statements.push_back(h.connection_isolation_sql(*level));
            statements.emplace_back("BEGIN");
            session_level = level;
        }
    }
    for (std::size_t i = 0; i < statements.size(); ++i) {
        if (statements[i].empty()) continue;
        const bool last = i + 1 == statements.size();
        if (pc.echo_) log_to.log(last ? statements[i] + " (implicit)" : statements[i]);
        guarded(pc, [&] {
            if (last)
                pc.conn_->begin(statements[i]);
            else
                pc.conn_->execute(statements[i]);
        });
        if (!last) pc.session_level_ = session_level;
    }
    pc.in_transaction_ = true;
    pc.write_locked_ = level && (*level == isolation::immediate || *level == isolation::exclusive);
}

}  // namespace
}  // namespace detail

void connection::begin() {
    auto& pc = detail::checked(impl_);
    if (pc.in_transaction_) return;
    detail::begin_transaction(pc, pc.engine_->options().isolation, *this);
}

void connection::begin(dorm::isolation level) {
    auto& pc = detail::checked(impl_);
    if (pc.in_transaction_) return;
    detail::begin_transaction(pc, level, *this);
}

void connection::begin_write(std::optional<dorm::isolation> level) {
    auto& pc = detail::checked(impl_);
    if (!level) level = pc.engine_->options().isolation;
    if (detail::hooks(pc.engine_->dialect()).locking().rows) {
        if (!pc.in_transaction_) detail::begin_transaction(pc, level, *this);  // the SELECT locks the rows
        return;
    }
    if (pc.in_transaction_) {
        if (pc.write_locked_) return;
        const auto state = pc.conn_->transaction();
        if (state == driver::connection::transaction_state::write) {
            pc.write_locked_ = true;
            return;
        }
        // It has read at most: end it, and take the write lock at BEGIN (a deferred transaction
        // that reads and then writes fails with SQLITE_BUSY instead of waiting for the lock).
        if (pc.echo_) log("ROLLBACK (nothing was written: the transaction begins again holding the write lock)");
        detail::guarded(pc, [&] { pc.conn_->execute("ROLLBACK"); });
        pc.in_transaction_ = false;
    }
    detail::begin_transaction(pc, level == isolation::exclusive ? isolation::exclusive : isolation::immediate, *this);
}

void connection::commit() {
    auto& pc = detail::checked(impl_);
    if (!pc.in_transaction_) return;
    if (pc.echo_) log("COMMIT");
    pc.conn_->execute("COMMIT");  // on failure the transaction stays open (rolled back later)
    pc.in_transaction_ = false;
    pc.write_locked_ = false;
}

void connection::rollback() noexcept {
    if (!impl_ || !impl_->in_transaction_) return;
    auto& pc = *impl_;
    if (pc.echo_) {
        try {
            log("ROLLBACK");
        } catch (...) {
        }
    }
    try {
        pc.conn_->execute("ROLLBACK");
    } catch (...) {
        pc.invalid_ = true;  // a connection that cannot roll back is not reused
    }
    pc.in_transaction_ = false;
    pc.write_locked_ = false;
}

bool connection::in_transaction() const noexcept { return impl_ && impl_->in_transaction_; }

statement_lease connection::prepare(std::string_view sql) {
    auto& pc = detail::checked(impl_);
    detail::engine_impl::clock::time_point started{};
    if (pc.echo_) started = detail::engine_impl::clock::now();
    auto badge = [&] {
        return pc.echo_ ? pc.engine_->statement_badge(sql, started) : detail::statement_badge_info{};
    };

    if (pc.last_entry_ && !pc.last_entry_->leased && sql == pc.last_sql_) {
        pc.last_entry_->leased = true;
        return statement_lease(pc.last_entry_->stmt.get(), pc.last_entry_, nullptr, badge());
    }
    if (auto it = pc.cache_.find(sql); it != pc.cache_.end()) {
        auto& entry = it->second;
        if (!entry.leased) {
            entry.leased = true;
            pc.last_sql_ = it->first;
            pc.last_entry_ = &entry;
            return statement_lease(entry.stmt.get(), &entry, nullptr, badge());
        }
        // Still leased (a result is being read): a temporary statement, not cached.
        auto stmt = detail::guarded(pc, [&] { return pc.conn_->prepare(sql); });
        auto* raw = stmt.get();
        return statement_lease(raw, nullptr, std::move(stmt), badge());
    }
    auto stmt = detail::guarded(pc, [&] { return pc.conn_->prepare(sql); });
    if (pc.cache_.size() >= detail::statement_cache_limit) detail::evict(pc);
    auto [it, inserted] = pc.cache_.try_emplace(std::string(sql));
    it->second.stmt = std::move(stmt);
    it->second.leased = true;
    pc.last_sql_ = it->first;
    pc.last_entry_ = &it->second;
    return statement_lease(it->second.stmt.get(), &it->second, nullptr, badge());
}

void connection::schema_changed() noexcept {
    if (!impl_) return;
    if (impl_->engine_) {
        impl_->engine_->schema_changed();
        impl_->schema_epoch_ = impl_->engine_->schema_epoch();
    }
    detail::drop_cached_statements(*impl_);
}

void connection::execute_ddl(std::string_view sql) {
    auto& pc = detail::checked(impl_);
    if (pc.echo_) {
        const auto started = detail::engine_impl::clock::now();
        log(sql);
        std::string line = "[";
        line += detail::badge_no_key(detail::seconds_since(started));
        line += "] ";
        if (pc.engine_->options().hide_parameters)
            line += detail::hidden_parameters;
        else
            line += "()";
        log(line);
    }
    detail::guarded(pc, [&] { pc.conn_->execute(sql); });
}

statement_lease connection::run(std::string_view sql, std::span<const value> params) {
    auto& pc = detail::checked(impl_);
    auto lease = prepare(sql);
    if (pc.echo_) log_statement(sql, lease, params);
    for (std::size_t i = 0; i < params.size(); ++i) lease->bind(static_cast<int>(i), params[i]);
    return lease;
}

std::int64_t connection::execute(std::string_view sql, std::span<const value> params) {
    auto& pc = detail::checked(impl_);
    auto lease = run(sql, params);
    return detail::guarded(pc, [&] {
        while (lease->step()) {
        }
        return lease->rows_affected();
    });
}

bool connection::echo() const noexcept { return impl_ && impl_->echo_; }

void connection::log(std::string_view entry) const {
    if (!impl_ || !impl_->echo_ || !impl_->engine_) return;
    impl_->engine_->echo(entry);
}

void connection::log_statement(std::string_view sql, const statement_lease& lease,
                               std::span<const value> params) const {
    if (!echo()) return;
    log(sql);
    std::string line = "[";
    const std::string badge = lease.badge();
    line += badge.empty() ? std::string_view("raw sql") : std::string_view(badge);
    line += "] ";
    if (impl_->engine_->options().hide_parameters)
        line += detail::hidden_parameters;
    else
        line += detail::echo_params(params);
    log(line);
}

void connection::log_statement_many(std::string_view sql, const statement_lease& lease,
                                    std::span<const std::vector<value>> param_sets, std::size_t total) const {
    if (!echo()) return;
    log(sql);
    std::string line = "[";
    const std::string badge = lease.badge();
    line += badge.empty() ? std::string_view("raw sql") : std::string_view(badge);
    line += "] ";
    if (impl_->engine_->options().hide_parameters)
        line += detail::hidden_parameters;
    else
        line += detail::echo_param_sets(param_sets, total);
    log(line);
}

driver::connection& connection::raw() { return *detail::checked(impl_).conn_; }

// ---------------------------------------------------------------------------------------------
// engine

namespace {

detail::engine_impl& checked(const std::shared_ptr<detail::engine_impl>& impl) {
    if (!impl) throw argument_error("dorm::engine: this engine is empty (create one with dorm::create_engine)");
    return *impl;
}

}  // namespace

dorm::dialect engine::dialect() const { return checked(impl_).dialect(); }

const dorm::url& engine::url() const { return checked(impl_).url(); }

const engine_options& engine::options() const { return checked(impl_).options(); }

connection engine::connect() const { return connection(checked(impl_).checkout()); }

std::string engine::repr() const { return "Engine(" + checked(impl_).url().render() + ")"; }

engine::pool_status engine::status() const { return checked(impl_).status(); }

void engine::dispose() { checked(impl_).dispose(); }

engine create_engine(std::string_view url_text, engine_options options) {
    auto u = url::parse(url_text);
    if (options.isolation) check_isolation(u.dialect(), *options.isolation, "create_engine");
    if (options.pool_size < 1)
        throw argument_error("create_engine: pool_size must be at least 1 (got " + std::to_string(options.pool_size) +
                             ")");
    if (options.max_overflow < 0)
        throw argument_error("create_engine: max_overflow must not be negative (got " +
                             std::to_string(options.max_overflow) + ")");
    if (!(options.pool_timeout > 0))
        throw argument_error("create_engine: pool_timeout must be a positive number of seconds");
    if (!(options.statement_timeout >= 0) || !std::isfinite(options.statement_timeout))
        throw argument_error("create_engine: statement_timeout must be a finite number of seconds, 0 for no limit "
                             "(got " + std::to_string(options.statement_timeout) + ")");

    // as SQLAlchemy's pysqlite dialect: `sqlite://file.db` (two slashes) names a host, which would
    // silently give an in-memory database
    if (u.backend == "sqlite" && (u.username || u.password || u.host || u.port))
        throw argument_error("Invalid SQLite URL: " + u.render() +
                             "\nValid SQLite URL forms are:\n"
                             " sqlite:///:memory: (or, sqlite://)\n"
                             " sqlite:///relative/path/to/file.db\n"
                             " sqlite:////absolute/path/to/file.db");
    // a backend this build has no driver for, an unknown or malformed parameter: an error now,
    // not at first use
    driver::check_url(u);
    return engine(std::make_shared<detail::engine_impl>(std::move(u), std::move(options)));
}

}  // namespace dorm
