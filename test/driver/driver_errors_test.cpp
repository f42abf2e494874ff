// Errors of the driver layer: constraint violations mapped to the exception types, bad SQL, a failed
// DDL step, an unreachable server, a server that goes away (an exception, never a crash or a hang).
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <dorm/error.hpp>

#include "driver_helpers.hpp"
#include "preconditions.hpp"

namespace utf = boost::unit_test;

namespace {

template <class E>
void expect(dorm::driver::connection& c, std::string_view sql, const std::vector<value>& params,
            std::string_view sqlite_code_or_state) {
    try {
        run(c, sql, params);
        BOOST_ERROR("no exception for: " << sql);
    } catch (const E& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("[SQL: ") != std::string::npos, what);
        if (is_postgresql()) BOOST_TEST(e.sqlstate() == sqlite_code_or_state, what);
        if (is_mysql()) BOOST_TEST(std::to_string(e.code()) == sqlite_code_or_state, what);
        if (is_sqlite()) BOOST_TEST(std::to_string(e.code()) == sqlite_code_or_state, what);
    } catch (const std::exception& e) {
        BOOST_ERROR("wrong exception type for: " << sql << ": " << e.what());
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(constraint_violations_are_mapped) {
    auto c = open();
    drop(*c, "drv_child");
    drop(*c, "drv_parent");
    c->execute("CREATE TABLE drv_parent (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL UNIQUE)" + opts());
    c->execute(
        "CREATE TABLE drv_child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES drv_parent(id), "
        "qty INTEGER NOT NULL CHECK (qty > 0), code VARCHAR(20) UNIQUE" +
        std::string(is_mysql() ? ", FOREIGN KEY (parent_id) REFERENCES drv_parent(id)" : "") + ")" + opts());
    run(*c, "INSERT INTO drv_parent (id, name) VALUES (?, ?)", {1, "p1"});
    run(*c, "INSERT INTO drv_child (id, parent_id, qty, code) VALUES (?, ?, ?, ?)", {1, 1, 5, "c1"});

    const bool pg = is_postgresql();
    const bool my = is_mysql();
    auto code = [&](const char* sqlite, const char* postgres, const char* mysql) {
        return std::string(pg ? postgres : my ? mysql : sqlite);
    };
    // primary key
    expect<dorm::unique_violation>(*c, "INSERT INTO drv_parent (id, name) VALUES (?, ?)", {1, "other"},
                                   code("1555", "23505", "1062"));
    // unique column
    expect<dorm::unique_violation>(*c, "INSERT INTO drv_parent (id, name) VALUES (?, ?)", {2, "p1"},
                                   code("2067", "23505", "1062"));
    // foreign key: missing parent, and deleting a referenced parent
    expect<dorm::foreign_key_violation>(*c, "INSERT INTO drv_child (id, parent_id, qty) VALUES (?, ?, ?)",
                                        {2, 99, 1}, code("787", "23503", "1452"));
    expect<dorm::foreign_key_violation>(*c, "DELETE FROM drv_parent WHERE id = ?", {1},
                                        code("787", "23503", "1451"));
    // not null
    expect<dorm::not_null_violation>(*c, "INSERT INTO drv_child (id, parent_id, qty) VALUES (?, ?, ?)",
                                     {3, 1, nullptr}, code("1299", "23502", "1048"));
    expect<dorm::not_null_violation>(*c, "UPDATE drv_parent SET name = ? WHERE id = ?", {nullptr, 1},
                                     code("1299", "23502", "1048"));
    // check
    expect<dorm::check_violation>(*c, "INSERT INTO drv_child (id, parent_id, qty) VALUES (?, ?, ?)", {4, 1, 0},
                                  code("275", "23514", "4025"));

    // The connection is still usable, nothing was written.
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_child") == 1);
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_parent") == 1);

    // In a transaction: the statement fails; the transaction can be rolled back.
    c->execute("BEGIN");
    run(*c, "INSERT INTO drv_parent (id, name) VALUES (?, ?)", {5, "p5"});
    BOOST_CHECK_THROW(run(*c, "INSERT INTO drv_parent (id, name) VALUES (?, ?)", {6, "p5"}), dorm::unique_violation);
    c->execute("ROLLBACK");
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_parent") == 1);

    drop(*c, "drv_child");
    drop(*c, "drv_parent");
}

BOOST_AUTO_TEST_CASE(bad_sql_is_a_programming_error) {
    auto c = open();
    BOOST_CHECK_THROW(c->prepare("SELEC 1"), dorm::programming_error);
    BOOST_CHECK_THROW(c->prepare("SELECT * FROM drv_no_such_table"), dorm::programming_error);
    BOOST_CHECK_THROW(c->execute("CREATE TABLEE drv_x (id INTEGER)"), dorm::programming_error);
    drop(*c, "drv_cols");
    c->execute("CREATE TABLE drv_cols (id INTEGER PRIMARY KEY)");
    BOOST_CHECK_THROW(c->prepare("SELECT no_such_column FROM drv_cols"), dorm::programming_error);
    drop(*c, "drv_cols");
    try {
        c->prepare("SELEC 1");
    } catch (const dorm::programming_error& e) {
        BOOST_TEST(std::string(e.what()).find("[SQL: SELEC 1]") != std::string::npos, e.what());
    }
    // The connection survives.
    BOOST_TEST(c->ping());
    BOOST_TEST(scalar_int(*c, "SELECT 1") == 1);
}

BOOST_AUTO_TEST_CASE(ddl_through_prepare_and_failed_step_stays_finished) {
    auto c = open();
    drop(*c, "drv_ddl");
    {
        auto st = c->prepare("CREATE TABLE drv_ddl (id INTEGER PRIMARY KEY)" + opts());
        BOOST_TEST(!st->step());
        st->reset();
    }
    BOOST_TEST(c->table_exists("drv_ddl"));
    run(*c, "INSERT INTO drv_ddl (id) VALUES (?)", {1});
    auto ins = c->prepare(ph("INSERT INTO drv_ddl (id) VALUES (?)"));
    ins->bind_int(0, 1);
    BOOST_CHECK_THROW(ins->step(), dorm::unique_violation);
    BOOST_TEST(!ins->step());  // the failed execution is over; no second attempt until reset
    ins->reset();
    ins->bind_int(0, 2);
    BOOST_TEST(!ins->step());
    BOOST_TEST(ins->rows_affected() == 1);
    ins->reset();
    drop(*c, "drv_ddl");
}

BOOST_AUTO_TEST_CASE(unreachable_server_is_operational_error) {
    auto u = parsed_url();
    if (u.backend == "sqlite") {
        u.database = "/nonexistent-dir-dorm/sub/x.db";
        BOOST_CHECK_THROW(dorm::driver::connect(u), dorm::operational_error);
        return;
    }
    u.host = "127.0.0.1";
    u.port = 1;  // nothing listens there
    u.password = "s3cr3t-pw";
    try {
        dorm::driver::connect(u);
        BOOST_FAIL("connected to port 1");
    } catch (const dorm::operational_error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("s3cr3t-pw") == std::string::npos, what);
    }
}

// ---------------------------------------------------------------------------------------------
// Server backends: a connection that dies is an exception, never a crash or a hang.

BOOST_AUTO_TEST_CASE(server_that_goes_away, *utf::timeout(60) * dorm_test::except_on("sqlite")) {
    auto victim = open();
    auto killer = open();
    const auto id = scalar_int(*victim, is_postgresql() ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()");
    auto st = victim->prepare(ph("SELECT ? + 1"));
    if (is_postgresql()) {
        BOOST_TEST(scalar_int(*killer, "SELECT CASE WHEN pg_terminate_backend(?, 10000) THEN 1 ELSE 0 END",
                              {value(id)}) == 1);
    } else {
        killer->execute("KILL " + std::to_string(id));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    st->bind_int(0, 1);
    BOOST_CHECK_THROW(st->step(), dorm::operational_error);
    st->reset();
    BOOST_TEST(!victim->ping());
    BOOST_CHECK_THROW(victim->prepare("SELECT 1"), dorm::operational_error);
    BOOST_CHECK_THROW(victim->execute("SELECT 1"), dorm::operational_error);
    BOOST_CHECK_THROW(st->step(), dorm::operational_error);
    st.reset();
    victim.reset();
    BOOST_TEST(killer->ping());
}

