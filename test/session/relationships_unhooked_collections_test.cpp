// A child pushed into the collection of a parent that is in no session, then only the child added.
// SQLAlchemy's backref sets `child.parent` on `parent.children.append(child)` even between
// transient objects, so `session.add(child)` brings the parent in through the child's many-to-one
// (save-update cascade; SQLAlchemy docs, "Cascades" / save-update, and
// test/orm/test_cascade.py NoBackrefCascadeTest). A dorm::many cannot reach its owner, so the
// flush refuses instead of saving the child without its parent (README, "Relationships before
// add()"); adding the parent as well (before or after the child) is the fix.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <dorm/dorm.hpp>

#include "collection_models.hpp"
#include "fixture.hpp"
#include "relationships_fixtures.hpp"

namespace {

namespace cm = collection_models;
using shelves_db = dorm_test::database<cm::Shelf, cm::Volume>;

/// Commits `s` and returns the invalid_request_error's text ("" when the commit succeeded); the
/// session is rolled back after an error.
std::string commit_error(dorm::session& s) {
    try {
        s.commit();
    } catch (const dorm::invalid_request_error& e) {
        s.rollback();
        return e.what();
    }
    return {};
}

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(unhooked_collections)

// The tutorial's `u1.addresses.append(a1)` on transient objects, then only `session.add(a1)`.
BOOST_FIXTURE_TEST_CASE(a_child_added_without_the_new_parent_that_holds_it_is_an_error, tutorial_db) {
    using tutorial::Address;
    using tutorial::User;
    auto u1 = std::make_shared<User>(User{.name = "pkrabs"});
    auto a1 = std::make_shared<Address>(Address{.email_address = "pearl.krabs@gmail.com"});
    u1->addresses.push_back(a1);
    dorm::session s(engine);
    s.add(a1);
    const std::string what = commit_error(s);
    BOOST_CHECK_MESSAGE(mentions(what, "User.addresses"), what);
    BOOST_CHECK_MESSAGE(mentions(what, "Address.user"), what);
    BOOST_CHECK_MESSAGE(mentions(what, "session.add()"), what);
    BOOST_CHECK_EQUAL(rows("address"), 0);
    BOOST_CHECK_EQUAL(rows("user_account"), 0);
    // the fix the message names: add the owner as well
    s.add(a1);
    s.add(u1);
    s.commit();
    BOOST_CHECK(a1->user.get() == u1);
    BOOST_CHECK(dorm_test::column_of(engine, "address", "user_id", static_cast<int>(a1->id)) == u1->id);
    BOOST_CHECK_EQUAL(rows("user_account"), 1);
}

// The owner added after the child, in the same session, before the flush: nothing to refuse.
BOOST_FIXTURE_TEST_CASE(the_owner_added_after_the_child_takes_it, tutorial_db) {
    using tutorial::Address;
    using tutorial::User;
    auto u1 = std::make_shared<User>(User{.name = "sandy"});
    auto a1 = std::make_shared<Address>(Address{.email_address = "sandy@x"});
    u1->addresses.push_back(a1);
    dorm::session s(engine);
    s.add(a1);
    s.add(u1);
    BOOST_CHECK(a1->user.get() == u1);
    s.commit();
    BOOST_CHECK(dorm_test::column_of(engine, "address", "user_id", static_cast<int>(a1->id)) == u1->id);
}

// An optional foreign key: without the check the child was saved with NULL and the parent never.
BOOST_FIXTURE_TEST_CASE(a_self_referential_child_is_not_saved_as_a_root, nodes_db) {
    auto root = std::make_shared<Node>(Node{.name = "root"});
    auto leaf = std::make_shared<Node>(Node{.name = "leaf"});
    root->children.push_back(leaf);
    dorm::session s(engine);
    s.add(leaf);
    const std::string what = commit_error(s);
    BOOST_CHECK_MESSAGE(mentions(what, "Node.children"), what);
    BOOST_CHECK_MESSAGE(mentions(what, "Node.parent"), what);
    BOOST_CHECK_EQUAL(rows("node"), 0);
    s.add(root);
    s.commit();
    BOOST_CHECK_EQUAL(rows("node"), 2);
    BOOST_CHECK(leaf->parent_id == root->id);
}

// The child's own query autoflushes: the same refusal, before any row is written.
BOOST_FIXTURE_TEST_CASE(an_autoflush_refuses_too, nodes_db) {
    auto root = std::make_shared<Node>(Node{.name = "root"});
    auto leaf = std::make_shared<Node>(Node{.name = "leaf"});
    root->children.push_back(leaf);
    dorm::session s(engine);
    s.add(leaf);
    BOOST_CHECK_THROW(s.execute(dorm::select<Node>()).all(), dorm::invalid_request_error);
    s.rollback();
    BOOST_CHECK_EQUAL(rows("node"), 0);
}

// A collection built with an initializer list and copied into make_shared counts as appended.
BOOST_FIXTURE_TEST_CASE(a_collection_built_in_place_holds_its_items_too, nodes_db) {
    auto leaf = std::make_shared<Node>(Node{.name = "leaf"});
    auto root = std::make_shared<Node>(Node{.name = "root", .children = {leaf}});
    dorm::session s(engine);
    s.add(leaf);
    BOOST_CHECK(mentions(commit_error(s), "Node.children"));
    s.add(root);
    s.commit();
    BOOST_CHECK(leaf->parent_id == root->id);
}

// What no longer holds the child does not count: erased, cleared, or the owner destroyed (nothing
// can save an owner that is gone; the child is saved as a root).
BOOST_FIXTURE_TEST_CASE(a_collection_that_let_go_does_not_count, nodes_db) {
    auto a = std::make_shared<Node>(Node{.name = "a"});
    auto b = std::make_shared<Node>(Node{.name = "b"});
    auto c = std::make_shared<Node>(Node{.name = "c"});
    auto keep = std::make_shared<Node>(Node{.name = "keep"});
    keep->children.push_back(a);
    keep->children.push_back(b);
    keep->children.remove(a);
    keep->children.clear();
    {
        auto gone = std::make_shared<Node>(Node{.name = "gone"});
        gone->children.push_back(c);
    }
    dorm::session s(engine);
    s.add(a);
    s.add(b);
    s.add(c);
    BOOST_CHECK_EQUAL(commit_error(s), "");
    BOOST_CHECK_EQUAL(rows("node"), 3);
    BOOST_CHECK(!a->parent_id && !b->parent_id && !c->parent_id);
}

// A one-way collection has no many-to-one to set: SQLAlchemy saves the child alone too.
BOOST_FIXTURE_TEST_CASE(a_one_way_collection_does_not_count, shelves_db) {
    auto shelf = std::make_shared<cm::Shelf>(cm::Shelf{.name = "s"});
    auto v = std::make_shared<cm::Volume>(cm::Volume{.title = "v"});
    shelf->volumes.push_back(v);
    dorm::session s(engine);
    s.add(v);
    BOOST_CHECK_EQUAL(commit_error(s), "");
    BOOST_CHECK_EQUAL(rows("cm_volume"), 1);
    BOOST_CHECK_EQUAL(rows("cm_shelf"), 0);
}

// Many-to-many: SQLAlchemy's backref would have put the tag in post.tags (the tag and the
// association row saved with the post); dorm refuses instead of losing both.
BOOST_FIXTURE_TEST_CASE(a_many_to_many_item_added_without_its_new_owner_is_an_error, posts_db) {
    auto tag = std::make_shared<Tag>(Tag{.name = "news"});
    auto post = std::make_shared<Post>(Post{.title = "hello"});
    tag->posts.push_back(post);
    dorm::session s(engine);
    s.add(post);
    const std::string what = commit_error(s);
    BOOST_CHECK_MESSAGE(mentions(what, "Tag.posts"), what);
    BOOST_CHECK_EQUAL(rows("post"), 0);
    s.add(post);
    s.add(tag);
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    BOOST_CHECK(post->tags.size() == 1 && post->tags[0] == tag);
    // a persistent tag appended to a new post's collection: the post is added itself (its
    // collection joins the session then); the tag was in the session before, nothing to refuse
    auto post2 = std::make_shared<Post>(Post{.title = "again"});
    post2->tags.push_back(tag);
    s.add(post2);
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 2);
}

// A value copy of a loaded parent (a snapshot kept by the application) is no pending append: its
// children joining another session later are not refused.
BOOST_FIXTURE_TEST_CASE(a_copy_of_a_loaded_parent_does_not_count, nodes_db) {
    int root_id = 0;
    {
        dorm::session s(engine);
        auto root = s.add(Node{.name = "root"});
        root->children.push_back(std::make_shared<Node>(Node{.name = "leaf"}));
        s.commit();
        root_id = root->id;
    }
    std::optional<Node> snapshot;
    std::shared_ptr<Node> leaf;
    {
        dorm::session s(engine);
        auto root = s.get<Node>(root_id);
        leaf = root->children[0];
        snapshot = *root;
    }
    BOOST_REQUIRE_EQUAL(snapshot->children.raw().size(), 1u);
    dorm::session s(engine);
    s.add(leaf);
    leaf->name = "renamed";
    BOOST_CHECK_EQUAL(commit_error(s), "");
    BOOST_CHECK(dorm_test::column_of(engine, "node", "parent_id", leaf->id) == root_id);
}

// Session 24's trial: a copy of the parent made and dropped (a by-value argument) does not make
// the parent's own collection forget the child.
BOOST_FIXTURE_TEST_CASE(a_dropped_copy_of_the_parent_leaves_the_check_in_place, nodes_db) {
    auto root = std::make_shared<Node>(Node{.name = "root"});
    auto leaf = std::make_shared<Node>(Node{.name = "leaf"});
    root->children.push_back(leaf);
    auto by_value = [](Node n) { return n.children.raw().size(); };
    BOOST_CHECK_EQUAL(by_value(*root), 1u);
    dorm::session s(engine);
    s.add(leaf);
    BOOST_CHECK(mentions(commit_error(s), "Node.children"));
    BOOST_CHECK_EQUAL(rows("node"), 0);
}

// Session 24's trial: a detached child whose many-to-one was never loaded, appended to a new
// parent's collection, then added alone: SQLAlchemy's backref moves it to the new parent and
// saves that; dorm refused nothing and kept the old parent silently.
BOOST_FIXTURE_TEST_CASE(a_detached_child_appended_to_a_new_parent_is_not_left_with_the_old_one, tutorial_db) {
    using tutorial::Address;
    using tutorial::User;
    std::int64_t a_id = 0;
    {
        dorm::session s(engine);
        auto old = s.add(User{.name = "old"});
        old->addresses.push_back(std::make_shared<Address>(Address{.email_address = "a@x"}));
        s.commit();
        a_id = old->addresses[0]->id;
    }
    std::shared_ptr<Address> a;
    {
        dorm::session s(engine);
        a = s.get<Address>(a_id);  // its user is not loaded
    }
    auto fresh = std::make_shared<User>(User{.name = "fresh"});
    fresh->addresses.push_back(a);
    dorm::session s(engine);
    s.add(a);
    BOOST_CHECK(mentions(commit_error(s), "User.addresses"));
    s.add(a);
    s.add(fresh);
    s.commit();
    BOOST_CHECK(dorm_test::column_of(engine, "address", "user_id", static_cast<int>(a_id)) == fresh->id);
}

// The registry behind the check is shared by every thread: graphs built, copied, trimmed and
// dropped on four threads at once (run under TSan by .ci/run), then one of them flushed.
BOOST_FIXTURE_TEST_CASE(graphs_built_on_several_threads_at_once, nodes_db) {
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&wrong] {
            for (int round = 0; round < 200; ++round) {
                auto root = std::make_shared<Node>(Node{.name = "r"});
                std::vector<std::shared_ptr<Node>> kids;
                for (int k = 0; k < 5; ++k) {
                    kids.push_back(std::make_shared<Node>(Node{.name = "k"}));
                    root->children.push_back(kids.back());
                }
                Node copy = *root;  // takes the entries over
                copy.children.remove(kids[0]);
                root->children.clear();
                if (copy.children.size() != 4u) wrong.fetch_add(1);
            }
        });
    for (auto& th : threads) th.join();
    BOOST_CHECK_EQUAL(wrong.load(), 0);
    auto root = std::make_shared<Node>(Node{.name = "root"});
    auto leaf = std::make_shared<Node>(Node{.name = "leaf"});
    root->children.push_back(leaf);
    dorm::session s(engine);
    s.add(leaf);
    BOOST_CHECK(mentions(commit_error(s), "Node.children"));
}

BOOST_AUTO_TEST_SUITE_END()
