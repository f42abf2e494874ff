// Loaders and the identity map: objects already in the session are reused, unflushed changes and
// changed collections are not overwritten by a query with loaders.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <string>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "loaders_fixtures.hpp"
#include "relation_checks.hpp"
#include "seeds.hpp"

using dorm::col;
using dorm_test::has;
using dorm_test::q;
using dorm_test::seed_users;

BOOST_AUTO_TEST_SUITE(identity_map)

BOOST_FIXTURE_TEST_CASE(selectin_reuses_objects_already_in_the_session, users_db) {
    const auto ids = seed_users(engine, loader_users);
    dorm::session s(engine);
    auto u1 = s.get<User>(ids[1]);
    auto c10 = s.execute(dorm::select<Comment>().where(col(&Comment::comment) == "c10")).scalar_one();
    BOOST_CHECK(!u1->comments.loaded());
    echo.clear();
    auto users =
        s.execute(dorm::select<User>().order_by(col(&User::id)).options(dorm::selectinload(&User::comments))).all();
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 2u);
    echo.clear();
    BOOST_CHECK(users[1] == u1);          // the same object
    BOOST_CHECK(has(u1->comments, c10));  // the child already in the session, not a copy
    BOOST_CHECK(c10->user.get() == u1);   // its back reference set
    CHECK_NO_SQL(echo, "reading reused objects");
}

BOOST_FIXTURE_TEST_CASE(joined_reuses_objects_already_in_the_session, users_db) {
    const auto ids = seed_users(engine, loader_users);
    dorm::session s(engine);
    auto u1 = s.get<User>(ids[1]);
    auto c10 = s.execute(dorm::select<Comment>().where(col(&Comment::comment) == "c10")).scalar_one();
    echo.clear();
    auto users =
        s.execute(dorm::select<User>().order_by(col(&User::id)).options(dorm::joinedload(&User::comments))).all();
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
    echo.clear();
    BOOST_CHECK(users[1] == u1);
    BOOST_CHECK_EQUAL(u1->comments.size(), 2u);
    BOOST_CHECK(has(u1->comments, c10));
    BOOST_CHECK(c10->user.get() == u1);
    CHECK_NO_SQL(echo, "reading reused objects");
}

BOOST_FIXTURE_TEST_CASE(many_to_one_targets_already_in_the_session_are_reused, users_db) {
    seed_users(engine, loader_users);
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>().order_by(col(&User::id))).all();
    for (bool joined : {false, true}) {
        dorm::session s2(engine);
        auto us = s2.execute(dorm::select<User>().order_by(col(&User::id))).all();
        auto stmt = dorm::select<Comment>();
        auto comments = joined ? s2.execute(stmt.options(dorm::joinedload(&Comment::user))).all()
                               : s2.execute(stmt.options(dorm::selectinload(&Comment::user))).all();
        BOOST_REQUIRE_EQUAL(comments.size(), 6u);
        for (auto& c : comments) {
            auto u = c->user.get();
            BOOST_REQUIRE(u);
            BOOST_CHECK(std::any_of(us.begin(), us.end(), [&](auto& x) { return x == u; }));
            BOOST_CHECK(std::none_of(users.begin(), users.end(), [&](auto& x) { return x == u; }));
        }
    }
}

BOOST_FIXTURE_TEST_CASE(unflushed_column_changes_survive_a_query_with_loaders, users_db) {
    const auto ids = seed_users(engine, loader_users);
    dorm::session s(engine);
    auto u1 = s.get<User>(ids[1]);
    auto guard = s.no_autoflush();
    u1->name = "renamed";
    for (bool joined : {false, true}) {
        auto stmt = dorm::select<User>().order_by(col(&User::id));
        auto users = joined ? s.execute(stmt.options(dorm::joinedload(&User::comments))).all()
                            : s.execute(stmt.options(dorm::selectinload(&User::comments))).all();
        BOOST_REQUIRE_EQUAL(users.size(), 4u);
        BOOST_CHECK(users[1] == u1);
        BOOST_CHECK_EQUAL(u1->name, "renamed");
        CHECK_NAMES(u1->comments, "c10", "c11");
    }
}

// test/orm/test_session.py::test_autoflush: a query does not overwrite what is already loaded in the session
// (SQLAlchemy's selectin/joined loaders skip an attribute already present on an existing object unless
// populate_existing). A loaded collection changed in memory keeps its changes.
BOOST_FIXTURE_TEST_CASE(a_loaded_and_changed_collection_is_not_overwritten_by_selectin, authors_db) {
    int a1_id = 0;
    {
        dorm::session s(engine);
        auto a1 = s.add(Author{.name = "a1"});
        auto a2 = s.add(Author{.name = "a2"});
        a1->books.push_back(std::make_shared<Book>(Book{.title = "b1"}));
        a1->books.push_back(std::make_shared<Book>(Book{.title = "b2"}));
        a2->books.push_back(std::make_shared<Book>(Book{.title = "b3"}));
        s.commit();
        a1_id = a1->id;
    }
    dorm::session s(engine);
    auto a1 = s.get<Author>(a1_id);
    CHECK_NAMES(a1->books, "b1", "b2");
    {
        auto guard = s.no_autoflush();  // the database still has b1 under a1, b4 nowhere
        for (auto it = a1->books.begin(); it != a1->books.end(); ++it)
            if ((*it)->title == "b1") {
                a1->books.erase(it);
                break;
            }
        a1->books.push_back(std::make_shared<Book>(Book{.title = "b4"}));
        echo.clear();
        auto authors =
            s.execute(dorm::select<Author>().order_by(col(&Author::id)).options(dorm::selectinload(&Author::books)))
                .all();
        BOOST_REQUIRE_EQUAL(authors.size(), 2u);
        const auto sel = selects(echo);
        BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
        BOOST_CHECK_EQUAL(in_list_size(sel[1]), 1u);  // only a2: a1's collection is loaded
        BOOST_CHECK(authors[0] == a1);
        CHECK_NAMES(a1->books, "b2", "b4");
        CHECK_NAMES(authors[1]->books, "b3");

        // all loaded now: running it again is the parent SELECT only
        echo.clear();
        auto again =
            s.execute(dorm::select<Author>().order_by(col(&Author::id)).options(dorm::selectinload(&Author::books)))
                .all();
        BOOST_CHECK_MESSAGE(echo.count_statements("SELECT") == 1u, echo.dump());
        CHECK_NAMES(a1->books, "b2", "b4");
    }
    s.commit();
    auto c = engine.connect();
    auto st = c.prepare("SELECT count(*) FROM " + q("book") + " WHERE " + q("author_id") + " = " + std::to_string(a1_id));
    BOOST_REQUIRE(st->step());
    BOOST_CHECK_EQUAL(st->get_int(0), 2);  // b2, b4
    auto st2 = c.prepare("SELECT count(*) FROM " + q("book") + " WHERE " + q("author_id") + " IS NULL");
    BOOST_REQUIRE(st2->step());
    BOOST_CHECK_EQUAL(st2->get_int(0), 1);  // b1
}

BOOST_FIXTURE_TEST_CASE(a_loaded_and_changed_collection_is_not_overwritten_by_joined, posts_db) {
    const auto ids = seed_posts(engine);
    dorm::session s(engine);
    auto p1 = s.get<Post>(ids.p1);
    CHECK_NAMES(p1->tags, "t1", "t2");
    {
        auto guard = s.no_autoflush();
        for (auto it = p1->tags.begin(); it != p1->tags.end(); ++it)
            if ((*it)->name == "t1") {
                p1->tags.erase(it);
                break;
            }
        echo.clear();
        auto posts =
            s.execute(dorm::select<Post>().order_by(col(&Post::id)).options(dorm::joinedload(&Post::tags))).all();
        BOOST_REQUIRE_EQUAL(posts.size(), 3u);
        BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
        BOOST_CHECK(posts[0] == p1);
        CHECK_NAMES(p1->tags, "t2");  // not reset to the database's t1, t2
        CHECK_NAMES(posts[1]->tags, "t2");
    }
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE"), 1u);  // the association row p1-t1 only
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
    BOOST_CHECK_EQUAL(rows("post_tag"), 2);
}

BOOST_FIXTURE_TEST_CASE(a_collection_changed_and_autoflushed_reads_the_flushed_rows, users_db) {
    const auto ids = seed_users(engine, loader_users);
    dorm::session s(engine);
    auto u3 = s.get<User>(ids[3]);
    u3->comments.push_back(std::make_shared<Comment>(Comment{.comment = "new"}));
    echo.clear();
    auto users =
        s.execute(dorm::select<User>().order_by(col(&User::id)).options(dorm::selectinload(&User::comments))).all();
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 1u);  // autoflush first
    BOOST_CHECK_LT(echo.find_statement("INSERT"), echo.find_statement("SELECT"));
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    BOOST_CHECK(users[3] == u3);
    CHECK_NAMES(u3->comments, "new");
    BOOST_CHECK_EQUAL(u3->comments.size(), 1u);  // not twice
}

BOOST_AUTO_TEST_SUITE_END()

