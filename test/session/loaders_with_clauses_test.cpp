// Loaders combined with where / order_by / limit: a LIMIT counts parents and never leaves a partial
// collection.
#include <boost/test/unit_test.hpp>

#include <string>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "loaders_fixtures.hpp"
#include "relation_checks.hpp"
#include "seeds.hpp"

using dorm::col;
using dorm_test::seed_users;

BOOST_AUTO_TEST_SUITE(with_clauses)

BOOST_FIXTURE_TEST_CASE(selectin_with_where_order_by_limit, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>()
                               .where(col(&User::age) >= 21)
                               .order_by(col(&User::age).desc())
                               .limit(2)
                               .options(dorm::selectinload(&User::comments)))
                     .all();
    BOOST_REQUIRE_EQUAL(users.size(), 2u);
    BOOST_CHECK_EQUAL(users[0]->name, "loner");
    BOOST_CHECK_EQUAL(users[1]->name, "user2");
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 2u);  // only the parents returned
    echo.clear();
    BOOST_CHECK(users[0]->comments.empty());
    CHECK_NAMES(users[1]->comments, "c20", "c21");
    CHECK_NO_SQL(echo, "reading selectin-loaded collections");
}

BOOST_FIXTURE_TEST_CASE(joined_with_where_and_order_by, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>()
                               .where(col(&User::age) <= 22)
                               .where(col(&User::name) != "user1")
                               .order_by(col(&User::id).desc())
                               .options(dorm::joinedload(&User::comments)))
                     .all();
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
    BOOST_REQUIRE_EQUAL(users.size(), 2u);
    BOOST_CHECK_EQUAL(users[0]->name, "user2");
    BOOST_CHECK_EQUAL(users[1]->name, "user0");
    echo.clear();
    CHECK_NAMES(users[0]->comments, "c20", "c21");
    CHECK_NAMES(users[1]->comments, "c00", "c01");
    CHECK_NO_SQL(echo, "reading joined-loaded collections");
}

BOOST_FIXTURE_TEST_CASE(joined_many_to_one_with_limit, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    // a many-to-one join does not multiply rows: LIMIT counts comments
    auto comments = s.execute(dorm::select<Comment>()
                                  .order_by(col(&Comment::comment).desc())
                                  .limit(3)
                                  .options(dorm::joinedload(&Comment::user)))
                        .all();
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
    BOOST_REQUIRE_EQUAL(comments.size(), 3u);
    BOOST_CHECK_EQUAL(comments[0]->comment, "c21");
    BOOST_CHECK_EQUAL(comments[2]->comment, "c11");
    BOOST_CHECK_EQUAL(comments[0]->user->name, "user2");
    BOOST_CHECK_EQUAL(comments[2]->user->name, "user1");
}

// SQLAlchemy (test_eager_relations.py, "limit" tests) wraps the limited parent SELECT in a
// subquery and LEFT OUTER JOINs the collection to it, so LIMIT counts parents and every
// collection is complete. dorm gets the same objects another way: under LIMIT/OFFSET a joined
// collection is loaded by a second SELECT ... IN (as selectinload), the LIMIT stays on the parents.
BOOST_FIXTURE_TEST_CASE(joined_collection_with_limit_counts_parents, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>()
                               .order_by(col(&User::id))
                               .limit(2)
                               .options(dorm::joinedload(&User::comments)))
                     .all();
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_EQUAL(sel[0].find("JOIN"), std::string::npos);  // the LIMIT counts users only
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 2u);
    BOOST_REQUIRE_EQUAL(users.size(), 2u);
    BOOST_CHECK_EQUAL(users[0]->name, "user0");
    BOOST_CHECK_EQUAL(users[1]->name, "user1");
    echo.clear();
    CHECK_NAMES(users[0]->comments, "c00", "c01");
    CHECK_NAMES(users[1]->comments, "c10", "c11");
    CHECK_NO_SQL(echo, "reading joined-loaded collections");
}

BOOST_FIXTURE_TEST_CASE(joined_collection_with_limit_never_leaves_a_partial_collection, users_db) {
    // with the joined rows counted, .limit(3) would end on user1's first comment and leave its
    // collection loaded with one of its two comments
    seed_users(engine, loader_users);
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>()
                               .order_by(col(&User::id))
                               .limit(3)
                               .options(dorm::joinedload(&User::comments)))
                     .all();
    BOOST_REQUIRE_EQUAL(users.size(), 3u);
    for (auto& u : users) {
        BOOST_CHECK(u->comments.loaded());
        if (u->name != "loner") BOOST_CHECK_EQUAL(u->comments.size(), 2u);
    }
    // and with OFFSET alone
    auto rest = s.execute(dorm::select<User>()
                              .order_by(col(&User::id))
                              .offset(1)
                              .options(dorm::joinedload(&User::comments)))
                    .all();
    BOOST_REQUIRE_EQUAL(rest.size(), 3u);  // user1, user2, loner
    BOOST_CHECK(rest.front().get() == users[1].get());
    BOOST_CHECK_EQUAL(rest.back()->name, "loner");
    BOOST_CHECK(rest.back()->comments.loaded() && rest.back()->comments.empty());
}

BOOST_AUTO_TEST_SUITE_END()

