// Loaders: the lazy default that the loader options replace (each parent's collection loads on
// first access, one SELECT each).
#include <boost/test/unit_test.hpp>

#include <cstddef>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "loaders_fixtures.hpp"
#include "seeds.hpp"

using dorm::col;
using dorm_test::seed_users;

BOOST_AUTO_TEST_SUITE(lazy_default)

BOOST_FIXTURE_TEST_CASE(without_options_each_parent_loads_on_first_access, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>().order_by(col(&User::id))).all();
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
    for (auto& u : users) BOOST_CHECK(!u->comments.loaded());
    std::size_t total = 0;
    for (auto& u : users) total += u->comments.size();
    BOOST_CHECK_EQUAL(total, 6u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 5u);  // 1 + one per parent
    BOOST_CHECK_EQUAL(echo.count_containing(" IN ("), 0u);
    echo.clear();
    for (auto& u : users) (void)u->comments.size();
    CHECK_NO_SQL(echo, "a second access");
}

BOOST_AUTO_TEST_SUITE_END()

