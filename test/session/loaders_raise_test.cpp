// dorm::raiseload against a real database: a lazy read throws dorm::invalid_request_error without
// SQL; already loaded relationships stay readable.
#include <boost/test/unit_test.hpp>

#include <string>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "loaders_fixtures.hpp"
#include "relation_checks.hpp"
#include "seeds.hpp"

using dorm::col;
using dorm_test::seed_users;

BOOST_AUTO_TEST_SUITE(raise)

BOOST_FIXTURE_TEST_CASE(reading_the_collection_throws_without_sql, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto users =
        s.execute(dorm::select<User>().order_by(col(&User::id)).options(dorm::raiseload(&User::comments))).all();
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
    echo.clear();
    for (auto& u : users) {
        BOOST_CHECK(!u->comments.loaded());
        BOOST_CHECK_THROW(u->comments.size(), dorm::invalid_request_error);
        BOOST_CHECK_THROW(for (auto& c : u->comments)(void) c, dorm::invalid_request_error);
    }
    try {
        (void)users[0]->comments.size();
        BOOST_ERROR("no exception");
    } catch (const dorm::invalid_request_error& e) {
        const std::string what = e.what();
        BOOST_CHECK_MESSAGE(what.find("comments") != std::string::npos, what);
        BOOST_CHECK_MESSAGE(what.find("lazy='raise'") != std::string::npos, what);
    }
    CHECK_NO_SQL(echo, "a raiseload read");
    // other relationships still load lazily
    BOOST_REQUIRE(users[0]->profile);
    BOOST_CHECK_EQUAL(users[0]->profile->profile, "p0");
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
}

BOOST_FIXTURE_TEST_CASE(reading_a_many_to_one_throws, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto comments = s.execute(dorm::select<Comment>().options(dorm::raiseload(&Comment::user))).all();
    BOOST_REQUIRE_EQUAL(comments.size(), 6u);
    echo.clear();
    for (auto& c : comments) {
        BOOST_CHECK_THROW(c->user.get(), dorm::invalid_request_error);
        BOOST_CHECK_THROW((void)static_cast<bool>(c->user), dorm::invalid_request_error);
        BOOST_CHECK(c->user_id != 0);  // columns are fine
    }
    CHECK_NO_SQL(echo, "a raiseload read");
}

BOOST_FIXTURE_TEST_CASE(reading_a_many_to_many_collection_throws, posts_db) {
    seed_posts(engine);
    dorm::session s(engine);
    auto posts = s.execute(dorm::select<Post>().options(dorm::raiseload(&Post::tags))).all();
    BOOST_REQUIRE_EQUAL(posts.size(), 3u);
    echo.clear();
    for (auto& p : posts) BOOST_CHECK_THROW(p->tags.empty(), dorm::invalid_request_error);
    CHECK_NO_SQL(echo, "a raiseload read");
}

BOOST_FIXTURE_TEST_CASE(reading_a_one_to_one_throws, users_db) {
    seed_users(engine, loader_users);
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>().options(dorm::raiseload(&User::profile))).all();
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    echo.clear();
    for (auto& u : users) BOOST_CHECK_THROW(u->profile.get(), dorm::invalid_request_error);
    CHECK_NO_SQL(echo, "a raiseload read");
    // comments still lazy: one SELECT
    BOOST_CHECK_EQUAL(users[0]->comments.size(), 2u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
}

BOOST_FIXTURE_TEST_CASE(an_already_loaded_relationship_stays_readable, users_db) {
    const auto ids = seed_users(engine, loader_users);
    dorm::session s(engine);
    auto u0 = s.get<User>(ids[0]);
    CHECK_NAMES(u0->comments, "c00", "c01");  // loaded lazily first
    echo.clear();
    auto users = s.execute(dorm::select<User>().order_by(col(&User::id)).options(dorm::raiseload(&User::comments))).all();
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    BOOST_CHECK(users[0] == u0);
    CHECK_NAMES(users[0]->comments, "c00", "c01");
    BOOST_CHECK_THROW(users[1]->comments.size(), dorm::invalid_request_error);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
}

BOOST_FIXTURE_TEST_CASE(raiseload_with_selectinload_on_another_relationship, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>()
                               .order_by(col(&User::id))
                               .options(dorm::selectinload(&User::comments), dorm::raiseload(&User::profile)))
                     .all();
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 2u);
    echo.clear();
    CHECK_NAMES(users[2]->comments, "c20", "c21");
    BOOST_CHECK_THROW(users[2]->profile.get(), dorm::invalid_request_error);
    CHECK_NO_SQL(echo, "eager + raise");
}

BOOST_AUTO_TEST_SUITE_END()

