// Engine, pool, transactions, statement cache and echo, against the database in DORM_TEST_URL.
#define BOOST_TEST_MODULE engine
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <dorm/driver/driver.hpp>
#include <dorm/engine/engine.hpp>
#include <dorm/error.hpp>

#include "backend.hpp"
#include "engine_impl.hpp"  // private: lib/engine/engine_impl.hpp (the connect hook)
#include "preconditions.hpp"

using namespace std::chrono_literals;
using dorm::value;

using dorm_test::is_mysql;
using dorm_test::is_postgresql;

namespace {

/// Positional placeholder number i (1-based) in the backend's form.
std::string ph(int i) { return is_postgresql() ? "$" + std::to_string(i) : "?"; }

std::int64_t scalar_int(dorm::connection& c, std::string_view sql) {
    auto st = c.prepare(sql);
    BOOST_REQUIRE(st->step());
    return st->get_int(0);
}

void recreate(dorm::connection& c, const std::string& table, const std::string& columns) {
    c.execute_ddl("DROP TABLE IF EXISTS " + table);
    c.execute_ddl("CREATE TABLE " + table + " (" + columns + ")");
}

/// Echo entries captured through echo_sink.
struct echo_log {
    std::mutex mutex;
    std::vector<std::string> entries;

    std::function<void(std::string_view)> sink() {
        return [this](std::string_view s) {
            std::lock_guard lock(mutex);
            entries.emplace_back(s);
        };
    }
    std::vector<std::string> take() {
        std::lock_guard lock(mutex);
        return std::exchange(entries, {});
    }
};

/// Whether `text` matches `pattern`, where '#' stands for one digit, '%' for a number (one or more
/// of `0-9.e+-`) and every other character for itself.
bool matches(std::string_view text, std::string_view pattern) {
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    auto is_number_char = [&](char c) { return is_digit(c) || c == '.' || c == 'e' || c == '+' || c == '-'; };
    std::size_t i = 0;
    for (char p : pattern) {
        if (p == '#') {
            if (i >= text.size() || !is_digit(text[i])) return false;
            ++i;
        } else if (p == '%') {
            const std::size_t start = i;
            while (i < text.size() && is_number_char(text[i])) ++i;
            if (i == start) return false;
        } else {
            if (i >= text.size() || text[i] != p) return false;
            ++i;
        }
    }
    return i == text.size();
}

const std::string generated = "[generated in %s] ";
const std::string cached = "[cached since %s ago] ";

// ---- a driver connection wrapper that can be broken on purpose (through the engine's test hook)

struct flaky_state {
    std::atomic<bool> dead{false};
    std::atomic<bool> fail_rollback{false};
    std::atomic<int> pings{0};
};

class flaky_connection final : public dorm::driver::connection {
public:
    flaky_connection(std::unique_ptr<dorm::driver::connection> inner, std::shared_ptr<flaky_state> state)
        : inner_(std::move(inner)), state_(std::move(state)) {}
    dorm::dialect dialect() const override { return inner_->dialect(); }
    std::unique_ptr<dorm::driver::statement> prepare(std::string_view sql) override {
        check();
        return inner_->prepare(sql);
    }
    void execute(std::string_view sql) override {
        check();
        if (sql == "ROLLBACK" && state_->fail_rollback) throw dorm::operational_error("rollback failed (test)");
        inner_->execute(sql);
    }
    bool ping() override {
        ++state_->pings;
        return !state_->dead && inner_->ping();
    }
    bool table_exists(std::string_view name) override { return inner_->table_exists(name); }
    int max_params() const override { return inner_->max_params(); }

private:
    void check() const {
        if (state_->dead) throw dorm::operational_error("server closed the connection unexpectedly (test)");
    }
    std::unique_ptr<dorm::driver::connection> inner_;
    std::shared_ptr<flaky_state> state_;
};

/// Opens flaky connections and remembers their states in order of opening.
struct flaky_factory {
    std::mutex mutex;
    std::vector<std::shared_ptr<flaky_state>> opened;

    dorm::engine make_engine(dorm::engine_options opts) {
        dorm::detail::set_connect_hook([this](const dorm::url& u, const dorm::driver::connect_options& o)
                                           -> std::unique_ptr<dorm::driver::connection> {
            auto state = std::make_shared<flaky_state>();
            auto inner = dorm::driver::connect(u, o);
            std::lock_guard lock(mutex);
            opened.push_back(state);
            return std::make_unique<flaky_connection>(std::move(inner), state);
        });
        auto e = dorm_test::make_engine(std::move(opts));
        dorm::detail::set_connect_hook({});
        return e;
    }
    std::size_t count() {
        std::lock_guard lock(mutex);
        return opened.size();
    }
    std::shared_ptr<flaky_state> state(std::size_t i) {
        std::lock_guard lock(mutex);
        return opened.at(i);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_basics)

BOOST_AUTO_TEST_CASE(lazy_until_first_use) {
    echo_log log;
    auto e = dorm_test::make_engine({.echo = true, .echo_sink = log.sink()});
    BOOST_TEST(e.status().open == 0);
    BOOST_TEST(log.take().empty());
    {
        auto c = e.connect();
        BOOST_TEST(static_cast<bool>(c));
        BOOST_TEST((c.dialect() == e.dialect()));
        BOOST_TEST(e.status().open == 1);
        BOOST_TEST(e.status().checked_out == 1);
    }
    BOOST_TEST(e.status().checked_out == 0);
    BOOST_TEST(e.status().idle == 1);
    BOOST_TEST(log.take().empty());  // checkout and return of an idle connection log nothing
}

BOOST_AUTO_TEST_CASE(copies_share_the_pool) {
    auto e = dorm_test::make_engine();
    auto copy = e;
    { auto c = copy.connect(); }
    BOOST_TEST(e.status().idle == 1);
    BOOST_TEST(e.repr() == copy.repr());
    BOOST_TEST(e.repr().rfind("Engine(" + std::string(dorm_test::backend()), 0) == 0u);
    BOOST_TEST(e.repr().find(e.url().password.value_or("\x01")) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(moved_from_connection) {
    auto e = dorm_test::make_engine();
    auto c = e.connect();
    auto d = std::move(c);
    BOOST_TEST(!c);
    BOOST_TEST(static_cast<bool>(d));
    BOOST_CHECK_THROW(c.begin(), dorm::argument_error);
    BOOST_CHECK_THROW((void)c.prepare("SELECT 1"), dorm::argument_error);
    BOOST_CHECK_THROW(c.raw(), dorm::argument_error);
    c.rollback();  // no-op, never throws
    BOOST_TEST(!c.in_transaction());
    BOOST_TEST(!c.echo());
    // move-assigning over a live connection returns it to the pool
    auto f = e.connect();
    BOOST_TEST(e.status().checked_out == 2);
    f = std::move(d);
    BOOST_TEST(e.status().checked_out == 1);
    BOOST_TEST(scalar_int(f, "SELECT 1") == 1);
}

BOOST_AUTO_TEST_CASE(engine_outlives_its_handle) {
    dorm::connection c;
    {
        auto e = dorm_test::make_engine();
        c = e.connect();
    }
    // the connection keeps the engine alive; returning it afterwards is fine
    BOOST_TEST(scalar_int(c, "SELECT 1") == 1);
    c = dorm::connection{};
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pool)

BOOST_AUTO_TEST_CASE(checkout_times_out) {
    auto e = dorm_test::make_engine({.pool_size = 1, .max_overflow = 0, .pool_timeout = 0.2});
    auto c1 = e.connect();
    const auto t0 = std::chrono::steady_clock::now();
    std::string message;
    try {
        auto c2 = e.connect();
        BOOST_FAIL("second checkout should time out");
    } catch (const dorm::operational_error& err) {
        message = err.what();
    }
    const auto waited = std::chrono::steady_clock::now() - t0;
    BOOST_TEST(message == "QueuePool limit of size 1 overflow 0 reached, connection timed out, timeout 0.20");
    BOOST_TEST(waited >= 190ms);
    BOOST_TEST(waited < 5s);
    BOOST_TEST(e.status().checked_out == 1);
    c1 = dorm::connection{};
    auto c3 = e.connect();  // free again
    BOOST_TEST(static_cast<bool>(c3));
}

BOOST_AUTO_TEST_CASE(default_limits_message) {
    auto e = dorm_test::make_engine({.pool_size = 5, .max_overflow = 10, .pool_timeout = 0.05});
    std::vector<dorm::connection> held;
    for (int i = 0; i < 15; ++i) held.push_back(e.connect());
    BOOST_TEST(e.status().open == 15);
    try {
        (void)e.connect();
        BOOST_FAIL("expected a timeout");
    } catch (const dorm::operational_error& err) {
        BOOST_TEST(std::string(err.what()) ==
                   "QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 0.05");
    }
    held.clear();
    BOOST_TEST(e.status().open == 5);  // overflow closed on return
    BOOST_TEST(e.status().idle == 5);
}

BOOST_AUTO_TEST_CASE(waiting_checkout_gets_returned_connection) {
    auto e = dorm_test::make_engine({.pool_size = 1, .max_overflow = 0, .pool_timeout = 10});
    auto c1 = e.connect();
    std::thread t([&] {
        std::this_thread::sleep_for(100ms);
        c1 = dorm::connection{};
    });
    const auto t0 = std::chrono::steady_clock::now();
    auto c2 = e.connect();
    const auto waited = std::chrono::steady_clock::now() - t0;
    t.join();
    BOOST_TEST(static_cast<bool>(c2));
    BOOST_TEST(waited >= 50ms);
    BOOST_TEST(waited < 5s);
    BOOST_TEST(e.status().open == 1);
}

BOOST_AUTO_TEST_CASE(overflow_connections_close_on_return) {
    auto e = dorm_test::make_engine({.pool_size = 2, .max_overflow = 2, .pool_timeout = 0.1});
    std::vector<dorm::connection> held;
    for (int i = 0; i < 4; ++i) held.push_back(e.connect());
    auto s = e.status();
    BOOST_TEST(s.open == 4);
    BOOST_TEST(s.checked_out == 4);
    BOOST_TEST(s.idle == 0);
    BOOST_CHECK_THROW(e.connect(), dorm::operational_error);
    held.pop_back();
    s = e.status();
    BOOST_TEST(s.open == 4);  // pool not full yet: kept idle
    BOOST_TEST(s.idle == 1);
    held.pop_back();
    BOOST_TEST(e.status().idle == 2);
    held.pop_back();  // pool full: this one is closed
    s = e.status();
    BOOST_TEST(s.open == 3);
    BOOST_TEST(s.idle == 2);
    held.clear();
    s = e.status();
    BOOST_TEST(s.open == 2);
    BOOST_TEST(s.idle == 2);
    BOOST_TEST(s.checked_out == 0);
}

BOOST_AUTO_TEST_CASE(dispose_closes_idle_and_returned) {
    auto e = dorm_test::make_engine({.pool_size = 2});
    auto c1 = e.connect();
    auto c2 = e.connect();
    c1 = dorm::connection{};
    BOOST_TEST(e.status().idle == 1);
    e.dispose();
    BOOST_TEST(e.status().idle == 0);
    BOOST_TEST(e.status().open == 1);
    c2 = dorm::connection{};  // checked out before dispose: closed on return
    BOOST_TEST(e.status().open == 0);
    auto c3 = e.connect();  // the engine keeps working
    BOOST_TEST(scalar_int(c3, "SELECT 1") == 1);
}

BOOST_AUTO_TEST_CASE(pre_ping_replaces_dead_connection) {
    // The dead connection is simulated: the hook wraps each driver connection so that the test
    // can make ping() fail and every statement throw, as a server-side disconnect would.
    flaky_factory factory;
    echo_log log;
    auto e = factory.make_engine({.echo = true, .echo_sink = log.sink(), .pool_size = 2, .pool_pre_ping = true});
    { auto c = e.connect(); }
    // (for sqlite:// the engine's keeper connection was opened first)
    const auto n = factory.count();
    const auto victim = factory.state(n - 1);
    victim->dead = true;
    log.take();
    {
        auto c = e.connect();  // pings, finds it dead, opens a new one
        BOOST_TEST(factory.count() == n + 1);
        BOOST_TEST(victim->pings >= 1);
        c.execute("SELECT 1");
    }
    auto entries = log.take();
    // the ping is not echoed: only the SELECT and its parameters
    BOOST_TEST(entries.size() == 2u);
    if (!entries.empty()) BOOST_TEST(entries[0] == "SELECT 1");
    BOOST_TEST(e.status().open == 1);
    {
        auto c = e.connect();  // the live one is pinged and reused
        BOOST_TEST(factory.count() == n + 1);
        BOOST_TEST(factory.state(n)->pings >= 1);
    }
}

BOOST_AUTO_TEST_CASE(without_pre_ping_a_dead_connection_is_dropped_after_its_error) {
    flaky_factory factory;
    auto e = factory.make_engine({.pool_size = 2});
    { auto c = e.connect(); }
    const auto n = factory.count();
    factory.state(n - 1)->dead = true;
    {
        auto c = e.connect();  // handed out as is
        BOOST_TEST(factory.count() == n);
        BOOST_CHECK_THROW(c.execute("SELECT 1"), dorm::operational_error);
    }
    BOOST_TEST(e.status().open == 0);  // not put back
    auto c = e.connect();
    BOOST_TEST(factory.count() == n + 1);
    BOOST_TEST(scalar_int(c, "SELECT 1") == 1);
}

// A real disconnect: the server terminates the pooled session (a server-side kill needs
// PostgreSQL or MySQL; SQLite is covered by the simulated test).
BOOST_AUTO_TEST_CASE(pre_ping_after_server_kills_connection, *dorm_test::except_on("sqlite")) {
    auto e = dorm_test::make_engine({.pool_size = 2, .max_overflow = 0, .pool_pre_ping = true});
    const std::string id_sql = is_postgresql() ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()";
    auto victim = e.connect();
    const auto victim_id = scalar_int(victim, id_sql);
    {
        auto killer = e.connect();
        if (is_postgresql())
            BOOST_TEST(scalar_int(killer, "SELECT CASE WHEN pg_terminate_backend(" + std::to_string(victim_id) +
                                              ") THEN 1 ELSE 0 END") == 1);
        else
            killer.execute_ddl("KILL " + std::to_string(victim_id));
        victim = dorm::connection{};  // returned first: the next checkout gets it
    }
    std::this_thread::sleep_for(300ms);
    auto c = e.connect();
    const auto new_id = scalar_int(c, id_sql);
    BOOST_TEST(new_id != victim_id);
}

BOOST_AUTO_TEST_CASE(failed_rollback_discards_connection) {
    flaky_factory factory;
    auto e = factory.make_engine({.pool_size = 2});
    {
        auto c = e.connect();
        c.begin();
        factory.state(factory.count() - 1)->fail_rollback = true;
    }  // returned mid-transaction; its ROLLBACK fails
    BOOST_TEST(e.status().open == 0);
    BOOST_TEST(e.status().idle == 0);
    const auto n = factory.count();
    auto c = e.connect();
    BOOST_TEST(factory.count() == n + 1);  // a new connection, not the discarded one
    BOOST_TEST(!c.in_transaction());
    {
        auto d = e.connect();
        d.begin();
        factory.state(factory.count() - 1)->fail_rollback = true;
        d.rollback();  // explicit rollback: never throws, marks the connection
        BOOST_TEST(!d.in_transaction());
    }
    BOOST_TEST(e.status().open == 1);
}

BOOST_AUTO_TEST_CASE(threads_write_concurrently) {
    // SQLite files have one writer at a time and SQLite's busy handler polls without any
    // fairness: with 8 connections writing and fsync'ing, one of them can starve past the 5 s busy
    // timeout. For a SQLite file the threads therefore share one pooled connection (the pool's
    // wait queue is what is exercised); memory and server databases use the default pool.
    const auto u = dorm::url::parse(dorm_test::url());
    const bool sqlite_file = u.backend == "sqlite" && !u.is_memory();
    auto e = sqlite_file ? dorm_test::make_engine({.pool_size = 1, .max_overflow = 0}) : dorm_test::make_engine();
    {
        auto c = e.connect();
        recreate(c, "eng_threads", "n INTEGER NOT NULL");
    }
    constexpr int threads = 8;
    constexpr int per_thread = 50;
    std::atomic<int> failures{0};
    std::mutex error_mutex;
    std::string first_error;
    std::vector<std::thread> pool;  // (no BOOST_TEST in the threads: Boost.Test is not thread-safe)
    const std::string insert = "INSERT INTO eng_threads (n) VALUES (" + ph(1) + ")";
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                try {
                    auto c = e.connect();
                    c.begin();
                    const value v[] = {t * 1000 + i};
                    const auto rows = c.execute(insert, v);
                    c.commit();
                    if (rows != 1) throw std::runtime_error("rows affected: " + std::to_string(rows));
                } catch (const std::exception& ex) {
                    ++failures;
                    std::lock_guard lock(error_mutex);
                    if (first_error.empty()) first_error = ex.what();
                }
            }
        });
    }
    for (auto& th : pool) th.join();
    BOOST_TEST(failures == 0, "first error: " << first_error);
    auto c = e.connect();
    BOOST_TEST(scalar_int(c, "SELECT COUNT(*) FROM eng_threads") == threads * per_thread);
    BOOST_TEST(scalar_int(c, "SELECT COUNT(DISTINCT n) FROM eng_threads") == threads * per_thread);
    const auto s = e.status();
    BOOST_TEST(s.checked_out == 1);
    BOOST_TEST(s.open <= 5 + 10);
    BOOST_TEST(s.idle <= 5);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(transactions)

BOOST_AUTO_TEST_CASE(commit_and_rollback) {
    auto e = dorm_test::make_engine();
    auto c = e.connect();
    recreate(c, "eng_tx", "n INTEGER");
    BOOST_TEST(!c.in_transaction());
    c.commit();  // no transaction: no-op
    c.begin();
    BOOST_TEST(c.in_transaction());
    c.begin();  // already open: no-op
    c.execute("INSERT INTO eng_tx (n) VALUES (1)");
    c.rollback();
    BOOST_TEST(!c.in_transaction());
    BOOST_TEST(scalar_int(c, "SELECT COUNT(*) FROM eng_tx") == 0);
    c.begin();
    const value v[] = {2};
    BOOST_TEST(c.execute("INSERT INTO eng_tx (n) VALUES (" + ph(1) + ")", v) == 1);
    c.commit();
    BOOST_TEST(!c.in_transaction());
    BOOST_TEST(scalar_int(c, "SELECT COUNT(*) FROM eng_tx") == 1);
    c.rollback();  // no transaction: no-op
}

BOOST_AUTO_TEST_CASE(returned_mid_transaction_is_rolled_back) {
    echo_log log;
    auto e = dorm_test::make_engine({.echo = true, .echo_sink = log.sink(), .pool_size = 1});
    {
        auto c = e.connect();
        recreate(c, "eng_rb", "n INTEGER");
        c.begin();
        c.execute("INSERT INTO eng_rb (n) VALUES (1)");
        log.take();
    }  // returned with the transaction open
    const auto entries = log.take();
    BOOST_TEST(entries.size() == 1u);
    if (!entries.empty()) BOOST_TEST(entries.back() == "ROLLBACK");
    auto c = e.connect();  // same pooled connection (pool_size 1)
    BOOST_TEST(!c.in_transaction());
    BOOST_TEST(scalar_int(c, "SELECT COUNT(*) FROM eng_rb") == 0);
    BOOST_TEST(e.status().open == 1);  // a successful rollback keeps the connection
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(memory_database)

BOOST_AUTO_TEST_CASE(shared_within_engine_only) {
    auto e = dorm_test::make_engine();
    auto c1 = e.connect();
    recreate(c1, "eng_shared", "x INTEGER");
    auto c2 = e.connect();  // a second connection of the same engine
    BOOST_TEST(e.status().open == 2);
    BOOST_TEST(c2.raw().table_exists("eng_shared"));
    c1.execute("INSERT INTO eng_shared (x) VALUES (7)");
    BOOST_TEST(scalar_int(c2, "SELECT x FROM eng_shared") == 7);

    auto other = dorm_test::make_engine();
    auto d = other.connect();
    if (dorm::url::parse(dorm_test::url()).is_memory()) {
        BOOST_TEST(!d.raw().table_exists("eng_shared"));  // a second engine has its own memory database
    } else {
        BOOST_TEST(d.raw().table_exists("eng_shared"));  // same file / server
    }
}

BOOST_AUTO_TEST_CASE(survives_idle_and_dispose) {
    auto e = dorm_test::make_engine();
    {
        auto c = e.connect();
        recreate(c, "eng_idle", "x INTEGER");
        c.execute("INSERT INTO eng_idle (x) VALUES (1)");
    }
    e.dispose();  // every pooled connection closed
    BOOST_TEST(e.status().open == 0);
    auto c = e.connect();
    BOOST_TEST(c.raw().table_exists("eng_idle"));
    BOOST_TEST(scalar_int(c, "SELECT COUNT(*) FROM eng_idle") == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(statement_cache)

BOOST_AUTO_TEST_CASE(same_sql_same_statement) {
    auto e = dorm_test::make_engine({.pool_size = 1});
    dorm::driver::statement* first = nullptr;
    {
        auto c = e.connect();
        {
            auto l = c.prepare("SELECT 1");
            first = l.get();
            BOOST_TEST(l->step());
            BOOST_TEST(l->get_int(0) == 1);
        }
        auto l = c.prepare(std::string_view("SELECT 1 + 0").substr(0, 8));  // string_view lookup
        BOOST_TEST(l.get() == first);
    }
    auto c = e.connect();  // same pooled connection: its cache survives the return
    auto l = c.prepare("SELECT 1");
    BOOST_TEST(l.get() == first);
}

BOOST_AUTO_TEST_CASE(leased_statement_is_not_handed_out_twice) {
    auto e = dorm_test::make_engine();
    auto c = e.connect();
    const std::string sql = "SELECT 1 AS n UNION ALL SELECT 2 ORDER BY n";
    dorm::driver::statement* cached_stmt = nullptr;
    {
        auto a = c.prepare(sql);
        cached_stmt = a.get();
        BOOST_TEST(a->step());
        BOOST_TEST(a->get_int(0) == 1);
        auto b = c.prepare(sql);  // `a` is being read: a temporary statement
        BOOST_TEST(b.get() != nullptr);
        BOOST_TEST(b.get() != a.get());
        BOOST_TEST(b->step());
        BOOST_TEST(b->get_int(0) == 1);
        BOOST_TEST(a->step());
        BOOST_TEST(a->get_int(0) == 2);  // `a` was not disturbed
    }
    {
        auto a = c.prepare(sql);  // the cached one again, reset by its lease
        BOOST_TEST(a.get() == cached_stmt);
        BOOST_TEST(a->step());
        BOOST_TEST(a->get_int(0) == 1);
        auto moved = std::move(a);  // leases move
        BOOST_TEST(a.get() == nullptr);
        BOOST_TEST(moved.get() == cached_stmt);
        auto again = c.prepare(sql);
        BOOST_TEST(again.get() != cached_stmt);  // still leased through `moved`
    }
    auto a = c.prepare(sql);
    BOOST_TEST(a.get() == cached_stmt);
}

BOOST_AUTO_TEST_CASE(execute_uses_cache_and_binds) {
    auto e = dorm_test::make_engine();
    auto c = e.connect();
    recreate(c, "eng_cache", "name VARCHAR(50), n INTEGER");
    const std::string insert = "INSERT INTO eng_cache (name, n) VALUES (" + ph(1) + ", " + ph(2) + ")";
    for (int i = 0; i < 5; ++i) {
        const value v[] = {"row" + std::to_string(i), i};
        BOOST_TEST(c.execute(insert, v) == 1);
    }
    const value nulls[] = {nullptr, nullptr};
    c.execute(insert, nulls);
    BOOST_TEST(scalar_int(c, "SELECT COUNT(*) FROM eng_cache") == 6);
    BOOST_TEST(scalar_int(c, "SELECT COUNT(*) FROM eng_cache WHERE name IS NULL") == 1);
    BOOST_TEST(c.execute("DELETE FROM eng_cache WHERE n < 3") == 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(echo)

BOOST_AUTO_TEST_CASE(entries_through_sink) {
    echo_log log;
    auto e = dorm_test::make_engine({.echo = true, .echo_sink = log.sink()});
    auto c = e.connect();
    BOOST_TEST(c.echo());
    c.execute_ddl("DROP TABLE IF EXISTS eng_echo");
    auto entries = log.take();
    BOOST_REQUIRE(entries.size() == 2u);
    BOOST_TEST(entries[0] == "DROP TABLE IF EXISTS eng_echo");
    BOOST_TEST(matches(entries[1], "[no key #.#####s] ()"), entries[1]);
    c.execute_ddl("CREATE TABLE eng_echo (name TEXT, n INTEGER)");
    log.take();

    const std::string insert = "INSERT INTO eng_echo (name, n) VALUES (" + ph(1) + ", " + ph(2) + ")";
    c.begin();
    {
        const value v[] = {"Alice", 30};
        c.execute(insert, v);
    }
    entries = log.take();
    BOOST_REQUIRE(entries.size() == 3u);
    BOOST_TEST(entries[0] == "BEGIN (implicit)");
    BOOST_TEST(entries[1] == insert);
    BOOST_TEST(matches(entries[2], generated + "('Alice', 30)"), entries[2]);

    const std::string long_text(400, 'a');
    const std::vector<std::pair<std::vector<value>, std::string>> cases = {
        {{nullptr, nullptr}, "(None, None)"},
        {{"héllo ✓ 😀", -1}, "('héllo ✓ 😀', -1)"},
        {{"it's", 2}, R"(("it's", 2))"},
        {{R"(both ' and ")", 3}, R"(('both \' and "', 3))"},
        {{"line\nbreak", 4}, R"(('line\nbreak', 4))"},
        {{long_text, 5},
         "('" + std::string(149, 'a') + " ... (102 characters truncated) ... " + std::string(149, 'a') + "', 5)"},
    };
    for (const auto& [params, expected] : cases) {
        c.execute(insert, params);
        entries = log.take();
        BOOST_REQUIRE(entries.size() == 2u);
        BOOST_TEST(entries[0] == insert);
        BOOST_TEST(entries[1].rfind("[cached since ", 0) == 0u, entries[1]);
        const auto close = entries[1].find("] ");
        BOOST_TEST(entries[1].substr(close + 2) == expected);
        BOOST_TEST(matches(entries[1].substr(0, close + 2), cached), entries[1]);
    }
    c.commit();
    BOOST_TEST(log.take() == std::vector<std::string>{"COMMIT"});
    c.commit();  // nothing open: nothing logged
    BOOST_TEST(log.take().empty());

    c.begin();
    c.execute("DELETE FROM eng_echo");
    c.rollback();
    entries = log.take();
    BOOST_REQUIRE(entries.size() == 4u);
    BOOST_TEST(entries[0] == "BEGIN (implicit)");
    BOOST_TEST(entries[1] == "DELETE FROM eng_echo");
    BOOST_TEST(matches(entries[2], generated + "()"), entries[2]);
    BOOST_TEST(entries[3] == "ROLLBACK");
    BOOST_TEST(scalar_int(c, "SELECT COUNT(*) FROM eng_echo") == 7);
}

BOOST_AUTO_TEST_CASE(multi_line_statement_is_one_entry) {
    echo_log log;
    auto e = dorm_test::make_engine({.echo = true, .echo_sink = log.sink()});
    auto c = e.connect();
    const std::string sql = "SELECT 1 AS x \nWHERE 1 = " + ph(1);
    {
        const value v[] = {1};
        auto l = c.prepare(sql);
        c.log_statement(sql, l, v);
    }
    const auto entries = log.take();
    BOOST_REQUIRE(entries.size() == 2u);
    BOOST_TEST(entries[0] == sql);
    BOOST_TEST(matches(entries[1], generated + "(1,)"), entries[1]);
}

BOOST_AUTO_TEST_CASE(cached_across_connections) {
    echo_log log;
    auto e = dorm_test::make_engine({.echo = true, .echo_sink = log.sink()});
    auto c1 = e.connect();
    auto c2 = e.connect();  // a different connection, empty statement cache
    const std::string sql = "SELECT 2";
    c1.execute(sql);
    c2.execute(sql);
    const auto entries = log.take();
    BOOST_REQUIRE(entries.size() == 4u);
    BOOST_TEST(matches(entries[1], generated + "()"), entries[1]);
    BOOST_TEST(matches(entries[3], cached + "()"), entries[3]);
}

BOOST_AUTO_TEST_CASE(many_parameter_sets) {
    echo_log log;
    auto e = dorm_test::make_engine({.echo = true, .echo_sink = log.sink()});
    auto c = e.connect();
    const std::string sql = "INSERT INTO t (name, n) VALUES (" + ph(1) + ", " + ph(2) + ")";
    std::vector<std::vector<value>> sets;
    for (int i = 0; i < 12; ++i) sets.push_back({"n" + std::to_string(i), i});
    {
        const dorm::statement_lease no_lease;  // a badge-less lease logs as [raw sql]
        c.log_statement_many(sql, no_lease, sets, sets.size());
        c.log_statement_many(sql, no_lease, std::span(sets).first(2), 2);
    }
    const auto entries = log.take();
    BOOST_REQUIRE(entries.size() == 4u);
    BOOST_TEST(entries[0] == sql);
    BOOST_TEST(entries[1] ==
               "[raw sql] [('n0', 0), ('n1', 1), ('n2', 2), ('n3', 3), ('n4', 4), ('n5', 5), ('n6', 6), ('n7', 7)  "
               "... displaying 10 of 12 total bound parameter sets ...  ('n10', 10), ('n11', 11)]");
    BOOST_TEST(entries[3] == "[raw sql] [('n0', 0), ('n1', 1)]");
}

BOOST_AUTO_TEST_CASE(hide_parameters) {
    echo_log log;
    auto e = dorm_test::make_engine({.echo = true, .echo_sink = log.sink(), .hide_parameters = true});
    auto c = e.connect();
    const value v[] = {"secret"};
    c.execute("SELECT " + ph(1) + (is_postgresql() ? "::text" : ""), v);
    const auto entries = log.take();
    BOOST_REQUIRE(entries.size() == 2u);
    BOOST_TEST(matches(entries[1], generated + "[SQL parameters hidden due to hide_parameters=True]"),
               entries[1]);
    BOOST_TEST(entries[1].find("secret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(echo_off_logs_nothing) {
    std::atomic<int> calls{0};
    auto e = dorm_test::make_engine({.echo = false, .echo_sink = [&](std::string_view) { ++calls; }});
    auto c = e.connect();
    BOOST_TEST(!c.echo());
    recreate(c, "eng_quiet", "n INTEGER");
    c.begin();
    c.execute("INSERT INTO eng_quiet (n) VALUES (1)");
    c.log("never");
    {
        auto l = c.prepare("SELECT 1");
        BOOST_TEST(l.badge().empty());  // no timing, no badge
    }
    c.commit();
    BOOST_TEST(calls == 0);
}

BOOST_AUTO_TEST_CASE(clog_format_without_sink) {
    std::ostringstream captured;
    auto* old = std::clog.rdbuf(captured.rdbuf());
    try {
        auto e = dorm_test::make_engine({.echo = true});
        auto c = e.connect();
        c.begin();
        c.rollback();
    } catch (...) {
        std::clog.rdbuf(old);
        throw;
    }
    std::clog.rdbuf(old);
    const std::string out = captured.str();
    BOOST_TEST(matches(out,
                       "####-##-## ##:##:##,### INFO dorm.engine.Engine BEGIN (implicit)\n"
                       "####-##-## ##:##:##,### INFO dorm.engine.Engine ROLLBACK\n"),
               out);
}

BOOST_AUTO_TEST_SUITE_END()
