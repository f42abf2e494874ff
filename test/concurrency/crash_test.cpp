// Crash consistency of a SQLite file (issue 16, item 9): a child process commits transactions
// through dorm (an order, its lines and a counter row per transaction) and reports each commit()
// that returned through a pipe; the parent SIGKILLs it at a random moment, then opens the file with
// dorm and checks PRAGMA integrity_check, that every transaction is all-or-none and that every
// reported commit is there. Rollback journal (synchronous=full) and WAL (full and normal).
//
// SQLite only: the database is a file in a temporary directory of its own (DORM_TEST_URL is not
// used). The child is forked before anything of dorm exists in the parent's trial (no engine is
// shared across fork). DORM_CRASH_TRIALS=<n> sets the trials per mode (the operator's probe used 200).
#define BOOST_TEST_MODULE crash
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dorm/dorm.hpp>

#include "orders.hpp"

namespace crash {

/// One row: the last transaction and the totals of all of them.
struct Counter {
    int id = 0;
    std::int64_t last_seq = 0;
    std::int64_t n_lines = 0;
    std::int64_t total = 0;
};
BOOST_DESCRIBE_STRUCT(Counter, (), (id, last_seq, n_lines, total))
DORM_TABLE(Counter, "crash_counter", (id, dorm::primary_key))

}  // namespace crash

namespace {

using crash::Counter;
using orders::Line;
using orders::Order;
namespace fs = std::filesystem;

/// Where the child was when it was killed (written by the child into shared memory).
enum phase : int { starting = 0, body = 1, committing = 2, returned = 3, reported = 4 };
const char* phase_name(int p) {
    switch (p) {
        case starting: return "starting";
        case body: return "writing (before commit)";
        case committing: return "inside commit()";
        case returned: return "commit returned, not yet reported";
        case reported: return "reported";
    }
    return "?";
}

struct shared_state {
    /// The child's phase and the transaction it is about in one word (phase + 8 * seq), stored at
    /// once: with two stores a kill between them paired a new transaction with the old phase.
    std::atomic<std::int64_t> word{starting};
    void set(std::int64_t seq, int phase) noexcept { word.store(seq * 8 + phase); }
    int phase() const noexcept { return static_cast<int>(word.load() % 8); }
    std::int64_t seq() const noexcept { return word.load() / 8; }
};
static_assert(std::atomic<std::int64_t>::is_always_lock_free);

/// A temporary directory, removed with everything in it.
struct temp_dir {
    fs::path path;
    temp_dir() {
        const char* t = std::getenv("TMPDIR");
        std::string tmpl = std::string(t && *t ? t : "/tmp") + "/dorm-crash.XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
        path = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

bool write_all(int fd, const void* p, std::size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n > 0) {
        const ssize_t w = ::write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        c += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

/// The child: commits transactions until it is killed. Never returns.
[[noreturn]] void child_main(const std::string& url, int report_fd, shared_state* sh, std::uint64_t seed) {
    try {
        auto engine = dorm::create_engine(url);
        std::mt19937_64 rng(seed);
        for (;;) {
            dorm::session s(engine);
            auto counter = s.get<Counter>(1);
            if (!counter) throw std::runtime_error("no counter row");
            const std::int64_t k = counter->last_seq + 1;
            sh->set(k, body);
            auto order = s.add(Order{.seq = k});
            s.flush();  // order->id
            const int n = 1 + static_cast<int>(rng() % 24);
            std::int64_t total = 0;
            for (int i = 0; i < n; ++i) {
                const auto amount = static_cast<std::int64_t>(rng() % 1000) + 1;
                total += amount;
                s.add(Line{.order_id = order->id,
                           .line_no = i,
                           .amount = amount,
                           .pad = std::string(200 + rng() % 400, static_cast<char>('a' + k % 26))});
            }
            order->n_lines = n;
            order->total = total;
            counter->last_seq = k;
            counter->n_lines += n;
            counter->total += total;
            s.flush();
            sh->set(k, committing);
            s.commit();
            sh->set(k, returned);
            if (!write_all(report_fd, &k, sizeof k)) throw std::runtime_error("report pipe closed");
            sh->set(k, reported);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "crash child: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "crash child: unknown exception\n");
    }
    ::_exit(3);
}

struct mode {
    const char* name;
    const char* params;
    bool rollback_journal;
};

struct file_state {
    std::string integrity;
    std::int64_t fk_violations = -1, orphans = -1, bad_orders = -1;
    std::int64_t n_orders = -1, min_seq = -1, max_seq = -1;
    std::int64_t n_lines = -1, line_total = -1;
    std::int64_t last_seq = -1, counter_lines = -1, counter_total = -1;
};

/// Opens the file with dorm (which recovers a hot journal / the WAL) and reads what the checks need.
file_state read_file_state(const std::string& url) {
    auto engine = dorm::create_engine(url);
    auto c = engine.connect();
    file_state st;
    auto one = [&](const std::string& sql) { return dorm::execute(c, dorm::text<std::int64_t>(sql)).scalar_one(); };
    {
        auto rows = dorm::execute(c, dorm::text<std::string>("PRAGMA integrity_check")).all();
        for (std::size_t i = 0; i < rows.size(); ++i) st.integrity += (i ? "\n" : "") + rows[i];
    }
    st.fk_violations = one("SELECT count(*) FROM pragma_foreign_key_check");
    st.orphans = one("SELECT count(*) FROM sales_line WHERE order_id NOT IN (SELECT id FROM sales_order)");
    st.bad_orders = one(
        "SELECT count(*) FROM sales_order o WHERE o.n_lines <> (SELECT count(*) FROM sales_line l WHERE l.order_id = "
        "o.id) OR o.total <> (SELECT coalesce(sum(amount), 0) FROM sales_line l WHERE l.order_id = o.id)");
    std::tie(st.n_orders, st.min_seq, st.max_seq) =
        dorm::execute(c, dorm::text<std::tuple<std::int64_t, std::int64_t, std::int64_t>>(
                             "SELECT count(*), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM sales_order"))
            .one();
    std::tie(st.n_lines, st.line_total) = dorm::execute(c, dorm::text<std::tuple<std::int64_t, std::int64_t>>(
                                                               "SELECT count(*), coalesce(sum(amount), 0) FROM sales_line"))
                                              .one();
    std::tie(st.last_seq, st.counter_lines, st.counter_total) =
        dorm::execute(c, dorm::text<std::tuple<std::int64_t, std::int64_t, std::int64_t>>(
                             "SELECT last_seq, n_lines, total FROM crash_counter WHERE id = 1"))
            .one();
    return st;
}

int trials_per_mode() {
    if (const char* n = std::getenv("DORM_CRASH_TRIALS"); n && *n) return std::max(1, std::atoi(n));
    return 50;
}

void crash_trials(const mode& m) {
    temp_dir dir;
    const std::string file = (dir.path / "crash.db").string();
    const std::string url = "sqlite:///" + file + "?" + m.params;  // an absolute path: 4 slashes
    {
        dorm::metadata<Order, Line, Counter> meta;
        auto engine = dorm::create_engine(url);
        meta.create_all(engine);
        dorm::session s(engine);
        s.add(Counter{.id = 1});
        s.commit();
    }
    auto* sh = static_cast<shared_state*>(
        ::mmap(nullptr, sizeof(shared_state), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    BOOST_REQUIRE(sh != MAP_FAILED);
    struct unmap {
        shared_state* p;
        ~unmap() { ::munmap(p, sizeof(shared_state)); }
    } unmap_guard{sh};

    std::mt19937_64 rng(20261205);  // fixed seed: the same delays every run
    std::uniform_int_distribution<int> delay_us(0, 30000);
    const int trials = trials_per_mode();
    std::map<int, int> killed_in;  // phase -> trials
    int hot_journals = 0;
    int unreported_commits = 0;
    std::int64_t reported_total = 0;
    const auto t0 = std::chrono::steady_clock::now();

    // the kills must land inside commit() (where a torn write could happen) often enough that the
    // checks below mean something: where commits are short against the work before them (WAL with
    // synchronous=normal, a sanitized build) more trials run, up to four times as many
    const int wanted = std::max(1, trials / 10);
    auto enough = [&] {
        return killed_in[committing] >= wanted && (!m.rollback_journal || hot_journals >= wanted);
    };
    int trial = 0;
    while (trial < trials || (!enough() && trial < 4 * trials)) {
        ++trial;
        BOOST_TEST_CONTEXT(m.name << ", trial " << trial) {
            new (sh) shared_state{};
            int fds[2];
            BOOST_REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
            const std::uint64_t child_seed = rng();
            std::fflush(nullptr);
            std::cout.flush();
            std::cerr.flush();
            const pid_t pid = ::fork();
            BOOST_REQUIRE(pid >= 0);
            if (pid == 0) {
                ::close(fds[0]);
                child_main(url, fds[1], sh, child_seed);
            }
            ::close(fds[1]);
            const int rd = fds[0];

            std::int64_t last_reported = -1;  // -1: none in this trial
            bool child_exited_early = false;
            // the first report: the child is up and committing
            pollfd p{rd, POLLIN, 0};
            const int ready = ::poll(&p, 1, 20000);
            std::int64_t k = 0;
            if (ready == 1 && ::read(rd, &k, sizeof k) == static_cast<ssize_t>(sizeof k)) {
                last_reported = k;
            } else {
                child_exited_early = true;  // EOF or nothing in 20 s
            }
            std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
            ::kill(pid, SIGKILL);
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            const int phase_at_kill = sh->phase();
            const std::int64_t seq_at_kill = sh->seq();
            // every report the child wrote before it died, in order
            for (;;) {
                const ssize_t r = ::read(rd, &k, sizeof k);
                if (r < 0 && errno == EINTR) continue;
                if (r != static_cast<ssize_t>(sizeof k)) break;
                BOOST_TEST(k == last_reported + 1);  // reports come in commit order, none skipped
                last_reported = k;
            }
            ::close(rd);
            BOOST_TEST_REQUIRE(!child_exited_early, "the child never reported a commit (status " << status << ")");
            BOOST_TEST_REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                               "the child ended by itself (status " << status << "), not by our SIGKILL");
            ++killed_in[phase_at_kill];
            if (m.rollback_journal && fs::exists(file + "-journal")) ++hot_journals;

            file_state st;
            try {
                st = read_file_state(url);
            } catch (const std::exception& e) {
                BOOST_FAIL(m.name << ", trial " << trial << ": opening and reading the file after the kill failed: "
                                  << e.what());
            }
            BOOST_TEST(st.integrity == "ok");
            BOOST_TEST(st.fk_violations == 0);
            BOOST_TEST(st.orphans == 0);
            // all-or-none: every order has all its lines; the counter row agrees with the orders
            // and lines, so a transaction torn between the tables shows here
            BOOST_TEST(st.bad_orders == 0);
            BOOST_TEST(st.n_orders == st.last_seq);
            BOOST_TEST(st.max_seq == st.last_seq);
            BOOST_TEST(st.min_seq == (st.last_seq > 0 ? 1 : 0));
            BOOST_TEST(st.n_lines == st.counter_lines);
            BOOST_TEST(st.line_total == st.counter_total);
            // durability: every commit that returned is there; nothing beyond the one in flight
            BOOST_TEST(st.last_seq >= last_reported);
            BOOST_TEST(st.last_seq <= last_reported + 1);
            if (phase_at_kill == returned || phase_at_kill == reported) BOOST_TEST(st.last_seq >= seq_at_kill);
            if (phase_at_kill == body) BOOST_TEST(st.last_seq == seq_at_kill - 1);  // not committed: none of it
            if (st.last_seq == last_reported + 1) ++unreported_commits;
            reported_total += last_reported;
        }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "crash " << m.name << ": " << trial << " trials in " << secs << " s; killed:";
    for (auto [ph, n] : killed_in) std::cout << " " << phase_name(ph) << " " << n << ";";
    std::cout << " committed-but-unreported " << unreported_commits;
    if (m.rollback_journal) std::cout << "; hot journals left " << hot_journals;
    std::cout << std::endl;
    BOOST_TEST(killed_in[committing] >= wanted,
               m.name << ": only " << killed_in[committing] << " of " << trial << " kills landed inside commit()");
    if (m.rollback_journal)
        BOOST_TEST(hot_journals >= wanted,
                   m.name << ": only " << hot_journals << " of " << trial << " kills left a hot journal");
}

BOOST_AUTO_TEST_CASE(rollback_journal_synchronous_full) {
    crash_trials({"journal_mode=delete synchronous=full", "journal_mode=delete&synchronous=full", true});
}

BOOST_AUTO_TEST_CASE(wal_synchronous_full) {
    crash_trials({"journal_mode=wal synchronous=full", "journal_mode=wal&synchronous=full", false});
}

BOOST_AUTO_TEST_CASE(wal_synchronous_normal) {
    // NORMAL gives up durability on power loss, not on a crash of the process
    crash_trials({"journal_mode=wal synchronous=normal", "journal_mode=wal&synchronous=normal", false});
}

}  // namespace
