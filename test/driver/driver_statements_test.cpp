// The driver layer (dorm::driver) on the backend under test: connecting, prepare / bind / step /
// reset, statements interleaved or outliving their connection, rows affected, generated keys,
// table_exists, PostgreSQL's prepared statements deallocated.
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <dorm/error.hpp>

#include "driver_helpers.hpp"
#include "preconditions.hpp"

BOOST_AUTO_TEST_CASE(connect_dispatches_on_backend) {
    dorm::url u;
    u.backend = "nosuchdb";
    BOOST_CHECK_THROW(dorm::driver::connect(u), dorm::argument_error);

    u.backend = "oracle";
    try {
        dorm::driver::connect(u);
        BOOST_FAIL("oracle connected");
    } catch (const dorm::unsupported_error& e) {
        BOOST_TEST(std::string(e.what()).find("OCI") != std::string::npos, e.what());
    }

    auto c = open();
    BOOST_REQUIRE(c);
    BOOST_TEST(dorm::dialect_name(c->dialect()) == dorm_test::backend());
}

BOOST_AUTO_TEST_CASE(ping_and_max_params) {
    auto c = open();
    BOOST_TEST(c->ping());
    if (is_sqlite()) {
        BOOST_TEST(c->max_params() >= 999);
    } else if (is_postgresql()) {
        BOOST_TEST(c->max_params() == 7498);  // what libpq can describe (see postgres_driver.hpp)
    } else {
        BOOST_TEST(c->max_params() == 65535);
    }
}

// Bulk INSERTs are chunked by max_params(): a statement with that many parameters must work
// (PostgreSQL: libpq lost the connection describing one with more than 7498).
BOOST_AUTO_TEST_CASE(a_statement_with_max_params_parameters_runs) {
    auto c = open();
    const int n = c->max_params();
    std::string sql = "SELECT count(*) FROM (SELECT 1 AS x) t WHERE x IN (";
    for (int i = 0; i < n; ++i) sql += i ? ", ?" : "?";
    sql += ")";
    auto st = c->prepare(ph(sql));
    BOOST_TEST(st->param_count() == n);
    for (int i = 0; i < n; ++i) st->bind_int(i, n - i);  // the last one is 1
    BOOST_REQUIRE(st->step());
    BOOST_TEST(st->get_int(0) == 1);
}

BOOST_AUTO_TEST_CASE(prepare_bind_step_reset_reuse) {
    auto c = open();
    drop(*c, "drv_reuse");
    c->execute("CREATE TABLE drv_reuse (id " + t_int() + " PRIMARY KEY, name VARCHAR(100), score " + t_double() +
               ")" + opts());

    auto ins = c->prepare(ph("INSERT INTO drv_reuse (id, name, score) VALUES (?, ?, ?)"));
    BOOST_TEST(ins->param_count() == 3);
    BOOST_TEST(ins->sql() == ph("INSERT INTO drv_reuse (id, name, score) VALUES (?, ?, ?)"));
    const std::vector<std::string> names = {"alice", "bob", "carol", "dave"};
    for (int i = 0; i < 4; ++i) {
        ins->bind_int(0, i + 1);
        ins->bind_text(1, names[static_cast<std::size_t>(i)]);
        ins->bind_double(2, i * 1.5);
        BOOST_TEST(!ins->step());
        BOOST_TEST(ins->rows_affected() == 1);
        ins->reset();
    }

    auto sel = c->prepare(ph("SELECT id, name, score FROM drv_reuse WHERE id >= ? ORDER BY id"));
    BOOST_TEST(sel->param_count() == 1);
    BOOST_TEST(sel->column_count() == 3);
    for (int round = 0; round < 3; ++round) {
        sel->bind_int(0, round + 1);
        std::vector<std::int64_t> seen;
        while (sel->step()) {
            BOOST_TEST(sel->column_count() == 3);
            BOOST_TEST(sel->column_name(0) == "id");
            BOOST_TEST(sel->column_name(1) == "name");
            BOOST_TEST(sel->column_name(2) == "score");
            const auto id = sel->get_int(0);
            seen.push_back(id);
            BOOST_TEST(sel->get_text(1) == names[static_cast<std::size_t>(id - 1)]);
            BOOST_TEST(sel->get_double(2) == (id - 1) * 1.5);
        }
        BOOST_TEST(seen.size() == static_cast<std::size_t>(4 - round));
        BOOST_TEST(!sel->step());  // stays finished until reset
        sel->reset();
    }

    // Reset with unread rows discards them; the statement runs again from the start.
    sel->bind_int(0, 1);
    BOOST_REQUIRE(sel->step());
    BOOST_TEST(sel->get_int(0) == 1);
    sel->reset();
    BOOST_REQUIRE(sel->step());
    BOOST_TEST(sel->get_int(0) == 1);
    sel->reset();

    // Bindings survive a reset.
    BOOST_REQUIRE(sel->step());
    BOOST_TEST(sel->get_int(0) == 1);
    sel->reset();

    // Re-binding without reset starts a new execution.
    BOOST_REQUIRE(sel->step());
    sel->bind_int(0, 4);
    BOOST_REQUIRE(sel->step());
    BOOST_TEST(sel->get_int(0) == 4);
    BOOST_TEST(!sel->step());
    sel->reset();

    BOOST_CHECK_THROW(sel->bind_int(5, 1), dorm::argument_error);
    BOOST_CHECK_THROW(sel->bind_int(-1, 1), dorm::argument_error);
    drop(*c, "drv_reuse");
}

BOOST_AUTO_TEST_CASE(interleaved_statements) {
    // Rows of one statement are read while another statement runs on the same connection
    // (the ORM lazy-loads inside a result loop).
    auto c = open();
    drop(*c, "drv_inter");
    c->execute("CREATE TABLE drv_inter (id " + t_int() + " PRIMARY KEY, v " + t_int() + ")" + opts());
    for (int i = 1; i <= 5; ++i) run(*c, "INSERT INTO drv_inter (id, v) VALUES (?, ?)", {i, i * 10});
    auto sel = c->prepare(ph("SELECT id, v FROM drv_inter ORDER BY id"));
    auto upd = c->prepare(ph("UPDATE drv_inter SET v = v + 1 WHERE id = ?"));
    auto one = c->prepare(ph("SELECT v FROM drv_inter WHERE id = ?"));
    int n = 0;
    while (sel->step()) {
        ++n;
        const auto id = sel->get_int(0);
        upd->bind_int(0, id);
        BOOST_TEST(!upd->step());
        BOOST_TEST(upd->rows_affected() == 1);
        upd->reset();
        one->bind_int(0, id);
        BOOST_REQUIRE(one->step());
        BOOST_TEST(one->get_int(0) == id * 10 + 1);
        one->reset();
        BOOST_TEST(sel->get_int(0) == id);  // the outer row is still readable
    }
    BOOST_TEST(n == 5);
    sel->reset();
    drop(*c, "drv_inter");
}

BOOST_AUTO_TEST_CASE(rows_affected_counts) {
    auto c = open();
    drop(*c, "drv_count");
    c->execute("CREATE TABLE drv_count (id " + t_int() + " PRIMARY KEY, v " + t_int() + ")" + opts());
    for (int i = 1; i <= 5; ++i) BOOST_TEST(run(*c, "INSERT INTO drv_count (id, v) VALUES (?, ?)", {i, i}) == 1);
    BOOST_TEST(run(*c, "UPDATE drv_count SET v = v + 100 WHERE id > ?", {2}) == 3);
    BOOST_TEST(run(*c, "UPDATE drv_count SET v = v WHERE id <= ?", {5}) == 5);  // matched rows, also unchanged ones
    BOOST_TEST(run(*c, "UPDATE drv_count SET v = 0 WHERE id > ?", {99}) == 0);
    BOOST_TEST(run(*c, "DELETE FROM drv_count WHERE id IN (?, ?)", {1, 2}) == 2);
    BOOST_TEST(run(*c, "DELETE FROM drv_count WHERE id = ?", {1}) == 0);
    // A statement that changes nothing does not report an older statement's count.
    auto upd = c->prepare(ph("UPDATE drv_count SET v = ? WHERE id = ?"));
    upd->bind_int(0, 1);
    upd->bind_int(1, 3);
    upd->step();
    BOOST_TEST(upd->rows_affected() == 1);
    upd->reset();
    BOOST_TEST(upd->rows_affected() == 1);  // still the last execution's count after reset
    upd->bind_int(1, 12345);
    upd->step();
    BOOST_TEST(upd->rows_affected() == 0);
    upd->reset();
    BOOST_TEST(run(*c, "DELETE FROM drv_count") == 3);
    drop(*c, "drv_count");
}

BOOST_AUTO_TEST_CASE(last_insert_id_or_returning) {
    auto c = open();
    drop(*c, "drv_auto");
    c->execute("CREATE TABLE drv_auto (id " + t_autoinc_pk() + ", name VARCHAR(20))" + opts());
    if (is_postgresql()) {
        auto ins = c->prepare(ph("INSERT INTO drv_auto (name) VALUES (?) RETURNING id"));
        ins->bind_text(0, "a");
        BOOST_REQUIRE(ins->step());
        const auto first = ins->get_int(0);
        BOOST_TEST(ins->column_name(0) == "id");
        BOOST_TEST(!ins->step());
        BOOST_TEST(ins->rows_affected() == 1);
        ins->reset();
        ins->bind_text(0, "b");
        BOOST_REQUIRE(ins->step());
        BOOST_TEST(ins->get_int(0) == first + 1);
        ins->reset();
        BOOST_CHECK_THROW(ins->last_insert_id(), dorm::unsupported_error);
    } else {
        auto ins = c->prepare(ph("INSERT INTO drv_auto (name) VALUES (?)"));
        ins->bind_text(0, "a");
        ins->step();
        const auto first = ins->last_insert_id();
        BOOST_TEST(first >= 1);
        ins->reset();
        ins->bind_text(0, "b");
        ins->step();
        BOOST_TEST(ins->last_insert_id() == first + 1);
        ins->reset();
        BOOST_TEST(scalar_int(*c, "SELECT id FROM drv_auto WHERE name = ?", {"b"}) == first + 1);
    }
    drop(*c, "drv_auto");
}

BOOST_AUTO_TEST_CASE(table_exists_reports_tables) {
    auto c = open();
    drop(*c, "drv_exists");
    BOOST_TEST(!c->table_exists("drv_exists"));
    c->execute("CREATE TABLE drv_exists (id INTEGER PRIMARY KEY)");
    BOOST_TEST(c->table_exists("drv_exists"));
    BOOST_TEST(!c->table_exists("drv_exists_not"));
    BOOST_TEST(!c->table_exists("drv_exists' OR '1' = '1"));
    drop(*c, "drv_exists");
    BOOST_TEST(!c->table_exists("drv_exists"));
}

BOOST_AUTO_TEST_CASE(postgresql_statements_are_deallocated, *dorm_test::only_on("postgresql")) {
    auto c = open();
    auto count = [&] { return scalar_int(*c, "SELECT COUNT(*) FROM pg_prepared_statements"); };
    const auto base = count();
    {
        auto a = c->prepare("SELECT 1");
        auto b = c->prepare("SELECT 2");
        BOOST_TEST(count() == base + 2);
    }
    BOOST_TEST(count() == base);
    // Destroyed inside an aborted transaction: deallocated once the transaction is over.
    c->execute("BEGIN");
    auto doomed = c->prepare("SELECT 3");
    BOOST_CHECK_THROW(c->execute("SELECT * FROM drv_no_such_table"), dorm::programming_error);
    doomed.reset();
    BOOST_CHECK_THROW(c->prepare("SELECT 4"), dorm::operational_error);  // 25P02: transaction aborted
    c->execute("ROLLBACK");
    BOOST_TEST(count() == base);
}

BOOST_AUTO_TEST_CASE(statement_outliving_its_connection) {
    auto c = open();
    auto st = c->prepare("SELECT 1");
    c.reset();
    if (is_sqlite()) {
        BOOST_REQUIRE(st->step());  // SQLite statements keep their database open
        BOOST_TEST(st->get_int(0) == 1);
        st->reset();
    } else {
        BOOST_CHECK_THROW(st->step(), dorm::operational_error);
    }
    st.reset();  // no crash
}

