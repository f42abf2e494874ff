// back_populates against a real database: both sides of a relationship kept in step before any
// flush (push_back, assigning the scalar side, erase/remove/clear, one-to-one), and a transient graph
// joining the session with its root.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "relation_checks.hpp"
#include "relationships_fixtures.hpp"
#include "seeds.hpp"

using dorm::col;
using dorm_test::column_of;
using dorm_test::has;
using dorm_test::seed_users;

BOOST_AUTO_TEST_SUITE(back_populates)

BOOST_FIXTURE_TEST_CASE(push_back_sets_the_back_reference_before_any_flush, users_db) {
    dorm::session s(engine);
    auto bob = s.add(User{.name = "Bob", .age = 41});
    auto c = std::make_shared<Comment>(Comment{.comment = "hi"});
    echo.clear();
    bob->comments.push_back(c);
    BOOST_CHECK(c->user.get() == bob);  // back_populates, in memory
    BOOST_CHECK_EQUAL(c->user_id, 0);   // the foreign key is set by the flush
    BOOST_CHECK(s.contains(c));         // save-update cascade
    BOOST_CHECK_EQUAL(bob->comments.size(), 1u);
    BOOST_CHECK_MESSAGE(echo.entries().empty(), "push_back ran SQL:\n" << echo.dump());
    s.commit();
    BOOST_CHECK(bob->id != 0);
    BOOST_CHECK(c->id != 0);
    BOOST_CHECK_EQUAL(c->user_id, bob->id);
    BOOST_CHECK(column_of(engine, "comment_table", "user_id", c->id) == bob->id);
}

BOOST_FIXTURE_TEST_CASE(push_back_on_a_loaded_parent_inserts_the_child, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u = s.get<User>(ids[1]);
    auto c = std::make_shared<Comment>(Comment{.comment = "new"});
    u->comments.push_back(c);  // loads the collection, then appends
    BOOST_CHECK(c->user.get() == u);
    BOOST_CHECK(s.contains(c));
    BOOST_CHECK_EQUAL(u->comments.size(), 3u);
    s.commit();
    BOOST_CHECK_EQUAL(c->user_id, ids[1]);
    dorm::session check(engine);
    CHECK_NAMES(check.get<User>(ids[1])->comments, "c10", "c11", "new");
}

BOOST_FIXTURE_TEST_CASE(setting_the_scalar_side_appends_to_the_collection, users_db) {
    dorm::session s(engine);
    auto bob = s.add(User{.name = "Bob", .age = 41});
    auto c = s.add(Comment{.comment = "hi"});
    c->user = bob;
    BOOST_CHECK(has(bob->comments, c));
    BOOST_CHECK_EQUAL(bob->comments.size(), 1u);
    s.commit();
    BOOST_CHECK_EQUAL(c->user_id, bob->id);
}

BOOST_FIXTURE_TEST_CASE(assigning_the_scalar_moves_the_child_between_collections, users_db) {
    dorm::session s(engine);
    auto u1 = s.add(User{.name = "u1", .age = 1});
    auto u2 = s.add(User{.name = "u2", .age = 2});
    auto c = std::make_shared<Comment>(Comment{.comment = "moving"});
    u1->comments.push_back(c);
    s.commit();
    BOOST_CHECK_EQUAL(c->user_id, u1->id);

    c->user = u2;
    BOOST_CHECK(!has(u1->comments, c));
    BOOST_CHECK(has(u2->comments, c));
    BOOST_CHECK(c->user.get() == u2);
    s.commit();
    BOOST_CHECK_EQUAL(c->user_id, u2->id);
    BOOST_CHECK(column_of(engine, "comment_table", "user_id", c->id) == u2->id);
}

BOOST_FIXTURE_TEST_CASE(moving_a_child_between_loaded_parents_of_another_session, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u0 = s.get<User>(ids[0]);
    auto u2 = s.get<User>(ids[2]);
    BOOST_REQUIRE_EQUAL(u0->comments.size(), 2u);  // preloaded collections
    BOOST_REQUIRE_EQUAL(u2->comments.size(), 2u);
    auto c = u0->comments[0];
    c->user = u2;
    BOOST_CHECK_EQUAL(u0->comments.size(), 1u);
    BOOST_CHECK_EQUAL(u2->comments.size(), 3u);
    BOOST_CHECK(has(u2->comments, c));
    s.commit();
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.get<User>(ids[0])->comments.size(), 1u);
    BOOST_CHECK_EQUAL(check.get<User>(ids[2])->comments.size(), 3u);
}

BOOST_FIXTURE_TEST_CASE(moving_a_child_into_an_unloaded_collection, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto comments = s.execute(dorm::select<Comment>().where(col(&Comment::comment) == "c00")).all();
    BOOST_REQUIRE_EQUAL(comments.size(), 1u);
    auto c = comments[0];
    auto u1 = s.get<User>(ids[1]);
    c->user = u1;  // neither collection loaded yet
    BOOST_CHECK(c->user.get() == u1);
    CHECK_NAMES(u1->comments, "c00", "c10", "c11");
    CHECK_NAMES(s.get<User>(ids[0])->comments, "c01");
    s.commit();
    BOOST_CHECK(column_of(engine, "comment_table", "user_id", c->id) == ids[1]);
}

BOOST_FIXTURE_TEST_CASE(erase_clears_the_back_reference, authors_db) {
    int author_id = 0, b1_id = 0, b2_id = 0;
    {
        dorm::session s(engine);
        auto a = s.add(Author{.name = "A"});
        auto b1 = std::make_shared<Book>(Book{.title = "one"});
        auto b2 = std::make_shared<Book>(Book{.title = "two"});
        a->books.push_back(b1);
        a->books.push_back(b2);
        s.commit();
        author_id = a->id;
        b1_id = b1->id;
        b2_id = b2->id;
        BOOST_CHECK(b1->author_id == a->id);
    }
    dorm::session s(engine);
    auto a = s.get<Author>(author_id);
    auto it = std::find_if(a->books.begin(), a->books.end(), [&](auto& b) { return b->id == b1_id; });
    BOOST_REQUIRE(it != a->books.end());
    auto b1 = *it;
    BOOST_CHECK(b1->author.get() == a);
    a->books.erase(it);
    BOOST_CHECK(!b1->author);  // back reference cleared in memory
    BOOST_CHECK_EQUAL(a->books.size(), 1u);
    BOOST_CHECK(s.contains(b1));  // no delete-orphan: the book stays
    s.commit();
    BOOST_CHECK(!b1->author_id.has_value());
    BOOST_CHECK(column_of(engine, "book", "author_id", b1_id) == std::nullopt);
    BOOST_CHECK(column_of(engine, "book", "author_id", b2_id) == author_id);
    BOOST_CHECK_EQUAL(rows("book"), 2);
}

BOOST_FIXTURE_TEST_CASE(many_remove_and_clear_clear_back_references, authors_db) {
    dorm::session s(engine);
    auto a = s.add(Author{.name = "A"});
    auto b1 = std::make_shared<Book>(Book{.title = "one"});
    auto b2 = std::make_shared<Book>(Book{.title = "two"});
    a->books.push_back(b1);
    a->books.push_back(b2);
    s.commit();
    BOOST_CHECK(a->books.remove(b1));
    BOOST_CHECK(!b1->author);
    a->books.clear();
    BOOST_CHECK(!b2->author);
    s.commit();
    BOOST_CHECK(column_of(engine, "book", "author_id", b1->id) == std::nullopt);
    BOOST_CHECK(column_of(engine, "book", "author_id", b2->id) == std::nullopt);
}

BOOST_FIXTURE_TEST_CASE(setting_the_scalar_to_null_removes_from_the_collection, authors_db) {
    dorm::session s(engine);
    auto a = s.add(Author{.name = "A"});
    auto b = std::make_shared<Book>(Book{.title = "one"});
    a->books.push_back(b);
    s.commit();
    b->author = nullptr;
    BOOST_CHECK(a->books.empty());
    s.commit();
    BOOST_CHECK(!b->author_id.has_value());
    BOOST_CHECK(column_of(engine, "book", "author_id", b->id) == std::nullopt);
}

BOOST_FIXTURE_TEST_CASE(one_to_one_sets_both_sides, users_db) {
    int user_id = 0;
    {
        dorm::session s(engine);
        auto bob = s.add(User{.name = "Bob", .age = 41});
        auto p = s.add(Profile{.profile = "admin"});
        bob->profile = p;
        BOOST_CHECK(p->user.get() == bob);
        s.commit();
        BOOST_CHECK_EQUAL(p->user_id, bob->id);
        user_id = bob->id;
    }
    dorm::session s(engine);
    auto bob = s.get<User>(user_id);
    BOOST_REQUIRE(bob->profile);
    BOOST_CHECK_EQUAL(bob->profile->profile, "admin");
    echo.clear();
    BOOST_CHECK(bob->profile->user.get() == bob);  // in the identity map: no SQL
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 0u);
}

BOOST_FIXTURE_TEST_CASE(the_tutorial_script, users_db) {
    dorm::session session(engine);
    auto bob = session.add(User{.name = "Bob", .age = 41});
    auto c = std::make_shared<Comment>(Comment{.comment = "hi"});
    bob->comments.push_back(c);
    bob->profile = session.add(Profile{.profile = "admin"});
    session.commit();
    std::vector<std::string> seen;
    for (auto& comment : bob->comments) seen.push_back(comment->comment);
    BOOST_REQUIRE_EQUAL(seen.size(), 1u);
    BOOST_CHECK_EQUAL(seen[0], "hi");
    BOOST_CHECK_EQUAL(bob->profile->user_id, bob->id);
    BOOST_CHECK_EQUAL(c->user_id, bob->id);
}

BOOST_FIXTURE_TEST_CASE(a_transient_graph_joins_the_session_with_its_root, users_db) {
    // built before any session exists; add() of the root cascades along save-update
    auto u = std::make_shared<User>(User{.name = "root", .age = 1});
    auto c1 = std::make_shared<Comment>(Comment{.comment = "a"});
    auto c2 = std::make_shared<Comment>(Comment{.comment = "b"});
    u->comments.push_back(c1);
    u->comments.push_back(c2);
    dorm::session s(engine);
    s.add(u);
    BOOST_CHECK(s.contains(c1));
    BOOST_CHECK(s.contains(c2));
    s.commit();
    BOOST_CHECK_EQUAL(c1->user_id, u->id);
    BOOST_CHECK_EQUAL(c2->user_id, u->id);
    // back_populates (test/orm/test_backref_mutations.py::test_collection_move_preloaded)
    BOOST_CHECK(c1->user.get() == u);
    BOOST_CHECK_EQUAL(rows("comment_table"), 2);
}

BOOST_AUTO_TEST_SUITE_END()

