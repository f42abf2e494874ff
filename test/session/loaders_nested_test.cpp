// Nested loader options (.then(...)) against a real database: selectin/joined/raise chained over
// two and three levels.
#include <boost/test/unit_test.hpp>

#include <cstddef>
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

BOOST_AUTO_TEST_SUITE(nested)

BOOST_FIXTURE_TEST_CASE(selectin_then_selectin_is_one_select_per_level, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto comments = s.execute(dorm::select<Comment>().order_by(col(&Comment::id)).options(
                                  dorm::selectinload(&Comment::user).then(dorm::selectinload(&User::profile))))
                        .all();
    BOOST_REQUIRE_EQUAL(comments.size(), 6u);
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 3u, echo.dump());
    BOOST_CHECK_NE(sel[1].find("FROM " + q("user_table")), std::string::npos);
    BOOST_CHECK_NE(sel[2].find("FROM " + q("profile_table")), std::string::npos);
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 3u);
    BOOST_CHECK_EQUAL(in_list_size(sel[2]), 3u);  // the three users loaded, not the loner
    echo.clear();
    for (auto& c : comments) {
        BOOST_REQUIRE(c->user);
        BOOST_CHECK(c->user->profile.loaded());
    }
    BOOST_CHECK_EQUAL(by_name(comments, "c01")->user->profile->profile, "p0");
    BOOST_CHECK(!by_name(comments, "c11")->user->profile);
    BOOST_CHECK_EQUAL(by_name(comments, "c20")->user->profile->profile, "p2");
    CHECK_NO_SQL(echo, "reading nested selectin loads");
}

BOOST_FIXTURE_TEST_CASE(selectin_then_joined_joins_in_the_second_select, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>().order_by(col(&User::id)).options(
                               dorm::selectinload(&User::comments).then(dorm::joinedload(&Comment::user))))
                     .all();
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_EQUAL(sel[0].find("JOIN"), std::string::npos);
    BOOST_CHECK_NE(sel[1].find("LEFT OUTER JOIN " + q("user_table")), std::string::npos);
    BOOST_CHECK_NE(sel[1].find(" IN ("), std::string::npos);
    echo.clear();
    for (auto& u : users)
        for (auto& c : u->comments) BOOST_CHECK(c->user.get() == u);
    CHECK_NAMES(users[1]->comments, "c10", "c11");
    CHECK_NO_SQL(echo, "reading nested loads");
}

// A joinedload of a COLLECTION nested under a selectinload multiplies the rows of the selectin
// query (t2 has two posts, so two rows): each tag still belongs to its post's collection once.
BOOST_FIXTURE_TEST_CASE(many_to_many_selectin_then_joined_many_to_many, posts_db) {
    seed_posts(engine);
    echo.clear();
    dorm::session s(engine);
    auto posts = s.execute(dorm::select<Post>().order_by(col(&Post::id)).options(
                               dorm::selectinload(&Post::tags).then(dorm::joinedload(&Tag::posts))))
                     .all();
    BOOST_REQUIRE_EQUAL(posts.size(), 3u);
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_NE(sel[1].find(" IN ("), std::string::npos);
    BOOST_CHECK_EQUAL(occurrences(sel[1], "LEFT OUTER JOIN"), 2u);
    echo.clear();
    CHECK_NAMES(posts[0]->tags, "t1", "t2");
    CHECK_NAMES(posts[1]->tags, "t2");
    BOOST_CHECK(posts[2]->tags.empty());
    for (auto& t : posts[0]->tags) {
        BOOST_CHECK(t->posts.loaded());
        if (t->name == "t1") {
            CHECK_NAMES(t->posts, "p1");
        } else {
            CHECK_NAMES(t->posts, "p1", "p2");
            BOOST_CHECK(has(t->posts, posts[0]));
            BOOST_CHECK(has(t->posts, posts[1]));
        }
    }
    CHECK_NO_SQL(echo, "reading nested many-to-many loads");
}

// The same, self-referential: the second statement returns (a, a1), (a, a2), (b, NULL).
BOOST_FIXTURE_TEST_CASE(self_referential_selectin_then_joined, nodes_db) {
    seed_nodes(engine);
    echo.clear();
    dorm::session s(engine);
    auto root = s.execute(dorm::select<Node>()
                              .where(col(&Node::name) == "root")
                              .options(dorm::selectinload(&Node::children).then(dorm::joinedload(&Node::children))))
                    .one();
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_NE(sel[1].find("LEFT OUTER JOIN " + q("node") + " AS "), std::string::npos);
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 1u);
    echo.clear();
    CHECK_NAMES(root->children, "a", "b");  // a once, although its two children make two rows
    for (auto& c : root->children) {
        BOOST_CHECK(c->children.loaded());
        if (c->name == "a") CHECK_NAMES(c->children, "a1", "a2");
        else BOOST_CHECK(c->children.empty());
    }
    CHECK_NO_SQL(echo, "reading nested loads");
}

BOOST_FIXTURE_TEST_CASE(joined_then_selectin, posts_db) {
    seed_posts(engine);
    echo.clear();
    dorm::session s(engine);
    auto posts = s.execute(dorm::select<Post>().order_by(col(&Post::id)).options(
                               dorm::joinedload(&Post::tags).then(dorm::selectinload(&Tag::posts))))
                     .all();
    BOOST_REQUIRE_EQUAL(posts.size(), 3u);
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_NE(sel[0].find("LEFT OUTER JOIN"), std::string::npos);
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 2u);  // the two distinct tags t1, t2
    echo.clear();
    for (auto& t : posts[0]->tags) BOOST_CHECK(t->posts.loaded());
    std::size_t total = 0;
    for (auto& t : posts[0]->tags) total += t->posts.size();
    BOOST_CHECK_EQUAL(total, 3u);  // t1 {p1}, t2 {p1, p2}
    CHECK_NO_SQL(echo, "reading nested loads");
}

BOOST_FIXTURE_TEST_CASE(selectin_then_raise, posts_db) {
    seed_posts(engine);
    echo.clear();
    dorm::session s(engine);
    auto posts = s.execute(dorm::select<Post>().order_by(col(&Post::id)).options(
                               dorm::selectinload(&Post::tags).then(dorm::raiseload(&Tag::posts))))
                     .all();
    BOOST_REQUIRE_EQUAL(posts.size(), 3u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 2u);
    echo.clear();
    CHECK_NAMES(posts[0]->tags, "t1", "t2");
    for (auto& t : posts[0]->tags) BOOST_CHECK_THROW(t->posts.size(), dorm::invalid_request_error);
    CHECK_NO_SQL(echo, "a nested raiseload read");
}

BOOST_FIXTURE_TEST_CASE(joined_then_joined_loads_two_levels, nodes_db) {
    seed_nodes(engine);
    echo.clear();
    dorm::session s(engine);
    auto roots = s.execute(dorm::select<Node>()
                               .where(col(&Node::parent_id).is_null())
                               .options(dorm::joinedload(&Node::children).then(dorm::joinedload(&Node::children))))
                     .all();
    BOOST_REQUIRE_EQUAL(roots.size(), 1u);
    // dorm turns a joinedload under a joinedload into one more SELECT ... IN (lib/session/loaders.cpp);
    // SQLAlchemy would chain a second LEFT OUTER JOIN into the one statement
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_NE(sel[0].find("LEFT OUTER JOIN"), std::string::npos);
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 2u);
    echo.clear();
    auto root = roots[0];
    CHECK_NAMES(root->children, "a", "b");
    for (auto& c : root->children) {
        BOOST_CHECK(c->children.loaded());
        if (c->name == "a") CHECK_NAMES(c->children, "a1", "a2");
        else BOOST_CHECK(c->children.empty());
        for (auto& g : c->children) BOOST_CHECK(g->parent.get() == c);
    }
    CHECK_NO_SQL(echo, "reading two joined levels");
}

BOOST_FIXTURE_TEST_CASE(selectin_three_levels_deep, nodes_db) {
    seed_nodes(engine);
    echo.clear();
    dorm::session s(engine);
    auto root = s.execute(dorm::select<Node>()
                              .where(col(&Node::name) == "root")
                              .options(dorm::selectinload(&Node::children)
                                           .then(dorm::selectinload(&Node::children)
                                                     .then(dorm::selectinload(&Node::children)))))
                    .one();
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 4u, echo.dump());
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 1u);  // root
    BOOST_CHECK_EQUAL(in_list_size(sel[2]), 2u);  // a, b
    BOOST_CHECK_EQUAL(in_list_size(sel[3]), 2u);  // a1, a2
    echo.clear();
    for (auto& c : root->children)
        for (auto& g : c->children) {
            BOOST_CHECK(g->children.loaded());
            BOOST_CHECK(g->children.empty());
        }
    CHECK_NO_SQL(echo, "reading three selectin levels");
}

BOOST_AUTO_TEST_SUITE_END()

