// SQLite URL parameters (issue 14, item 3): timeout (busy timeout, default 5 s), journal_mode,
// synchronous and mode take effect on every connection; an unknown parameter or a bad value is
// an argument_error from create_engine. SQLite only: registered once, on files of its own.
#define BOOST_TEST_MODULE sqlite_options
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include <dorm/engine/engine.hpp>
#include <dorm/error.hpp>

using namespace std::chrono_literals;

namespace {

namespace fs = std::filesystem;

/// A database file of this test (removed with its WAL files first).
std::string fresh_file(const std::string& name) {
    const fs::path p = fs::temp_directory_path() / ("dorm-sqlite-options-" + name + ".db");
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix);
    return p.string();
}

std::string url_of(const std::string& file, const std::string& query = {}) {
    return "sqlite:///" + file + (query.empty() ? "" : "?" + query);
}

std::string text_of(dorm::connection& c, const std::string& sql) {
    auto st = c.prepare(sql);
    BOOST_REQUIRE(st->step());
    return std::string(st->get_text(0));
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void expect_argument_error(const std::string& url, const std::string& part) {
    try {
        (void)dorm::create_engine(url);
        BOOST_ERROR("create_engine accepted " << url);
    } catch (const dorm::argument_error& e) {
        BOOST_TEST(std::string(e.what()).find(part) != std::string::npos, e.what());
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_unknown_parameter_or_a_bad_value_is_refused_at_create_engine) {
    // SQLAlchemy's pysqlite dialect passes unknown query keys to the driver, which refuses them;
    // dorm refuses before any connection is made
    const std::string f = fresh_file("refused");
    expect_argument_error(url_of(f, "journal=wal"), "unknown sqlite URL parameter 'journal'");
    expect_argument_error(url_of(f, "journal=wal"), "journal_mode=");  // the supported ones are listed
    expect_argument_error(url_of(f, "timeout=soon"), "'timeout' must be a number of seconds");
    expect_argument_error(url_of(f, "timeout=-1"), "'timeout'");
    expect_argument_error(url_of(f, "journal_mode=fast"), "'journal_mode' must be one of");
    expect_argument_error(url_of(f, "synchronous=7"), "'synchronous' must be one of");
    expect_argument_error(url_of(f, "mode=rx"), "'mode' must be ro");
    expect_argument_error("sqlite://?cache=shared", "unknown sqlite URL parameter 'cache'");
    BOOST_TEST(!fs::exists(f));  // nothing was opened
}

BOOST_AUTO_TEST_CASE(journal_mode_and_synchronous_take_effect) {
    const std::string f = fresh_file("pragmas");
    auto e = dorm::create_engine(url_of(f, "journal_mode=WAL&synchronous=normal"));
    auto c = e.connect();
    BOOST_TEST(text_of(c, "PRAGMA journal_mode") == "wal");
    BOOST_TEST(text_of(c, "PRAGMA synchronous") == "1");
    auto plain = dorm::create_engine(url_of(f, "synchronous=off"));
    auto c2 = plain.connect();
    BOOST_TEST(text_of(c2, "PRAGMA synchronous") == "0");
    BOOST_TEST(text_of(c2, "PRAGMA journal_mode") == "wal");  // WAL is a property of the file

    const std::string g = fresh_file("pragmas-default");
    auto d = dorm::create_engine(url_of(g));
    auto c3 = d.connect();
    BOOST_TEST(text_of(c3, "PRAGMA journal_mode") == "delete");
    BOOST_TEST(text_of(c3, "PRAGMA synchronous") == "2");  // FULL

    // a mode the database cannot take is an error, not a silent no-op
    auto memory = dorm::create_engine("sqlite://?journal_mode=wal");
    try {
        (void)memory.connect();
        BOOST_ERROR("an in-memory database accepted journal_mode=wal");
    } catch (const dorm::argument_error& ex) {
        BOOST_TEST(std::string(ex.what()).find("did not take effect") != std::string::npos, ex.what());
    }
}

BOOST_AUTO_TEST_CASE(mode_ro_reads_and_refuses_writes) {
    const std::string f = fresh_file("readonly");
    {
        auto e = dorm::create_engine(url_of(f));
        auto c = e.connect();
        c.execute_ddl("CREATE TABLE t (x INTEGER)");
        c.execute("INSERT INTO t VALUES (42)");
    }
    auto ro = dorm::create_engine(url_of(f, "mode=ro"));
    auto c = ro.connect();
    BOOST_TEST(text_of(c, "SELECT x FROM t") == "42");
    try {
        c.execute("INSERT INTO t VALUES (1)");
        BOOST_ERROR("a read-only database accepted an INSERT");
    } catch (const dorm::operational_error& ex) {
        BOOST_TEST(std::string(ex.what()).find("readonly") != std::string::npos, ex.what());
    }
    // ro and rw never create a file; rwc (the default) does
    const std::string missing = fresh_file("missing");
    BOOST_CHECK_THROW((void)dorm::create_engine(url_of(missing, "mode=ro")).connect(), dorm::operational_error);
    BOOST_CHECK_THROW((void)dorm::create_engine(url_of(missing, "mode=rw")).connect(), dorm::operational_error);
    BOOST_TEST(!fs::exists(missing));
    (void)dorm::create_engine(url_of(missing, "mode=rwc")).connect();
    BOOST_TEST(fs::exists(missing));
}

BOOST_AUTO_TEST_CASE(timeout_is_how_long_a_writer_waits_for_another) {
    const std::string f = fresh_file("timeout");
    {
        auto e = dorm::create_engine(url_of(f));
        auto c = e.connect();
        c.execute_ddl("CREATE TABLE t (x INTEGER)");
    }
    auto holder_engine = dorm::create_engine(url_of(f));
    auto holder = holder_engine.connect();
    holder.begin(dorm::isolation::immediate);  // holds the write lock
    for (const auto& [query, at_least, at_most] : {std::tuple{"timeout=0", 0.0, 0.2},
                                                     std::tuple{"timeout=0.3", 0.25, 2.0}}) {
        auto e = dorm::create_engine(url_of(f, query));
        auto c = e.connect();
        const auto start = std::chrono::steady_clock::now();
        try {
            c.begin(dorm::isolation::immediate);
            BOOST_ERROR(query << ": took a write lock another connection holds");
        } catch (const dorm::operational_error& ex) {
            const double waited = seconds_since(start);
            BOOST_TEST(waited >= at_least, query << " waited " << waited);
            BOOST_TEST(waited <= at_most, query << " waited " << waited);
            BOOST_TEST((ex.code() & 0xff) == 5, ex.what());  // SQLITE_BUSY
        }
    }
    // the default (5 s) outlasts a lock held for half a second
    auto e = dorm::create_engine(url_of(f));
    auto c = e.connect();
    auto release = std::async(std::launch::async, [&] {
        std::this_thread::sleep_for(500ms);
        holder.commit();
    });
    const auto start = std::chrono::steady_clock::now();
    c.begin(dorm::isolation::immediate);
    BOOST_TEST(seconds_since(start) >= 0.3);
    c.execute("INSERT INTO t VALUES (1)");
    c.commit();
    release.get();
}

// Found by an application-style trial: a session that has only read keeps its read transaction
// (and SQLite's shared lock) until commit()/rollback()/close(), so another session's COMMIT waits
// out the busy timeout. The error says so and names the remedies; in WAL mode it does not happen.
BOOST_AUTO_TEST_CASE(a_reader_blocking_a_writer_is_explained_and_wal_lets_both_run) {
    for (const std::string mode : {"delete", "wal"}) {
        const std::string f = fresh_file("reader-" + mode);
        auto e = dorm::create_engine(url_of(f, "timeout=0&journal_mode=" + mode));
        {
            auto c = e.connect();
            c.execute_ddl("CREATE TABLE t (x INTEGER)");
            c.execute("INSERT INTO t VALUES (1)");
        }
        auto reader = e.connect();
        reader.begin();
        BOOST_TEST(text_of(reader, "SELECT x FROM t") == "1");  // the read lock stays
        auto writer = e.connect();
        writer.begin();
        writer.execute("UPDATE t SET x = 2");
        if (mode == "wal") {
            writer.commit();
            BOOST_TEST(text_of(reader, "SELECT x FROM t") == "1");  // its snapshot
        } else {
            try {
                writer.commit();
                BOOST_ERROR("COMMIT went through while another connection held a read lock");
            } catch (const dorm::operational_error& ex) {
                const std::string m = ex.what();
                BOOST_TEST((ex.code() & 0xff) == 5, m);  // SQLITE_BUSY
                BOOST_TEST(m.find("commit(), rollback() or close()") != std::string::npos, m);
                BOOST_TEST(m.find("?journal_mode=wal") != std::string::npos, m);
                BOOST_TEST(m.find("[SQL: COMMIT]") != std::string::npos, m);
            }
            reader.commit();  // the read lock goes: the writer's COMMIT can go through now
            writer.commit();
        }
        reader.rollback();
        auto c = e.connect();
        BOOST_TEST(text_of(c, "SELECT x FROM t") == "2");
    }
}
