// Lazy loading against a real database: a collection loads on first access (one SELECT per
// parent), a many-to-one found in the identity map needs no SQL, a lazy load autoflushes first.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "relation_checks.hpp"
#include "relationships_fixtures.hpp"
#include "seeds.hpp"

using dorm::col;
using dorm_test::seed_users;

BOOST_AUTO_TEST_SUITE(lazy_loading)

BOOST_FIXTURE_TEST_CASE(a_collection_loads_on_first_access, users_db) {
    const auto ids = seed_users(engine);
    echo.clear();
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>().order_by(col(&User::id))).all();
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
    BOOST_REQUIRE_EQUAL(users.size(), 3u);
    for (auto& u : users) BOOST_CHECK(!u->comments.loaded());
    std::size_t total = 0;
    for (auto& u : users) total += u->comments.size();
    BOOST_CHECK_EQUAL(total, 6u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u + users.size());  // N+1
    {
        // the same lazy-load statement each time: generated once, then cached
        std::vector<std::string> badges;
        for (auto& e : echo.entries())
            if (dorm_test::echo_capture::is_params(e)) badges.push_back(e);
        BOOST_REQUIRE_EQUAL(badges.size(), 1u + users.size());
        BOOST_CHECK_MESSAGE(badges[1].starts_with("[generated in "), badges[1]);
        for (std::size_t i = 2; i < badges.size(); ++i)
            BOOST_CHECK_MESSAGE(badges[i].starts_with("[cached since "), badges[i]);
    }
    CHECK_NAMES(users[0]->comments, "c00", "c01");
    CHECK_NAMES(users[2]->comments, "c20", "c21");

    // loaded once: no more SQL, and the back references point to the owners without SQL
    echo.clear();
    for (auto& u : users) {
        BOOST_CHECK(u->comments.loaded());
        for (auto& c : u->comments) BOOST_CHECK(c->user.get() == u);
    }
    BOOST_CHECK_MESSAGE(echo.statements().empty(), "loaded relationships ran SQL:\n" << echo.dump());
}

BOOST_FIXTURE_TEST_CASE(a_many_to_one_in_the_identity_map_needs_no_sql, users_db) {
    seed_users(engine);
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>()).all();
    auto comments = s.execute(dorm::select<Comment>()).all();
    echo.clear();
    for (auto& c : comments) {
        auto u = c->user.get();
        BOOST_REQUIRE(u);
        BOOST_CHECK_EQUAL(u->id, c->user_id);
        BOOST_CHECK(std::any_of(users.begin(), users.end(), [&](auto& x) { return x.get() == u.get(); }));
    }
    BOOST_CHECK_MESSAGE(echo.statements().empty(), "many-to-one through the identity map ran SQL:\n" << echo.dump());
}

BOOST_FIXTURE_TEST_CASE(a_many_to_one_not_in_the_identity_map_runs_one_select, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto c = s.execute(dorm::select<Comment>().where(col(&Comment::comment) == "c11")).scalar_one();
    echo.clear();
    BOOST_REQUIRE(c->user);
    BOOST_CHECK_EQUAL(c->user->name, "user1");
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
    BOOST_CHECK(s.get<User>(ids[1]).get() == c->user.get().get());
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
}

BOOST_FIXTURE_TEST_CASE(a_lazy_load_autoflushes_first, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u = s.get<User>(ids[0]);
    s.add(Comment{.comment = "by key", .user_id = ids[0]});  // foreign key set directly
    CHECK_NAMES(u->comments, "by key", "c00", "c01");
}

BOOST_FIXTURE_TEST_CASE(an_empty_collection_loads_as_empty, users_db) {
    int id = 0;
    {
        dorm::session s(engine);
        auto u = s.add(User{.name = "lonely", .age = 1});
        s.commit();
        id = u->id;
    }
    dorm::session s(engine);
    auto u = s.get<User>(id);
    BOOST_CHECK(u->comments.empty());
    BOOST_CHECK(!u->profile);
    echo.clear();
    BOOST_CHECK(u->comments.empty());
    BOOST_CHECK(!u->profile);
    BOOST_CHECK(echo.statements().empty());
}

BOOST_FIXTURE_TEST_CASE(a_pending_objects_relationships_need_no_sql, users_db) {
    dorm::session s(engine);
    auto u = s.add(User{.name = "new", .age = 1});
    BOOST_CHECK(u->comments.empty());
    BOOST_CHECK(!u->profile);
    BOOST_CHECK(echo.statements().empty());
}

BOOST_AUTO_TEST_SUITE_END()

