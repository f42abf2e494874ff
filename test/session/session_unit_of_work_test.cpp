// What a flush writes, against a real database: autoflush before queries, UPDATE of changed
// columns only, nothing for unchanged objects, one transaction per commit, statement order.
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "seeds.hpp"
#include "session_fixtures.hpp"

using dorm::col;
using dorm_test::ph;
using dorm_test::q;
using dorm_test::seed_members;

BOOST_AUTO_TEST_SUITE(unit_of_work)

BOOST_FIXTURE_TEST_CASE(a_tables_updates_run_before_its_inserts, member_db) {
    // SQLAlchemy's unit of work: UPDATEs of a table before its INSERTs, so renaming a unique value
    // and adding a new row with the old value in one flush works
    // (test/orm/test_unitofwork.py, the mapper's save_obj: updates, then inserts)
    dorm::session s(engine);
    auto bob = s.add(Member{.email = "bob@example.com", .nick = "bob"});
    s.commit();
    bob->email = "robert@example.com";
    auto new_bob = s.add(Member{.email = "bob@example.com", .nick = "bob the second"});
    echo.clear();
    BOOST_CHECK_NO_THROW(s.commit());
    const int update = echo.find_statement("UPDATE");
    const int insert = echo.find_statement("INSERT");
    BOOST_CHECK_MESSAGE(update >= 0 && insert > update, echo.dump());
    dorm::session fresh(engine);
    BOOST_CHECK_EQUAL(fresh.get<Member>(bob->id)->email, "robert@example.com");
    BOOST_CHECK_EQUAL(fresh.get<Member>(new_bob->id)->email, "bob@example.com");
}

BOOST_FIXTURE_TEST_CASE(an_object_the_application_made_is_written_after_every_commit, member_db) {
    // The pattern of every SQLAlchemy tutorial: the application makes the object (its own
    // shared_ptr), adds it, and keeps changing it across commits and rollbacks; every change is
    // written (SQLAlchemy: the session tracks the instance as long as it is in the identity map;
    // test/orm/test_unitofwork.py). dorm once stopped watching such an object after its second
    // flush, and later changes were silently lost.
    dorm::session s(engine);
    auto m = std::make_shared<Member>(Member{.email = "ann@example.com", .nick = "ann"});
    s.add(m);
    s.commit();
    for (int i = 1; i <= 4; ++i) {
        m->nick = "ann" + std::to_string(i);
        s.commit();
        dorm::session fresh(engine);
        BOOST_TEST(fresh.get<Member>(m->id)->nick == m->nick);
    }
    m->nick = "rolled back";
    s.flush();
    s.rollback();
    BOOST_TEST(m->nick == "ann4");
    m->nick = "after the rollback";
    s.commit();
    {
        dorm::session fresh(engine);
        BOOST_TEST(fresh.get<Member>(m->id)->nick == "after the rollback");
    }
    // a flush that writes nothing in between does not make the session let go of it either
    s.flush();
    s.commit();
    m->nick = "still watched";
    s.commit();
    dorm::session fresh(engine);
    BOOST_TEST(fresh.get<Member>(m->id)->nick == "still watched");
}

BOOST_FIXTURE_TEST_CASE(autoflush_before_a_query_finds_an_added_object, member_db) {
    dorm::session s(engine);
    auto m = s.add(Member{.email = "a@x", .nick = "pending"});
    auto found = s.execute(dorm::select<Member>().where(col(&Member::nick) == "pending")).first();
    BOOST_REQUIRE(found);
    BOOST_CHECK(found.get() == m.get());
    BOOST_CHECK(m->id != 0);
    const int insert = echo.find_statement("INSERT");
    const int select = echo.find_statement("SELECT");
    BOOST_REQUIRE(insert >= 0);
    BOOST_REQUIRE(select >= 0);
    BOOST_CHECK(insert < select);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count()).select_from<Member>()).scalar_one(), 1);
    s.rollback();
    BOOST_CHECK_EQUAL(rows("member"), 0);  // flushed, not committed
}

BOOST_FIXTURE_TEST_CASE(autoflush_before_a_query_writes_changes, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    m->score = 99;
    auto n = s.execute(dorm::select(dorm::count()).select_from<Member>().where(col(&Member::score) == 99))
                 .scalar_one();
    BOOST_CHECK_EQUAL(n, 1);
}

BOOST_FIXTURE_TEST_CASE(no_autoflush_keeps_changes_in_memory, member_db) {
    dorm::session s(engine);
    {
        auto guard = s.no_autoflush();
        s.add(Member{.email = "a@x", .nick = "pending"});
        auto found = s.execute(dorm::select<Member>().where(col(&Member::nick) == "pending")).first();
        BOOST_CHECK(!found);
        BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
    }
    auto found = s.execute(dorm::select<Member>().where(col(&Member::nick) == "pending")).first();
    BOOST_CHECK(found);
}

BOOST_FIXTURE_TEST_CASE(update_lists_only_changed_columns, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    s.commit();
    echo.clear();
    m->nick = "alicia";
    BOOST_CHECK(s.is_modified(m));
    s.commit();
    const auto st = echo.statements();
    BOOST_REQUIRE_EQUAL(st.size(), 1u);
    const std::string expected = "UPDATE " + q("member") + " SET " + q("nick") + "=" + ph(1) + " WHERE " +
                                 q("member") + "." + q("id") + " = " + ph(2);
    BOOST_CHECK_EQUAL(st[0], expected);
    // parameters: the new value and the key
    const auto entries = echo.entries();
    bool params_ok = false;
    for (auto& e : entries)
        if (e.starts_with("[") && e.find("('alicia', " + std::to_string(ids[0]) + ")") != std::string::npos)
            params_ok = true;
    BOOST_CHECK_MESSAGE(params_ok, "UPDATE parameters not ('alicia', id):\n" << echo.dump());
    BOOST_CHECK_EQUAL(echo.count_entries("BEGIN (implicit)"), 1u);
    BOOST_CHECK_EQUAL(echo.count_entries("COMMIT"), 1u);

    // two columns changed: both, and only those
    echo.clear();
    m->score = 31;
    m->email = "alicia@example.com";
    s.commit();
    BOOST_REQUIRE_EQUAL(echo.count_statements("UPDATE"), 1u);
    const auto up = echo.statements()[0];
    BOOST_CHECK(up.find(q("score") + "=") != std::string::npos);
    BOOST_CHECK(up.find(q("email") + "=") != std::string::npos);
    BOOST_CHECK(up.find(q("nick") + "=") == std::string::npos);

    dorm::session check(engine);
    auto again = check.get<Member>(ids[0]);
    BOOST_CHECK_EQUAL(again->nick, "alicia");
    BOOST_CHECK(again->score == 31);
    BOOST_CHECK_EQUAL(again->email, "alicia@example.com");
}

BOOST_FIXTURE_TEST_CASE(setting_an_optional_to_null_is_written, member_db) {
    const auto ids = seed_members(engine);
    {
        dorm::session s(engine);
        auto m = s.get<Member>(ids[0]);
        m->score = std::nullopt;
        s.commit();
        BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 1u);
    }
    dorm::session s(engine);
    BOOST_CHECK(s.get<Member>(ids[0])->score == std::nullopt);
    auto none = s.execute(dorm::select<Member>().where(col(&Member::score).is_null()).order_by(col(&Member::id)))
                    .all();
    CHECK_NICKS(none, "alice", "bob");
}

BOOST_FIXTURE_TEST_CASE(commit_without_work_writes_nothing, member_db) {
    seed_members(engine);
    {
        dorm::session fresh(engine);
        echo.clear();
        fresh.commit();  // autobegin takes no connection: nothing logged
        BOOST_CHECK_MESSAGE(echo.entries().empty(), "commit() of an unused session logged:\n" << echo.dump());
        fresh.flush();
        BOOST_CHECK(echo.entries().empty());
    }
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Member>()).all();
    s.commit();
    echo.clear();
    s.commit();  // loaded objects, nothing changed
    s.flush();
    BOOST_CHECK_MESSAGE(echo.entries().empty(), "commit() without changes logged:\n" << echo.dump());
    for (auto& m : all) BOOST_CHECK(!s.is_modified(m));
}

BOOST_FIXTURE_TEST_CASE(setting_a_value_to_the_same_value_writes_nothing, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    s.commit();
    echo.clear();
    m->nick = std::string("alice");
    m->score = 30;
    m->email = std::string(m->email);
    BOOST_CHECK(!s.is_modified(m));
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    BOOST_CHECK_MESSAGE(echo.entries().empty(), "an unchanged object was written:\n" << echo.dump());
}

BOOST_FIXTURE_TEST_CASE(changing_and_changing_back_writes_nothing, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    m->nick = "temporary";
    BOOST_CHECK(s.is_modified(m));
    m->nick = "alice";
    BOOST_CHECK(!s.is_modified(m));
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
}

BOOST_FIXTURE_TEST_CASE(is_modified_follows_the_object, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    BOOST_CHECK(!s.is_modified(m));
    m->score = 1;
    BOOST_CHECK(s.is_modified(m));
    s.flush();
    BOOST_CHECK(!s.is_modified(m));  // flushed: the database has it
    s.remove(m);
    BOOST_CHECK(s.is_modified(m));  // marked for delete
    s.rollback();
}

BOOST_FIXTURE_TEST_CASE(one_transaction_per_commit, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    auto bob = s.get<Member>(ids[1]);
    s.commit();
    echo.clear();
    alice->score = 31;
    s.remove(bob);
    s.add(Member{.email = "new1@x", .nick = "new1"});
    s.add(Member{.email = "new2@x", .nick = "new2"});
    s.commit();
    const auto entries = echo.entries();
    BOOST_REQUIRE(!entries.empty());
    BOOST_CHECK_EQUAL(entries.front(), "BEGIN (implicit)");
    BOOST_CHECK_EQUAL(entries.back(), "COMMIT");
    BOOST_CHECK_EQUAL(echo.count_entries("BEGIN (implicit)"), 1u);
    BOOST_CHECK_EQUAL(echo.count_entries("COMMIT"), 1u);
    BOOST_CHECK_EQUAL(echo.count_entries("ROLLBACK"), 0u);
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 2u);
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 1u);
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE"), 1u);
    BOOST_CHECK_EQUAL(rows("member"), 6);

    // the next commit is the next transaction
    echo.clear();
    alice->score = 32;
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_entries("BEGIN (implicit)"), 1u);
    BOOST_CHECK_EQUAL(echo.count_entries("COMMIT"), 1u);
}

BOOST_FIXTURE_TEST_CASE(updates_run_in_primary_key_order, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Member>().order_by(col(&Member::id).desc())).all();
    for (auto& m : all) m->score = 1000 + m->id;
    echo.clear();
    s.commit();
    std::vector<std::string> params;
    for (auto& e : echo.entries())
        if (dorm_test::echo_capture::is_params(e) && e.find("(10") != std::string::npos) params.push_back(e);
    BOOST_REQUIRE_EQUAL(params.size(), all.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        BOOST_CHECK_MESSAGE(params[i].find(", " + std::to_string(ids[i]) + ")") != std::string::npos,
                            "UPDATE #" << i << " is not for id " << ids[i] << ": " << params[i]);
}

BOOST_FIXTURE_TEST_CASE(remove_deletes_the_row, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[2]);
    s.remove(m);
    BOOST_CHECK(s.contains(m));  // marked, still in the session until the flush
    s.commit();
    BOOST_CHECK(!s.contains(m));
    BOOST_CHECK_EQUAL(m->nick, "carol");  // the object stays usable
    BOOST_CHECK_EQUAL(rows("member"), 4);
    const std::string expected = "DELETE FROM " + q("member") + " WHERE " + q("member") + "." + q("id") + " = " + ph(1);
    BOOST_CHECK(echo.find_statement(expected) >= 0);
}

BOOST_FIXTURE_TEST_CASE(remove_then_add_keeps_the_object, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[2]);
    s.remove(m);
    s.add(m);
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), 5);
    BOOST_CHECK(s.contains(m));
}

BOOST_FIXTURE_TEST_CASE(many_inserts_in_one_commit_get_their_own_keys, member_db) {
    // more rows than one batch of a pipelining driver (PostgreSQL): every object gets the key of
    // its own row, in add() order
    dorm::session s(engine);
    std::vector<std::shared_ptr<Member>> added;
    for (int i = 0; i < 600; ++i)
        added.push_back(s.add(Member{.email = "m" + std::to_string(i) + "@x", .nick = "n" + std::to_string(i)}));
    s.commit();
    std::set<int> ids;
    for (auto& m : added) ids.insert(m->id);
    BOOST_CHECK_EQUAL(ids.size(), added.size());
    BOOST_CHECK(ids.count(0) == 0);
    dorm::session check(engine);
    for (std::size_t i = 0; i < added.size(); i += 37) {
        auto m = check.get<Member>(added[i]->id);
        BOOST_REQUIRE(m);
        BOOST_CHECK_EQUAL(m->email, added[i]->email);
    }
    for (std::size_t i = 1; i < added.size(); ++i) BOOST_CHECK(added[i]->id > added[i - 1]->id);
}

BOOST_AUTO_TEST_SUITE_END()

