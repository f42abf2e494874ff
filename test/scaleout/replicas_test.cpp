// Read replicas (issue 18, item 2): engine_options::replicas, engine::connect_for_read, the
// session's routing (reads to a replica until its transaction on the primary begins; flushes,
// writes, locking reads, text(), refresh() and dorm::on_primary on the primary), a replica that
// cannot be reached.
//
// DORM_TEST_URL is the primary, DORM_TEST_REPLICA_URL the replica. Two kinds of run:
// - independent (SQLite: two database files nothing replicates between): the test writes other
//   rows into the replica itself, so where a read went shows in what it returns;
// - streaming (with_server.sh postgresql-replica / mysql-replica: a real replica of the primary):
//   rows written through dorm reach the replica; where a read went shows in the pools' counts and
//   in the server's own answer (pg_is_in_recovery(), @@server_id). DORM_TEST_REPLICA_STOP stops
//   the replica for the last case.
// SQLAlchemy has no built-in read routing; its documented recipe is a custom Session.get_bind
// that sends flushes to the leader and other statements to a follower
// (https://docs.sqlalchemy.org/en/20/orm/persistence_techniques.html#custom-vertical-partitioning).
#define BOOST_TEST_MODULE replicas
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"

namespace blog {

struct Article {
    std::int64_t id = 0;
    std::string title;
    int views = 0;
};
BOOST_DESCRIBE_STRUCT(Article, (), (id, title, views))
DORM_TABLE(Article, "replica_article", (id, dorm::primary_key))

}  // namespace blog

using blog::Article;
using dorm::col;
using namespace std::chrono_literals;

namespace {

namespace utf = boost::unit_test;

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string replica_url() { return env("DORM_TEST_REPLICA_URL"); }

/// SQLite: two files nothing replicates between. Servers: a streaming replica.
bool independent() { return dorm_test::is_sqlite(); }

utf::precondition when(bool wanted_independent, const char* what) {
    return utf::precondition([wanted_independent, what](utf::test_unit_id) {
        boost::test_tools::assertion_result r(independent() == wanted_independent);
        r.message() << what << "; this run's replica is " << (independent() ? "an independent database" : "a streaming replica");
        return r;
    });
}
utf::precondition only_streaming() { return when(false, "needs a real replica of the primary"); }

/// Polls `ok` every 50 ms until it holds or 30 s have passed (replication is asynchronous).
bool eventually(const std::function<bool()>& ok) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    for (;;) {
        try {
            if (ok()) return true;
        } catch (const dorm::error&) {  // e.g. the table has not reached the replica yet
        }
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
}

std::int64_t count_articles(dorm::connection& c) {
    return dorm::execute(c, dorm::select(dorm::count()).select_from<Article>()).scalar_one();
}

/// The replica's URL with another port or file: a replica nothing answers at.
std::string unreachable_url() {
    auto u = dorm::url::parse(replica_url());
    if (u.backend == "sqlite") return "sqlite:////nonexistent-dorm-directory/replica.db?mode=ro";
    u.host = "127.0.0.1";
    u.port = 1;  // nothing listens on a privileged port here
    return u.render(false);
}

/// Fresh tables on the primary with one article; on an independent replica the same table with
/// an article of its own under the same key; on a streaming replica, waits until the row is there.
struct tables {
    dorm::metadata<Article> meta;
    dorm::engine primary = dorm::create_engine(dorm_test::url());
    dorm::engine replica_direct = dorm::create_engine(replica_url());

    tables() {
        BOOST_TEST_REQUIRE(!replica_url().empty(), "DORM_TEST_REPLICA_URL is not set");
        meta.drop_all(primary);
        meta.create_all(primary);
        {
            dorm::session s(primary);
            s.add(Article{.id = 1, .title = "on the primary", .views = 10});
            s.commit();
        }
        if (independent()) {
            meta.drop_all(replica_direct);
            meta.create_all(replica_direct);
            dorm::session s(replica_direct);
            s.add(Article{.id = 1, .title = "on the replica", .views = 20});
            s.commit();
        } else {
            BOOST_TEST_REQUIRE(eventually([&] {
                auto c = replica_direct.connect();
                return count_articles(c) == 1;
            }), "the table and its row did not reach the replica within 30 s");
        }
    }
    ~tables() {
        try {
            meta.drop_all(primary);
            if (independent()) meta.drop_all(replica_direct);
        } catch (...) {
        }
    }

    dorm::engine routed(dorm::engine_options o = {}) const {
        o.replicas = {replica_url()};
        return dorm::create_engine(dorm_test::url(), std::move(o));
    }
};

/// Whether the connection is to the replica, asked of the server itself.
bool served_by_replica(dorm::connection& c) {
    switch (c.dialect()) {
        case dorm::dialect::postgresql:
            return dorm::execute(c, dorm::text<bool>("SELECT pg_is_in_recovery()")).scalar_one();
        case dorm::dialect::mysql:
            return dorm::execute(c, dorm::text<std::int64_t>("SELECT @@server_id")).scalar_one() != 1;
        default:
            return false;
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(replicas)

BOOST_AUTO_TEST_CASE(replica_urls_are_checked) {
    BOOST_TEST_REQUIRE(!replica_url().empty(), "DORM_TEST_REPLICA_URL is not set");
    const std::string primary = dorm_test::url();
    const std::string other = dorm_test::is_postgresql() ? "mysql://u@h/db" : "postgresql://u@h/db";
    try {
        dorm::create_engine(primary, {.replicas = {other}});
        BOOST_FAIL("a replica of another backend was accepted");
    } catch (const dorm::argument_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("the replica " + dorm::url::parse(other).render()) != std::string::npos, m);
        BOOST_TEST(m.find("must be " + dorm_test::backend() + " URLs") != std::string::npos, m);
    }
    if (dorm_test::is_sqlite())
        BOOST_CHECK_THROW(dorm::create_engine(primary, {.replicas = {"sqlite://"}}), dorm::argument_error);
    BOOST_CHECK_THROW(dorm::create_engine(primary, {.replicas = {"not a url"}}), dorm::argument_error);
    BOOST_CHECK_THROW(dorm::create_engine(primary, {.replicas = {replica_url()}, .replica_retry_interval = -1}),
                      dorm::argument_error);
    auto e = dorm::create_engine(primary, {.replicas = {replica_url(), replica_url()}});
    BOOST_TEST(e.replica_count() == 2u);
    BOOST_CHECK_THROW(e.replica_status(2), dorm::argument_error);
}

BOOST_AUTO_TEST_CASE(without_replicas_reads_use_the_primary) {
    tables t;
    BOOST_TEST(t.primary.replica_count() == 0u);
    auto c = t.primary.connect_for_read();
    BOOST_TEST(count_articles(c) == 1);
    BOOST_TEST(t.primary.status().checked_out == 1);
    dorm::session s(t.primary);
    BOOST_TEST(s.get<Article>(1)->title == "on the primary");
}

BOOST_AUTO_TEST_CASE(session_reads_go_to_a_replica_until_its_transaction_writes) {
    tables t;
    auto e = t.routed();
    dorm::session s(e);
    auto a = s.get<Article>(1);
    BOOST_TEST_REQUIRE(a);
    if (independent()) BOOST_TEST(a->title == "on the replica");
    BOOST_TEST(e.replica_status(0).checked_out == 1);  // the session's read transaction
    BOOST_TEST(e.status().checked_out == 0);           // the primary was not asked
    BOOST_TEST(s.in_transaction());

    s.add(Article{.id = 2, .title = "new", .views = 0});
    s.flush();  // the write begins the transaction on the primary
    BOOST_TEST(e.status().checked_out == 1);
    // from now on this transaction reads what it wrote: on the primary
    const auto n = s.execute(dorm::select(dorm::count()).select_from<Article>()).scalar_one();
    BOOST_TEST(n == 2);
    BOOST_TEST(s.get<Article>(2)->title == "new");

    s.commit();
    BOOST_TEST(!s.in_transaction());
    BOOST_TEST(e.status().checked_out == 0);
    BOOST_TEST(e.replica_status(0).checked_out == 0);

    // the next transaction reads from the replica again
    auto again = s.scalars(dorm::select<Article>().where(col(&Article::id) == 1)).one();
    BOOST_TEST(again == a);  // the identity map's object
    BOOST_TEST(e.replica_status(0).checked_out == 1);
    BOOST_TEST(e.status().checked_out == 0);
    if (independent()) {
        // nothing replicates to an independent replica: the new row is on the primary only
        BOOST_TEST(s.execute(dorm::select(dorm::count()).select_from<Article>()).scalar_one() == 1);
    }
}

BOOST_AUTO_TEST_CASE(a_changed_object_is_written_to_the_primary) {
    tables t;
    auto e = t.routed();
    dorm::session s(e);
    auto a = s.get<Article>(1);  // read from the replica
    a->views += 1;
    s.commit();  // the UPDATE goes to the primary (a replica would refuse it: read-only)
    dorm::session check(t.primary);
    auto p = check.get<Article>(1);
    BOOST_TEST(p->views == (independent() ? 21 : 11));  // the replica's value + 1 when they differ
    if (independent()) {
        dorm::session r(t.replica_direct);
        BOOST_TEST(r.get<Article>(1)->views == 20);  // the replica was not written
    }
}

BOOST_AUTO_TEST_CASE(on_primary_reads_the_primary) {
    tables t;
    auto e = t.routed();
    dorm::session s(e);
    auto all = s.scalars(dorm::select<Article>(), dorm::on_primary).all();
    BOOST_TEST_REQUIRE(all.size() == 1u);
    if (independent()) BOOST_TEST(all[0]->title == "on the primary");
    BOOST_TEST(e.status().checked_out == 1);
    BOOST_TEST(e.replica_status(0).checked_out == 0);
    s.rollback();

    dorm::session s2(e);
    auto rows = s2.execute(dorm::select(col(&Article::title), col(&Article::views)), dorm::on_primary).all();
    BOOST_TEST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(std::get<1>(rows[0]) == 10);
    // a later read without the tag follows the routing again
    s2.rollback();
    auto r = s2.get<Article>(1);
    BOOST_TEST(e.replica_status(0).checked_out == 1);
    if (independent()) BOOST_TEST(r->title == "on the replica");
}

BOOST_AUTO_TEST_CASE(text_refresh_and_locking_reads_use_the_primary) {
    tables t;
    auto e = t.routed();
    const std::string table = dorm_test::quoted(e, "replica_article");
    const std::string title = dorm_test::quoted(e, "title");
    {
        dorm::session s(e);
        auto v = s.execute(dorm::text<std::string>("SELECT " + title + " FROM " + table)).scalar_one();
        BOOST_TEST(v == "on the primary");  // raw SQL may write: never sent to a replica
        BOOST_TEST(e.replica_status(0).checked_out == 0);
    }
    {
        dorm::session s(e);
        auto a = s.get<Article>(1);  // the replica's
        s.refresh(a);                // the row as the primary has it
        BOOST_TEST(a->title == "on the primary");
        BOOST_TEST(a->views == 10);
    }
    {
        dorm::session s(e);
        auto a = s.scalars(dorm::select<Article>().where(col(&Article::id) == 1).with_for_update()).one();
        BOOST_TEST(a->title == "on the primary");
        BOOST_TEST(e.status().checked_out == 1);
    }
    {
        dorm::session s(e);
        s.begin();  // an explicit transaction is the primary's
        BOOST_TEST(s.get<Article>(1)->title == "on the primary");
        BOOST_TEST(e.replica_status(0).checked_out == 0);
    }
}

BOOST_AUTO_TEST_CASE(replicas_are_taken_in_turn) {
    tables t;
    if (!independent()) {
        // one real replica named twice: two pools, used in turn
        auto e = dorm::create_engine(dorm_test::url(), {.replicas = {replica_url(), replica_url()}});
        std::vector<int> used;
        for (int i = 0; i < 4; ++i) {
            dorm::session s(e);
            BOOST_TEST(s.get<Article>(1)->title == "on the primary");
            used.push_back(e.replica_status(0).checked_out == 1 ? 0 : e.replica_status(1).checked_out == 1 ? 1 : -1);
        }
        const std::vector<int> expected{0, 1, 0, 1};
        BOOST_TEST(used == expected, boost::test_tools::per_element());
        return;
    }
    const std::string second = replica_url() + ".second.db";
    auto other = dorm::create_engine(second);
    t.meta.drop_all(other);
    t.meta.create_all(other);
    {
        dorm::session s(other);
        s.add(Article{.id = 1, .title = "on the second replica", .views = 30});
        s.commit();
    }
    auto e = dorm::create_engine(dorm_test::url(), {.replicas = {replica_url(), second}});
    std::vector<std::string> seen;
    for (int i = 0; i < 4; ++i) {
        dorm::session s(e);
        seen.push_back(s.get<Article>(1)->title);
    }
    const std::vector<std::string> expected{"on the replica", "on the second replica", "on the replica",
                                            "on the second replica"};
    BOOST_TEST(seen == expected, boost::test_tools::per_element());
    t.meta.drop_all(other);
}

BOOST_AUTO_TEST_CASE(an_unreachable_replica_is_left_out) {
    tables t;
    std::mutex m;
    std::vector<std::string> log;
    auto sink = [&](std::string_view line) {
        std::lock_guard lock(m);
        log.emplace_back(line);
    };
    auto left_out = [&] {
        std::lock_guard lock(m);
        int n = 0;
        for (const auto& l : log)
            if (l.rfind("replica ", 0) == 0 && l.find(" left out for ") != std::string::npos) ++n;
        return n;
    };
    auto e = dorm::create_engine(dorm_test::url(), {.echo = true, .echo_sink = sink,
                                                    .replicas = {unreachable_url(), replica_url()}});
    for (int i = 0; i < 4; ++i) {
        dorm::session s(e);
        auto a = s.get<Article>(1);
        BOOST_TEST_REQUIRE(a);
        if (independent()) BOOST_TEST(a->title == "on the replica");  // the reachable replica serves it
        BOOST_TEST(e.replica_status(1).checked_out == 1);
        BOOST_TEST(e.status().checked_out == 0);
    }
    BOOST_TEST(left_out() == 1);  // tried once, then left out for replica_retry_interval
    {
        std::lock_guard lock(m);
        bool named = false;
        for (const auto& l : log) named = named || l.find(dorm::url::parse(unreachable_url()).render()) != std::string::npos;
        BOOST_TEST(named);
    }

    // every replica unreachable: the primary serves the reads; interval 0 tries them each time
    log.clear();
    auto lone = dorm::create_engine(dorm_test::url(), {.echo = true, .echo_sink = sink,
                                                       .replicas = {unreachable_url()}, .replica_retry_interval = 0});
    for (int i = 0; i < 2; ++i) {
        dorm::session s(lone);
        auto a = s.get<Article>(1);
        BOOST_TEST_REQUIRE(a);
        BOOST_TEST(a->title == "on the primary");
        BOOST_TEST(lone.status().checked_out == 1);
    }
    BOOST_TEST(left_out() == 2);
}

BOOST_AUTO_TEST_CASE(concurrent_sessions_read_from_the_replica) {
    tables t;
    auto e = t.routed({.pool_size = 8});
    std::vector<std::thread> threads;
    std::mutex m;
    std::vector<std::string> failures;
    int reads = 0;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            for (int k = 0; k < 25; ++k) {
                try {
                    dorm::session s(e);
                    auto a = s.get<Article>(1);
                    std::lock_guard lock(m);
                    if (!a || a->title != (independent() ? "on the replica" : "on the primary"))
                        failures.push_back(a ? a->title : "no row");
                    ++reads;
                } catch (const std::exception& ex) {
                    std::lock_guard lock(m);
                    failures.push_back(ex.what());
                }
            }
        });
    for (auto& th : threads) th.join();
    BOOST_TEST(failures.empty(), (failures.empty() ? "" : failures.front()));
    BOOST_TEST(reads == 200);
    BOOST_TEST(e.replica_status(0).open >= 1);
    BOOST_TEST(e.status().open == 0);  // no read needed the primary
}

BOOST_AUTO_TEST_CASE(rows_committed_on_the_primary_reach_the_replica, *only_streaming()) {
    tables t;
    auto e = t.routed();
    {
        auto c = e.connect();
        BOOST_TEST(!served_by_replica(c));
        auto r = e.connect_for_read();
        BOOST_TEST(served_by_replica(r));  // the server itself says it is the replica
    }
    {
        dorm::session s(e);
        for (int i = 2; i <= 50; ++i) s.add(Article{.id = i, .title = "article " + std::to_string(i), .views = i});
        s.commit();
    }
    BOOST_TEST(eventually([&] {
        dorm::session s(e);
        const bool done = s.execute(dorm::select(dorm::count()).select_from<Article>()).scalar_one() == 50;
        BOOST_TEST(e.replica_status(0).checked_out == 1);
        return done;
    }), "50 rows did not reach the replica within 30 s");
    dorm::session s(e);
    auto from_replica = s.scalars(dorm::select<Article>().order_by(col(&Article::id))).all();
    BOOST_TEST(e.replica_status(0).checked_out == 1);
    BOOST_TEST_REQUIRE(from_replica.size() == 50u);
    BOOST_TEST(from_replica[41]->title == "article 42");
    BOOST_TEST(from_replica[41]->views == 42);
    // a read-your-writes check right after a commit goes to the primary
    auto a = s.get<Article>(7);
    a->title = "changed";
    s.commit();
    auto fresh = s.scalars(dorm::select<Article>().where(col(&Article::id) == 7), dorm::on_primary).one();
    BOOST_TEST(fresh->title == "changed");
}

// Last: it stops the replica for good.
BOOST_AUTO_TEST_CASE(a_stopped_replica_does_not_fail_reads, *only_streaming()) {
    const std::string stop = env("DORM_TEST_REPLICA_STOP");
    BOOST_TEST_REQUIRE(!stop.empty(), "DORM_TEST_REPLICA_STOP is not set: the replica cannot be stopped");
    tables t;
    std::mutex m;
    std::vector<std::string> log;
    auto e = t.routed({.echo = true, .echo_sink = [&](std::string_view l) {
        std::lock_guard lock(m);
        log.emplace_back(l);
    }});
    {
        dorm::session s(e);  // one pooled replica connection, idle afterwards
        BOOST_TEST(s.get<Article>(1)->title == "on the primary");
        BOOST_TEST(e.replica_status(0).checked_out == 1);
    }
    BOOST_TEST_REQUIRE(std::system(stop.c_str()) == 0, "the replica did not stop");
    for (int i = 0; i < 3; ++i) {
        dorm::session s(e);
        auto a = s.get<Article>(1);  // the pooled connection fails its pre-ping; the primary serves
        BOOST_TEST_REQUIRE(a);
        BOOST_TEST(a->title == "on the primary");
        BOOST_TEST(e.status().checked_out == 1);
    }
    std::lock_guard lock(m);
    int left_out = 0;
    for (const auto& l : log) left_out += l.find(" left out for ") != std::string::npos;
    BOOST_TEST(left_out == 1);
}

BOOST_AUTO_TEST_SUITE_END()
