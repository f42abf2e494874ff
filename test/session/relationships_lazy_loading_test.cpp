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

BOOST_FIXTURE_TEST_CASE(a_new_objects_parent_set_by_key_loads_after_its_insert, users_db) {
    // A relationship a new object never set was never loaded: once the object is persistent it
    // loads from the foreign key on first access (SQLAlchemy's lazy loader on an attribute that is
    // not in __dict__; test/orm/test_lazy_relations.py, test_load_on_pending.py). It used to stay
    // null although the key named a row, and the parent was in the session.
    std::int64_t elsewhere = 0;
    {
        dorm::session other(engine);
        auto bea = other.add(User{.name = "bea", .age = 41});
        other.commit();
        elsewhere = bea->id;
    }
    dorm::session s(engine);
    auto ann = s.add(User{.name = "ann", .age = 30});
    s.commit();
    auto by_key = s.add(Comment{.comment = "by key", .user_id = ann->id});
    auto unknown_parent = s.add(Comment{.comment = "bea's", .user_id = static_cast<int>(elsewhere)});
    BOOST_CHECK(!by_key->user.get());  // pending: nothing to load yet
    s.commit();

    echo.clear();
    BOOST_CHECK(by_key->user.get() == ann);  // from the identity map: no SQL
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 0u);
    BOOST_REQUIRE(unknown_parent->user.get());  // not in the session: one SELECT
    BOOST_CHECK_EQUAL(unknown_parent->user->name, "bea");
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
    // queried back, the same object, its parent loaded
    auto again = s.scalars(dorm::select<Comment>().where(col(&Comment::comment) == "by key")).one();
    BOOST_CHECK(again == by_key);
    BOOST_CHECK(again->user.get() == ann);

    // ann's collection holds what it held when ann was added (nothing: objects are not expired on
    // commit); refresh() makes it load again, and the comment set by key is in it
    BOOST_CHECK(ann->comments.empty());
    s.refresh(ann);
    BOOST_REQUIRE_EQUAL(ann->comments.size(), 1u);
    BOOST_CHECK(ann->comments[0] == by_key);

    // an assigned parent decides the key, and stays
    auto cal = s.add(User{.name = "cal", .age = 50});
    auto assigned = s.add(Comment{.comment = "assigned", .user_id = ann->id});
    assigned->user = cal;
    s.commit();
    BOOST_CHECK(assigned->user.get() == cal);
    BOOST_CHECK_EQUAL(assigned->user_id, cal->id);
    // a flushed INSERT undone by rollback() or close(): the object has no row again, and its
    // many-to-one is empty again (not a load that needs a session)
    auto rolled_back = s.add(Comment{.comment = "undone", .user_id = ann->id});
    s.flush();
    s.rollback();
    BOOST_CHECK(!rolled_back->user.get());
    {
        dorm::session other(engine);
        auto closed = other.add(Comment{.comment = "closed", .user_id = ann->id});
        other.flush();
        other.close();
        BOOST_CHECK(!closed->user.get());
    }
    // a new object without a key keeps its empty relationship (no SQL on access)
    auto orphan = s.add(Profile{.profile = "p", .user_id = ann->id});
    s.rollback();
    echo.clear();
    BOOST_CHECK(!orphan->user.get());
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 0u);
}

BOOST_AUTO_TEST_SUITE_END()

