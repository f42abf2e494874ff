// Concurrency control on a real database (issue 14): row locks, isolation levels, retryable
// errors, run_in_transaction, and the bank-transfer invariant under 8 threads for each strategy.
// Runs once per backend (DORM_TEST_URL); a SQLite file runs in WAL mode, as the service did.
#define BOOST_TEST_MODULE concurrency
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "models.hpp"

using namespace std::chrono_literals;
using bank::Account;
using bank::Counter;
using bank::Transfer;
using bank::VersionedAccount;
using dorm::col;
using dorm_test::is_mysql;
using dorm_test::is_postgresql;
using dorm_test::is_sqlite;

namespace {

namespace utf = boost::unit_test;

/// The URL under test; a SQLite file database runs in WAL mode.
std::string concurrency_url() {
    std::string u = dorm_test::url();
    const auto parsed = dorm::url::parse(u);
    if (parsed.backend == "sqlite" && !parsed.is_memory()) u += parsed.query.empty() ? "?journal_mode=wal" : "&journal_mode=wal";
    return u;
}

std::string with_parameter(std::string u, std::string_view p) {
    u += u.find('?') == std::string::npos ? '?' : '&';
    u += p;
    return u;
}

dorm::engine make_engine(dorm::engine_options o = {}) {
    o.pool_size = 10;
    return dorm::create_engine(concurrency_url(), std::move(o));
}

/// Fresh bank tables on `e`.
struct bank_tables {
    dorm::metadata<Account, VersionedAccount, Transfer, Counter> meta;
    dorm::engine engine;
    explicit bank_tables(dorm::engine e) : engine(std::move(e)) {
        meta.drop_all(engine);
        meta.create_all(engine);
    }
    ~bank_tables() {
        try {
            meta.drop_all(engine);
        } catch (...) {
        }
    }
};

std::int64_t counter_value(const dorm::engine& e, int id) {
    dorm::session s(e);
    auto c = s.get<Counter>(id);
    BOOST_REQUIRE(c);
    return c->value;
}

void seed_counters(const dorm::engine& e, int n) {
    dorm::session s(e);
    for (int i = 1; i <= n; ++i) s.add(Counter{.id = i, .name = "c" + std::to_string(i), .value = 0});
    s.commit();
}

// -- the transfer invariant ---------------------------------------------------------------------

enum class strategy { lock_rows, serializable_retry, version_retry };

const char* name_of(strategy s) {
    switch (s) {
        case strategy::lock_rows: return "with_for_update";
        case strategy::serializable_retry: return "serializable + retry";
        case strategy::version_retry: return "version column + retry";
    }
    return "?";
}

struct transfer_report {
    int committed = 0;
    int failed = 0;
    long attempts = 0;
    int max_attempts = 0;
    double seconds = 0;
    std::vector<std::string> errors;
    std::map<std::string, int> retry_reasons;  ///< first line of each retried error, counted
};

/// The first line of an error message without the row it names (errors are counted by kind).
std::string first_line(const std::string& s) {
    const bool stale = s.starts_with("UPDATE statement") || s.starts_with("DELETE statement");
    return s.substr(0, std::min({s.find('\n'), stale ? s.find(" (") : std::string::npos, std::size_t{160}}));
}

constexpr int n_accounts = 12;
constexpr std::int64_t opening_balance = 1000;

/// 8 threads x `per_thread` transfers between random accounts, each a run_in_transaction that
/// reads both accounts, moves the amount and writes a journal row.
template <class A>
transfer_report run_transfers(const dorm::engine& e, strategy how, int threads, int per_thread, int max_attempts) {
    {
        dorm::session s(e);
        for (int i = 1; i <= n_accounts; ++i)
            s.add(A{.id = i, .owner = "owner " + std::to_string(i), .balance = opening_balance});
        s.commit();
    }
    transfer_report report;
    std::mutex m;
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            std::mt19937 rng(1400u + static_cast<unsigned>(t));
            std::uniform_int_distribution<int> account(1, n_accounts);
            std::uniform_int_distribution<int> amount(1, 25);
            int committed = 0, failed = 0, worst = 0;
            long attempts_total = 0;
            std::vector<std::string> errors;
            for (int i = 0; i < per_thread; ++i) {
                const std::int64_t a = account(rng);
                std::int64_t b = account(rng);
                while (b == a) b = account(rng);
                const std::int64_t x = amount(rng);
                int attempt = 0;
                dorm::retry_options options{.max_attempts = max_attempts};
                options.on_retry = [&](const std::exception& ex, int) {
                    std::lock_guard lock(m);
                    auto& n = report.retry_reasons[first_line(ex.what())];
                    ++n;
                };
                if (how == strategy::serializable_retry) options.isolation = dorm::isolation::serializable;
                try {
                    dorm::run_in_transaction(
                        e,
                        [&](dorm::session& s) {
                            ++attempt;
                            auto q = dorm::select<A>()
                                         .where(col(&A::id).in({a, b}))
                                         .order_by(col(&A::id));  // locks taken in key order
                            if (how == strategy::lock_rows) q = std::move(q).with_for_update();
                            auto rows = s.scalars(q).all();
                            if (rows.size() != 2) throw std::runtime_error("an account is missing");
                            auto& from = rows[0]->id == a ? rows[0] : rows[1];
                            auto& to = rows[0]->id == a ? rows[1] : rows[0];
                            from->balance -= x;
                            to->balance += x;
                            s.add(Transfer{.from_id = a, .to_id = b, .amount = x, .attempt = attempt});
                        },
                        options);
                    ++committed;
                } catch (const std::exception& ex) {
                    ++failed;
                    if (errors.size() < 5) errors.emplace_back(ex.what());
                }
                attempts_total += attempt;
                worst = std::max(worst, attempt);
            }
            std::lock_guard lock(m);
            report.committed += committed;
            report.failed += failed;
            report.attempts += attempts_total;
            report.max_attempts = std::max(report.max_attempts, worst);
            for (auto& x : errors) report.errors.push_back(std::move(x));
        });
    }
    for (auto& th : pool) th.join();
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

/// The bank's books balance: the total is unchanged, every committed transfer has exactly one
/// journal row, and each account's balance is what its journal rows say.
template <class A>
void check_books(const dorm::engine& e, int expected_transfers) {
    dorm::session s(e);
    const auto accounts = s.scalars(dorm::select<A>().order_by(col(&A::id))).all();
    BOOST_REQUIRE_EQUAL(accounts.size(), static_cast<std::size_t>(n_accounts));
    std::int64_t total = 0;
    for (auto& a : accounts) total += a->balance;
    BOOST_TEST(total == n_accounts * opening_balance);

    const auto journal = s.scalars(dorm::select<Transfer>()).all();
    BOOST_TEST(journal.size() == static_cast<std::size_t>(expected_transfers));
    std::map<std::int64_t, std::int64_t> expected;
    for (auto& a : accounts) expected[a->id] = opening_balance;
    for (auto& t : journal) {
        expected[t->from_id] -= t->amount;
        expected[t->to_id] += t->amount;
    }
    for (auto& a : accounts) BOOST_TEST(a->balance == expected[a->id], "account " << a->id);
}

void transfer_case(strategy how) {
    // SQLite with row locks: every transfer waits for the write lock at BEGIN IMMEDIATE; on a
    // loaded machine 8 waiters can wait longer than the default 5 s busy timeout, which is not
    // what the attempts == committed check below is about (no SQLITE_BUSY from a read lock that
    // cannot be upgraded): give the waits room
    auto e = how == strategy::lock_rows && is_sqlite()
                 ? dorm::create_engine(with_parameter(concurrency_url(), "timeout=120"), {.pool_size = 10})
                 : make_engine();
    bank_tables tables(e);
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    constexpr int per_thread = 100;  // the sanitizers slow every access down; the races stay the same
#else
    constexpr int per_thread = 300;
#endif
    constexpr int threads = 8, max_attempts = 25;
    const auto r = how == strategy::version_retry
                       ? run_transfers<VersionedAccount>(e, how, threads, per_thread, max_attempts)
                       : run_transfers<Account>(e, how, threads, per_thread, max_attempts);
    BOOST_TEST_MESSAGE("transfers (" << name_of(how) << ", " << dorm_test::backend() << "): " << r.committed
                                     << " committed in " << r.seconds << " s ("
                                     << static_cast<int>(r.committed / r.seconds) << "/s), "
                                     << r.attempts - (r.committed + r.failed) << " retries, at most "
                                     << r.max_attempts << " attempts for one transfer");
    for (auto& err : r.errors) BOOST_TEST_MESSAGE("  failure: " << err);
    for (auto& [why, n] : r.retry_reasons) BOOST_TEST_MESSAGE("  retried " << n << "x: " << why);
    BOOST_TEST(r.failed == 0);
    BOOST_TEST(r.committed == threads * per_thread);
    BOOST_TEST(r.max_attempts < max_attempts);  // no request starved
    if (how == strategy::version_retry) {
        check_books<VersionedAccount>(e, r.committed);
        // every committed transfer bumped both accounts' versions once
        dorm::session s(e);
        std::int64_t versions = 0;
        for (auto& a : s.scalars(dorm::select<VersionedAccount>()).all()) versions += a->version - 1;
        BOOST_TEST(versions == 2 * r.committed);
    } else {
        check_books<Account>(e, r.committed);
    }
    if (how == strategy::lock_rows && is_sqlite()) {
        // the write lock is taken at BEGIN: a read-then-write transaction never fails with SQLITE_BUSY
        BOOST_TEST(r.attempts == r.committed);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transfer_invariant)

BOOST_AUTO_TEST_CASE(with_for_update_keeps_the_books) { transfer_case(strategy::lock_rows); }

BOOST_AUTO_TEST_CASE(serializable_with_retry_keeps_the_books) { transfer_case(strategy::serializable_retry); }

BOOST_AUTO_TEST_CASE(version_column_with_retry_keeps_the_books) { transfer_case(strategy::version_retry); }

BOOST_AUTO_TEST_SUITE_END()

// -- row locks ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(row_locks)

BOOST_AUTO_TEST_CASE(a_locked_row_makes_the_second_writer_wait_and_see_the_first_ones_value) {
    // the read-modify-write race of the issue, made deterministic: A locks, B's locking read waits
    // until A commits and then reads A's value (on SQLite: B's BEGIN IMMEDIATE waits for A's lock)
    auto e = make_engine();
    bank_tables tables(e);
    seed_counters(e, 1);
    std::promise<void> a_locked;
    auto a = std::async(std::launch::async, [&] {
        dorm::session s(e);
        auto c = s.scalars(dorm::select<Counter>().where(col(&Counter::id) == 1).with_for_update()).one();
        a_locked.set_value();
        std::this_thread::sleep_for(300ms);
        c->value += 1;
        s.commit();
    });
    a_locked.get_future().wait();
    const auto start = std::chrono::steady_clock::now();
    {
        dorm::session s(e);
        auto c = s.scalars(dorm::select<Counter>().where(col(&Counter::id) == 1).with_for_update()).one();
        const auto waited = std::chrono::steady_clock::now() - start;
        BOOST_TEST(c->value == 1);  // A's committed value, not the one before A
        BOOST_TEST(std::chrono::duration<double>(waited).count() > 0.15);
        c->value += 1;
        s.commit();
    }
    a.get();
    BOOST_TEST(counter_value(e, 1) == 2);
}

BOOST_AUTO_TEST_CASE(the_naive_read_modify_write_loses_an_update_or_fails_loudly) {
    // the control for the case above: without a lock two interleaved sessions both read 0. On
    // PostgreSQL (READ COMMITTED) and MariaDB (REPEATABLE READ) both commits succeed and one
    // increment is lost — the bug with_for_update exists for. SQLite refuses the second writer
    // (SQLITE_BUSY), which is_retryable recognises.
    // (SQLite: a short busy timeout, the refused writer would otherwise wait 5 s)
    auto e = is_sqlite() ? dorm::create_engine(with_parameter(concurrency_url(), "timeout=0.2")) : make_engine();
    bank_tables tables(e);
    seed_counters(e, 1);
    dorm::session s1(e), s2(e);
    auto c1 = s1.get<Counter>(1);
    auto c2 = s2.get<Counter>(1);
    BOOST_TEST(c1->value == 0);
    BOOST_TEST(c2->value == 0);
    c1->value += 1;
    c2->value += 1;
    int committed = 0, refused = 0;
    for (auto* s : {&s1, &s2}) {
        try {
            s->commit();
            ++committed;
        } catch (const dorm::operational_error& ex) {
            // SQLite: in rollback-journal mode the first COMMIT cannot get past the other's read
            // lock; in WAL mode the second writer's snapshot is stale (SQLITE_BUSY_SNAPSHOT)
            BOOST_TEST(is_sqlite(), ex.what());
            BOOST_TEST(dorm::is_retryable(ex), ex.what());
            ++refused;
            s->rollback();
        }
    }
    if (is_sqlite()) {
        BOOST_TEST(refused == 1);
        BOOST_TEST(counter_value(e, 1) == committed);  // nothing lost silently
    } else {
        BOOST_TEST(committed == 2);
        BOOST_TEST(counter_value(e, 1) == 1);  // 2 increments, 1 survives
    }
}

BOOST_AUTO_TEST_CASE(a_locking_select_refreshes_objects_already_in_the_session) {
    // SQLAlchemy: with_for_update() implies populate_existing (ORM querying guide, "ORM Execution
    // Options": populate_existing; test/orm/test_lockmode.py)
    auto e = make_engine();
    bank_tables tables(e);
    seed_counters(e, 1);
    dorm::session s(e);
    auto c = s.get<Counter>(1);
    BOOST_TEST(c->value == 0);
    s.commit();
    {
        dorm::session other(e);
        other.get<Counter>(1)->value = 5;
        other.commit();
    }
    auto locked = s.scalars(dorm::select<Counter>().where(col(&Counter::id) == 1).with_for_update()).one();
    BOOST_TEST(locked.get() == c.get());  // the identity map's object ...
    BOOST_TEST(c->value == 5);            // ... with the row's current value
    BOOST_TEST(!s.is_modified(c));
    c->value += 1;
    s.commit();
    BOOST_TEST(counter_value(e, 1) == 6);

    // populate_existing() alone does the same without a lock, unflushed changes included
    c->value = 100;
    {
        auto no_autoflush = s.no_autoflush();
        auto again = s.scalars(dorm::select<Counter>().populate_existing()).one();
        BOOST_TEST(again.get() == c.get());
        BOOST_TEST(c->value == 6);
    }
    BOOST_TEST(!s.is_modified(c));
}

BOOST_AUTO_TEST_CASE(sqlite_takes_the_write_lock_before_a_locking_select) {
    dorm_test::echo_capture echo;
    auto e = make_engine(dorm::engine_options{.echo = true, .echo_sink = echo.sink()});
    bank_tables tables(e);
    seed_counters(e, 2);
    echo.clear();
    {
        dorm::session s(e);
        (void)s.scalars(dorm::select<Counter>().where(col(&Counter::id) == 1).with_for_update()).one();
        s.commit();
    }
    const auto entries = echo.entries();
    BOOST_REQUIRE(!entries.empty());
    if (is_sqlite()) {
        BOOST_TEST(entries.front() == "BEGIN IMMEDIATE (implicit)", echo.dump());
        BOOST_TEST(echo.count_containing("FOR UPDATE") == 0u, echo.dump());
    } else {
        BOOST_TEST(entries.front() == "BEGIN (implicit)", echo.dump());
        BOOST_TEST(echo.count_containing("FOR UPDATE") == 1u, echo.dump());
    }

    // a transaction that has only read begins again holding the lock (SQLite); elsewhere the
    // locking SELECT runs in the open transaction
    echo.clear();
    {
        dorm::session s(e);
        (void)s.get<Counter>(2);
        (void)s.scalars(dorm::select<Counter>().where(col(&Counter::id) == 1).with_for_update()).one();
        s.commit();
    }
    const auto second = echo.entries();
    std::size_t begins = 0;
    for (auto& x : second)
        if (x.starts_with("BEGIN")) ++begins;
    if (is_sqlite()) {
        BOOST_TEST(begins == 2u, echo.dump());
        BOOST_TEST(echo.count_entries("BEGIN IMMEDIATE (implicit)") == 1u, echo.dump());
        BOOST_TEST(echo.count_entries("ROLLBACK (nothing was written: the transaction begins again holding the "
                                      "write lock)") == 1u,
                   echo.dump());
    } else {
        BOOST_TEST(begins == 1u, echo.dump());
    }

    // after a write the transaction already holds the lock: nothing is restarted
    echo.clear();
    {
        dorm::session s(e);
        s.get<Counter>(2)->value = 7;
        s.flush();
        (void)s.scalars(dorm::select<Counter>().where(col(&Counter::id) == 1).with_for_update()).one();
        s.commit();
    }
    BOOST_TEST(echo.count_entries("BEGIN (implicit)") == 1u, echo.dump());
    BOOST_TEST(echo.count_entries("BEGIN IMMEDIATE (implicit)") == 0u, echo.dump());
    BOOST_TEST(counter_value(e, 2) == 7);
}

BOOST_AUTO_TEST_CASE(nowait_fails_at_once_with_a_retryable_error, *utf::precondition([](utf::test_unit_id) {
                         return dorm_test::backend() != "sqlite";
                     })) {
    auto e = make_engine();
    bank_tables tables(e);
    seed_counters(e, 1);
    dorm::session holder(e);
    (void)holder.scalars(dorm::select<Counter>().where(col(&Counter::id) == 1).with_for_update()).one();
    dorm::session s(e);
    const auto start = std::chrono::steady_clock::now();
    try {
        (void)s.scalars(dorm::select<Counter>().where(col(&Counter::id) == 1).with_for_update().nowait()).all();
        BOOST_FAIL("NOWAIT on a locked row returned");
    } catch (const dorm::operational_error& ex) {
        BOOST_TEST(dorm::is_retryable(ex), ex.what() << " code " << ex.code() << " sqlstate " << ex.sqlstate());
        BOOST_TEST(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 2.0);
    }
    s.rollback();
    holder.rollback();
    // once the lock is gone NOWAIT reads
    BOOST_TEST(s.scalars(dorm::select<Counter>().with_for_update().nowait()).all().size() == 1u);
}

BOOST_AUTO_TEST_CASE(skip_locked_leaves_locked_rows_out, *utf::precondition([](utf::test_unit_id) {
                         return dorm_test::backend() != "sqlite";
                     })) {
    // a work queue: each worker takes rows nobody else holds
    auto e = make_engine();
    bank_tables tables(e);
    seed_counters(e, 3);
    dorm::session first(e);
    auto taken = first.scalars(dorm::select<Counter>().order_by(col(&Counter::id)).limit(1).with_for_update().skip_locked())
                     .all();
    BOOST_REQUIRE_EQUAL(taken.size(), 1u);
    BOOST_TEST(taken[0]->id == 1);
    dorm::session second(e);
    auto rest = second.scalars(dorm::select<Counter>().order_by(col(&Counter::id)).with_for_update().skip_locked()).all();
    BOOST_REQUIRE_EQUAL(rest.size(), 2u);
    BOOST_TEST(rest[0]->id == 2);
    BOOST_TEST(rest[1]->id == 3);
    // a shared lock does not keep another shared lock out
    second.rollback();
    first.rollback();
    dorm::session r1(e), r2(e);
    BOOST_TEST(r1.scalars(dorm::select<Counter>().with_for_update().read()).all().size() == 3u);
    BOOST_TEST(r2.scalars(dorm::select<Counter>().with_for_update().read().nowait()).all().size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

// -- isolation levels ---------------------------------------------------------------------------

namespace {

/// The isolation level of the session's current transaction, as the server reports it
/// (PostgreSQL: the transaction's own; MariaDB: the connection's, which dorm sets for it).
std::string current_isolation(dorm::session& s) {
    if (is_postgresql()) return s.execute(dorm::text<std::string>("SHOW transaction_isolation")).scalar_one();
    std::string level = s.execute(dorm::text<std::string>("SELECT @@tx_isolation")).scalar_one();
    for (auto& ch : level)
        if (ch == '-') ch = ' ';
    return level;
}

/// Whether the open transaction of `s` reads a change another session commits meanwhile (READ
/// COMMITTED does; REPEATABLE READ keeps its snapshot). Reads with text() (no identity map).
bool sees_a_commit_made_meanwhile(const dorm::engine& e, dorm::session& s) {
    const std::string sql = "SELECT " + dorm_test::q("value") + " FROM cc_counter WHERE id = 1";
    const auto before = s.execute(dorm::text<std::int64_t>(sql)).scalar_one();
    {
        dorm::session other(e);
        other.get<Counter>(1)->value += 1;
        other.commit();
    }
    const auto after = s.execute(dorm::text<std::int64_t>(sql)).scalar_one();
    return after != before;
}

std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(isolation_levels)

BOOST_AUTO_TEST_CASE(a_level_the_backend_lacks_is_an_argument_error) {
    const auto refused = is_sqlite() ? dorm::isolation::read_committed : dorm::isolation::immediate;
    try {
        (void)dorm::create_engine(concurrency_url(), {.isolation = refused});
        BOOST_FAIL("create_engine accepted an isolation level the backend lacks");
    } catch (const dorm::argument_error& ex) {
        const std::string what = ex.what();
        BOOST_TEST(what.find(std::string(dorm::isolation_name(refused))) != std::string::npos, what);
        BOOST_TEST(what.find("valid there") != std::string::npos, what);
    }
    auto e = make_engine();
    BOOST_CHECK_THROW(dorm::session(e, {.isolation = refused}), dorm::argument_error);
    dorm::session s(e);
    BOOST_CHECK_THROW(s.begin(refused), dorm::argument_error);
    BOOST_TEST(!s.in_transaction());
    BOOST_CHECK_THROW(dorm::run_in_transaction(e, [](dorm::session&) {}, {.isolation = refused}),
                      dorm::argument_error);
}

BOOST_AUTO_TEST_CASE(engine_session_and_transaction_levels_take_effect) {
    dorm_test::echo_capture echo;
    const auto engine_level = is_sqlite() ? dorm::isolation::immediate : dorm::isolation::serializable;
    auto e = make_engine(dorm::engine_options{.echo = true, .echo_sink = echo.sink(), .isolation = engine_level});
    bank_tables tables(e);
    seed_counters(e, 1);
    if (!is_sqlite())  // the engine's level is set on each connection when it is opened (echoed)
        BOOST_TEST(echo.count_containing("TRANSACTION ISOLATION LEVEL SERIALIZABLE") >= 1u, echo.dump());
    echo.clear();
    if (is_sqlite()) {
        // immediate: every transaction holds the write lock from BEGIN on
        dorm::session s(e);
        (void)s.get<Counter>(1);
        BOOST_TEST(echo.count_entries("BEGIN IMMEDIATE (implicit)") == 1u, echo.dump());
        s.commit();
        echo.clear();
        dorm::session d(e, {.isolation = dorm::isolation::deferred});
        (void)d.get<Counter>(1);
        BOOST_TEST(echo.count_entries("BEGIN (implicit)") == 1u, echo.dump());
        d.commit();
        echo.clear();
        d.begin(dorm::isolation::exclusive);
        BOOST_TEST(echo.count_entries("BEGIN EXCLUSIVE (implicit)") == 1u, echo.dump());
        BOOST_CHECK_THROW(d.begin(), dorm::invalid_request_error);
        d.rollback();
        return;
    }
    {
        dorm::session s(e);
        BOOST_TEST(lower(current_isolation(s)) == "serializable");
        s.commit();
        BOOST_TEST(echo.count_entries("BEGIN (implicit)") == 1u, echo.dump());  // nothing more per transaction
    }
    echo.clear();
    {
        // a session's level for each of its transactions
        dorm::session s(e, {.isolation = dorm::isolation::read_committed});
        BOOST_TEST(lower(current_isolation(s)) == "read committed", echo.dump());
        BOOST_TEST(sees_a_commit_made_meanwhile(e, s));
        s.commit();
        BOOST_TEST(lower(current_isolation(s)) == "read committed", echo.dump());
        s.commit();
        if (is_postgresql()) {
            BOOST_TEST(echo.count_entries("BEGIN ISOLATION LEVEL READ COMMITTED (implicit)") == 2u, echo.dump());
        } else {
            // MariaDB sets the connection's level (its one-shot SET TRANSACTION is not reliable),
            // only when the connection has another one
            BOOST_TEST(echo.count_entries("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED") >= 1u, echo.dump());
            BOOST_TEST(echo.count_containing("SET TRANSACTION") == 0u, echo.dump());
        }
        // one transaction's level (MariaDB: set before BEGIN, never inside it — error 1568)
        s.begin(dorm::isolation::repeatable_read);
        BOOST_TEST(lower(current_isolation(s)) == "repeatable read", echo.dump());
        BOOST_TEST(!sees_a_commit_made_meanwhile(e, s));
        BOOST_CHECK_THROW(s.begin(dorm::isolation::serializable), dorm::invalid_request_error);
        s.commit();
        BOOST_TEST(lower(current_isolation(s)) == "read committed", echo.dump());  // the session's level again
        s.commit();
    }
    {
        // a session without a level after those: the engine's level again, on the same connection
        dorm::session s(e);
        BOOST_TEST(lower(current_isolation(s)) == "serializable", echo.dump());
        s.commit();
    }
}

BOOST_AUTO_TEST_CASE(serializable_turns_a_lost_update_into_a_retryable_error) {
    // the naive read-modify-write of two sessions at SERIALIZABLE: the second writer fails with
    // a serialization failure (PostgreSQL 40001), a deadlock (MariaDB 1213, its SERIALIZABLE reads
    // take shared locks) or SQLITE_BUSY, and is_retryable says so
    auto e = make_engine();
    bank_tables tables(e);
    seed_counters(e, 1);
    dorm::session s1(e, {.isolation = dorm::isolation::serializable});
    dorm::session s2(e, {.isolation = dorm::isolation::serializable});
    auto c1 = s1.get<Counter>(1);
    auto c2 = s2.get<Counter>(1);
    c1->value += 1;
    c2->value += 1;
    std::exception_ptr failure;
    int commits = 0;
    // s1 writes in a thread: on MariaDB its UPDATE waits for s2's shared lock
    auto first = std::async(std::launch::async, [&] {
        try {
            s1.commit();
            return 1;
        } catch (...) {
            return 0;
        }
    });
    std::this_thread::sleep_for(200ms);
    try {
        s2.commit();
        ++commits;
    } catch (const std::exception& ex) {
        BOOST_TEST(dorm::is_retryable(ex), ex.what());
        s2.rollback();
    }
    commits += first.get();
    BOOST_TEST(commits == 1);                   // one of the two increments won ...
    BOOST_TEST(counter_value(e, 1) == 1);       // ... and the other was refused, not lost silently
}

BOOST_AUTO_TEST_SUITE_END()

// -- retryable errors and run_in_transaction ----------------------------------------------------

BOOST_AUTO_TEST_SUITE(retrying)

BOOST_AUTO_TEST_CASE(which_errors_are_retryable) {
    BOOST_TEST(dorm::is_retryable(dorm::stale_data_error("UPDATE statement on table 't' expected to update 1 row(s)")));
    BOOST_TEST(dorm::is_retryable(dorm::operational_error("could not serialize access", 0, "40001")));
    BOOST_TEST(dorm::is_retryable(dorm::operational_error("deadlock detected", 0, "40P01")));
    BOOST_TEST(dorm::is_retryable(dorm::operational_error("could not obtain lock", 0, "55P03")));
    BOOST_TEST(dorm::is_retryable(dorm::operational_error("Deadlock found", 1213, "40001")));
    BOOST_TEST(dorm::is_retryable(dorm::operational_error("Lock wait timeout exceeded", 1205, "HY000")));
    BOOST_TEST(dorm::is_retryable(dorm::operational_error("database is locked", 5)));
    BOOST_TEST(dorm::is_retryable(dorm::operational_error("database is locked", 517)));  // BUSY_SNAPSHOT
    BOOST_TEST(dorm::is_retryable(dorm::operational_error("database table is locked", 6)));
    BOOST_TEST(!dorm::is_retryable(dorm::unique_violation("UNIQUE constraint failed", 2067)));
    BOOST_TEST(!dorm::is_retryable(dorm::operational_error("server has gone away", 2006, "HY000")));
    BOOST_TEST(!dorm::is_retryable(dorm::operational_error("connection lost", 0, "08006")));
    BOOST_TEST(!dorm::is_retryable(dorm::operational_error("MariaDB error 1029 & 0xff == 5", 1029, "HY000")));
    BOOST_TEST(!dorm::is_retryable(dorm::data_error("bad value")));
    BOOST_TEST(!dorm::is_retryable(std::runtime_error("the caller's own")));
    BOOST_TEST(!dorm::is_retryable(dorm::pending_rollback_error("rolled back")));
}

BOOST_AUTO_TEST_CASE(a_real_deadlock_is_retryable, *utf::precondition([](utf::test_unit_id) {
                         return dorm_test::backend() != "sqlite";
                     })) {
    // two sessions lock two rows in opposite orders; the server breaks the cycle by failing one
    auto e = make_engine();
    bank_tables tables(e);
    seed_counters(e, 2);
    auto lock = [](dorm::session& s, int id) {
        (void)s.scalars(dorm::select<Counter>().where(col(&Counter::id) == id).with_for_update()).one();
    };
    dorm::session a(e), b(e);
    lock(a, 1);
    lock(b, 2);
    auto in_a = std::async(std::launch::async, [&]() -> std::string {
        try {
            lock(a, 2);
            return {};
        } catch (const std::exception& ex) {
            a.rollback();
            return dorm::is_retryable(ex) ? "retryable" : std::string("not retryable: ") + ex.what();
        }
    });
    std::this_thread::sleep_for(200ms);
    std::string in_b;
    try {
        lock(b, 1);
    } catch (const std::exception& ex) {
        in_b = dorm::is_retryable(ex) ? "retryable" : std::string("not retryable: ") + ex.what();
    }
    b.rollback();  // lets a go on if b was the survivor
    const std::string from_a = in_a.get();
    a.rollback();
    BOOST_TEST((from_a == "retryable") != (in_b == "retryable"), "a: '" << from_a << "' b: '" << in_b << "'");
    BOOST_TEST((from_a.empty() || from_a == "retryable"), from_a);
    BOOST_TEST((in_b.empty() || in_b == "retryable"), in_b);
}

BOOST_AUTO_TEST_CASE(run_in_transaction_commits_and_returns) {
    auto e = make_engine();
    bank_tables tables(e);
    seed_counters(e, 1);
    const std::int64_t v = dorm::run_in_transaction(e, [](dorm::session& s) {
        auto c = s.get<Counter>(1);
        c->value = 41;
        return c->value + 1;
    });
    BOOST_TEST(v == 42);
    BOOST_TEST(counter_value(e, 1) == 41);
}

BOOST_AUTO_TEST_CASE(run_in_transaction_retries_only_retryable_errors) {
    auto e = make_engine();
    bank_tables tables(e);
    seed_counters(e, 2);
    // two stale failures, then success: three attempts, each in a new session, one commit
    int calls = 0;
    std::vector<int> retried;
    dorm::run_in_transaction(
        e,
        [&](dorm::session& s) {
            ++calls;
            s.get<Counter>(1)->value += 10;
            if (calls < 3) throw dorm::stale_data_error("simulated lost race");
        },
        {.max_attempts = 5, .initial_backoff = 0.001, .on_retry = [&](const std::exception&, int n) {
             retried.push_back(n);
         }});
    BOOST_TEST(calls == 3);
    BOOST_TEST((retried == std::vector<int>{1, 2}));
    BOOST_TEST(counter_value(e, 1) == 10);  // the failed attempts were rolled back

    // a non-retryable error: one attempt, rethrown as it is, nothing committed
    calls = 0;
    BOOST_CHECK_THROW(dorm::run_in_transaction(e,
                                               [&](dorm::session& s) {
                                                   ++calls;
                                                   s.get<Counter>(1)->value = 999;
                                                   s.add(Counter{.id = 2, .name = "taken"});
                                               }),
                      dorm::integrity_error);
    BOOST_TEST(calls == 1);
    BOOST_TEST(counter_value(e, 1) == 10);

    // attempts run out: the last error is rethrown after exactly max_attempts calls
    calls = 0;
    BOOST_CHECK_THROW(dorm::run_in_transaction(
                          e,
                          [&](dorm::session&) {
                              ++calls;
                              throw dorm::operational_error("simulated deadlock", 0, "40P01");
                          },
                          {.max_attempts = 4, .initial_backoff = 0}),
                      dorm::operational_error);
    BOOST_TEST(calls == 4);
    BOOST_CHECK_THROW(dorm::run_in_transaction(e, [](dorm::session&) {}, {.max_attempts = 0}), dorm::argument_error);
}

BOOST_AUTO_TEST_CASE(a_column_type_changed_under_cached_statements) {
    // issue 16, item 6: PostgreSQL refuses to run a prepared statement whose result type changed
    // ("cached plan must not change result type"). Outside a transaction dorm prepares it again
    // and runs it once more; inside one the transaction is aborted, so the error is retryable and
    // the statement is prepared again at its next use: run_in_transaction gets through. MariaDB
    // and SQLite prepare again by themselves (SQLite: any schema change).
    auto e = make_engine(dorm::engine_options{.pool_size = 1});
    bank_tables tables(e);
    seed_counters(e, 1);
    const std::string read_sql = "SELECT " + dorm_test::q("value") + " FROM cc_counter WHERE id = 1";
    {
        dorm::session s(e);
        BOOST_TEST(s.get<Counter>(1)->value == 0);  // caches the SELECT by key
        s.commit();
        auto c = e.connect();
        auto st = c.prepare(read_sql);  // and a statement used outside transactions
        BOOST_TEST(st->step());
    }
    {
        auto c = e.connect();
        if (is_postgresql())
            c.execute_ddl("ALTER TABLE cc_counter ALTER COLUMN " + dorm_test::q("value") + " TYPE INTEGER");
        else if (is_mysql())
            c.execute_ddl("ALTER TABLE cc_counter MODIFY " + dorm_test::q("value") + " INTEGER NOT NULL");
        else
            c.execute_ddl("ALTER TABLE cc_counter ADD COLUMN note VARCHAR(10)");
        c.execute("UPDATE cc_counter SET " + dorm_test::q("value") + " = 7");
        // outside a transaction: transparent
        auto st = c.prepare(read_sql);
        BOOST_REQUIRE(st->step());
        BOOST_TEST(st->get_int(0) == 7);
    }
    int attempts = 0;
    std::vector<std::string> retried;
    const auto v = dorm::run_in_transaction(
        e,
        [&](dorm::session& s) {
            ++attempts;
            return s.get<Counter>(1)->value;
        },
        {.on_retry = [&](const std::exception& ex, int) { retried.emplace_back(ex.what()); }});
    BOOST_TEST(v == 7);
    BOOST_TEST(attempts == (is_postgresql() ? 2 : 1));
    for (auto& r : retried) BOOST_TEST(r.find("cached plan must not change result type") != std::string::npos, r);
    // and the statement works from then on, in transactions too
    dorm::session s(e);
    BOOST_TEST(s.get<Counter>(1)->value == 7);
}

BOOST_AUTO_TEST_CASE(sqlite_retries_a_busy_transaction_holding_the_write_lock) {
    dorm_test::echo_capture echo;
    auto e = make_engine(dorm::engine_options{.echo = true, .echo_sink = echo.sink()});
    bank_tables tables(e);
    seed_counters(e, 1);
    echo.clear();
    int calls = 0;
    dorm::run_in_transaction(
        e,
        [&](dorm::session& s) {
            ++calls;
            s.get<Counter>(1)->value += 1;
            if (calls == 1) throw dorm::operational_error("(sqlite3.OperationalError) database is locked", 5);
        },
        {.initial_backoff = 0});
    BOOST_TEST(calls == 2);
    if (is_sqlite())
        BOOST_TEST(echo.count_entries("BEGIN IMMEDIATE (implicit)") == 1u, echo.dump());
    else
        BOOST_TEST(echo.count_entries("BEGIN (implicit)") == 2u, echo.dump());  // servers keep their level
    BOOST_TEST(counter_value(e, 1) == 1);
}

BOOST_AUTO_TEST_SUITE_END()
