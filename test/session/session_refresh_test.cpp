// Queries do not overwrite unflushed changes, refresh() does (against a real database).
#include <boost/test/unit_test.hpp>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "seeds.hpp"
#include "session_fixtures.hpp"

using dorm::col;
using dorm_test::seed_members;

BOOST_AUTO_TEST_SUITE(refresh)

BOOST_FIXTURE_TEST_CASE(a_query_does_not_overwrite_unflushed_changes, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    s.commit();
    {
        // another session changes the row
        dorm::session other(engine);
        auto a = other.get<Member>(ids[0]);
        a->nick = "changed elsewhere";
        a->score = 99;
        other.commit();
    }
    alice->email = "local@example.com";  // unflushed
    {
        auto guard = s.no_autoflush();
        auto again = s.execute(dorm::select<Member>().where(col(&Member::id) == ids[0])).scalar_one();
        BOOST_CHECK(again.get() == alice.get());
        BOOST_CHECK_EQUAL(alice->email, "local@example.com");  // unflushed change survives
        BOOST_CHECK_EQUAL(alice->nick, "alice");               // the row does not overwrite the object
        BOOST_CHECK(alice->score == 30);
    }
    // refresh() re-reads the row and discards the unflushed change
    echo.clear();
    s.refresh(alice);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    BOOST_CHECK_EQUAL(alice->email, "alice@example.com");
    BOOST_CHECK_EQUAL(alice->nick, "changed elsewhere");
    BOOST_CHECK(alice->score == 99);
    BOOST_CHECK(!s.is_modified(alice));
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
}

BOOST_FIXTURE_TEST_CASE(a_query_after_autoflush_keeps_the_new_values, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    alice->nick = "local";
    auto again = s.execute(dorm::select<Member>().where(col(&Member::nick) == "local")).scalar_one();
    BOOST_CHECK(again.get() == alice.get());
    BOOST_CHECK_EQUAL(alice->nick, "local");
}

BOOST_FIXTURE_TEST_CASE(refresh_of_a_pending_object_is_an_error, member_db) {
    dorm::session s(engine);
    auto m = s.add(Member{.email = "a@x", .nick = "a"});
    BOOST_CHECK_THROW(s.refresh(m), dorm::invalid_request_error);
}

BOOST_AUTO_TEST_SUITE_END()

