// The PostgreSQL floor of dorm_bench: the workloads W1..W5 written by hand on libpq, as a careful
// programmer would (included by bench.cpp when libpq is found; uses its User, Target, SplitMix64).
//
//   - every statement is prepared once per connection (PQprepare) and run with PQexecPrepared;
//   - parameters and results in text format (what dorm's driver uses too);
//   - W1 and W4 send their INSERTs / UPDATEs in libpq pipeline mode, PQpipelineSync after every
//     256 executions (one round trip per batch; dorm's flush batches the same way) - a batch's
//     results are small, so the blocking connection cannot fill both socket buffers.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

namespace bench {

class PgRawImpl {
public:
    static constexpr const char* name = "raw";
    static constexpr int batch = 256;

    PgRawImpl() = default;
    PgRawImpl(const PgRawImpl&) = delete;
    PgRawImpl& operator=(const PgRawImpl&) = delete;
    ~PgRawImpl() { PQfinish(conn_); }

    void open(const Target& t) {
        conn_ = PQconnectdb(t.url.c_str());
        if (PQstatus(conn_) != CONNECTION_OK) fail("connect");
        PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);  // "table does not exist, skipping"
        exec("DROP TABLE IF EXISTS user_table");
        // the table dorm's metadata creates for User on PostgreSQL
        exec("CREATE TABLE user_table(id BIGSERIAL NOT NULL PRIMARY KEY, name VARCHAR(30) NOT NULL, age INTEGER NOT NULL)");
        prepare("ins", "INSERT INTO user_table(name, age) VALUES($1, $2) RETURNING id", 2);
        prepare("all", "SELECT id, name, age FROM user_table", 0);
        prepare("get", "SELECT id, name, age FROM user_table WHERE id = $1", 1);
        prepare("upd", "UPDATE user_table SET age = $1 WHERE id = $2", 2);
        prepare("filt", "SELECT id, name, age FROM user_table WHERE age = $1 AND name LIKE $2", 2);
    }
    std::string journal_mode() const { return "server " + std::to_string(PQserverVersion(conn_) / 10000); }

    BENCH_NOINLINE void w1(std::vector<User>& users) {
        exec("BEGIN");
        enter_pipeline();
        std::size_t done = 0;  // users whose id was read back
        char age[16];
        for (std::size_t i = 0; i < users.size(); ++i) {
            const User& u = users[i];
            const char* values[2] = {u.name.c_str(), age};
            *std::to_chars(age, age + sizeof age - 1, u.age).ptr = '\0';
            if (PQsendQueryPrepared(conn_, "ins", 2, values, nullptr, nullptr, 0) != 1) fail("send insert");
            if (i + 1 - done == batch || i + 1 == users.size()) {
                sync();
                for (; done <= i; ++done) {
                    PGresult* r = next_result(PGRES_TUPLES_OK, "insert");
                    users[done].id = parse<std::int64_t>(PQgetvalue(r, 0, 0), PQgetlength(r, 0, 0));
                    PQclear(r);
                }
                end_sync();
            }
        }
        exit_pipeline();
        exec("COMMIT");
    }
    BENCH_NOINLINE std::vector<User> w2() {
        PGresult* r = PQexecPrepared(conn_, "all", 0, nullptr, nullptr, nullptr, 0);
        return rows(r, "select all");
    }
    BENCH_NOINLINE User w3(std::int64_t id) {
        char buf[24];
        *std::to_chars(buf, buf + sizeof buf - 1, id).ptr = '\0';
        const char* values[1] = {buf};
        PGresult* r = PQexecPrepared(conn_, "get", 1, values, nullptr, nullptr, 0);
        check(r, PGRES_TUPLES_OK, "get");
        if (PQntuples(r) != 1) {
            PQclear(r);
            fail("get: not found");
        }
        User u = row(r, 0);
        PQclear(r);
        return u;
    }
    BENCH_NOINLINE std::vector<User> w5(int age, const std::string& like) {
        char buf[16];
        *std::to_chars(buf, buf + sizeof buf - 1, age).ptr = '\0';
        const char* values[2] = {buf, like.c_str()};
        return rows(PQexecPrepared(conn_, "filt", 2, values, nullptr, nullptr, 0), "filter");
    }
    BENCH_NOINLINE std::vector<User> w4() {
        std::vector<User> all = w2();
        for (auto& u : all) u.age += 1;
        exec("BEGIN");
        enter_pipeline();
        std::size_t done = 0;
        char age[16], id[24];
        for (std::size_t i = 0; i < all.size(); ++i) {
            *std::to_chars(age, age + sizeof age - 1, all[i].age).ptr = '\0';
            *std::to_chars(id, id + sizeof id - 1, all[i].id).ptr = '\0';
            const char* values[2] = {age, id};
            if (PQsendQueryPrepared(conn_, "upd", 2, values, nullptr, nullptr, 0) != 1) fail("send update");
            if (i + 1 - done == batch || i + 1 == all.size()) {
                sync();
                for (; done <= i; ++done) {
                    PGresult* r = next_result(PGRES_COMMAND_OK, "update");
                    const bool one = std::string_view(PQcmdTuples(r)) == "1";
                    PQclear(r);
                    if (!one) fail("update: not one row");
                }
                end_sync();
            }
        }
        exit_pipeline();
        exec("COMMIT");
        return all;
    }
    std::vector<User> verify_rows() { return w2(); }

private:
    template <class I>
    static I parse(const char* p, int n) {
        I v{};
        std::from_chars(p, p + n, v);
        return v;
    }
    static User row(PGresult* r, int i) {
        return User{parse<std::int64_t>(PQgetvalue(r, i, 0), PQgetlength(r, i, 0)),
                    std::string(PQgetvalue(r, i, 1), static_cast<std::size_t>(PQgetlength(r, i, 1))),
                    parse<int>(PQgetvalue(r, i, 2), PQgetlength(r, i, 2))};
    }
    std::vector<User> rows(PGresult* r, const char* what) {
        check(r, PGRES_TUPLES_OK, what);
        const int n = PQntuples(r);
        std::vector<User> out;
        out.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) out.push_back(row(r, i));
        PQclear(r);
        return out;
    }
    void prepare(const char* stmt, const char* sql, int nparams) {
        check(PQprepare(conn_, stmt, sql, nparams, nullptr), PGRES_COMMAND_OK, sql);
    }
    void exec(const char* sql) { check(PQexec(conn_, sql), PGRES_COMMAND_OK, sql); }
    /// Throws unless r's status is `ok`; clears r, except a good PGRES_TUPLES_OK result (the caller reads it).
    void check(PGresult* r, ExecStatusType ok, const char* what) {
        const bool good = r && PQresultStatus(r) == ok;
        std::string msg = good ? "" : (r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
        if (ok != PGRES_TUPLES_OK || !good) PQclear(r);
        if (!good) throw std::runtime_error(std::string("raw libpq: ") + what + ": " + msg);
    }
    void enter_pipeline() {
        if (PQenterPipelineMode(conn_) != 1) fail("enter pipeline mode");
    }
    void exit_pipeline() {
        if (PQexitPipelineMode(conn_) != 1) fail("exit pipeline mode");
    }
    void sync() {
        if (PQpipelineSync(conn_) != 1) fail("pipeline sync");
    }
    /// The result of the next queued execution (its terminating NULL consumed).
    PGresult* next_result(ExecStatusType ok, const char* what) {
        PGresult* r = PQgetResult(conn_);
        if (!r || PQresultStatus(r) != ok) {
            std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
            PQclear(r);
            throw std::runtime_error(std::string("raw libpq: ") + what + ": " + msg);
        }
        if (PGresult* end = PQgetResult(conn_)) {
            PQclear(end);
            PQclear(r);
            fail("more than one result");
        }
        return r;
    }
    void end_sync() {
        PGresult* r = PQgetResult(conn_);
        const bool sync = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (!sync) fail("pipeline sync result");
    }
    [[noreturn]] void fail(const char* what) {
        throw std::runtime_error(std::string("raw libpq: ") + what + ": " + (conn_ ? PQerrorMessage(conn_) : "no connection"));
    }

    PGconn* conn_ = nullptr;
};

}  // namespace bench
