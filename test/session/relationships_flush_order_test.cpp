// Flush order against a real database: parents are inserted before their children whatever the
// add order, also within a self-referential table, and children are deleted first.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "relation_checks.hpp"
#include "relationships_fixtures.hpp"

using dorm::col;
using dorm_test::column_of;
using dorm_test::has;
using dorm_test::q;

BOOST_AUTO_TEST_SUITE(flush_order)

BOOST_FIXTURE_TEST_CASE(children_added_before_their_parent_still_flush, users_db) {
    dorm::session s(engine);
    auto c = s.add(Comment{.comment = "first added"});
    auto p = s.add(Profile{.profile = "p"});
    auto u = std::make_shared<User>(User{.name = "added last", .age = 1});
    c->user = u;  // the user joins through the save-update cascade
    p->user = u;
    BOOST_CHECK(s.contains(u));
    BOOST_CHECK(has(u->comments, c));
    BOOST_CHECK(u->profile.get() == p);
    s.commit();
    BOOST_CHECK(u->id != 0);
    BOOST_CHECK_EQUAL(c->user_id, u->id);
    BOOST_CHECK_EQUAL(p->user_id, u->id);
    const int user_insert = echo.find_statement("INSERT INTO " + q("user_table"));
    const int comment_insert = echo.find_statement("INSERT INTO " + q("comment_table"));
    const int profile_insert = echo.find_statement("INSERT INTO " + q("profile_table"));
    BOOST_REQUIRE(user_insert >= 0);
    BOOST_CHECK(user_insert < comment_insert);
    BOOST_CHECK(user_insert < profile_insert);
}

BOOST_FIXTURE_TEST_CASE(children_added_in_any_order, users_db) {
    dorm::session s(engine);
    auto c1 = std::make_shared<Comment>(Comment{.comment = "c1"});
    auto c2 = std::make_shared<Comment>(Comment{.comment = "c2"});
    s.add(c2);
    s.add(c1);
    auto u = std::make_shared<User>(User{.name = "u", .age = 1});
    s.add(u);
    u->comments.push_back(c1);
    u->comments.push_back(c2);
    s.commit();
    BOOST_CHECK_EQUAL(c1->user_id, u->id);
    BOOST_CHECK_EQUAL(c2->user_id, u->id);
    BOOST_CHECK_EQUAL(rows("comment_table"), 2);
}

BOOST_FIXTURE_TEST_CASE(a_child_of_a_flushed_parent_gets_its_key, users_db) {
    dorm::session s(engine);
    auto u = s.add(User{.name = "u", .age = 1});
    s.flush();
    auto c = std::make_shared<Comment>(Comment{.comment = "late"});
    u->comments.push_back(c);
    s.commit();
    BOOST_CHECK_EQUAL(c->user_id, u->id);
}

BOOST_FIXTURE_TEST_CASE(self_referential_rows_are_inserted_parents_first, nodes_db) {
    int root_id = 0;
    {
        dorm::session s(engine);
        auto leaf = s.add(Node{.name = "leaf"});  // added first
        auto mid = s.add(Node{.name = "mid"});
        auto root = s.add(Node{.name = "root"});  // added last
        leaf->parent = mid;
        mid->parent = root;
        BOOST_CHECK(has(root->children, mid));
        BOOST_CHECK(has(mid->children, leaf));
        s.commit();
        BOOST_CHECK(!root->parent_id.has_value());
        BOOST_CHECK(mid->parent_id == root->id);
        BOOST_CHECK(leaf->parent_id == mid->id);
        root_id = root->id;
    }
    BOOST_CHECK_EQUAL(rows("node"), 3);
    dorm::session s(engine);
    auto root = s.get<Node>(root_id);
    BOOST_REQUIRE(root);
    CHECK_NAMES(root->children, "mid");
    auto mid = root->children[0];
    CHECK_NAMES(mid->children, "leaf");
    auto leaf = mid->children[0];
    echo.clear();
    BOOST_CHECK(leaf->parent.get() == mid);  // identity map: no SQL
    BOOST_CHECK(mid->parent.get() == root);
    BOOST_CHECK(!root->parent);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 0u);
}

BOOST_FIXTURE_TEST_CASE(self_referential_children_through_push_back, nodes_db) {
    dorm::session s(engine);
    auto root = std::make_shared<Node>(Node{.name = "root"});
    auto a = std::make_shared<Node>(Node{.name = "a"});
    auto b = std::make_shared<Node>(Node{.name = "b"});
    auto a1 = std::make_shared<Node>(Node{.name = "a1"});
    s.add(a1);  // grandchild first
    s.add(root);
    root->children.push_back(a);
    root->children.push_back(b);
    a->children.push_back(a1);
    BOOST_CHECK(a1->parent.get() == a);
    BOOST_CHECK(a->parent.get() == root);
    s.commit();
    BOOST_CHECK(a->parent_id == root->id);
    BOOST_CHECK(b->parent_id == root->id);
    BOOST_CHECK(a1->parent_id == a->id);
    BOOST_CHECK(column_of(engine, "node", "parent_id", a1->id) == a->id);
}

BOOST_FIXTURE_TEST_CASE(self_referential_rows_are_deleted_children_first, nodes_db) {
    std::vector<int> ids;
    {
        dorm::session s(engine);
        auto root = s.add(Node{.name = "root"});
        auto mid = std::make_shared<Node>(Node{.name = "mid"});
        auto leaf = std::make_shared<Node>(Node{.name = "leaf"});
        root->children.push_back(mid);
        mid->children.push_back(leaf);
        s.commit();
        ids = {root->id, mid->id, leaf->id};
    }
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Node>().order_by(col(&Node::id))).all();
    for (auto& n : all) s.remove(n);  // parents marked first
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(rows("node"), 0);
}

BOOST_AUTO_TEST_SUITE_END()

