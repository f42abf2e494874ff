// engine_options::statement_timeout (issue 16, item 7), once per backend: a statement that runs
// too long is cancelled with dorm::timeout_error and the connection stays usable; a lock wait
// counts as running; a server that stops answering (SIGSTOP) is given up on after the timeout
// and its grace, its connection closed and replaced by the pool.
#define BOOST_TEST_MODULE timeout
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <thread>

#include <sys/types.h>
#include <unistd.h>

#include <boost/describe.hpp>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "preconditions.hpp"

namespace utf = boost::unit_test;
using namespace std::chrono_literals;

namespace tmo {
struct Job {
    std::int64_t id = 0;
    std::string state;
};
BOOST_DESCRIBE_STRUCT(Job, (), (id, state))
DORM_TABLE(Job, "timeout_job", (id, dorm::primary_key), (state, dorm::varchar(20)))
}  // namespace tmo

namespace {

using tmo::Job;

constexpr double limit = 0.5;  // seconds

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

dorm::engine timed_engine() { return dorm_test::make_engine({.pool_size = 2, .statement_timeout = limit}); }

/// A statement that runs for many seconds on the backend under test, without sleeping on SQLite
/// (a CPU-bound recursive count), sleeping on the servers unless `cpu` is asked for.
std::string slow_sql(const dorm::engine& e, bool cpu) {
    if (e.dialect() == dorm::dialect::postgresql && !cpu) return "SELECT CAST(1 AS BIGINT) FROM pg_sleep(30)";
    if (e.dialect() == dorm::dialect::mysql) {
        // (MariaDB stops a recursive CTE after max_recursive_iterations, 1000, without an error;
        // BENCHMARK() interrupted by max_statement_time answers 0 without an error through the
        // binary protocol: a join of the sequence engine's tables is a real computation)
        return cpu ? "SELECT COUNT(*) FROM seq_1_to_1000000 a, seq_1_to_100000 b WHERE a.seq % 7 = b.seq % 5"
                   : "SELECT CAST(SLEEP(30) AS SIGNED)";
    }
    // billions of rows: far longer than the timeout everywhere
    return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000000) "
           "SELECT COUNT(*) FROM c";
}

/// The job table with one row, on `e` (every engine of a `sqlite://` URL has its own database).
struct fresh_table {
    dorm::metadata<Job> meta;
    dorm::engine engine;
    explicit fresh_table(dorm::engine e) : engine(std::move(e)) {
        meta.drop_all(engine);
        meta.create_all(engine);
        dorm::session s(engine);
        s.add(std::make_shared<Job>(Job{1, "new"}));
        s.commit();
    }
    ~fresh_table() {
        try {
            meta.drop_all(engine);
        } catch (...) {
        }
    }
};

/// Runs `sql` through a session of `e` and checks it fails with a timeout_error within the
/// timeout and its grace.
void expect_timeout(const dorm::engine& e, const std::string& sql) {
    dorm::session s(e);
    const auto start = std::chrono::steady_clock::now();
    try {
        const auto v = s.execute(dorm::text<std::int64_t>(sql)).scalar_one();
        BOOST_FAIL("the slow statement returned " << v << " after " << seconds_since(start) << " s: " << sql);
    } catch (const dorm::timeout_error& ex) {
        const double took = seconds_since(start);
        BOOST_TEST(took >= limit * 0.9, "cancelled too early: " << took << " s");
        BOOST_TEST(took < limit + 2.0, "cancelled late: " << took << " s");
        const std::string what = ex.what();
        BOOST_TEST(what.find("statement timeout of 0.5 s") != std::string::npos, what);
        BOOST_TEST(what.find(sql.substr(0, 20)) != std::string::npos, what);
        BOOST_TEST(!dorm::is_retryable(ex), what);
    }
    s.rollback();
    // the same session (and connection) goes on
    BOOST_TEST(s.execute(dorm::text<std::int64_t>("SELECT 7")).scalar_one() == 7);
}

/// The pid of the server process that serves a connection of `e`: the PostgreSQL backend, or
/// mariadbd (one process for every connection). 0 when the server is not on this machine.
pid_t server_pid(const dorm::engine& e, dorm::session& s) {
    if (e.dialect() == dorm::dialect::postgresql)
        return static_cast<pid_t>(s.execute(dorm::text<std::int64_t>("SELECT pg_backend_pid()")).scalar_one());
    const std::string file = s.execute(dorm::text<std::string>("SELECT @@pid_file")).scalar_one();
    std::ifstream in(file);
    long pid = 0;
    in >> pid;
    return static_cast<pid_t>(pid);
}

/// Whether every thread of `pid` is stopped (state T in /proc/<pid>/task/<tid>/stat).
bool all_threads_stopped(pid_t pid) {
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
        std::ifstream in(task.path() / "stat");
        std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto close = stat.rfind(')');  // the command name may hold spaces: the state follows ") "
        if (close == std::string::npos || close + 2 >= stat.size()) continue;  // the thread ended
        if (stat[close + 2] != 'T' && stat[close + 2] != 't') return false;
    }
    return !ec;
}

/// SIGSTOPs a process, waits until all its threads have stopped (a loaded machine can leave one
/// running for a moment after kill() returns), and SIGCONTs it when destroyed (also when a check
/// throws).
struct stopped_process {
    pid_t pid;
    explicit stopped_process(pid_t p) : pid(p) {
        BOOST_REQUIRE_MESSAGE(::kill(pid, SIGSTOP) == 0, "cannot stop " << pid);
        const auto start = std::chrono::steady_clock::now();
        while (!all_threads_stopped(pid)) {
            BOOST_REQUIRE_MESSAGE(seconds_since(start) < 10.0, "process " << pid << " did not stop within 10 s");
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    ~stopped_process() { ::kill(pid, SIGCONT); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_long_statement_is_cancelled_and_the_connection_goes_on) {
    auto e = timed_engine();
    expect_timeout(e, slow_sql(e, false));
    BOOST_TEST(e.status().open >= 1);
}

BOOST_AUTO_TEST_CASE(a_long_computation_is_cancelled_too) {
    auto e = timed_engine();
    expect_timeout(e, slow_sql(e, true));
}

BOOST_AUTO_TEST_CASE(statements_shorter_than_the_timeout_run_as_usual) {
    auto e = timed_engine();
    fresh_table t(e);
    for (int i = 0; i < 20; ++i) {
        dorm::session s(e);
        auto job = s.get<Job>(1);
        BOOST_REQUIRE(job);
        job->state = "run " + std::to_string(i);
        s.commit();
    }
    dorm::session s(e);
    BOOST_TEST(s.get<Job>(1)->state == "run 19");
    // a batch of inserts (one pipeline on PostgreSQL) and a read of all of them
    for (int i = 2; i < 302; ++i) s.add(std::make_shared<Job>(Job{i, "batch"}));
    s.commit();
    BOOST_TEST(s.scalars(dorm::select<Job>().where(dorm::col(&Job::state) == "batch")).all().size() == 300u);
}

BOOST_AUTO_TEST_CASE(waiting_for_a_lock_counts_as_running) {
    auto e = timed_engine();
    fresh_table t(e);
    // another connection writes the row and keeps its transaction open
    dorm::session holder(e);
    holder.get<Job>(1)->state = "held";
    holder.flush();

    dorm::session s(e);
    const auto start = std::chrono::steady_clock::now();
    try {
        s.get<Job>(1)->state = "mine";  // SQLite waits for the write lock at the flush, servers for the row
        s.commit();
        BOOST_FAIL("the write waited past the lock after " << seconds_since(start) << " s");
    } catch (const dorm::operational_error& ex) {
        const double took = seconds_since(start);
        BOOST_TEST(took < limit + 2.0, "waited " << took << " s: " << ex.what());
        if (e.dialect() == dorm::dialect::sqlite) {
            // the busy timeout is capped at the statement timeout: SQLite's "database is locked"
            BOOST_TEST(dorm::is_retryable(ex), ex.what());
        } else {
            BOOST_TEST(dynamic_cast<const dorm::timeout_error*>(&ex) != nullptr, ex.what());
        }
    }
    s.rollback();
    holder.commit();
    dorm::session after(e);
    BOOST_TEST(after.get<Job>(1)->state == "held");
}

BOOST_AUTO_TEST_CASE(a_server_that_stops_answering_is_given_up_on, *dorm_test::except_on("sqlite")) {
    auto e = timed_engine();
    fresh_table t(e);
    dorm::session s(e);
    const pid_t pid = server_pid(e, s);
    BOOST_REQUIRE_MESSAGE(pid > 0, "the server's pid is unknown (a server on another machine?)");
    s.rollback();
    const auto opened = e.status().open;
    {
        stopped_process stop(pid);
        const auto start = std::chrono::steady_clock::now();
        try {
            (void)s.get<Job>(1);
            BOOST_FAIL("a read from a stopped server returned");
        } catch (const dorm::timeout_error& ex) {
            const double took = seconds_since(start);
            // the client's wait: the timeout and its grace of 2 s + 10 % (whole seconds on MariaDB)
            BOOST_TEST(took >= limit + 2.0, "gave up early: " << took << " s");
            BOOST_TEST(took < limit + 5.0, "gave up late: " << took << " s");
            const std::string what = ex.what();
            BOOST_TEST_MESSAGE("stopped server: " << what << " (code " << ex.code() << ")");
            BOOST_TEST(what.find("timeout") != std::string::npos, what);
        }
        s.rollback();
    }
    // the closed connection is not kept: the next session gets a new one that works
    BOOST_TEST(e.status().open <= opened);
    dorm::session again(e);
    BOOST_TEST(again.get<Job>(1)->state == "new");
}

BOOST_AUTO_TEST_CASE(a_bad_timeout_is_an_argument_error) {
    BOOST_CHECK_THROW(dorm_test::make_engine({.statement_timeout = -1}), dorm::argument_error);
    BOOST_CHECK_THROW(dorm_test::make_engine({.statement_timeout = std::numeric_limits<double>::infinity()}),
                      dorm::argument_error);
    BOOST_CHECK_THROW(dorm_test::make_engine({.statement_timeout = std::numeric_limits<double>::quiet_NaN()}),
                      dorm::argument_error);
    // no timeout: a fast statement runs
    auto e = dorm_test::make_engine({.statement_timeout = 0});
    dorm::session s(e);
    BOOST_TEST(s.execute(dorm::text<std::int64_t>("SELECT 3")).scalar_one() == 3);
}
