// Backend specifics of the driver layer: SQLite's shared in-memory database, locking and one
// statement per prepare; the libmariadb3 that is really loaded; PostgreSQL's transaction-pooling mode.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include <dorm/error.hpp>

#include "driver_helpers.hpp"
#include "preconditions.hpp"

// ---------------------------------------------------------------------------------------------
// SQLite specifics

BOOST_AUTO_TEST_CASE(sqlite_shared_memory_database, *dorm_test::only_on("sqlite")) {
    // The engine names one shared in-memory database per engine this way.
    dorm::url u = dorm::url::parse("sqlite://");
    u.database = "file:/dorm-driver-test-" + std::to_string(::getpid()) + "?vfs=memdb";
    {
        auto a = dorm::driver::connect(u);
        auto b = dorm::driver::connect(u);
        a->execute("CREATE TABLE shared_t (id INTEGER PRIMARY KEY)");
        a->execute("INSERT INTO shared_t VALUES (7)");
        BOOST_TEST(b->table_exists("shared_t"));
        BOOST_TEST(scalar_int(*b, "SELECT id FROM shared_t") == 7);
        // A plain memory database is private to its connection.
        auto p = dorm::driver::connect(dorm::url::parse("sqlite://"));
        BOOST_TEST(!p->table_exists("shared_t"));
        // Foreign keys are on.
        BOOST_TEST(scalar_int(*a, "PRAGMA foreign_keys") == 1);
    }
    // Gone with its last connection.
    auto again = dorm::driver::connect(u);
    BOOST_TEST(!again->table_exists("shared_t"));
}

BOOST_AUTO_TEST_CASE(sqlite_locked_database_is_operational_error, *dorm_test::only_on("sqlite")) {
    const auto path = std::filesystem::temp_directory_path() / ("dorm-driver-lock-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    {
        dorm::url u = dorm::url::parse("sqlite:///" + path.string());
        u.query["timeout"] = "0.1";
        auto a = dorm::driver::connect(u);
        auto b = dorm::driver::connect(u);
        a->execute("CREATE TABLE lock_t (id INTEGER)");
        a->execute("BEGIN IMMEDIATE");
        a->execute("INSERT INTO lock_t VALUES (1)");
        const auto start = std::chrono::steady_clock::now();
        try {
            b->execute("INSERT INTO lock_t VALUES (2)");
            BOOST_ERROR("no error on a locked database");
        } catch (const dorm::operational_error& e) {
            BOOST_TEST((e.code() & 0xff) == 5, e.what());  // SQLITE_BUSY
        }
        const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        BOOST_TEST(waited.count() < 3000);
        a->execute("COMMIT");
        b->execute("INSERT INTO lock_t VALUES (2)");

        u.query["timeout"] = "soon";
        BOOST_CHECK_THROW(dorm::driver::connect(u), dorm::argument_error);
    }
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(sqlite_one_statement_per_prepare, *dorm_test::only_on("sqlite")) {
    auto c = open();
    BOOST_CHECK_THROW(c->prepare("SELECT 1; SELECT 2"), dorm::programming_error);
    BOOST_CHECK_NO_THROW(c->prepare("SELECT 1; -- trailing comment"));
    c->execute("CREATE TABLE multi_a (id INTEGER); CREATE TABLE multi_b (id INTEGER);");
    BOOST_TEST(c->table_exists("multi_a"));
    BOOST_TEST(c->table_exists("MULTI_B"));
    c->execute("DROP TABLE multi_a; DROP TABLE multi_b");
}

// Run by the test 'driver-mysql-libmariadb3-<version>' (test/meson.build) with LD_LIBRARY_PATH
// set to the other libmariadb3 point release setup.sh extracted: this case proves that the suite
// really ran against that library, not the installed one (a silently ignored LD_LIBRARY_PATH
// would make the whole run meaningless). Skipped in every other run.
namespace {
boost::test_tools::assertion_result other_libmariadb_run(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(std::getenv("DORM_EXPECT_LIBMARIADB") != nullptr &&
                                          std::getenv("LD_LIBRARY_PATH") != nullptr);
    r.message() << "not the other-libmariadb run: nothing to check";
    return r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_expected_libmariadb_is_loaded, *boost::unit_test::precondition(other_libmariadb_run)) {
    const char* expect = std::getenv("DORM_EXPECT_LIBMARIADB");
    const char* dir = std::getenv("LD_LIBRARY_PATH");
    std::FILE* maps = std::fopen("/proc/self/maps", "r");
    BOOST_REQUIRE(maps != nullptr);
    std::string loaded;
    char line[4096];
    while (std::fgets(line, sizeof line, maps) != nullptr) {
        const std::string l(line);
        const auto at = l.find('/');
        if (at != std::string::npos && l.find("libmariadb.so") != std::string::npos) loaded = l.substr(at);
    }
    std::fclose(maps);
    while (!loaded.empty() && (loaded.back() == '\n' || loaded.back() == ' ')) loaded.pop_back();
    BOOST_TEST_MESSAGE("libmariadb loaded from " << loaded << " (expected version " << expect << ")");
    // one of the LD_LIBRARY_PATH directories (meson puts the build's lib directory first)
    bool from_path = false;
    for (std::string_view rest = dir; !rest.empty();) {
        const auto colon = rest.find(':');
        const std::string entry(rest.substr(0, colon));
        rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        if (!entry.empty() && loaded.rfind(entry + "/", 0) == 0) from_path = true;
    }
    BOOST_CHECK_MESSAGE(from_path, "libmariadb was loaded from '" << loaded << "', not from " << dir);
}


// A value larger than the server's max_allowed_packet: MariaDB closes the connection, and the
// client only sees "Server has gone away" (found by an application-style trial with a 20 MB blob).
// The error names the likely cause.
BOOST_AUTO_TEST_CASE(mysql_a_packet_over_max_allowed_packet_is_explained, *dorm_test::only_on("mysql")) {
    std::int64_t limit = 0;
    {
        auto c = open();
        run(*c, "DROP TABLE IF EXISTS big_packet");
        run(*c, "CREATE TABLE big_packet (id INTEGER PRIMARY KEY, data LONGBLOB)" + opts());
        limit = scalar_int(*c, "SELECT @@max_allowed_packet");
    }
    BOOST_TEST_MESSAGE("max_allowed_packet = " << limit);
    BOOST_REQUIRE(limit > 0 && limit < (std::int64_t{1} << 30));  // the test server's default (16 MB)
    auto c = open();
    const dorm::blob data(static_cast<std::size_t>(limit) + (std::size_t{1} << 20), std::byte{7});
    try {
        run(*c, "INSERT INTO big_packet (id, data) VALUES (?, ?)", {dorm::value(std::int64_t{1}), dorm::value(data)});
        BOOST_ERROR("a value over max_allowed_packet was accepted");
    } catch (const dorm::operational_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("max_allowed_packet") != std::string::npos, m);
        BOOST_TEST(m.find("bytes of values") != std::string::npos, m);
    }
    auto fresh = open();
    BOOST_TEST(scalar_int(*fresh, "SELECT count(*) FROM big_packet") == 0);
    run(*fresh, "DROP TABLE big_packet");
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL behind a transaction-pooling proxy (issue 18, item 4): `transaction_pooling=true`
// makes every statement unnamed. Checked here against the server itself (the session suite runs
// through a real PgBouncer as `pgbouncer`).

namespace {
/// The URL under test with transaction_pooling=true.
dorm::url pooling_url() {
    dorm::url u = parsed_url();
    u.query["transaction_pooling"] = "true";
    return u;
}
}  // namespace

BOOST_AUTO_TEST_CASE(postgresql_transaction_pooling_leaves_no_named_statement, *dorm_test::only_on("postgresql")) {
    auto c = dorm::driver::connect(pooling_url());
    BOOST_TEST(!c->keeps_session_state());
    auto add = c->prepare("SELECT $1::bigint + 1");
    BOOST_TEST(add->param_count() == 1);
    for (std::int64_t i = 0; i < 3; ++i) {  // run again with new values: nothing is prepared anew
        add->bind_int(0, 41 + i);
        BOOST_REQUIRE(add->step());
        BOOST_TEST(add->get_int(0) == 42 + i);
        add->reset();
    }
    // the server holds no prepared statement of this session (an unnamed one is not listed)
    BOOST_TEST(scalar_int(*c, "SELECT count(*) FROM pg_prepared_statements") == 0);
    // queued executions (pipeline mode) work unnamed too
    add->bind_int(0, 1);
    add->queue();
    add->bind_int(0, 2);
    add->queue();
    add->next_queued();
    BOOST_REQUIRE(add->step());
    BOOST_TEST(add->get_int(0) == 2);
    add->next_queued();
    BOOST_REQUIRE(add->step());
    BOOST_TEST(add->get_int(0) == 3);
    // a plain connection names its statements (the contrast that makes the check above mean something)
    auto plain = open();
    auto kept = plain->prepare("SELECT 1");
    BOOST_TEST(scalar_int(*plain, "SELECT count(*) FROM pg_prepared_statements") >= 1);
    BOOST_TEST(plain->keeps_session_state());
}

BOOST_AUTO_TEST_CASE(postgresql_transaction_pooling_reads_a_changed_column_type, *dorm_test::only_on("postgresql")) {
    auto c = dorm::driver::connect(pooling_url());
    c->execute("DROP TABLE IF EXISTS pooled_t");
    c->execute("CREATE TABLE pooled_t (a INTEGER)");
    c->execute("INSERT INTO pooled_t VALUES (7)");
    auto read = c->prepare("SELECT a FROM pooled_t");
    BOOST_REQUIRE(read->step());
    BOOST_TEST(read->column_kind(0) == value_kind::integer);
    read->reset();
    // no plan on the server to go stale: the next execution simply describes the new type
    c->execute("ALTER TABLE pooled_t ALTER COLUMN a TYPE TEXT");
    BOOST_REQUIRE(read->step());
    BOOST_TEST(read->column_kind(0) == value_kind::text);
    BOOST_TEST(read->get_text(0) == "7");
    read.reset();
    c->execute("DROP TABLE pooled_t");
}

BOOST_AUTO_TEST_CASE(postgresql_transaction_pooling_sets_the_timeout_per_transaction,
                     *dorm_test::only_on("postgresql")) {
    dorm::driver::connect_options o;
    o.statement_timeout = 5;
    auto c = dorm::driver::connect(pooling_url(), o);
    auto show = [&] {
        auto s = c->prepare("SHOW statement_timeout");
        BOOST_REQUIRE(s->step());
        return std::string(s->get_text(0));
    };
    // nothing SET on the connection (another client's transaction could run on it behind a proxy)
    BOOST_TEST(show() == "0");
    c->begin("BEGIN");
    BOOST_TEST(show() == "5s");  // SET LOCAL, in the BEGIN's round trip
    c->execute("COMMIT");
    BOOST_TEST(show() == "0");
}

BOOST_AUTO_TEST_CASE(postgresql_transaction_pooling_takes_only_a_yes_or_no, *dorm_test::only_on("postgresql")) {
    dorm::url u = parsed_url();
    u.query["transaction_pooling"] = "maybe";
    try {
        (void)dorm::driver::connect(u);
        BOOST_FAIL("transaction_pooling=maybe was accepted");
    } catch (const dorm::argument_error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("transaction_pooling") != std::string::npos, what);
        BOOST_TEST(what.find("'maybe'") != std::string::npos, what);
    }
    u.query["transaction_pooling"] = "false";
    BOOST_TEST(dorm::driver::connect(u)->keeps_session_state());
}
