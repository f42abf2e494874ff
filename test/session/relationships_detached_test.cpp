// Detached objects against a real database: an unloaded relationship of an object whose session
// is gone (or that was expunged) throws; loaded relationships and committed objects stay readable.
#include <boost/test/unit_test.hpp>

#include <memory>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "relation_checks.hpp"
#include "relationships_fixtures.hpp"
#include "seeds.hpp"

using dorm::col;
using dorm_test::seed_users;

BOOST_AUTO_TEST_SUITE(detached)

BOOST_FIXTURE_TEST_CASE(an_unloaded_relationship_after_the_session_is_gone_throws, users_db) {
    const auto ids = seed_users(engine);
    std::shared_ptr<User> u;
    std::shared_ptr<Comment> c;
    {
        dorm::session s(engine);
        u = s.get<User>(ids[0]);
        c = s.execute(dorm::select<Comment>().where(col(&Comment::comment) == "c11")).scalar_one();
    }
    BOOST_CHECK_EQUAL(u->name, "user0");  // columns stay readable
    BOOST_CHECK_THROW(u->comments.size(), dorm::detached_instance_error);
    BOOST_CHECK_THROW(for (auto& x : u->comments) (void)x, dorm::detached_instance_error);
    BOOST_CHECK_THROW(c->user.get(), dorm::detached_instance_error);
    BOOST_CHECK_THROW((void)u->profile.get(), dorm::detached_instance_error);
    BOOST_CHECK_EQUAL(c->comment, "c11");
}

BOOST_FIXTURE_TEST_CASE(an_unloaded_relationship_after_expunge_throws, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u = s.get<User>(ids[0]);
    s.expunge(u);
    BOOST_CHECK_THROW(u->comments.size(), dorm::detached_instance_error);
}

BOOST_FIXTURE_TEST_CASE(loaded_relationships_stay_readable_after_the_session_ends, users_db) {
    const auto ids = seed_users(engine);
    std::shared_ptr<User> u;
    {
        dorm::session s(engine);
        u = s.get<User>(ids[2]);
        BOOST_CHECK_EQUAL(u->comments.size(), 2u);  // loaded while the session lives
        for (auto& c : u->comments) BOOST_CHECK(c->user.get() == u);
    }
    CHECK_NAMES(u->comments, "c20", "c21");
    for (auto& c : u->comments) {
        BOOST_CHECK_EQUAL(c->user_id, u->id);
        BOOST_CHECK(c->user.get() == u);
    }
}

BOOST_FIXTURE_TEST_CASE(objects_committed_in_a_session_stay_valid_after_it, users_db) {
    std::shared_ptr<User> bob;
    std::shared_ptr<Comment> c;
    {
        dorm::session s(engine);
        bob = s.add(User{.name = "Bob", .age = 41});
        c = std::make_shared<Comment>(Comment{.comment = "hi"});
        bob->comments.push_back(c);
        s.commit();
    }
    BOOST_CHECK_EQUAL(bob->name, "Bob");
    BOOST_CHECK_EQUAL(bob->comments.size(), 1u);
    BOOST_CHECK(c->user.get() == bob);
    BOOST_CHECK_EQUAL(c->user_id, bob->id);
}

BOOST_AUTO_TEST_SUITE_END()

