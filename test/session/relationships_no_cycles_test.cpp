// No shared_ptr cycles: object graphs (new, loaded, outliving their session, rolled back) are
// freed when nothing holds them (the sanitizer build runs this with leak detection), and a
// million-deep chain is released without recursion.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <utility>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "relation_checks.hpp"
#include "relationships_fixtures.hpp"

using dorm::col;
using dorm_test::has;

BOOST_AUTO_TEST_SUITE(no_cycles)

BOOST_FIXTURE_TEST_CASE(a_new_graph_is_freed_when_everything_goes_out_of_scope, all_db) {
    std::weak_ptr<User> wu;
    std::weak_ptr<Comment> wc;
    std::weak_ptr<Profile> wp;
    std::weak_ptr<Node> wroot, wchild;
    std::weak_ptr<Post> wpost;
    std::weak_ptr<Tag> wtag;
    std::weak_ptr<Invoice> winv;
    std::weak_ptr<InvoiceLine> wline;
    {
        dorm::session s(engine);
        auto u = s.add(User{.name = "u", .age = 1});
        auto c = std::make_shared<Comment>(Comment{.comment = "c"});
        u->comments.push_back(c);
        u->profile = s.add(Profile{.profile = "p"});
        auto root = s.add(Node{.name = "root"});
        auto child = std::make_shared<Node>(Node{.name = "child"});
        root->children.push_back(child);
        auto post = s.add(Post{.title = "p"});
        auto tag = std::make_shared<Tag>(Tag{.name = "t"});
        post->tags.push_back(tag);
        auto inv = s.add(Invoice{.number = "i"});
        auto line = std::make_shared<InvoiceLine>(InvoiceLine{.item = "l"});
        inv->lines.push_back(line);
        s.commit();
        wu = u;
        wc = c;
        wp = u->profile.get();
        wroot = root;
        wchild = child;
        wpost = post;
        wtag = tag;
        winv = inv;
        wline = line;
    }
    BOOST_CHECK(wu.expired());
    BOOST_CHECK(wc.expired());
    BOOST_CHECK(wp.expired());
    BOOST_CHECK(wroot.expired());
    BOOST_CHECK(wchild.expired());
    BOOST_CHECK(wpost.expired());
    BOOST_CHECK(wtag.expired());
    BOOST_CHECK(winv.expired());
    BOOST_CHECK(wline.expired());
}

BOOST_FIXTURE_TEST_CASE(a_loaded_graph_is_freed_when_everything_goes_out_of_scope, all_db) {
    {
        dorm::session s(engine);
        auto u = s.add(User{.name = "u", .age = 1});
        u->comments.push_back(std::make_shared<Comment>(Comment{.comment = "c"}));
        u->profile = s.add(Profile{.profile = "p"});
        auto root = s.add(Node{.name = "root"});
        root->children.push_back(std::make_shared<Node>(Node{.name = "child"}));
        auto post = s.add(Post{.title = "p"});
        post->tags.push_back(std::make_shared<Tag>(Tag{.name = "t"}));
        s.commit();
    }
    std::weak_ptr<User> wu;
    std::weak_ptr<Comment> wc;
    std::weak_ptr<Profile> wp;
    std::weak_ptr<Node> wroot, wchild;
    std::weak_ptr<Post> wpost;
    std::weak_ptr<Tag> wtag;
    {
        dorm::session s(engine);
        auto u = s.execute(dorm::select<User>()).scalar_one();
        wc = u->comments[0];  // lazy loads
        wp = u->profile.get();
        BOOST_CHECK(u->profile->user.get() == u);
        auto root = s.execute(dorm::select<Node>().where(col(&Node::name) == "root")).scalar_one();
        wchild = root->children[0];
        BOOST_CHECK(root->children[0]->parent.get() == root);
        auto post = s.execute(dorm::select<Post>()).scalar_one();
        wtag = post->tags[0];
        BOOST_CHECK(has(post->tags[0]->posts, post));
        wu = u;
        wroot = root;
        wpost = post;
    }
    BOOST_CHECK(wu.expired());
    BOOST_CHECK(wc.expired());
    BOOST_CHECK(wp.expired());
    BOOST_CHECK(wroot.expired());
    BOOST_CHECK(wchild.expired());
    BOOST_CHECK(wpost.expired());
    BOOST_CHECK(wtag.expired());
}

BOOST_FIXTURE_TEST_CASE(objects_that_outlive_their_session_are_freed_later, all_db) {
    std::weak_ptr<User> wu;
    std::weak_ptr<Comment> wc;
    std::weak_ptr<Post> wpost;
    std::weak_ptr<Tag> wtag;
    {
        std::shared_ptr<User> u;
        std::shared_ptr<Post> post;
        {
            dorm::session s(engine);
            u = s.add(User{.name = "u", .age = 1});
            u->comments.push_back(std::make_shared<Comment>(Comment{.comment = "c"}));
            post = s.add(Post{.title = "p"});
            post->tags.push_back(std::make_shared<Tag>(Tag{.name = "t"}));
            s.commit();
            wc = u->comments[0];
            wtag = post->tags[0];
        }
        wu = u;
        wpost = post;
        BOOST_CHECK(!wu.expired());
        BOOST_CHECK(!wc.expired());  // owned through u->comments
        BOOST_CHECK_EQUAL(u->comments.size(), 1u);
    }
    BOOST_CHECK(wu.expired());
    BOOST_CHECK(wc.expired());
    BOOST_CHECK(wpost.expired());
    BOOST_CHECK(wtag.expired());
}

BOOST_FIXTURE_TEST_CASE(a_session_that_outlives_its_objects_frees_them_at_its_end, all_db) {
    std::weak_ptr<User> wu;
    std::weak_ptr<Comment> wc;
    std::weak_ptr<Node> wroot, wchild;
    {
        dorm::session s(engine);
        {
            auto u = s.add(User{.name = "u", .age = 1});
            auto c = std::make_shared<Comment>(Comment{.comment = "c"});
            u->comments.push_back(c);
            auto root = s.add(Node{.name = "root"});
            auto child = std::make_shared<Node>(Node{.name = "child"});
            root->children.push_back(child);
            wu = u;
            wc = c;
            wroot = root;
            wchild = child;
        }
        s.commit();
        s.rollback();
    }
    BOOST_CHECK(wu.expired());
    BOOST_CHECK(wc.expired());
    BOOST_CHECK(wroot.expired());
    BOOST_CHECK(wchild.expired());
}

BOOST_FIXTURE_TEST_CASE(a_rolled_back_graph_is_freed, all_db) {
    std::weak_ptr<User> wu;
    std::weak_ptr<Comment> wc;
    {
        dorm::session s(engine);
        auto u = s.add(User{.name = "u", .age = 1});
        auto c = std::make_shared<Comment>(Comment{.comment = "c"});
        u->comments.push_back(c);
        s.flush();
        s.rollback();
        wu = u;
        wc = c;
    }
    BOOST_CHECK(wu.expired());
    BOOST_CHECK(wc.expired());
}

BOOST_AUTO_TEST_SUITE_END()

// A million-deep chain held through dorm::many is released without recursion (issue 16, item 2):
// destroying it used to overflow the stack, one frame set per level.
BOOST_AUTO_TEST_CASE(a_million_deep_chain_is_destroyed_without_recursion) {
    constexpr int depth = 1'000'000;
    auto root = std::make_shared<Node>(Node{.name = "root"});
    std::weak_ptr<Node> deepest;
    {
        auto at = root;
        for (int i = 1; i < depth; ++i) {
            auto child = std::make_shared<Node>();
            at->children.push_back(child);
            at = std::move(child);
        }
        deepest = at;
    }
    BOOST_CHECK(!deepest.expired());
    root.reset();  // releases every level
    BOOST_CHECK(deepest.expired());
}

