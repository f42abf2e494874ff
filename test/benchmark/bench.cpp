// dorm_bench: the SQLite workloads W1..W5 (../shared/bench/WORKLOADS.md) measured for dorm and
// for the raw sqlite3 C API floor in one process, interleaved, on a file database (WAL,
// synchronous=NORMAL) and on an in-memory one; and with --db postgresql the same workloads on a
// PostgreSQL server (DORM_TEST_URL) against hand-written libpq (raw_libpq.hpp).
// See test/benchmark/README.md.
//
// Implementations (columns of the report):
//   raw        sqlite3 C API, every statement prepared once, text bound SQLITE_STATIC (the floor)
//   dorm_orm   dorm::session: add() + commit(), execute(select<User>()).all(), get<User>(id), ...
//   dorm_core  no identity map: dorm::execute(connection&, select...) returning plain User values;
//              W1 through a prepared statement leased from the connection; W4 n/a
//   raw (postgresql)  libpq, statements prepared once, INSERT/UPDATE batches in pipeline mode
//   raw_memdb  (memory only, diagnostic) the raw floor on the storage dorm's `sqlite://` uses
//              (a `file:/name?vfs=memdb` database plus a keeper connection), to tell storage
//              cost from ORM cost
//
// Protocol (as the reference harness ../shared/bench/raw/bench_common.hpp):
//   W1  insert N users (`user<i>`, age i % 90) in one transaction, ids read back (input objects
//       are built before the timer starts)
//   W2  select all rows into objects (destroying the result is not timed)
//   W3  `lookups` primary-key lookups, ids from splitmix64(20240601) as 1 + x % N
//   W5  `age = 42 AND name LIKE 'user1%'`, w5_reps times (runs before W4: original ages)
//   W4  load all, age += 1 on every object, write back in one transaction
// Checksums are those of the reference harness; they are also computed from the data definition
// (no database), so every implementation is checked even when it runs alone (--callgrind).
#include <algorithm>
#include <new>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <dorm/dorm.hpp>

// Every C++ allocation of the process is counted (issue 19, item 3: allocations per object):
// operator new is replaced for the whole program, libdorm included (sqlite3's own mallocs are not
// C++ allocations and are not counted, for any implementation).
// (Per thread: the workloads W1-W5 run on the main thread.)
namespace bench {
thread_local std::int64_t cxx_allocations = 0;
}  // namespace bench

// (noinline: g++ 12 reports free() inlined into a deallocation as -Wmismatched-new-delete)
[[gnu::noinline]] void* operator new(std::size_t n) {
    ++bench::cxx_allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_HAVE_CALLGRIND 1
#endif
#endif
#ifndef BENCH_HAVE_CALLGRIND
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(x) ((void)(x))
#define RUNNING_ON_VALGRIND 0
#endif

// Workload entry points stay out of line, so profiles (perf, callgrind) can attribute samples to them.
#define BENCH_NOINLINE [[gnu::noinline]]

#ifndef DORM_BENCH_SOURCE_ROOT
#define DORM_BENCH_SOURCE_ROOT ""
#endif

namespace bench {

// The one entity type of the workloads, mapped by dorm (every implementation uses it).
struct User {
    std::int64_t id = 0;
    std::string name;
    int age = 0;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, age))
DORM_TABLE(User, "user_table", (name, dorm::varchar(30)))

using dorm::col;

// -- data and checksums ------------------------------------------------------------------------

struct SplitMix64 {
    std::uint64_t s;
    explicit SplitMix64(std::uint64_t seed) : s(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
};
constexpr std::uint64_t kSeed = 20240601ULL;
constexpr int kFilterAge = 42;
constexpr const char* kFilterLike = "user1%";

std::vector<std::int64_t> lookup_ids(std::int64_t n, int count) {
    SplitMix64 rng(kSeed);
    std::vector<std::int64_t> ids(static_cast<std::size_t>(count));
    for (auto& id : ids) id = 1 + static_cast<std::int64_t>(rng.next() % static_cast<std::uint64_t>(n));
    return ids;
}

std::string user_name(std::int64_t i) { return "user" + std::to_string(i); }
int user_age(std::int64_t i) { return static_cast<int>(i % 90); }

std::vector<User> make_users(std::int64_t n) {
    std::vector<User> users(static_cast<std::size_t>(n));
    for (std::int64_t i = 1; i <= n; ++i) {
        auto& u = users[static_cast<std::size_t>(i - 1)];
        u.name = user_name(i);
        u.age = user_age(i);
    }
    return users;
}

struct Params {
    std::int64_t n = 100000;
    int lookups = 10000;
    int w5_reps = 100;
};

const char* const kWorkloads[] = {"W1", "W2", "W3", "W3sel", "W3bp", "W4", "W5"};
/// The raw workload a measurement is compared with (W3sel is W3 written as a select).
/// W3bp is W3 through one statement built once with a dorm::bindparam.
std::string base_workload(const std::string& w) { return w == "W3sel" || w == "W3bp" ? "W3" : w; }

/// The checksums every implementation must produce, from the data definition alone (row i has
/// id i, name user<i>, age i % 90 in a fresh table).
std::map<std::string, std::int64_t> expected_checks(const Params& p) {
    std::map<std::string, std::int64_t> c;
    std::int64_t c1 = 0, c2 = 0, c4 = 0, rows = 0, idsum = 0;
    for (std::int64_t i = 1; i <= p.n; ++i) {
        const auto name = user_name(i);
        c1 += i;
        c2 += i + user_age(i) + static_cast<std::int64_t>(name.size());
        c4 += user_age(i) + 1;
        if (user_age(i) == kFilterAge && name.compare(0, 5, "user1") == 0) {
            ++rows;
            idsum += i;
        }
    }
    std::int64_t c3 = 0;
    for (auto id : lookup_ids(p.n, p.lookups)) c3 += user_age(id) + static_cast<std::int64_t>(user_name(id).size());
    c["W1"] = c1;
    c["W2"] = c2;
    c["W3"] = c3;
    c["W3sel"] = c3;
    c["W3bp"] = c3;
    c["W4"] = c4;
    c["W5"] = p.w5_reps * (rows * 1000000007LL + idsum);
    return c;
}

const User& deref(const User& u) { return u; }
const User& deref(const std::shared_ptr<User>& u) {
    if (!u) throw std::runtime_error("a lookup returned no object");
    return *u;
}

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }
double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

long minor_faults() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/// Wall time and CPU time of a timed region (CPU time leaves out waiting for a CPU on a busy
/// machine, and waiting for I/O), and the page faults it took (fresh heap memory touched).
struct Stopwatch {
    std::int64_t allocations0 = cxx_allocations;
    long faults0 = minor_faults();
    Clock::time_point wall0 = Clock::now();
    double cpu0 = cpu_ms();
    double wall() const { return ms_since(wall0); }
    double cpu() const { return cpu_ms() - cpu0; }
    long faults() const { return minor_faults() - faults0; }
    /// C++ allocations (operator new) since the start.
    std::int64_t allocations() const { return cxx_allocations - allocations0; }
};

/// Where one run's database lives.
struct Target {
    bool memory = true;
    std::string path;  // file databases
    std::string url;   // a server (postgresql, mysql): then `memory` and `path` do not apply
    std::string db() const {
        if (!url.empty()) return url.rfind("mysql", 0) == 0 || url.rfind("mariadb", 0) == 0 ? "mysql" : "postgresql";
        return memory ? "memory" : "file";
    }
};

void remove_db_files(const std::string& path) {
    if (path.empty()) return;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
}

constexpr const char* kPragmas[] = {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"};

/// Executions a pipelining driver sends per round trip in dorm_core's W1 (as dorm's flush does).
constexpr std::size_t kPipelineBatch = 256;

// -- raw: the sqlite3 C API floor ----------------------------------------------------------------

class RawImpl {
public:
    static constexpr const char* name = "raw";
    RawImpl() = default;
    RawImpl(const RawImpl&) = delete;
    RawImpl& operator=(const RawImpl&) = delete;
    ~RawImpl() {
        for (sqlite3_stmt* s : {ins_, all_, get_, upd_, filt_}) sqlite3_finalize(s);
        sqlite3_close(db_);
        sqlite3_close(keeper_);
    }

    /// `memdb_name`: open a shared memdb database (and a keeper connection) instead of :memory:.
    void open(const Target& t, const std::string& memdb_name = {}) {
        std::string file = t.memory ? ":memory:" : t.path;
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        if (!memdb_name.empty()) {
            file = "file:/" + memdb_name + "?vfs=memdb";
            flags |= SQLITE_OPEN_URI;
            if (sqlite3_open_v2(file.c_str(), &keeper_, flags, nullptr) != SQLITE_OK) fail("open keeper");
        }
        if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) fail("open");
        for (const char* p : kPragmas) exec(p);
        exec("CREATE TABLE user_table(id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL, age INTEGER NOT NULL)");
        ins_ = prepare("INSERT INTO user_table(name, age) VALUES(?, ?)");
        all_ = prepare("SELECT id, name, age FROM user_table");
        get_ = prepare("SELECT id, name, age FROM user_table WHERE id = ?");
        upd_ = prepare("UPDATE user_table SET age = ? WHERE id = ?");
        filt_ = prepare("SELECT id, name, age FROM user_table WHERE age = ? AND name LIKE ?");
    }
    std::string journal_mode() {
        sqlite3_stmt* s = prepare("PRAGMA journal_mode");
        std::string m = sqlite3_step(s) == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(s, 0)) : "?";
        sqlite3_finalize(s);
        return m;
    }

    BENCH_NOINLINE void w1(std::vector<User>& users) {
        exec("BEGIN");
        for (auto& u : users) {
            sqlite3_bind_text(ins_, 1, u.name.data(), static_cast<int>(u.name.size()), SQLITE_STATIC);
            sqlite3_bind_int(ins_, 2, u.age);
            if (sqlite3_step(ins_) != SQLITE_DONE) fail("insert");
            u.id = sqlite3_last_insert_rowid(db_);
            sqlite3_reset(ins_);
        }
        exec("COMMIT");
    }
    BENCH_NOINLINE std::vector<User> w2() {
        std::vector<User> out;
        read_rows(all_, out);
        return out;
    }
    BENCH_NOINLINE User w3(std::int64_t id) {
        sqlite3_bind_int64(get_, 1, id);
        if (sqlite3_step(get_) != SQLITE_ROW) fail("get: not found");
        User u = row(get_);
        sqlite3_reset(get_);
        return u;
    }
    BENCH_NOINLINE std::vector<User> w5(int age, const std::string& like) {
        sqlite3_bind_int(filt_, 1, age);
        sqlite3_bind_text(filt_, 2, like.data(), static_cast<int>(like.size()), SQLITE_STATIC);
        std::vector<User> out;
        read_rows(filt_, out);
        return out;
    }
    BENCH_NOINLINE std::vector<User> w4() {
        std::vector<User> all = w2();
        for (auto& u : all) u.age += 1;
        exec("BEGIN");
        for (const auto& u : all) {
            sqlite3_bind_int(upd_, 1, u.age);
            sqlite3_bind_int64(upd_, 2, u.id);
            if (sqlite3_step(upd_) != SQLITE_DONE) fail("update");
            sqlite3_reset(upd_);
        }
        exec("COMMIT");
        return all;
    }
    std::vector<User> verify_rows() { return w2(); }

private:
    static User row(sqlite3_stmt* s) {
        return User{sqlite3_column_int64(s, 0),
                    std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)),
                                static_cast<std::size_t>(sqlite3_column_bytes(s, 1))),
                    sqlite3_column_int(s, 2)};
    }
    void read_rows(sqlite3_stmt* s, std::vector<User>& out) {
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(row(s));
        if (rc != SQLITE_DONE) fail("step");
        sqlite3_reset(s);
    }
    sqlite3_stmt* prepare(const char* sql) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) fail(sql);
        return s;
    }
    void exec(const char* sql) {
        if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
    }
    [[noreturn]] void fail(const char* what) {
        throw std::runtime_error(std::string("raw: ") + what + ": " + (db_ ? sqlite3_errmsg(db_) : "no db"));
    }

    sqlite3* db_ = nullptr;
    sqlite3* keeper_ = nullptr;
    sqlite3_stmt *ins_ = nullptr, *all_ = nullptr, *get_ = nullptr, *upd_ = nullptr, *filt_ = nullptr;
};

#ifdef DORM_BENCH_HAVE_LIBPQ
}  // namespace bench
#include "raw_libpq.hpp"
namespace bench {
#endif
#ifdef DORM_BENCH_HAVE_LIBMARIADB
}  // namespace bench
#include <mysql.h>
namespace bench {
#endif

/// The raw floor on a shared memdb database, as dorm's `sqlite://` engines use (diagnostic).
class RawMemdbImpl : public RawImpl {
public:
    static constexpr const char* name = "raw_memdb";
    void open(const Target& t) {
        static int counter = 0;
        RawImpl::open(t, "dorm-bench-memdb-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    }
};

// -- dorm: shared set-up -------------------------------------------------------------------------

/// An engine on the target with one pooled connection (so every session and the pragmas use the
/// same connection), the pragmas applied (SQLite), the schema created with metadata::create_all
/// (on a server, after dropping the previous run's table: ids start at 1 again).
dorm::engine open_engine(const Target& t) {
    const std::string url = !t.url.empty() ? t.url : t.memory ? "sqlite://" : "sqlite:///" + t.path;
    auto engine = dorm::create_engine(url, {.pool_size = 1, .max_overflow = 0});
    if (t.url.empty()) {
        auto conn = engine.connect();
        for (const char* p : kPragmas) conn.raw().execute(p);
    } else {
        dorm::metadata<User>{}.drop_all(engine);
    }
    dorm::metadata<User>{}.create_all(engine);
    return engine;
}

/// Reads the pragmas back through a session (the connection the workloads use).
std::string check_pragmas(const dorm::engine& engine, const Target& t) {
    if (!t.url.empty()) return "server";
    dorm::session s(engine);
    auto mode = s.execute(dorm::text<std::string>("PRAGMA journal_mode")).scalar_one();
    auto sync = s.execute(dorm::text<std::int64_t>("PRAGMA synchronous")).scalar_one();
    if (!t.memory && (mode != "wal" || sync != 1))
        throw std::runtime_error("dorm: the session's connection runs journal_mode=" + mode +
                                 ", synchronous=" + std::to_string(sync) + " (expected wal, 1)");
    return mode + ", synchronous=" + std::to_string(sync);
}

// -- dorm_orm: the session (identity map, unit of work) -------------------------------------------

class OrmImpl {
public:
    static constexpr const char* name = "dorm_orm";
    void open(const Target& t) {
        engine_ = open_engine(t);
        mode_ = check_pragmas(engine_, t);
    }
    const std::string& journal_mode() const { return mode_; }

    /// session.add() for every user, one commit(), ids read back from the session's objects.
    /// The session and its objects are destroyed in w1_end() (untimed, like a result).
    BENCH_NOINLINE void w1(std::vector<User>& users) {
        session_.emplace(engine_);
        added_.reserve(users.size());
        for (const auto& u : users) added_.push_back(session_->add(u));
        session_->commit();
        for (std::size_t i = 0; i < users.size(); ++i) users[i].id = added_[i]->id;
    }
    BENCH_NOINLINE void w1_end() {
        added_ = {};
        session_.reset();
    }

    /// A fresh session; it stays alive (untimed) until w2_end(), like the rows.
    void w2_begin() { session_.emplace(engine_); }
    BENCH_NOINLINE std::vector<std::shared_ptr<User>> w2() { return session_->execute(dorm::select<User>()).all(); }
    BENCH_NOINLINE void w2_end() { session_.reset(); }

    /// W3: session.get<User>(id) in a session that starts empty (ids repeated in the lookup
    /// sequence are answered by the identity map without SQL; the report counts them).
    void w3_begin() { session_.emplace(engine_); }
    BENCH_NOINLINE std::shared_ptr<User> w3(std::int64_t id) { return session_->get<User>(id); }
    BENCH_NOINLINE std::int64_t w3_end() {
        const auto objects = static_cast<std::int64_t>(session_->size());
        session_.reset();
        return objects;
    }

    /// W3sel: the same lookups as execute(select<User>().where(id == ?)).scalar_one(): one
    /// query each (a repeated id re-runs the query; its row resolves to the existing object).
    void w3sel_begin() { session_.emplace(engine_); }
    BENCH_NOINLINE std::shared_ptr<User> w3sel(std::int64_t id) {
        return session_->execute(dorm::select<User>().where(col(&User::id) == id)).scalar_one();
    }
    BENCH_NOINLINE void w3sel_end() { session_.reset(); }

    /// W3bp: the lookups through one statement built once, `where(id == bindparam("id"))`.
    void w3bp_begin() { session_.emplace(engine_); }
    BENCH_NOINLINE std::shared_ptr<User> w3bp(std::int64_t id) {
        return session_->execute(by_id_, {{"id", id}}).scalar_one();
    }
    BENCH_NOINLINE void w3bp_end() { session_.reset(); }

    /// W5: one session for all repetitions (the first one loads the objects, later ones find
    /// them in the identity map).
    void w5_begin() { session_.emplace(engine_); }
    BENCH_NOINLINE std::vector<std::shared_ptr<User>> w5(int age, const std::string& like) {
        return session_->execute(dorm::select<User>().where(col(&User::age) == age && col(&User::name).like(like))).all();
    }
    BENCH_NOINLINE void w5_end() { session_.reset(); }

    /// W4: load all in a fresh session, age += 1 on every object, commit().
    void w4_begin() { session_.emplace(engine_); }
    BENCH_NOINLINE std::vector<std::shared_ptr<User>> w4() {
        auto all = session_->execute(dorm::select<User>()).all();
        for (auto& u : all) u->age += 1;
        session_->commit();
        return all;
    }
    BENCH_NOINLINE void w4_end() { session_.reset(); }

    std::vector<User> verify_rows() {
        auto conn = engine_.connect();
        return dorm::execute(conn, dorm::select<User>()).all();
    }

private:
    dorm::engine engine_;
    std::optional<dorm::session> session_;
    const decltype(dorm::select<User>().where(col(&User::id) == dorm::bindparam<std::int64_t>("id"))) by_id_ =
        dorm::select<User>().where(col(&User::id) == dorm::bindparam<std::int64_t>("id"));
    std::vector<std::shared_ptr<User>> added_;
    std::string mode_;
};

// -- dorm_core: a connection, plain values, no identity map --------------------------------------

class CoreImpl {
public:
    static constexpr const char* name = "dorm_core";
    void open(const Target& t) {
        engine_ = open_engine(t);
        mode_ = check_pragmas(engine_, t);
        conn_ = engine_.connect();
        // dorm writes the INSERT; the statement is prepared once per run and re-bound per row
        insert_sql_ = dorm::compile(dorm::insert<User>().values({User{0, "x", 0}}), conn_.dialect()).sql;
        if (conn_.dialect() == dorm::dialect::postgresql) insert_sql_ += " RETURNING \"id\"";  // no last insert id
    }
    const std::string& journal_mode() const { return mode_; }

    /// dorm::insert<T>().values() cannot read generated ids back, so W1 uses the statement
    /// cache of the connection: conn.prepare(sql) -> statement_lease, bind, step, last_insert_id.
    /// A driver that can queue executions (PostgreSQL) gets them in batches: queue() per row,
    /// next_queued() + the RETURNING row per row after each batch.
    BENCH_NOINLINE void w1(std::vector<User>& users) {
        conn_.begin();
        {
            auto stmt = conn_.prepare(insert_sql_);
            if (stmt->can_queue()) {
                std::size_t done = 0;
                for (std::size_t i = 0; i < users.size(); ++i) {
                    stmt->bind_text(0, users[i].name);
                    stmt->bind_int(1, users[i].age);
                    stmt->queue();
                    if (i + 1 - done == kPipelineBatch || i + 1 == users.size())
                        for (; done <= i; ++done) {
                            stmt->next_queued();
                            if (!stmt->step()) throw std::runtime_error("dorm_core: INSERT ... RETURNING gave no row");
                            users[done].id = stmt->get_int(0);
                            stmt->reset();
                        }
                }
            } else {
                for (auto& u : users) {
                    stmt->bind_text(0, u.name);
                    stmt->bind_int(1, u.age);
                    stmt->step();
                    u.id = stmt->last_insert_id();
                    stmt->reset();
                }
            }
        }
        conn_.commit();
    }
    BENCH_NOINLINE std::vector<User> w2() { return dorm::execute(conn_, dorm::select<User>()).all(); }
    BENCH_NOINLINE User w3(std::int64_t id) {
        return dorm::execute(conn_, dorm::select<User>().where(col(&User::id) == id)).scalar_one();
    }
    void w3bp_begin() {}
    BENCH_NOINLINE User w3bp(std::int64_t id) { return dorm::execute(conn_, by_id_, {{"id", id}}).scalar_one(); }
    void w3bp_end() {}
    BENCH_NOINLINE std::vector<User> w5(int age, const std::string& like) {
        return dorm::execute(conn_, dorm::select<User>().where(col(&User::age) == age && col(&User::name).like(like)))
            .all();
    }
    std::vector<User> verify_rows() { return w2(); }

private:
    dorm::engine engine_;
    dorm::connection conn_;
    const decltype(dorm::select<User>().where(col(&User::id) == dorm::bindparam<std::int64_t>("id"))) by_id_ =
        dorm::select<User>().where(col(&User::id) == dorm::bindparam<std::int64_t>("id"));
    std::string insert_sql_;
    std::string mode_;
};

}  // namespace bench
#include "tx.hpp"
#include "scaling.hpp"
#include "replicas.hpp"
namespace bench {

// -- the harness ---------------------------------------------------------------------------------

struct Run {
    std::string impl, db;
    int rep = 0;
    std::map<std::string, double> ms;   // wall time
    std::map<std::string, double> cpu;  // process CPU time
    std::map<std::string, std::int64_t> check;
    std::map<std::string, std::int64_t> info;
    std::string journal;
};

template <class Rows>
std::int64_t rows_checksum(const Rows& rows) {
    std::int64_t c = 0;
    for (const auto& r : rows) {
        const User& u = deref(r);
        c += u.id + u.age + static_cast<std::int64_t>(u.name.size());
    }
    return c;
}

template <class Impl>
Run run_one(const Params& p, const Target& target, int rep) {
    Run run;
    run.impl = Impl::name;
    run.db = target.db();
    run.rep = rep;
    remove_db_files(target.path);
    {
        Impl impl;
        impl.open(target);
        run.journal = impl.journal_mode();

        // W1
        {
            std::vector<User> users = make_users(p.n);
            CALLGRIND_ZERO_STATS;
            const Stopwatch t0;
            impl.w1(users);
            run.ms["W1"] = t0.wall();
            run.cpu["W1"] = t0.cpu();
            run.info["W1_page_faults"] = t0.faults();
            run.info["W1_allocations"] = t0.allocations();
            CALLGRIND_DUMP_STATS_AT("W1");
            std::int64_t c = 0;
            for (const auto& u : users) c += u.id;
            run.check["W1"] = c;
            if constexpr (requires { impl.w1_end(); }) {
                const auto t1 = Clock::now();
                impl.w1_end();
                run.info["W1_teardown_us"] = static_cast<std::int64_t>(ms_since(t1) * 1000);
            }
        }
        // W2
        {
            if constexpr (requires { impl.w2_begin(); }) impl.w2_begin();
            CALLGRIND_ZERO_STATS;
            const Stopwatch t0;
            auto rows = impl.w2();
            run.ms["W2"] = t0.wall();
            run.cpu["W2"] = t0.cpu();
            run.info["W2_page_faults"] = t0.faults();
            run.info["W2_allocations"] = t0.allocations();
            CALLGRIND_DUMP_STATS_AT("W2");
            run.check["W2"] = rows_checksum(rows);
            if constexpr (requires { impl.w2_end(); }) {
                const auto t1 = Clock::now();
                rows = {};
                impl.w2_end();
                run.info["W2_teardown_us"] = static_cast<std::int64_t>(ms_since(t1) * 1000);
            }
        }
        const auto ids = lookup_ids(p.n, p.lookups);
        // W3
        {
            if constexpr (requires { impl.w3_begin(); }) impl.w3_begin();
            std::int64_t c = 0;
            CALLGRIND_ZERO_STATS;
            const Stopwatch t0;
            for (auto id : ids) {
                auto u = impl.w3(id);
                const User& v = deref(u);
                c += v.age + static_cast<std::int64_t>(v.name.size());
            }
            run.ms["W3"] = t0.wall();
            run.cpu["W3"] = t0.cpu();
            run.info["W3_page_faults"] = t0.faults();
            CALLGRIND_DUMP_STATS_AT("W3");
            run.check["W3"] = c;
            if constexpr (requires { impl.w3_end(); }) run.info["W3_objects_loaded"] = impl.w3_end();
        }
        // W3sel and W3bp: the same lookups, timed the same way, through another call
        auto timed_lookups = [&](const char* name, auto&& lookup) {
            std::int64_t c = 0;
            CALLGRIND_ZERO_STATS;
            const Stopwatch t0;
            for (auto id : ids) {
                auto u = lookup(id);
                const User& v = deref(u);
                c += v.age + static_cast<std::int64_t>(v.name.size());
            }
            run.ms[name] = t0.wall();
            run.cpu[name] = t0.cpu();
            run.info[std::string(name) + "_page_faults"] = t0.faults();
            CALLGRIND_DUMP_STATS_AT(name);
            run.check[name] = c;
        };
        // W3sel (dorm_orm only: the lookups as select statements)
        if constexpr (requires { impl.w3sel(std::int64_t{1}); }) {
            impl.w3sel_begin();
            timed_lookups("W3sel", [&](std::int64_t id) { return impl.w3sel(id); });
            impl.w3sel_end();
        }
        // W3bp (dorm: the lookups through one statement with a bindparam, built once)
        if constexpr (requires { impl.w3bp(std::int64_t{1}); }) {
            impl.w3bp_begin();
            timed_lookups("W3bp", [&](std::int64_t id) { return impl.w3bp(id); });
            impl.w3bp_end();
        }
        // W5 (before W4: it must see the original ages)
        {
            if constexpr (requires { impl.w5_begin(); }) impl.w5_begin();
            std::int64_t rows_total = 0, idsum = 0;
            const std::string like = kFilterLike;
            CALLGRIND_ZERO_STATS;
            const Stopwatch t0;
            for (int r = 0; r < p.w5_reps; ++r) {
                auto rows = impl.w5(kFilterAge, like);
                rows_total += static_cast<std::int64_t>(rows.size());
                for (const auto& u : rows) idsum += deref(u).id;
            }
            run.ms["W5"] = t0.wall();
            run.cpu["W5"] = t0.cpu();
            run.info["W5_page_faults"] = t0.faults();
            CALLGRIND_DUMP_STATS_AT("W5");
            run.check["W5"] = rows_total * 1000000007LL + idsum;
            if constexpr (requires { impl.w5_end(); }) impl.w5_end();
        }
        // W4
        if constexpr (requires { impl.w4(); }) {
            if constexpr (requires { impl.w4_begin(); }) impl.w4_begin();
            CALLGRIND_ZERO_STATS;
            const Stopwatch t0;
            {
                auto rows = impl.w4();
                run.ms["W4"] = t0.wall();
                run.cpu["W4"] = t0.cpu();
                run.info["W4_page_faults"] = t0.faults();
                run.info["W4_allocations"] = t0.allocations();
                CALLGRIND_DUMP_STATS_AT("W4");
            }
            if constexpr (requires { impl.w4_end(); }) impl.w4_end();
            std::int64_t c = 0;
            for (const auto& u : impl.verify_rows()) c += u.age;  // untimed
            run.check["W4"] = c;
        }
    }
    remove_db_files(target.path);
    return run;
}

/// One run of implementation `im` (the floor of a server database is its C client library).
Run run_impl(const std::string& im, const Params& p, const Target& t, int rep) {
    if (im == "raw") {
#ifdef DORM_BENCH_HAVE_LIBPQ
        if (!t.url.empty()) return run_one<PgRawImpl>(p, t, rep);
#endif
        if (!t.url.empty()) throw std::runtime_error("dorm_bench was built without libpq: no PostgreSQL floor");
        return run_one<RawImpl>(p, t, rep);
    }
    if (im == "raw_memdb") return run_one<RawMemdbImpl>(p, t, rep);
    if (im == "dorm_orm") return run_one<OrmImpl>(p, t, rep);
    return run_one<CoreImpl>(p, t, rep);
}

// -- statistics and output -----------------------------------------------------------------------

double median(std::vector<double> v) {
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// Targets (median ratio to raw) from the performance issue; they are set for SQLite only.
std::optional<double> target(const std::string& db, const std::string& impl, const std::string& w) {
    if (db != "memory" && db != "file") return std::nullopt;
    static const std::map<std::string, std::map<std::string, double>> t = {
        {"dorm_orm", {{"W1", 1.20}, {"W2", 1.50}, {"W3", 1.30}, {"W3sel", 1.30}, {"W3bp", 1.30}, {"W4", 1.30}, {"W5", 1.15}}},
        {"dorm_core", {{"W1", 1.10}, {"W2", 1.10}, {"W3", 1.10}, {"W3bp", 1.10}, {"W5", 1.05}}},
    };
    if (auto i = t.find(impl); i != t.end())
        if (auto j = i->second.find(w); j != i->second.end()) return j->second;
    return std::nullopt;
}

struct Summary {
    std::string db, impl, workload;
    double median_ms = 0, ratio = 0, ratio_lo = 0, ratio_hi = 0;  // wall time
    double median_cpu_ms = 0, cpu_ratio = 0;                     // CPU time
    int samples = 0;
    std::optional<double> target;
};

using Series = std::map<std::string, double> Run::*;

/// Median of impl's workload w, the ratio to the median of raw's base workload, and the range of
/// the per-repetition ratios (impl's run / raw's run of the same repetition).
struct Stat {
    double median = std::nan(""), ratio = std::nan(""), lo = std::nan(""), hi = std::nan("");
    int samples = 0;
};
Stat stat_of(const std::vector<Run>& runs, Series series, const std::string& db, const std::string& impl,
             const std::string& w) {
    std::vector<double> mine, raw_all, per_rep;
    for (const auto& r : runs) {
        if (r.db != db) continue;
        if (r.impl == "raw")
            if (auto it = (r.*series).find(base_workload(w)); it != (r.*series).end()) raw_all.push_back(it->second);
        if (r.impl != impl) continue;
        auto it = (r.*series).find(w);
        if (it == (r.*series).end()) continue;
        mine.push_back(it->second);
        for (const auto& q : runs)
            if (q.db == db && q.rep == r.rep && q.impl == "raw")
                if (auto k = (q.*series).find(base_workload(w)); k != (q.*series).end()) per_rep.push_back(it->second / k->second);
    }
    Stat s;
    s.samples = static_cast<int>(mine.size());
    if (mine.empty()) return s;
    s.median = median(mine);
    if (!raw_all.empty()) s.ratio = s.median / median(raw_all);
    if (!per_rep.empty()) {
        s.lo = *std::min_element(per_rep.begin(), per_rep.end());
        s.hi = *std::max_element(per_rep.begin(), per_rep.end());
    }
    return s;
}

std::vector<Summary> summarize(const std::vector<Run>& runs, const std::vector<std::string>& dbs,
                               const std::vector<std::string>& impls) {
    std::vector<Summary> out;
    for (const auto& db : dbs)
        for (const auto& impl : impls)
            for (const char* w : kWorkloads) {
                const Stat wall = stat_of(runs, &Run::ms, db, impl, w);
                if (wall.samples == 0) continue;
                const Stat cpu = stat_of(runs, &Run::cpu, db, impl, w);
                Summary s;
                s.db = db;
                s.impl = impl;
                s.workload = w;
                s.median_ms = wall.median;
                s.ratio = wall.ratio;
                s.ratio_lo = wall.lo;
                s.ratio_hi = wall.hi;
                s.median_cpu_ms = cpu.median;
                s.cpu_ratio = cpu.ratio;
                s.samples = wall.samples;
                s.target = target(db, impl, w);
                out.push_back(s);
            }
    return out;
}

const Summary* find_summary(const std::vector<Summary>& s, const std::string& db, const std::string& impl,
                            const std::string& w) {
    for (const auto& x : s)
        if (x.db == db && x.impl == impl && x.workload == w) return &x;
    return nullptr;
}

/// C++ allocations per object of W1 (add + commit), W2 (load all) and W4 (change all, commit):
/// the smallest over the repetitions (they hardly differ).
void print_allocations(const std::vector<Run>& runs, const std::vector<std::string>& dbs,
                       const std::vector<std::string>& impls, const Params& p) {
    std::printf("\nC++ allocations per object (operator new; sqlite3's own mallocs not counted), W1 / W2 / W4:\n");
    for (const auto& db : dbs) {
        for (const auto& im : impls) {
            std::map<std::string, std::int64_t> least;
            for (const auto& r : runs) {
                if (r.db != db || r.impl != im) continue;
                for (const char* w : {"W1_allocations", "W2_allocations", "W4_allocations"}) {
                    auto it = r.info.find(w);
                    if (it == r.info.end()) continue;
                    auto [at, fresh] = least.emplace(w, it->second);
                    if (!fresh) at->second = std::min(at->second, it->second);
                }
            }
            if (least.empty()) continue;
            std::printf("  %-8s %-10s", db.c_str(), im.c_str());
            for (const char* w : {"W1_allocations", "W2_allocations", "W4_allocations"}) {
                auto it = least.find(w);
                if (it == least.end()) std::printf("  %7s", "n/a");
                else std::printf("  %7.2f", static_cast<double>(it->second) / static_cast<double>(p.n));
            }
            std::printf("\n");
        }
    }
}

void print_tables(const std::vector<Summary>& sums, const std::vector<std::string>& dbs,
                  const std::vector<std::string>& all_impls, const Params& p, int reps) {
    for (const auto& db : dbs) {
        std::vector<std::string> impls;  // the columns: implementations that ran on this database
        for (const auto& im : all_impls)
            if (std::any_of(sums.begin(), sums.end(), [&](const Summary& s) { return s.db == db && s.impl == im; }))
                impls.push_back(im);
        std::printf("\n== %s database, N=%lld, lookups=%d, w5_reps=%d, %d repetition(s) ==\n"
                    "   median wall ms; ratio = median / median(raw) [range of per-repetition ratios]; cpu = the same "
                    "ratio of CPU time; target from the issue\n",
                    db.c_str(), static_cast<long long>(p.n), p.lookups, p.w5_reps, reps);
        std::printf("%-6s", "");
        for (const auto& impl : impls)
            if (impl == "raw") std::printf(" %9s", "raw");
            else std::printf(" | %-9s %6s %13s %5s %6s", impl.c_str(), "ratio", "range", "cpu", "target");
        std::printf("\n");
        for (const char* w : kWorkloads) {
            bool any = false;
            for (const auto& impl : impls) any = any || find_summary(sums, db, impl, w);
            if (!any) continue;
            std::printf("%-6s", w);
            for (const auto& impl : impls) {
                const Summary* s = find_summary(sums, db, impl, w);
                if (impl == "raw") {
                    if (!s) s = find_summary(sums, db, impl, base_workload(w));
                    if (s && (std::string(w) == "W3sel" || std::string(w) == "W3bp")) std::printf(" %8.1f*", s->median_ms);
                    else if (s) std::printf(" %9.1f", s->median_ms);
                    else std::printf(" %9s", "n/a");
                    continue;
                }
                if (!s) {
                    std::printf(" | %-9s %6s %13s %5s %6s", "n/a", "", "", "", "");
                    continue;
                }
                char range[32] = "";
                if (s->samples > 1 && !std::isnan(s->ratio_lo)) std::snprintf(range, sizeof range, "[%.2f-%.2f]", s->ratio_lo, s->ratio_hi);
                char tgt[16] = "";
                if (s->target) std::snprintf(tgt, sizeof tgt, "%s%.2f", s->ratio > *s->target ? "!" : "", *s->target);
                char ratio[16] = "-", cpu[16] = "-";
                if (!std::isnan(s->ratio)) std::snprintf(ratio, sizeof ratio, "%.2f", s->ratio);
                if (!std::isnan(s->cpu_ratio)) std::snprintf(cpu, sizeof cpu, "%.2f", s->cpu_ratio);
                std::printf(" | %9.1f %6s %13s %5s %6s", s->median_ms, ratio, range, cpu, tgt);
            }
            std::printf("\n");
        }
    }
    std::printf("\n(!target: the ratio is over the target. W3 dorm_orm = session.get<User>(id) in a session that "
                "starts empty;\n W3sel = the same lookups as session.execute(select<User>().where(col(&User::id) == id))"
                ".scalar_one(), compared with raw W3 (*);\n W3bp = the lookups through one statement built once with "
                "where(col(&User::id) == dorm::bindparam<std::int64_t>(\"id\")), compared with raw W3 (*).\n dorm_core W3 = dorm::execute(conn, select<User>().where(id "
                "== ?)).scalar_one(); dorm_core W1 = conn.prepare() lease; W4 core n/a.)\n");
}

// -- TX: concurrent transfers (tx.hpp) -------------------------------------------------------------

struct TxRun {
    std::string impl, db, strategy;
    int rep = 0;
    TxResult r;
};

/// One run of TX: `raw` is the hand-written floor of the target's backend, `dorm_orm` dorm's session.
TxResult tx_run_impl(const std::string& im, const Target& t, TxStrategy how, const TxParams& p) {
    if (im != "raw") return tx_dorm(t, how, p);
    if (t.db() == "postgresql") {
#ifdef DORM_BENCH_HAVE_LIBPQ
        return tx_raw_pg(t, how, p);
#else
        throw std::runtime_error("dorm_bench was built without libpq: no PostgreSQL floor");
#endif
    }
    if (t.db() == "mysql") {
#ifdef DORM_BENCH_HAVE_LIBMARIADB
        return tx_raw_mysql(t, how, p);
#else
        throw std::runtime_error("dorm_bench was built without libmariadb: no MariaDB floor");
#endif
    }
    return tx_raw_sqlite(t, how, p);
}

struct TxSummary {
    std::string db, strategy;
    double raw_s = std::nan(""), dorm_s = std::nan("");  // median wall seconds
    double ratio = std::nan(""), lo = std::nan(""), hi = std::nan(""), cpu_ratio = std::nan("");
    double raw_retries = std::nan(""), dorm_retries = std::nan("");  // per transfer, over all repetitions
    int samples = 0;
    bool checks_ok = true;
};

std::vector<TxSummary> tx_summarize(const std::vector<TxRun>& runs, const std::vector<std::string>& dbs, const TxParams& p) {
    std::vector<TxSummary> out;
    const double transfers = static_cast<double>(p.threads) * p.per_thread;
    for (const auto& db : dbs)
        for (TxStrategy how : kTxStrategies) {
            TxSummary s;
            s.db = db;
            s.strategy = tx_name(how);
            std::vector<double> raw, dorm, raw_cpu, dorm_cpu, per_rep;
            long raw_retries = 0, dorm_retries = 0;
            for (const auto& x : runs) {
                if (x.db != db || x.strategy != s.strategy) continue;
                if (!x.r.check_error.empty()) s.checks_ok = false;
                if (x.impl == "raw") {
                    raw.push_back(x.r.seconds);
                    raw_cpu.push_back(x.r.cpu_ms);
                    raw_retries += x.r.retries();
                    continue;
                }
                dorm.push_back(x.r.seconds);
                dorm_cpu.push_back(x.r.cpu_ms);
                dorm_retries += x.r.retries();
                for (const auto& q : runs)
                    if (q.db == db && q.strategy == x.strategy && q.rep == x.rep && q.impl == "raw") per_rep.push_back(x.r.seconds / q.r.seconds);
            }
            if (raw.empty() && dorm.empty()) continue;
            s.samples = static_cast<int>(std::max(raw.size(), dorm.size()));
            if (!raw.empty()) {
                s.raw_s = median(raw);
                s.raw_retries = static_cast<double>(raw_retries) / (transfers * static_cast<double>(raw.size()));
            }
            if (!dorm.empty()) {
                s.dorm_s = median(dorm);
                s.dorm_retries = static_cast<double>(dorm_retries) / (transfers * static_cast<double>(dorm.size()));
            }
            if (!raw.empty() && !dorm.empty()) {
                s.ratio = s.dorm_s / s.raw_s;
                s.cpu_ratio = median(dorm_cpu) / median(raw_cpu);
            }
            if (!per_rep.empty()) {
                s.lo = *std::min_element(per_rep.begin(), per_rep.end());
                s.hi = *std::max_element(per_rep.begin(), per_rep.end());
            }
            out.push_back(s);
        }
    return out;
}

void tx_print_table(const std::vector<TxSummary>& sums, const TxParams& p, int reps) {
    if (sums.empty()) return;
    std::printf("\n== TX: concurrent transfers, %d threads x %d, %d repetition(s) ==\n"
                "   transfers/s from the median wall time; ratio = median dorm time / median raw time [range of "
                "per-repetition ratios];\n   cpu = the same ratio of process CPU time; retries per transfer; books = "
                "every run's check (total, journal rows, balances)\n",
                p.threads, p.per_thread, reps);
    std::printf("%-10s %-13s %10s %10s %6s %13s %5s %9s %9s  %s\n", "db", "strategy", "raw tx/s", "dorm tx/s", "ratio",
                "range", "cpu", "retr raw", "retr dorm", "books");
    const double transfers = static_cast<double>(p.threads) * p.per_thread;
    auto num = [](double v, const char* fmt) {
        char b[32];
        if (std::isnan(v)) return std::string("n/a");
        std::snprintf(b, sizeof b, fmt, v);
        return std::string(b);
    };
    for (const auto& s : sums) {
        std::string range;
        if (s.samples > 1 && !std::isnan(s.lo)) range = "[" + num(s.lo, "%.2f") + "-" + num(s.hi, "%.2f") + "]";
        std::printf("%-10s %-13s %10s %10s %6s %13s %5s %9s %9s  %s\n", s.db.c_str(), s.strategy.c_str(),
                    num(transfers / s.raw_s, "%.0f").c_str(), num(transfers / s.dorm_s, "%.0f").c_str(),
                    num(s.ratio, "%.2f").c_str(), range.c_str(), num(s.cpu_ratio, "%.2f").c_str(),
                    num(s.raw_retries, "%.3f").c_str(), num(s.dorm_retries, "%.3f").c_str(), s.checks_ok ? "ok" : "FAILED");
    }
    std::printf("(raw: the same transfer by hand on sqlite3 / libpq / libmariadb; dorm_orm: dorm::run_in_transaction)\n");
}

std::string json_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            o += b;
        } else {
            o += c;
        }
    }
    return o;
}

struct CompileFigure {
    std::string name;
    double wall_s = 0, peak_rss_mb = 0, cpu_s = 0;
};

void write_json(const std::string& file, const Params& p, int reps, const std::vector<Run>& runs,
                const std::vector<Summary>& sums, const std::map<std::string, std::int64_t>& expected,
                const std::vector<CompileFigure>& compile, bool ok, const TxParams& txp,
                const std::vector<TxRun>& tx_runs, const std::vector<TxSummary>& tx_sums) {
    std::FILE* f = std::fopen(file.c_str(), "w");
    if (!f) throw std::runtime_error("cannot write " + file);
    std::fprintf(f, "{\n  \"n\": %lld, \"lookups\": %d, \"w5_reps\": %d, \"repetitions\": %d, \"checks_ok\": %s,\n",
                 static_cast<long long>(p.n), p.lookups, p.w5_reps, reps, ok ? "true" : "false");
    std::fprintf(f, "  \"expected_check\": {");
    bool first = true;
    for (auto& [k, v] : expected) {
        std::fprintf(f, "%s\"%s\": %lld", first ? "" : ", ", k.c_str(), static_cast<long long>(v));
        first = false;
    }
    std::fprintf(f, "},\n  \"runs\": [\n");
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& r = runs[i];
        std::fprintf(f, "    {\"impl\": \"%s\", \"db\": \"%s\", \"rep\": %d, \"journal_mode\": \"%s\", \"times_ms\": {",
                     r.impl.c_str(), r.db.c_str(), r.rep, json_escape(r.journal).c_str());
        first = true;
        for (auto& [k, v] : r.ms) {
            std::fprintf(f, "%s\"%s\": %.3f", first ? "" : ", ", k.c_str(), v);
            first = false;
        }
        std::fprintf(f, "}, \"cpu_ms\": {");
        first = true;
        for (auto& [k, v] : r.cpu) {
            std::fprintf(f, "%s\"%s\": %.3f", first ? "" : ", ", k.c_str(), v);
            first = false;
        }
        std::fprintf(f, "}, \"check\": {");
        first = true;
        for (auto& [k, v] : r.check) {
            std::fprintf(f, "%s\"%s\": %lld", first ? "" : ", ", k.c_str(), static_cast<long long>(v));
            first = false;
        }
        std::fprintf(f, "}, \"info\": {");
        first = true;
        for (auto& [k, v] : r.info) {
            std::fprintf(f, "%s\"%s\": %lld", first ? "" : ", ", k.c_str(), static_cast<long long>(v));
            first = false;
        }
        std::fprintf(f, "}}%s\n", i + 1 < runs.size() ? "," : "");
    }
    std::fprintf(f, "  ],\n  \"summary\": [\n");
    for (std::size_t i = 0; i < sums.size(); ++i) {
        const auto& s = sums[i];
        auto num = [](double d) {
            char b[32];
            if (std::isnan(d)) return std::string("null");
            std::snprintf(b, sizeof b, "%.4f", d);
            return std::string(b);
        };
        std::fprintf(f,
                     "    {\"db\": \"%s\", \"impl\": \"%s\", \"workload\": \"%s\", \"median_ms\": %s, \"ratio_to_raw\": %s, "
                     "\"ratio_min\": %s, \"ratio_max\": %s, \"median_cpu_ms\": %s, \"cpu_ratio_to_raw\": %s, "
                     "\"target\": %s, \"samples\": %d}%s\n",
                     s.db.c_str(), s.impl.c_str(), s.workload.c_str(), num(s.median_ms).c_str(), num(s.ratio).c_str(),
                     num(s.ratio_lo).c_str(), num(s.ratio_hi).c_str(), num(s.median_cpu_ms).c_str(),
                     num(s.cpu_ratio).c_str(), s.target ? num(*s.target).c_str() : "null",
                     s.samples, i + 1 < sums.size() ? "," : "");
    }
    std::fprintf(f, "  ],\n  \"tx\": {\"threads\": %d, \"per_thread\": %d, \"max_attempts\": %d, \"runs\": [", txp.threads,
                 txp.per_thread, kTxMaxAttempts);
    auto jnum = [](double d) {
        char b[32];
        if (std::isnan(d)) return std::string("null");
        std::snprintf(b, sizeof b, "%.4f", d);
        return std::string(b);
    };
    for (std::size_t i = 0; i < tx_runs.size(); ++i) {
        const auto& x = tx_runs[i];
        std::fprintf(f,
                     "%s\n    {\"impl\": \"%s\", \"db\": \"%s\", \"strategy\": \"%s\", \"rep\": %d, \"seconds\": %s, "
                     "\"cpu_ms\": %s, \"transfers_per_s\": %s, \"committed\": %d, \"failed\": %d, \"attempts\": %ld, "
                     "\"retries\": %ld, \"max_attempts\": %d, \"total\": %lld, \"journal_rows\": %lld, \"check\": \"%s\"}",
                     i ? "," : "", x.impl.c_str(), x.db.c_str(), x.strategy.c_str(), x.rep, jnum(x.r.seconds).c_str(),
                     jnum(x.r.cpu_ms).c_str(), jnum(x.r.committed / x.r.seconds).c_str(), x.r.committed, x.r.failed,
                     x.r.attempts, x.r.retries(), x.r.max_attempts, static_cast<long long>(x.r.total),
                     static_cast<long long>(x.r.journal_rows), x.r.check_error.empty() ? "ok" : json_escape(x.r.check_error).c_str());
    }
    std::fprintf(f, "%s],\n    \"summary\": [", tx_runs.empty() ? "" : "\n    ");
    const double transfers = static_cast<double>(txp.threads) * txp.per_thread;
    for (std::size_t i = 0; i < tx_sums.size(); ++i) {
        const auto& x = tx_sums[i];
        std::fprintf(f,
                     "%s\n    {\"db\": \"%s\", \"strategy\": \"%s\", \"raw_median_s\": %s, \"dorm_median_s\": %s, "
                     "\"raw_transfers_per_s\": %s, \"dorm_transfers_per_s\": %s, \"ratio_to_raw\": %s, \"ratio_min\": %s, "
                     "\"ratio_max\": %s, \"cpu_ratio_to_raw\": %s, \"raw_retries_per_transfer\": %s, "
                     "\"dorm_retries_per_transfer\": %s, \"checks_ok\": %s, \"samples\": %d}",
                     i ? "," : "", x.db.c_str(), x.strategy.c_str(), jnum(x.raw_s).c_str(), jnum(x.dorm_s).c_str(),
                     jnum(transfers / x.raw_s).c_str(), jnum(transfers / x.dorm_s).c_str(), jnum(x.ratio).c_str(),
                     jnum(x.lo).c_str(), jnum(x.hi).c_str(), jnum(x.cpu_ratio).c_str(), jnum(x.raw_retries).c_str(),
                     jnum(x.dorm_retries).c_str(), x.checks_ok ? "true" : "false", x.samples);
    }
    std::fprintf(f, "%s]},\n  \"compile_time\": [", tx_sums.empty() ? "" : "\n    ");
    for (std::size_t i = 0; i < compile.size(); ++i)
        std::fprintf(f, "%s\n    {\"tu\": \"%s\", \"wall_s\": %.2f, \"cpu_s\": %.2f, \"peak_rss_mb\": %.1f}", i ? "," : "",
                     json_escape(compile[i].name).c_str(), compile[i].wall_s, compile[i].cpu_s, compile[i].peak_rss_mb);
    std::fprintf(f, "%s]\n}\n", compile.empty() ? "" : "\n  ");
    std::fclose(f);
}

/// Runs test/benchmark/compile_time.sh, echoes its report and collects its `RESULT` lines.
std::vector<CompileFigure> run_compile_time(const std::string& root) {
    std::vector<CompileFigure> out;
    if (root.empty()) {
        std::printf("\ncompile time: source root unknown (pass --source-root DIR)\n");
        return out;
    }
    const std::string cmd = "sh '" + root + "/test/benchmark/compile_time.sh' --root '" + root + "' 2>&1";
    std::printf("\n== compile time (%s) ==\n", cmd.c_str());
    std::fflush(stdout);
    std::FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe) return out;
    char line[4096];
    while (std::fgets(line, sizeof line, pipe)) {
        std::fputs(line, stdout);
        char name[1024];
        double wall = 0, rss = 0, cpu = 0;
        if (std::sscanf(line, "RESULT %1023s wall_s=%lf peak_rss_mb=%lf cpu_s=%lf", name, &wall, &rss, &cpu) >= 3)
            out.push_back({name, wall, rss, cpu});
    }
    if (::pclose(pipe) != 0) std::printf("compile_time.sh failed\n");
    // the targets of the speed issue (19, item 4), as CPU seconds and peak RSS on this machine
    for (const auto& c : out) {
        if (c.name == "orm_script.cpp")
            std::printf("target orm_script.cpp: cpu <= 2.0 s and peak RSS <= 200 MB: %.2f s, %.0f MB: %s\n", c.cpu_s,
                        c.peak_rss_mb, c.cpu_s <= 2.0 && c.peak_rss_mb <= 200 ? "met" : "not met");
        if (c.name == "dorm_header_only.cpp")
            std::printf("target dorm.hpp alone: cpu <= 1.0 s: %.2f s: %s\n", c.cpu_s, c.cpu_s <= 1.0 ? "met" : "not met");
    }
    return out;
}

/// The git commit of the dorm tree measured (read-only git commands; best effort).
std::string describe_source(const std::string& root) {
    if (root.empty()) return "unknown";
    std::error_code ec;
    const auto dir = std::filesystem::canonical(std::filesystem::path(root) / "include", ec).parent_path().string();
    if (ec) return root;
    auto run = [](const std::string& cmd) {
        std::string out;
        if (std::FILE* p = ::popen(cmd.c_str(), "r")) {
            char buf[256];
            while (std::fgets(buf, sizeof buf, p)) out += buf;
            if (::pclose(p) != 0) out.clear();
        }
        while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
        return out;
    };
    const std::string git = "git --no-optional-locks -C '" + dir + "' ";
    const std::string head = run(git + "rev-parse --short HEAD 2>/dev/null");
    if (head.empty()) return dir;
    const std::string dirty = run(git + "diff --name-only HEAD -- include lib 2>/dev/null");
    return dir + " at " + head + (dirty.empty() ? " (include/ and lib/ clean)" : " + uncommitted changes in include/ or lib/");
}

void usage(const char* argv0) {
    std::printf(
        "usage: %s [options]\n"
        "  --quick              N=2000, lookups=500, w5_reps=5, 1 repetition, no compile-time (the test)\n"
        "  --callgrind          for valgrind --tool=callgrind: N=10000, lookups=1000, w5_reps=100, 1 repetition;\n"
        "                       needs one --impl and one --db (see callgrind.sh)\n"
        "  --n N --lookups L --w5-reps R --reps K   workload sizes and repetitions (default 100000 10000 100 5)\n"
        "  --db memory|file|both|postgresql[,...]  (default both = memory,file; postgresql needs\n"
        "                       DORM_TEST_URL=postgresql://..., e.g. from test/servers/with_server.sh postgresql)\n"
        "  --impl a,b,...       raw,dorm_orm,dorm_core[,raw_memdb] (default all; raw_memdb runs on memory only)\n"
        "  --dir DIR            where file databases go (default: the system temp directory)\n"
        "  --json FILE          write runs, medians, ratios and compile times as JSON\n"
        "  --no-compile-time    do not run compile_time.sh after the workloads\n"
        "  --no-warmup          skip the discarded in-memory warm-up run of each implementation\n"
        "  --source-root DIR    the dorm source tree (for compile_time.sh; default: the build's)\n"
        "  --workloads w,tx,scale,replica  w = W1-W5, tx = concurrent transfers, scale = time at n and 4n per\n"
        "                       session path (default these three); replica = read throughput of primary alone vs\n"
        "                       primary + 1 replica (needs DORM_TEST_URL and DORM_TEST_REPLICA_URL, e.g. from\n"
        "                       test/servers/with_server.sh postgresql-replica); --tx-only = --workloads tx\n"
        "  --replica-threads T --replica-sessions S   REPLICA: T threads x S sessions of 10 reads (default 8 x 300;\n"
        "                       --quick 8 x 40); --replica-pre-ping: the primary-alone engine pre-pings too\n"
        "  --scale-n N          SCALE: n (default 20000; --quick 5000); runs n and 4n, best of 3\n"
        "  --tx-threads T --tx-transfers M   TX: T threads x M transfers each (default 8 x 2000; --quick 8 x 300)\n"
        "  --tx-strategies a,b  for_update,serializable,version (default all)   --tx-reps K (default: --reps)\n"
        "  --db mysql           TX only (raw = libmariadb); DORM_TEST_URL=mysql://..., e.g. from with_server.sh mysql\n",
        argv0);
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i <= s.size()) {
        auto j = s.find(',', i);
        if (j == std::string::npos) j = s.size();
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

int run_main(int argc, char** argv) try {
    Params p;
    int reps = 5;
    bool quick = false, callgrind = false, compile_time = true, warmup = true;
    std::vector<std::string> dbs = {"memory", "file"};
    std::vector<std::string> impls = {"raw", "dorm_orm", "dorm_core", "raw_memdb"};
    std::string dir = std::filesystem::temp_directory_path().string();
    std::string json;
    std::string root = DORM_BENCH_SOURCE_ROOT;
    std::optional<std::int64_t> n_arg;
    std::optional<int> lookups_arg, w5_arg, reps_arg;
    bool run_w = true, run_tx = true, run_scale = true, run_replica = false;
    ReplicaParams rp;
    std::optional<int> replica_threads_arg, replica_sessions_arg;
    std::optional<int> scale_n_arg;
    TxParams txp;
    std::optional<int> tx_threads_arg, tx_transfers_arg, tx_reps_arg;
    std::vector<TxStrategy> strategies(std::begin(kTxStrategies), std::end(kTxStrategies));
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--quick") quick = true;
        else if (a == "--callgrind") callgrind = true;
        else if (a == "--n") n_arg = std::stoll(value());
        else if (a == "--lookups") lookups_arg = std::stoi(value());
        else if (a == "--w5-reps") w5_arg = std::stoi(value());
        else if (a == "--reps") reps_arg = std::stoi(value());
        else if (a == "--db") {
            const auto v = value();
            dbs = v == "both" ? std::vector<std::string>{"memory", "file"} : split(v);
        } else if (a == "--impl") impls = split(value());
        else if (a == "--dir") dir = value();
        else if (a == "--json") json = value();
        else if (a == "--no-compile-time") compile_time = false;
        else if (a == "--no-warmup") warmup = false;
        else if (a == "--source-root") root = value();
        else if (a == "--tx-only") run_w = false, run_tx = true, run_scale = false;
        else if (a == "--scale-n") scale_n_arg = std::stoi(value());
        else if (a == "--workloads") {
            run_w = run_tx = run_scale = run_replica = false;
            for (const auto& w : split(value())) {
                if (w == "w" || w == "W") run_w = true;
                else if (w == "tx" || w == "TX") run_tx = true;
                else if (w == "scale" || w == "SCALE") run_scale = true;
                else if (w == "replica" || w == "REPLICA") run_replica = true;
                else throw std::runtime_error("unknown --workloads " + w + " (w, tx, scale, replica)");
            }
        } else if (a == "--replica-threads") replica_threads_arg = std::stoi(value());
        else if (a == "--replica-sessions") replica_sessions_arg = std::stoi(value());
        else if (a == "--replica-pre-ping") rp.pre_ping_alone = true;
        else if (a == "--tx-threads") tx_threads_arg = std::stoi(value());
        else if (a == "--tx-transfers") tx_transfers_arg = std::stoi(value());
        else if (a == "--tx-reps") tx_reps_arg = std::stoi(value());
        else if (a == "--tx-strategies") {
            strategies.clear();
            for (const auto& x : split(value())) {
                auto it = std::find_if(std::begin(kTxStrategies), std::end(kTxStrategies), [&](TxStrategy t) { return x == tx_name(t); });
                if (it == std::end(kTxStrategies)) throw std::runtime_error("unknown --tx-strategies " + x);
                strategies.push_back(*it);
            }
        }
        else if (a == "--help" || a == "-h") {
            usage(argv[0]);
            return 0;
        } else {
            usage(argv[0]);
            return 2;
        }
    }
    if (quick) {
        p = Params{2000, 500, 5};
        txp = TxParams{8, 300};
        reps = 1;
        compile_time = false;
        warmup = false;
    }
    if (callgrind) {
        p = Params{10000, 1000, 100};
        reps = 1;
        compile_time = false;
        warmup = false;
        if (impls.size() != 1 || dbs.size() != 1)
            throw std::runtime_error("--callgrind runs one implementation on one database: give --impl X --db Y");
    }
    if (quick) rp.sessions_per_thread = 40, rp.reps = 1;
    if (replica_threads_arg) rp.threads = *replica_threads_arg;
    if (replica_sessions_arg) rp.sessions_per_thread = *replica_sessions_arg;
    if (rp.threads < 1 || rp.sessions_per_thread < 1) throw std::runtime_error("bad REPLICA sizes");
    if (n_arg) p.n = *n_arg;
    if (lookups_arg) p.lookups = *lookups_arg;
    if (w5_arg) p.w5_reps = *w5_arg;
    if (reps_arg) reps = *reps_arg;
    if (tx_threads_arg) txp.threads = *tx_threads_arg;
    if (tx_transfers_arg) txp.per_thread = *tx_transfers_arg;
    const int tx_reps = tx_reps_arg ? *tx_reps_arg : reps;
    if (txp.threads < 1 || txp.per_thread < 1 || tx_reps < 1) throw std::runtime_error("bad TX sizes");
    if (p.n < 1 || p.lookups < 0 || p.w5_reps < 0 || reps < 1) throw std::runtime_error("bad sizes");
    for (const auto& db : dbs)
        if (db != "memory" && db != "file" && db != "postgresql" && db != "mysql") throw std::runtime_error("unknown --db " + db);
    std::string server_url;
    if (std::find(dbs.begin(), dbs.end(), "mysql") != dbs.end()) {
        const char* u = std::getenv("DORM_TEST_URL");
        server_url = u ? u : "";
        if (server_url.rfind("mysql://", 0) != 0 && server_url.rfind("mariadb://", 0) != 0)
            throw std::runtime_error("--db mysql needs DORM_TEST_URL=mysql://... (test/servers/with_server.sh mysql sets one)");
        if (std::find(dbs.begin(), dbs.end(), "postgresql") != dbs.end())
            throw std::runtime_error("--db postgresql and mysql need two runs (one DORM_TEST_URL)");
    }
    if (std::find(dbs.begin(), dbs.end(), "postgresql") != dbs.end()) {
        const char* u = std::getenv("DORM_TEST_URL");
        server_url = u ? u : "";
        if (server_url.rfind("postgresql://", 0) != 0)
            throw std::runtime_error("--db postgresql needs DORM_TEST_URL=postgresql://... (a database the benchmark may "
                                     "create and drop user_table in; test/servers/with_server.sh postgresql sets one)");
    }
    for (const auto& im : impls)
        if (im != "raw" && im != "dorm_orm" && im != "dorm_core" && im != "raw_memdb")
            throw std::runtime_error("unknown --impl " + im);

    if (const char* mp = std::getenv("MALLOC_PERTURB_"); mp && *mp && std::string(mp) != "0" && !quick)
        std::printf("warning: MALLOC_PERTURB_=%s slows allocation down; run with MALLOC_PERTURB_=0\n", mp);
    const auto expected = expected_checks(p);
    std::printf("dorm_bench: N=%lld lookups=%d w5_reps=%d repetitions=%d workloads=%s%s TX=%dx%d (%d reps) dbs=",
                static_cast<long long>(p.n), p.lookups, p.w5_reps, reps, run_w ? "W1-W5 " : "", run_tx ? "TX" : "",
                txp.threads, txp.per_thread, tx_reps);
    for (const auto& d : dbs) std::printf("%s ", d.c_str());
    std::printf("impls=");
    for (const auto& im : impls) std::printf("%s ", im.c_str());
    std::printf("%s\n", RUNNING_ON_VALGRIND ? "(under valgrind)" : "");
    {
        const auto ids = lookup_ids(p.n, p.lookups);
        const std::set<std::int64_t> distinct(ids.begin(), ids.end());
        std::printf("W3: %zu distinct ids in %d lookups: session.get<User>() answers %zu repeats from the identity map\n",
                    distinct.size(), p.lookups, ids.size() - distinct.size());
    }
    std::printf("dorm source: %s\n", describe_source(root).c_str());
    auto one_line_ddl = [](dorm::dialect d) {
        std::string s = dorm::metadata<User>{}.ddl(d);
        std::replace(s.begin(), s.end(), '\n', ' ');
        std::replace(s.begin(), s.end(), '\t', ' ');
        return s;
    };
    const auto ddl_dialect = server_url.empty() ? dorm::dialect::sqlite
                             : server_url.rfind("postgresql", 0) == 0 ? dorm::dialect::postgresql
                                                                      : dorm::dialect::mysql;
    std::printf("schema (dorm DDL): %s\n", one_line_ddl(ddl_dialect).c_str());
    std::fflush(stdout);

    if (warmup && run_w) {  // one discarded in-memory run of each implementation: first-use costs, heap growth
        for (const auto& im : impls) run_impl(im, p, Target{}, -1);
        std::printf("warm-up: one discarded in-memory run of each implementation\n");
    }

    std::vector<Run> runs;
    bool ok = true;
    for (const auto& db : dbs) {
        if (!run_w) break;
        if (db == "mysql") {
            std::printf("mysql: W1-W5 have no MariaDB floor; only TX runs there\n");
            continue;
        }
        for (int rep = 0; rep < reps; ++rep) {
            // interleaved, and the order rotates with the repetition (no implementation always runs first)
            std::vector<std::string> order;
            for (const auto& im : impls)
                if (!(im == "raw_memdb" && db != "memory")) order.push_back(im);
            std::rotate(order.begin(), order.begin() + static_cast<long>(rep % order.size()), order.end());
            for (const auto& im : order) {
                Target t;
                t.memory = db == "memory";
                if (db == "postgresql") t.url = server_url;
                if (db == "file")
                    t.path = (std::filesystem::path(dir) / ("dorm_bench_" + std::to_string(::getpid()) + "_" + im + ".db"))
                                 .string();
                Run r = run_impl(im, p, t, rep);
                std::printf("%-10s rep %d %-10s", db.c_str(), rep + 1, im.c_str());
                for (const auto& [w, ms] : r.ms) std::printf(" %s=%.2f", w.c_str(), ms);
                std::printf("  (journal_mode=%s)", r.journal.c_str());
                for (const auto& [k, v] : r.info) std::printf(" %s=%lld", k.c_str(), static_cast<long long>(v));
                std::printf("\n");
                for (const auto& [w, c] : r.check) {
                    if (c != expected.at(w)) {
                        ok = false;
                        std::printf("CHECKSUM MISMATCH: %s %s %s = %lld, expected %lld\n", im.c_str(), db.c_str(),
                                    w.c_str(), static_cast<long long>(c), static_cast<long long>(expected.at(w)));
                    }
                    for (const auto& q : runs)  // and equal to raw's of the same database
                        if (q.impl == "raw" && q.db == db)
                            if (auto it = q.check.find(w); it != q.check.end() && it->second != c) {
                                ok = false;
                                std::printf("CHECKSUM MISMATCH: %s %s %s = %lld, raw had %lld\n", im.c_str(),
                                            db.c_str(), w.c_str(), static_cast<long long>(c),
                                            static_cast<long long>(it->second));
                            }
                }
                std::fflush(stdout);
                runs.push_back(std::move(r));
            }
        }
    }
    // checksums of raw runs that came after others were compared above only one way
    for (const auto& a : runs)
        for (const auto& b : runs)
            if (a.impl == "raw" && a.db == b.db)
                for (const auto& [w, c] : b.check)
                    if (auto it = a.check.find(w); it != a.check.end() && it->second != c) ok = false;

    // TX: per database, repetition and strategy, raw and dorm interleaved (the order rotates)
    std::vector<TxRun> tx_runs;
    if (warmup && run_tx) {  // one discarded small in-memory run of each implementation and strategy
        for (const auto& im : impls)
            if (im == "raw" || im == "dorm_orm")
                for (TxStrategy how : strategies) (void)tx_run_impl(im, Target{}, how, TxParams{txp.threads, 50});
        std::printf("TX warm-up: one discarded in-memory run (%d x 50) of each implementation and strategy\n", txp.threads);
    }
    for (const auto& db : dbs) {
        if (!run_tx) break;
        std::vector<std::string> tx_impls;
        for (const auto& im : impls)
            if (im == "raw" || im == "dorm_orm") tx_impls.push_back(im);
        for (int rep = 0; rep < tx_reps; ++rep)
            for (std::size_t si = 0; si < strategies.size(); ++si) {
                const TxStrategy how = strategies[si];
                auto order = tx_impls;
                if (!order.empty()) std::rotate(order.begin(), order.begin() + static_cast<long>((rep + si) % order.size()), order.end());
                for (const auto& im : order) {
                    Target t;
                    t.memory = db == "memory";
                    if (db == "postgresql" || db == "mysql") t.url = server_url;
                    if (db == "file")
                        t.path = (std::filesystem::path(dir) / ("dorm_bench_tx_" + std::to_string(::getpid()) + "_" + im + ".db")).string();
                    remove_db_files(t.path);
                    TxRun x{im, db, tx_name(how), rep, {}};
                    try {
                        x.r = tx_run_impl(im, t, how, txp);
                    } catch (const std::exception& e) {
                        x.r.check_error = std::string("error: ") + e.what();
                    }
                    remove_db_files(t.path);
                    std::printf("%-10s rep %d TX %-12s %-8s %d transfers in %.3f s = %.0f/s, cpu %.0f ms, retries %ld, "
                                "max attempts %d: books %s\n",
                                db.c_str(), rep + 1, x.strategy.c_str(), im.c_str(), x.r.committed, x.r.seconds,
                                x.r.seconds > 0 ? x.r.committed / x.r.seconds : 0.0, x.r.cpu_ms, x.r.retries(),
                                x.r.max_attempts, x.r.check_error.empty() ? "ok" : x.r.check_error.c_str());
                    for (const auto& e : x.r.errors) std::printf("    failure: %s\n", e.c_str());
                    if (!x.r.check_error.empty()) {
                        ok = false;
                        std::printf("TX CHECK FAILED: %s %s %s\n", im.c_str(), db.c_str(), x.strategy.c_str());
                    }
                    std::fflush(stdout);
                    tx_runs.push_back(std::move(x));
                }
            }
    }

    const auto sums = summarize(runs, dbs, impls);
    if (run_w) print_tables(sums, dbs, impls, p, reps);
    if (run_w) print_allocations(runs, dbs, impls, p);
    const auto tx_sums = tx_summarize(tx_runs, dbs, txp);
    tx_print_table(tx_sums, txp, tx_reps);
    // SQLite memory only: the paths measure dorm's own bookkeeping, not a server
    const bool scale_db = std::find(dbs.begin(), dbs.end(), "memory") != dbs.end();
    if (run_scale && scale_db && !callgrind)
        ok = run_scaling(scale_n_arg ? *scale_n_arg : quick ? 5000 : 20000, 3) && ok;
    if (run_replica) {
        const char* primary = std::getenv("DORM_TEST_URL");
        const char* replica = std::getenv("DORM_TEST_REPLICA_URL");
        if (!primary || !*primary || !replica || !*replica)
            throw std::runtime_error("--workloads replica needs DORM_TEST_URL and DORM_TEST_REPLICA_URL "
                                     "(test/servers/with_server.sh postgresql-replica or mysql-replica sets both)");
        ok = run_replica_reads(primary, replica, rp) && ok;
    }
    std::printf("\nchecksums: %s (every implementation against raw and against the values computed from the data; "
                "TX: the books of every run)\n",
                ok ? "all equal" : "MISMATCH");

    std::vector<CompileFigure> compile;
    if (compile_time && run_w) compile = run_compile_time(root);
    if (!json.empty()) {
        write_json(json, p, reps, runs, sums, expected, compile, ok, txp, tx_runs, tx_sums);
        std::printf("JSON written to %s\n", json.c_str());
    }
    return ok ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "dorm_bench: error: %s\n", e.what());
    return 1;
}

}  // namespace bench

int main(int argc, char** argv) { return bench::run_main(argc, argv); }
