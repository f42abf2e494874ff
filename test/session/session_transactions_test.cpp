// Transactions of a session against a real database: a destroyed session rolls back, rollback
// restores a consistent state, close() detaches everything.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "seeds.hpp"
#include "session_fixtures.hpp"

using dorm::col;
using dorm_test::seed_members;

BOOST_AUTO_TEST_SUITE(transactions)

BOOST_FIXTURE_TEST_CASE(a_destroyed_session_rolls_back_what_it_did_not_commit, member_db) {
    const auto ids = seed_members(engine);
    {
        dorm::session s(engine);
        s.add(Member{.email = "uncommitted@x", .nick = "u"});
        s.get<Member>(ids[0])->score = 777;
        s.remove(s.get<Member>(ids[1]));
        s.flush();
        echo.clear();
    }
    BOOST_CHECK_EQUAL(echo.count_entries("ROLLBACK"), 1u);
    BOOST_CHECK_EQUAL(echo.count_entries("COMMIT"), 0u);
    dorm::session s(engine);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count()).select_from<Member>()).scalar_one(), 5);
    BOOST_CHECK(s.get<Member>(ids[0])->score == 30);
    BOOST_CHECK(s.get<Member>(ids[1]) != nullptr);
}

BOOST_FIXTURE_TEST_CASE(objects_stay_valid_after_the_session_ends, member_db) {
    const auto ids = seed_members(engine);
    std::vector<std::shared_ptr<Member>> kept;
    std::shared_ptr<Member> added;
    {
        dorm::session s(engine);
        kept = s.execute(dorm::select<Member>().order_by(col(&Member::id))).all();
        added = s.add(Member{.email = "late@x", .nick = "late"});
        s.commit();
    }
    BOOST_REQUIRE_EQUAL(kept.size(), 5u);
    BOOST_CHECK_EQUAL(kept[0]->nick, "alice");
    BOOST_CHECK_EQUAL(kept[4]->nick, "100% eve_");
    BOOST_CHECK(added->id != 0);
    BOOST_CHECK_EQUAL(added->nick, "late");
    // a detached object can be changed freely and joins a new session
    added->nick = "later";
    dorm::session s2(engine);
    BOOST_CHECK_NO_THROW(s2.add(added));
}

BOOST_FIXTURE_TEST_CASE(rollback_restores_a_consistent_state, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    auto bob = s.get<Member>(ids[1]);
    auto carol = s.get<Member>(ids[2]);
    auto dave = s.get<Member>(ids[3]);
    s.commit();  // everything above is committed state

    auto added = s.add(Member{.email = "new@x", .nick = "new"});
    alice->nick = "alicia";
    alice->score = 31;
    s.remove(bob);
    s.flush();
    BOOST_CHECK(!s.contains(bob));
    carol->nick = "unflushed";
    s.remove(dave);  // not flushed
    s.rollback();

    // objects added in the transaction leave the session
    BOOST_CHECK(!s.contains(added));
    BOOST_CHECK_EQUAL(added->nick, "new");  // its values stay
    // removed ones come back
    BOOST_CHECK(s.contains(bob));
    BOOST_CHECK(!s.is_modified(bob));
    BOOST_CHECK(s.get<Member>(ids[1]).get() == bob.get());
    BOOST_CHECK(s.contains(dave));
    BOOST_CHECK(!s.is_modified(dave));
    // changed ones get the last committed values back (flushed or not)
    BOOST_CHECK_EQUAL(alice->nick, "alice");
    BOOST_CHECK(alice->score == 30);
    BOOST_CHECK_EQUAL(carol->nick, "carol");
    BOOST_CHECK(!s.is_modified(alice));
    BOOST_CHECK(!s.is_modified(carol));
    // objects committed earlier stay
    BOOST_CHECK(s.contains(alice));
    BOOST_CHECK(s.contains(carol));

    // the session goes on: nothing of the rolled-back transaction is written later
    echo.clear();
    s.commit();
    BOOST_CHECK(echo.statements().empty());
    BOOST_CHECK_EQUAL(rows("member"), 5);
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.get<Member>(ids[0])->nick, "alice");
    BOOST_CHECK(check.get<Member>(ids[1]) != nullptr);
}

BOOST_FIXTURE_TEST_CASE(close_detaches_everything_and_the_session_can_be_used_again, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    auto added = s.add(Member{.email = "new@x", .nick = "new"});
    s.flush();
    alice->nick = "changed";
    s.close();
    BOOST_CHECK(!s.contains(alice));
    BOOST_CHECK(!s.contains(added));
    BOOST_CHECK_EQUAL(s.size(), 0u);
    BOOST_CHECK_EQUAL(rows("member"), 5);  // the flushed INSERT was rolled back
    auto again = s.get<Member>(ids[0]);
    BOOST_REQUIRE(again);
    BOOST_CHECK(again.get() != alice.get());
    BOOST_CHECK_EQUAL(again->nick, "alice");
    s.add(Member{.email = "after@x", .nick = "after"});
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(rows("member"), 6);
}

BOOST_FIXTURE_TEST_CASE(rollback_after_several_flushes_restores_the_committed_values, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    s.commit();
    alice->score = 1;
    s.flush();
    alice->score = 2;
    s.flush();
    alice->nick = "x";
    s.rollback();
    BOOST_CHECK(alice->score == 30);
    BOOST_CHECK_EQUAL(alice->nick, "alice");
}

BOOST_FIXTURE_TEST_CASE(rollback_keeps_what_was_committed_before, member_db) {
    dorm::session s(engine);
    auto first = s.add(Member{.email = "first@x", .nick = "first"});
    s.commit();
    first->nick = "first, changed";
    s.commit();
    first->nick = "first, rolled back";
    auto second = s.add(Member{.email = "second@x", .nick = "second"});
    s.rollback();
    BOOST_CHECK(s.contains(first));
    BOOST_CHECK_EQUAL(first->nick, "first, changed");
    BOOST_CHECK(!s.contains(second));
    BOOST_CHECK_EQUAL(rows("member"), 1);
}

BOOST_FIXTURE_TEST_CASE(an_object_rolled_back_out_of_the_session_can_be_added_again, member_db) {
    dorm::session s(engine);
    auto m = s.add(Member{.email = "again@x", .nick = "again"});
    s.flush();
    s.rollback();
    BOOST_CHECK(!s.contains(m));
    s.add(m);
    s.commit();
    BOOST_CHECK(m->id != 0);
    BOOST_CHECK_EQUAL(rows("member"), 1);
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.get<Member>(m->id)->nick, "again");
}

BOOST_AUTO_TEST_SUITE_END()

