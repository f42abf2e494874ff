// Workload TX of dorm_bench (issue 14, item 7): concurrent bank transfers, transfers per second
// for each concurrency strategy, dorm against the same transfer written by hand on the C API.
// Included by bench.cpp (uses its Target, Clock, cpu_ms, remove_db_files, BENCH_NOINLINE).
//
// The bank: 12 accounts of balance 1000 and a journal. T threads run M transfers each; transfer
// i of thread t moves a random amount (1..25) between a random pair a != b (std::mt19937 seeded
// 1400 + t, as test/concurrency): read both accounts, move the amount, insert a journal row,
// commit; a retryable failure (serialization failure, deadlock, lock not available, SQLITE_BUSY /
// LOCKED, a version mismatch) rolls back, pauses (full jitter: uniform in [0, bound], bound 2 ms
// doubling up to 250 ms, dorm's defaults) and runs the transfer again, up to kTxMaxAttempts.
//
// Strategies:
//   for_update    the two rows read with a row lock, in key order (dorm: select(...).with_for_update();
//                 SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE)
//   serializable  isolation serializable + retry (dorm: retry_options::isolation; SQLite: deferred
//                 BEGIN, a retry after SQLITE_BUSY begins IMMEDIATE as dorm does; PostgreSQL:
//                 BEGIN ISOLATION LEVEL SERIALIZABLE)
//   version       an optimistic version column + retry (dorm: (version, dorm::version); by hand:
//                 UPDATE ... SET balance = ?, version = ? WHERE id = ? AND version = ?, the row
//                 count checked), the backend's default isolation
//
// dorm's side is the code of test/concurrency/concurrency_test.cpp (run_transfers): one
// dorm::run_in_transaction per transfer, a fresh session per attempt.
// After every run the books are checked with the implementation's own API: the total of the
// balances is unchanged, there is one journal row per transfer, and every balance is what the
// journal says.
#pragma once

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace bench {

// -- the bank's tables (dorm maps them; the hand-written side runs dorm's DDL, untimed) ----------

struct TxAccount {
    std::int64_t id = 0;
    std::string owner;
    std::int64_t balance = 0;
};
BOOST_DESCRIBE_STRUCT(TxAccount, (), (id, owner, balance))
DORM_TABLE(TxAccount, "tx_account", (id, dorm::primary_key), (owner, dorm::varchar(40)))

/// The same account with an optimistic version counter (strategy `version`).
struct TxVAccount {
    std::int64_t id = 0;
    std::string owner;
    std::int64_t balance = 0;
    std::int64_t version = 0;
};
BOOST_DESCRIBE_STRUCT(TxVAccount, (), (id, owner, balance, version))
DORM_TABLE(TxVAccount, "tx_vaccount", (id, dorm::primary_key), (owner, dorm::varchar(40)), (version, dorm::version))

/// One row per committed transfer.
struct TxTransfer {
    std::int64_t id = 0;
    std::int64_t from_id = 0;
    std::int64_t to_id = 0;
    std::int64_t amount = 0;
    int attempt = 0;  ///< which attempt committed it
};
BOOST_DESCRIBE_STRUCT(TxTransfer, (), (id, from_id, to_id, amount, attempt))
DORM_TABLE(TxTransfer, "tx_transfer")

using TxSchema = dorm::metadata<TxAccount, TxVAccount, TxTransfer>;

constexpr int kTxAccounts = 12;
constexpr std::int64_t kTxOpening = 1000;
constexpr int kTxMaxAttempts = 25;
constexpr double kTxInitialBackoff = 0.002, kTxMaxBackoff = 0.25;  // dorm::retry_options' defaults

enum class TxStrategy { for_update, serializable, version };
constexpr TxStrategy kTxStrategies[] = {TxStrategy::for_update, TxStrategy::serializable, TxStrategy::version};
inline const char* tx_name(TxStrategy s) {
    return s == TxStrategy::for_update ? "for_update" : s == TxStrategy::serializable ? "serializable" : "version";
}

struct TxParams {
    int threads = 8;
    int per_thread = 2000;
};

/// One transfer of the plan.
struct TxMove {
    std::int64_t a = 0, b = 0, x = 0;
};

/// Thread t's transfers (the same for every implementation and strategy).
inline std::vector<TxMove> tx_plan(int t, int per_thread) {
    std::mt19937 rng(1400u + static_cast<unsigned>(t));
    std::uniform_int_distribution<int> account(1, kTxAccounts);
    std::uniform_int_distribution<int> amount(1, 25);
    std::vector<TxMove> out(static_cast<std::size_t>(per_thread));
    for (auto& m : out) {
        m.a = account(rng);
        m.b = account(rng);
        while (m.b == m.a) m.b = account(rng);
        m.x = amount(rng);
    }
    return out;
}

/// What one run did, and what the books said afterwards.
struct TxResult {
    double seconds = 0, cpu_ms = 0;
    int committed = 0, failed = 0, max_attempts = 0;
    long attempts = 0;
    std::vector<std::string> errors;  ///< the first few failures
    std::string check_error;          ///< empty: the books balance
    std::int64_t total = 0, journal_rows = 0;
    long retries() const { return attempts - committed - failed; }
};

/// Checks the books from the rows the implementation read back (untimed).
inline void tx_check_books(TxResult& r, const std::vector<std::pair<std::int64_t, std::int64_t>>& accounts,
                           const std::vector<TxMove>& journal, int expected_transfers) {
    std::map<std::int64_t, std::int64_t> expected;
    r.total = 0;
    for (auto& [id, balance] : accounts) {
        expected[id] = kTxOpening;
        r.total += balance;
    }
    r.journal_rows = static_cast<std::int64_t>(journal.size());
    for (auto& m : journal) {
        expected[m.a] -= m.x;
        expected[m.b] += m.x;
    }
    std::string e;
    if (accounts.size() != static_cast<std::size_t>(kTxAccounts)) e += "accounts: " + std::to_string(accounts.size()) + "; ";
    if (r.total != kTxAccounts * kTxOpening)
        e += "total " + std::to_string(r.total) + " != " + std::to_string(kTxAccounts * kTxOpening) + "; ";
    if (r.journal_rows != r.committed) e += "journal rows " + std::to_string(r.journal_rows) + " != committed " + std::to_string(r.committed) + "; ";
    if (r.committed != expected_transfers || r.failed != 0)
        e += "committed " + std::to_string(r.committed) + " of " + std::to_string(expected_transfers) + " (" +
             std::to_string(r.failed) + " failed); ";
    for (auto& [id, balance] : accounts)
        if (balance != expected[id]) {
            e += "account " + std::to_string(id) + " has " + std::to_string(balance) + ", its journal says " +
                 std::to_string(expected[id]) + "; ";
            break;
        }
    r.check_error = e;
}

/// Full-jitter pauses between attempts, as dorm::run_in_transaction makes them.
class TxBackoff {
public:
    explicit TxBackoff(unsigned seed) : gen_(seed) {}
    void reset() { bound_ = kTxInitialBackoff; }
    void pause() {
        std::uniform_real_distribution<double> dist(0.0, std::min(bound_, kTxMaxBackoff));
        std::this_thread::sleep_for(std::chrono::duration<double>(dist(gen_)));
        bound_ = std::min(bound_ * 2, kTxMaxBackoff);
    }

private:
    std::minstd_rand gen_;
    double bound_ = kTxInitialBackoff;
};

/// A failure the hand-written transfer may retry (what dorm::is_retryable says yes to).
struct TxRetry {};

/// Runs `threads` workers, each `work(t, plan, result_of_thread)`, timed; sums the results.
template <class Work>
TxResult tx_run_threads(const TxParams& p, Work&& work) {
    std::vector<std::vector<TxMove>> plans;
    for (int t = 0; t < p.threads; ++t) plans.push_back(tx_plan(t, p.per_thread));
    std::vector<TxResult> parts(static_cast<std::size_t>(p.threads));
    const double cpu0 = cpu_ms();
    const auto t0 = Clock::now();
    {
        std::vector<std::thread> pool;
        for (int t = 0; t < p.threads; ++t)
            pool.emplace_back([&, t] { work(t, plans[static_cast<std::size_t>(t)], parts[static_cast<std::size_t>(t)]); });
        for (auto& th : pool) th.join();
    }
    TxResult r;
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r.cpu_ms = cpu_ms() - cpu0;
    for (auto& x : parts) {
        r.committed += x.committed;
        r.failed += x.failed;
        r.attempts += x.attempts;
        r.max_attempts = std::max(r.max_attempts, x.max_attempts);
        for (auto& e : x.errors)
            if (r.errors.size() < 5) r.errors.push_back(e);
    }
    return r;
}

/// The attempt loop of a hand-written transfer: `once(attempt)` commits or throws TxRetry (after
/// rolling back); other exceptions fail the transfer.
template <class Once>
void tx_attempts(TxResult& out, TxBackoff& backoff, Once&& once) {
    backoff.reset();
    int attempt = 0;
    try {
        for (;;) {
            ++attempt;
            try {
                once(attempt);
                break;
            } catch (const TxRetry&) {
                if (attempt >= kTxMaxAttempts) throw std::runtime_error("gave up after " + std::to_string(attempt) + " attempts");
            }
            backoff.pause();
        }
        ++out.committed;
    } catch (const std::exception& e) {
        ++out.failed;
        if (out.errors.size() < 5) out.errors.emplace_back(e.what());
    }
    out.attempts += attempt;
    out.max_attempts = std::max(out.max_attempts, attempt);
}

// -- dorm: the transfer of test/concurrency, run_in_transaction + a fresh session per attempt ----

template <class Account>
BENCH_NOINLINE void tx_dorm_transfer(dorm::session& s, TxStrategy how, const TxMove& m, int attempt) {
    auto q = dorm::select<Account>().where(col(&Account::id).in({m.a, m.b})).order_by(col(&Account::id));  // key order
    if (how == TxStrategy::for_update) q = std::move(q).with_for_update();
    auto rows = s.scalars(q).all();
    if (rows.size() != 2) throw std::runtime_error("an account is missing");
    auto& from = rows[0]->id == m.a ? rows[0] : rows[1];
    auto& to = rows[0]->id == m.a ? rows[1] : rows[0];
    from->balance -= m.x;
    to->balance += m.x;
    s.add(TxTransfer{.from_id = m.a, .to_id = m.b, .amount = m.x, .attempt = attempt});
}

template <class Account>
TxResult tx_dorm_run(const dorm::engine& e, TxStrategy how, const TxParams& p) {
    auto r = tx_run_threads(p, [&](int, const std::vector<TxMove>& plan, TxResult& out) {
        for (const auto& m : plan) {
            int attempt = 0;
            dorm::retry_options options{.max_attempts = kTxMaxAttempts};
            if (how == TxStrategy::serializable) options.isolation = dorm::isolation::serializable;
            try {
                dorm::run_in_transaction(
                    e, [&](dorm::session& s) { tx_dorm_transfer<Account>(s, how, m, ++attempt); }, options);
                ++out.committed;
            } catch (const std::exception& ex) {
                ++out.failed;
                if (out.errors.size() < 5) out.errors.emplace_back(ex.what());
            }
            out.attempts += attempt;
            out.max_attempts = std::max(out.max_attempts, attempt);
        }
    });
    // the books, read back through a session
    dorm::session s(e);
    std::vector<std::pair<std::int64_t, std::int64_t>> accounts;
    for (auto& a : s.scalars(dorm::select<Account>().order_by(col(&Account::id))).all()) accounts.emplace_back(a->id, a->balance);
    std::vector<TxMove> journal;
    for (auto& t : s.scalars(dorm::select<TxTransfer>()).all()) journal.push_back({t->from_id, t->to_id, t->amount});
    tx_check_books(r, accounts, journal, p.threads * p.per_thread);
    return r;
}

/// dorm's run of one strategy on the target: fresh tables, 12 accounts, the pool opened (untimed).
inline TxResult tx_dorm(const Target& t, TxStrategy how, const TxParams& p) {
    std::string url = !t.url.empty() ? t.url : t.memory ? "sqlite://" : "sqlite:///" + t.path + "?journal_mode=wal&synchronous=normal";
    auto e = dorm::create_engine(url, {.pool_size = p.threads + 2, .max_overflow = 0});
    TxSchema meta;
    meta.drop_all(e);
    meta.create_all(e);
    {
        dorm::session s(e);
        for (int i = 1; i <= kTxAccounts; ++i) {
            if (how == TxStrategy::version) s.add(TxVAccount{.id = i, .owner = "owner " + std::to_string(i), .balance = kTxOpening});
            else s.add(TxAccount{.id = i, .owner = "owner " + std::to_string(i), .balance = kTxOpening});
        }
        s.commit();
    }
    {  // every pooled connection opened before the clock starts (the raw side opens its own first too)
        std::vector<dorm::connection> conns;
        for (int i = 0; i < p.threads; ++i) conns.push_back(e.connect());
    }
    TxResult r = how == TxStrategy::version ? tx_dorm_run<TxVAccount>(e, how, p) : tx_dorm_run<TxAccount>(e, how, p);
    if (!t.url.empty()) meta.drop_all(e);
    return r;
}

/// dorm's DDL for the bank on dialect d, one statement per element (the hand-written side runs it).
/// The INSERT of the opening balances (the servers' raw floors; SQLite binds them).
inline std::string tx_seed_sql(TxStrategy how) {
    std::string seed = how == TxStrategy::version ? "INSERT INTO tx_vaccount (id, owner, balance, version) VALUES "
                                                  : "INSERT INTO tx_account (id, owner, balance) VALUES ";
    for (int i = 1; i <= kTxAccounts; ++i)
        seed += (i > 1 ? ", (" : "(") + std::to_string(i) + ", 'owner " + std::to_string(i) + "', " +
                std::to_string(kTxOpening) + (how == TxStrategy::version ? ", 1)" : ")");
    return seed;
}

inline std::vector<std::string> tx_ddl(dorm::dialect d) {
    std::vector<std::string> out;
    const std::string all = TxSchema{}.ddl(d);
    std::size_t i = 0;
    while (i < all.size()) {
        auto j = all.find(';', i);
        if (j == std::string::npos) j = all.size();
        std::string s = all.substr(i, j - i);
        if (s.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(s);
        i = j + 1;
    }
    return out;
}

// -- raw sqlite3 ---------------------------------------------------------------------------------

/// One thread's connection and statements.
class TxSqlite {
public:
    TxSqlite(const std::string& file, bool uri) {
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | (uri ? SQLITE_OPEN_URI : 0);
        if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) fail("open");
        sqlite3_extended_result_codes(db_, 1);
        sqlite3_busy_timeout(db_, 5000);  // dorm's default timeout
    }
    TxSqlite(const TxSqlite&) = delete;
    TxSqlite& operator=(const TxSqlite&) = delete;
    ~TxSqlite() {
        for (auto* s : {begin_, begin_imm_, commit_, rollback_, sel_, upd_, ins_}) sqlite3_finalize(s);
        sqlite3_close(db_);
    }
    void prepare_all(TxStrategy how) {
        const bool v = how == TxStrategy::version;
        begin_ = prepare("BEGIN");
        begin_imm_ = prepare("BEGIN IMMEDIATE");
        commit_ = prepare("COMMIT");
        rollback_ = prepare("ROLLBACK");
        sel_ = prepare(v ? "SELECT id, owner, balance, version FROM tx_vaccount WHERE id IN (?, ?) ORDER BY id"
                         : "SELECT id, owner, balance FROM tx_account WHERE id IN (?, ?) ORDER BY id");
        upd_ = prepare(v ? "UPDATE tx_vaccount SET balance = ?, version = ? WHERE id = ? AND version = ?"
                         : "UPDATE tx_account SET balance = ? WHERE id = ?");
        ins_ = prepare("INSERT INTO tx_transfer (from_id, to_id, amount, attempt) VALUES (?, ?, ?, ?)");
    }
    void exec(const std::string& sql) {
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql.c_str());
    }

    /// One attempt; throws TxRetry (rolled back) on SQLITE_BUSY / LOCKED or a version mismatch.
    /// `immediate` becomes true after a BUSY failure, as in dorm.
    BENCH_NOINLINE void attempt(TxStrategy how, const TxMove& m, int attempt_no, bool& immediate) {
        struct Row {
            std::int64_t id, balance, version;
            std::string owner;
        } rows[2];
        try {
            step_done(how == TxStrategy::for_update || immediate ? begin_imm_ : begin_);
            sqlite3_bind_int64(sel_, 1, m.a);
            sqlite3_bind_int64(sel_, 2, m.b);
            int n = 0, rc;
            while ((rc = sqlite3_step(sel_)) == SQLITE_ROW) {
                if (n == 2) break;
                Row& r = rows[n++];
                r.id = sqlite3_column_int64(sel_, 0);
                r.owner.assign(reinterpret_cast<const char*>(sqlite3_column_text(sel_, 1)),
                               static_cast<std::size_t>(sqlite3_column_bytes(sel_, 1)));
                r.balance = sqlite3_column_int64(sel_, 2);
                r.version = how == TxStrategy::version ? sqlite3_column_int64(sel_, 3) : 0;
            }
            sqlite3_reset(sel_);
            if (rc != SQLITE_DONE && rc != SQLITE_ROW) error(rc, "select");
            if (n != 2) throw std::runtime_error("raw sqlite3: an account is missing");
            Row& from = rows[0].id == m.a ? rows[0] : rows[1];
            Row& to = rows[0].id == m.a ? rows[1] : rows[0];
            from.balance -= m.x;
            to.balance += m.x;
            for (const Row& r : rows) {  // key order
                if (how == TxStrategy::version) {
                    sqlite3_bind_int64(upd_, 1, r.balance);
                    sqlite3_bind_int64(upd_, 2, r.version + 1);
                    sqlite3_bind_int64(upd_, 3, r.id);
                    sqlite3_bind_int64(upd_, 4, r.version);
                } else {
                    sqlite3_bind_int64(upd_, 1, r.balance);
                    sqlite3_bind_int64(upd_, 2, r.id);
                }
                step_done(upd_);
                if (how == TxStrategy::version && sqlite3_changes(db_) != 1) {
                    rollback();
                    throw TxRetry{};  // stale: another transaction changed the row
                }
            }
            sqlite3_bind_int64(ins_, 1, m.a);
            sqlite3_bind_int64(ins_, 2, m.b);
            sqlite3_bind_int64(ins_, 3, m.x);
            sqlite3_bind_int(ins_, 4, attempt_no);
            step_done(ins_);
            volatile std::int64_t id = sqlite3_last_insert_rowid(db_);  // dorm reads the id back
            (void)id;
            step_done(commit_);
        } catch (const Busy&) {
            rollback();
            immediate = true;
            throw TxRetry{};
        } catch (...) {
            rollback();
            throw;
        }
    }

    std::vector<std::pair<std::int64_t, std::int64_t>> balances(TxStrategy how) {
        std::vector<std::pair<std::int64_t, std::int64_t>> out;
        sqlite3_stmt* s = prepare(how == TxStrategy::version ? "SELECT id, balance FROM tx_vaccount ORDER BY id"
                                                             : "SELECT id, balance FROM tx_account ORDER BY id");
        while (sqlite3_step(s) == SQLITE_ROW) out.emplace_back(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));
        sqlite3_finalize(s);
        return out;
    }
    std::vector<TxMove> journal() {
        std::vector<TxMove> out;
        sqlite3_stmt* s = prepare("SELECT from_id, to_id, amount FROM tx_transfer");
        while (sqlite3_step(s) == SQLITE_ROW)
            out.push_back({sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2)});
        sqlite3_finalize(s);
        return out;
    }

private:
    struct Busy {};
    void step_done(sqlite3_stmt* s) {
        const int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) error(rc, sqlite3_sql(s));
    }
    void error(int rc, const char* what) {
        const int primary = rc & 0xff;
        if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw Busy{};
        fail(what);
    }
    void rollback() {
        if (!sqlite3_get_autocommit(db_)) {
            sqlite3_step(rollback_);
            sqlite3_reset(rollback_);
        }
    }
    sqlite3_stmt* prepare(const char* sql) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) fail(sql);
        return s;
    }
    [[noreturn]] void fail(const char* what) {
        throw std::runtime_error(std::string("raw sqlite3: ") + what + ": " + sqlite3_errmsg(db_));
    }
    sqlite3* db_ = nullptr;
    sqlite3_stmt *begin_ = nullptr, *begin_imm_ = nullptr, *commit_ = nullptr, *rollback_ = nullptr, *sel_ = nullptr,
                 *upd_ = nullptr, *ins_ = nullptr;
};

inline TxResult tx_raw_sqlite(const Target& t, TxStrategy how, const TxParams& p) {
    static std::atomic<int> counter{0};
    const bool uri = t.memory;  // memory: a shared memdb database (dorm's sqlite:// storage), kept by a keeper
    const std::string file = t.memory ? "file:/dorm-bench-tx-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(++counter) + "?vfs=memdb"
                                      : t.path;
    TxSqlite keeper(file, uri);
    if (!t.memory) keeper.exec("PRAGMA journal_mode=WAL");
    for (const auto& s : tx_ddl(dorm::dialect::sqlite)) keeper.exec(s);
    keeper.exec("BEGIN");
    for (int i = 1; i <= kTxAccounts; ++i)
        keeper.exec(std::string("INSERT INTO ") + (how == TxStrategy::version ? "tx_vaccount (id, owner, balance, version)" : "tx_account (id, owner, balance)") +
                    " VALUES (" + std::to_string(i) + ", 'owner " + std::to_string(i) + "', " + std::to_string(kTxOpening) +
                    (how == TxStrategy::version ? ", 1)" : ")"));
    keeper.exec("COMMIT");
    std::vector<std::unique_ptr<TxSqlite>> conns;  // opened and prepared before the clock starts
    for (int i = 0; i < p.threads; ++i) {
        conns.push_back(std::make_unique<TxSqlite>(file, uri));
        if (!t.memory) conns.back()->exec("PRAGMA synchronous=NORMAL");
        conns.back()->prepare_all(how);
    }
    auto r = tx_run_threads(p, [&](int th, const std::vector<TxMove>& plan, TxResult& out) {
        TxSqlite& c = *conns[static_cast<std::size_t>(th)];
        TxBackoff backoff(7000u + static_cast<unsigned>(th));
        for (const auto& m : plan) {
            bool immediate = false;
            tx_attempts(out, backoff, [&](int attempt) { c.attempt(how, m, attempt, immediate); });
        }
    });
    conns.clear();
    tx_check_books(r, keeper.balances(how), keeper.journal(), p.threads * p.per_thread);
    return r;
}

// -- raw libpq ------------------------------------------------------------------------------------
#ifdef DORM_BENCH_HAVE_LIBPQ

/// One thread's connection, its statements prepared once. The writes of a transfer (two UPDATEs
/// and the INSERT ... RETURNING id) go in one pipeline (one round trip); BEGIN, the SELECT and
/// COMMIT are a round trip each.
class TxPg {
public:
    explicit TxPg(const std::string& url) {
        conn_ = PQconnectdb(url.c_str());
        if (PQstatus(conn_) != CONNECTION_OK) fail("connect");
        PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    }
    TxPg(const TxPg&) = delete;
    TxPg& operator=(const TxPg&) = delete;
    ~TxPg() { PQfinish(conn_); }

    void prepare_all(TxStrategy how) {
        const bool v = how == TxStrategy::version;
        std::string sel = v ? "SELECT id, owner, balance, version FROM tx_vaccount WHERE id IN ($1, $2) ORDER BY id"
                            : "SELECT id, owner, balance FROM tx_account WHERE id IN ($1, $2) ORDER BY id";
        if (how == TxStrategy::for_update) sel += " FOR UPDATE";
        prepare("sel", sel.c_str(), 2);
        prepare("upd", v ? "UPDATE tx_vaccount SET balance = $1, version = $2 WHERE id = $3 AND version = $4"
                         : "UPDATE tx_account SET balance = $1 WHERE id = $2",
                v ? 4 : 2);
        prepare("ins", "INSERT INTO tx_transfer (from_id, to_id, amount, attempt) VALUES ($1, $2, $3, $4) RETURNING id", 4);
    }
    void exec(const std::string& sql) {
        PGresult* r = PQexec(conn_, sql.c_str());
        const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
        std::string msg = ok ? "" : PQresultErrorMessage(r);
        PQclear(r);
        if (!ok) throw std::runtime_error("raw libpq: " + sql + ": " + msg);
    }

    /// One attempt; throws TxRetry (rolled back) on a serialization failure, a deadlock, a lock
    /// not available, or a version mismatch.
    BENCH_NOINLINE void attempt(TxStrategy how, const TxMove& m, int attempt_no) {
        struct Row {
            std::int64_t id, balance, version;
            std::string owner;
        } rows[2];
        try {
            command(PQexec(conn_, how == TxStrategy::serializable ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN"), "begin");
            {
                Num a(m.a), b(m.b);
                const char* values[2] = {a.s, b.s};
                PGresult* r = PQexecPrepared(conn_, "sel", 2, values, nullptr, nullptr, 0);
                if (PQresultStatus(r) != PGRES_TUPLES_OK) error(r, "select");
                if (PQntuples(r) != 2) {
                    PQclear(r);
                    throw std::runtime_error("raw libpq: an account is missing");
                }
                for (int i = 0; i < 2; ++i) {
                    Row& x = rows[i];
                    x.id = parse(r, i, 0);
                    x.owner.assign(PQgetvalue(r, i, 1), static_cast<std::size_t>(PQgetlength(r, i, 1)));
                    x.balance = parse(r, i, 2);
                    x.version = how == TxStrategy::version ? parse(r, i, 3) : 0;
                }
                PQclear(r);
            }
            Row& from = rows[0].id == m.a ? rows[0] : rows[1];
            Row& to = rows[0].id == m.a ? rows[1] : rows[0];
            from.balance -= m.x;
            to.balance += m.x;
            // the writes, pipelined: UPDATE (key order) x2, INSERT ... RETURNING id
            if (PQenterPipelineMode(conn_) != 1) fail("enter pipeline mode");
            for (const Row& x : rows) {
                Num bal(x.balance), id(x.id), v1(x.version + 1), v0(x.version);
                const char* vv[4] = {bal.s, v1.s, id.s, v0.s};
                const char* vu[2] = {bal.s, id.s};
                const bool v = how == TxStrategy::version;
                if (PQsendQueryPrepared(conn_, "upd", v ? 4 : 2, v ? vv : vu, nullptr, nullptr, 0) != 1) fail("send update");
            }
            {
                Num a(m.a), b(m.b), x(m.x), n(attempt_no);
                const char* values[4] = {a.s, b.s, x.s, n.s};
                if (PQsendQueryPrepared(conn_, "ins", 4, values, nullptr, nullptr, 0) != 1) fail("send insert");
            }
            if (PQpipelineSync(conn_) != 1) fail("pipeline sync");
            std::string err, state;
            bool stale = false;
            for (int i = 0; i < 3; ++i) {
                PGresult* r = PQgetResult(conn_);
                const auto st = PQresultStatus(r);
                if (i < 2 && st == PGRES_COMMAND_OK) {
                    if (how == TxStrategy::version && std::string_view(PQcmdTuples(r)) != "1") stale = true;
                } else if (i == 2 && st == PGRES_TUPLES_OK) {
                    volatile std::int64_t id = parse(r, 0, 0);  // the journal row's id, as dorm reads it
                    (void)id;
                } else if (st != PGRES_PIPELINE_ABORTED && err.empty()) {
                    err = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
                    if (const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE)) state = s;
                }
                PQclear(r);
                while (PGresult* end = PQgetResult(conn_)) PQclear(end);  // the NULL ending each query's results
            }
            {
                PGresult* r = PQgetResult(conn_);
                const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
                PQclear(r);
                if (!sync) fail("pipeline sync result");
            }
            if (PQexitPipelineMode(conn_) != 1) fail("exit pipeline mode");
            if (!err.empty()) {
                if (retryable(state)) throw TxRetry{};
                throw std::runtime_error("raw libpq: write: " + err);
            }
            if (stale) throw TxRetry{};
            command(PQexec(conn_, "COMMIT"), "commit");
        } catch (...) {
            if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
            throw;
        }
    }

    std::vector<std::pair<std::int64_t, std::int64_t>> balances(TxStrategy how) {
        std::vector<std::pair<std::int64_t, std::int64_t>> out;
        PGresult* r = PQexec(conn_, how == TxStrategy::version ? "SELECT id, balance FROM tx_vaccount ORDER BY id"
                                                               : "SELECT id, balance FROM tx_account ORDER BY id");
        for (int i = 0; i < PQntuples(r); ++i) out.emplace_back(parse(r, i, 0), parse(r, i, 1));
        PQclear(r);
        return out;
    }
    std::vector<TxMove> journal() {
        std::vector<TxMove> out;
        PGresult* r = PQexec(conn_, "SELECT from_id, to_id, amount FROM tx_transfer");
        for (int i = 0; i < PQntuples(r); ++i) out.push_back({parse(r, i, 0), parse(r, i, 1), parse(r, i, 2)});
        PQclear(r);
        return out;
    }

private:
    struct Num {
        char s[24];
        explicit Num(std::int64_t v) { *std::to_chars(s, s + sizeof s - 1, v).ptr = '\0'; }
    };
    static std::int64_t parse(PGresult* r, int i, int j) {
        std::int64_t v = 0;
        const char* p = PQgetvalue(r, i, j);
        std::from_chars(p, p + PQgetlength(r, i, j), v);
        return v;
    }
    static bool retryable(const std::string& state) { return state == "40001" || state == "40P01" || state == "55P03"; }
    /// A command's result: TxRetry for a retryable SQLSTATE, runtime_error for another error.
    void command(PGresult* r, const char* what) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) error(r, what);
        PQclear(r);
    }
    [[noreturn]] void error(PGresult* r, const char* what) {
        const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        const std::string state = s ? s : "";
        std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
        PQclear(r);
        if (retryable(state)) throw TxRetry{};
        throw std::runtime_error(std::string("raw libpq: ") + what + ": " + msg);
    }
    void prepare(const char* name, const char* sql, int n) {
        PGresult* r = PQprepare(conn_, name, sql, n, nullptr);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) error(r, sql);
        PQclear(r);
    }
    [[noreturn]] void fail(const char* what) {
        throw std::runtime_error(std::string("raw libpq: ") + what + ": " + PQerrorMessage(conn_));
    }
    PGconn* conn_ = nullptr;
};

inline TxResult tx_raw_pg(const Target& t, TxStrategy how, const TxParams& p) {
    TxPg admin(t.url);
    admin.exec("DROP TABLE IF EXISTS tx_transfer, tx_vaccount, tx_account");
    for (const auto& s : tx_ddl(dorm::dialect::postgresql)) admin.exec(s);
    admin.exec(tx_seed_sql(how));
    std::vector<std::unique_ptr<TxPg>> conns;  // connected and prepared before the clock starts
    for (int i = 0; i < p.threads; ++i) {
        conns.push_back(std::make_unique<TxPg>(t.url));
        conns.back()->prepare_all(how);
    }
    auto r = tx_run_threads(p, [&](int th, const std::vector<TxMove>& plan, TxResult& out) {
        TxPg& c = *conns[static_cast<std::size_t>(th)];
        TxBackoff backoff(7000u + static_cast<unsigned>(th));
        for (const auto& m : plan) tx_attempts(out, backoff, [&](int attempt) { c.attempt(how, m, attempt); });
    });
    conns.clear();
    tx_check_books(r, admin.balances(how), admin.journal(), p.threads * p.per_thread);
    admin.exec("DROP TABLE IF EXISTS tx_transfer, tx_vaccount, tx_account");
    return r;
}

#endif  // DORM_BENCH_HAVE_LIBPQ

// -- raw libmariadb -------------------------------------------------------------------------------
#ifdef DORM_BENCH_HAVE_LIBMARIADB

/// One thread's connection (CLIENT_FOUND_ROWS, as dorm's driver: an UPDATE reports the rows it
/// matched), its statements prepared once (binary protocol); serializable: the session's level is
/// set once when connecting (dorm's MariaDB dialect sets the session level too), then BEGIN.
class TxMy {
public:
    TxMy(const std::string& url_text, TxStrategy how) : how_(how) {
        const auto u = dorm::url::parse(url_text);
        m_ = mysql_init(nullptr);
        if (!m_) throw std::runtime_error("raw libmariadb: mysql_init");
        const my_bool off = 0;
        mysql_optionsv(m_, MYSQL_OPT_RECONNECT, &off);
        mysql_optionsv(m_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
        std::string host = u.host.value_or("127.0.0.1");
        if (host == "localhost") host = "127.0.0.1";
        if (!mysql_real_connect(m_, host.c_str(), u.username ? u.username->c_str() : nullptr,
                                u.password ? u.password->c_str() : nullptr, u.database ? u.database->c_str() : nullptr,
                                u.port ? static_cast<unsigned>(*u.port) : 0, nullptr, CLIENT_FOUND_ROWS))
            fail("connect");
        if (how == TxStrategy::serializable) exec("SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE");
    }
    TxMy(const TxMy&) = delete;
    TxMy& operator=(const TxMy&) = delete;
    ~TxMy() {
        for (auto* s : {sel_, upd_, ins_})
            if (s) mysql_stmt_close(s);
        mysql_close(m_);
    }
    void prepare_all() {
        const bool v = how_ == TxStrategy::version;
        std::string sel = v ? "SELECT id, owner, balance, version FROM tx_vaccount WHERE id IN (?, ?) ORDER BY id"
                            : "SELECT id, owner, balance FROM tx_account WHERE id IN (?, ?) ORDER BY id";
        if (how_ == TxStrategy::for_update) sel += " FOR UPDATE";
        sel_ = prepare(sel);
        upd_ = prepare(v ? "UPDATE tx_vaccount SET balance = ?, version = ? WHERE id = ? AND version = ?"
                         : "UPDATE tx_account SET balance = ? WHERE id = ?");
        ins_ = prepare("INSERT INTO tx_transfer (from_id, to_id, amount, attempt) VALUES (?, ?, ?, ?)");
    }
    void exec(const std::string& sql) {
        if (mysql_real_query(m_, sql.c_str(), static_cast<unsigned long>(sql.size())) != 0) fail(sql.c_str());
        if (MYSQL_RES* r = mysql_store_result(m_)) mysql_free_result(r);
    }

    /// One attempt; throws TxRetry (rolled back) on a deadlock, a lock wait timeout or a version mismatch.
    BENCH_NOINLINE void attempt(const TxMove& m, int attempt_no) {
        struct Row {
            std::int64_t id = 0, balance = 0, version = 0;
            std::string owner;
        } rows[2];
        try {
            query("BEGIN");
            {
                std::int64_t in[2] = {m.a, m.b};
                execute(sel_, in, 2);
                std::int64_t id = 0, balance = 0, version = 0;
                char owner[64];
                unsigned long owner_len = 0;
                MYSQL_BIND out[4]{};
                out[0].buffer_type = MYSQL_TYPE_LONGLONG;
                out[0].buffer = &id;
                out[1].buffer_type = MYSQL_TYPE_STRING;
                out[1].buffer = owner;
                out[1].buffer_length = sizeof owner;
                out[1].length = &owner_len;
                out[2].buffer_type = MYSQL_TYPE_LONGLONG;
                out[2].buffer = &balance;
                out[3].buffer_type = MYSQL_TYPE_LONGLONG;
                out[3].buffer = &version;
                if (mysql_stmt_bind_result(sel_, out)) stmt_error(sel_, "bind result");
                int n = 0, rc;
                while ((rc = mysql_stmt_fetch(sel_)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
                    if (n < 2) rows[n] = Row{id, balance, version, std::string(owner, std::min<unsigned long>(owner_len, sizeof owner))};
                    ++n;
                }
                if (rc == 1) stmt_error(sel_, "fetch");
                mysql_stmt_free_result(sel_);
                if (n != 2) throw std::runtime_error("raw libmariadb: an account is missing");
            }
            Row& from = rows[0].id == m.a ? rows[0] : rows[1];
            Row& to = rows[0].id == m.a ? rows[1] : rows[0];
            from.balance -= m.x;
            to.balance += m.x;
            for (const Row& r : rows) {  // key order
                if (how_ == TxStrategy::version) {
                    std::int64_t in[4] = {r.balance, r.version + 1, r.id, r.version};
                    execute(upd_, in, 4);
                    if (mysql_stmt_affected_rows(upd_) != 1) throw TxRetry{};  // stale
                } else {
                    std::int64_t in[2] = {r.balance, r.id};
                    execute(upd_, in, 2);
                }
            }
            std::int64_t in[4] = {m.a, m.b, m.x, attempt_no};
            execute(ins_, in, 4);
            volatile std::int64_t id = static_cast<std::int64_t>(mysql_stmt_insert_id(ins_));  // dorm reads it back
            (void)id;
            query("COMMIT");
        } catch (...) {
            mysql_real_query(m_, "ROLLBACK", 8);
            throw;
        }
    }

    std::vector<std::pair<std::int64_t, std::int64_t>> balances(TxStrategy how) {
        std::vector<std::pair<std::int64_t, std::int64_t>> out;
        for (auto& row : rows_of(how == TxStrategy::version ? "SELECT id, balance FROM tx_vaccount ORDER BY id"
                                                             : "SELECT id, balance FROM tx_account ORDER BY id"))
            out.emplace_back(row[0], row[1]);
        return out;
    }
    std::vector<TxMove> journal() {
        std::vector<TxMove> out;
        for (auto& row : rows_of("SELECT from_id, to_id, amount FROM tx_transfer")) out.push_back({row[0], row[1], row[2]});
        return out;
    }

private:
    static bool retryable(unsigned code) { return code == 1213 || code == 1205 || code == 1020 || code == 3572; }
    void query(const char* sql) {
        if (mysql_real_query(m_, sql, static_cast<unsigned long>(std::strlen(sql))) != 0) {
            if (retryable(mysql_errno(m_))) throw TxRetry{};
            fail(sql);
        }
    }
    void execute(MYSQL_STMT* s, std::int64_t* values, int n) {
        MYSQL_BIND in[4]{};
        for (int i = 0; i < n; ++i) {
            in[i].buffer_type = MYSQL_TYPE_LONGLONG;
            in[i].buffer = &values[i];
        }
        if (mysql_stmt_bind_param(s, in)) stmt_error(s, "bind");
        if (mysql_stmt_execute(s)) stmt_error(s, "execute");
    }
    [[noreturn]] void stmt_error(MYSQL_STMT* s, const char* what) {
        // an error among the rows (a deadlock while fetching) may be the connection's, not the statement's
        const bool own = mysql_stmt_errno(s) != 0;
        const unsigned code = own ? mysql_stmt_errno(s) : mysql_errno(m_);
        std::string msg = own ? mysql_stmt_error(s) : mysql_error(m_);
        mysql_stmt_reset(s);  // a statement whose rows failed to arrive must be reset (see dorm's driver)
        if (retryable(code)) throw TxRetry{};
        throw std::runtime_error(std::string("raw libmariadb: ") + what + ": " + msg);
    }
    MYSQL_STMT* prepare(const std::string& sql) {
        MYSQL_STMT* s = mysql_stmt_init(m_);
        if (!s || mysql_stmt_prepare(s, sql.c_str(), static_cast<unsigned long>(sql.size())))
            throw std::runtime_error("raw libmariadb: prepare " + sql + ": " + (s ? mysql_stmt_error(s) : mysql_error(m_)));
        return s;
    }
    std::vector<std::vector<std::int64_t>> rows_of(const char* sql) {
        if (mysql_real_query(m_, sql, static_cast<unsigned long>(std::strlen(sql))) != 0) fail(sql);
        std::vector<std::vector<std::int64_t>> out;
        MYSQL_RES* r = mysql_store_result(m_);
        if (!r) fail(sql);
        const unsigned cols = mysql_num_fields(r);
        while (MYSQL_ROW row = mysql_fetch_row(r)) {
            std::vector<std::int64_t> v;
            for (unsigned i = 0; i < cols; ++i) v.push_back(row[i] ? std::stoll(row[i]) : 0);
            out.push_back(std::move(v));
        }
        mysql_free_result(r);
        return out;
    }
    [[noreturn]] void fail(const char* what) {
        throw std::runtime_error(std::string("raw libmariadb: ") + what + ": " + mysql_error(m_));
    }
    MYSQL* m_ = nullptr;
    TxStrategy how_;
    MYSQL_STMT *sel_ = nullptr, *upd_ = nullptr, *ins_ = nullptr;
};

inline TxResult tx_raw_mysql(const Target& t, TxStrategy how, const TxParams& p) {
    TxMy admin(t.url, TxStrategy::for_update);
    admin.exec("DROP TABLE IF EXISTS tx_transfer, tx_vaccount, tx_account");
    for (const auto& s : tx_ddl(dorm::dialect::mysql)) admin.exec(s);
    admin.exec(tx_seed_sql(how));
    std::vector<std::unique_ptr<TxMy>> conns;  // connected and prepared before the clock starts
    for (int i = 0; i < p.threads; ++i) {
        conns.push_back(std::make_unique<TxMy>(t.url, how));
        conns.back()->prepare_all();
    }
    auto r = tx_run_threads(p, [&](int th, const std::vector<TxMove>& plan, TxResult& out) {
        TxMy& c = *conns[static_cast<std::size_t>(th)];
        TxBackoff backoff(7000u + static_cast<unsigned>(th));
        for (const auto& m : plan) tx_attempts(out, backoff, [&](int attempt) { c.attempt(m, attempt); });
    });
    conns.clear();
    tx_check_books(r, admin.balances(how), admin.journal(), p.threads * p.per_thread);
    admin.exec("DROP TABLE IF EXISTS tx_transfer, tx_vaccount, tx_account");
    return r;
}

#endif  // DORM_BENCH_HAVE_LIBMARIADB

}  // namespace bench
