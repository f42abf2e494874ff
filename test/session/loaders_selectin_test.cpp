// dorm::selectinload against a real database: one more SELECT ... IN (...) per relationship (per
// chunk of keys) for every kind of relationship, checked against the data and the SQL emitted.
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "loaders_fixtures.hpp"
#include "relation_checks.hpp"
#include "seeds.hpp"

using dorm::col;
using dorm_test::has;
using dorm_test::q;
using dorm_test::seed_users;

BOOST_AUTO_TEST_SUITE(selectin)

BOOST_FIXTURE_TEST_CASE(one_to_many_loads_every_collection_with_one_in_query, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto users =
        s.execute(dorm::select<User>().order_by(col(&User::id)).options(dorm::selectinload(&User::comments))).all();
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_EQUAL(sel[0].find(" IN ("), std::string::npos);
    BOOST_CHECK_NE(sel[1].find("FROM " + q("comment_table")), std::string::npos);
    BOOST_CHECK_NE(sel[1].find(q("user_id") + " IN ("), std::string::npos);
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 4u);  // every parent once
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 2u);

    echo.clear();
    for (auto& u : users) BOOST_CHECK(u->comments.loaded());
    CHECK_NAMES(users[0]->comments, "c00", "c01");
    CHECK_NAMES(users[1]->comments, "c10", "c11");
    CHECK_NAMES(users[2]->comments, "c20", "c21");
    BOOST_CHECK(users[3]->comments.empty());  // no children: loaded as empty
    for (auto& u : users)
        for (auto& c : u->comments) {
            BOOST_CHECK(c->user.loaded());
            BOOST_CHECK(c->user.get() == u);  // back_populates side set
            BOOST_CHECK_EQUAL(c->user_id, u->id);
        }
    CHECK_NO_SQL(echo, "reading selectin-loaded collections");
}

BOOST_FIXTURE_TEST_CASE(the_extra_select_is_one_whatever_the_number_of_parents, users_db) {
    seed_users(engine, loader_users);
    for (int n : {1, 3}) {
        echo.clear();
        dorm::session s(engine);
        auto users = s.execute(dorm::select<User>()
                                   .order_by(col(&User::id))
                                   .limit(n)
                                   .options(dorm::selectinload(&User::comments)))
                         .all();
        BOOST_REQUIRE_EQUAL(users.size(), static_cast<std::size_t>(n));
        BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 2u);
        BOOST_CHECK_EQUAL(in_list_size(selects(echo).back()), static_cast<std::size_t>(n));
        std::size_t total = 0;
        for (auto& u : users) total += u->comments.size();
        BOOST_CHECK_EQUAL(total, 2u * static_cast<std::size_t>(n));
        BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 2u);
    }
}

BOOST_FIXTURE_TEST_CASE(many_to_one_queries_each_distinct_key_once, users_db) {
    const auto ids = seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto comments = s.execute(dorm::select<Comment>().options(dorm::selectinload(&Comment::user))).all();
    BOOST_REQUIRE_EQUAL(comments.size(), 6u);
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_NE(sel[1].find("FROM " + q("user_table")), std::string::npos);
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 3u);  // 6 comments, 3 distinct users

    echo.clear();
    for (auto& c : comments) {
        BOOST_CHECK(c->user.loaded());
        BOOST_REQUIRE(c->user);
        BOOST_CHECK_EQUAL(c->user->id, c->user_id);
        BOOST_CHECK_EQUAL(c->user->name, "user" + c->comment.substr(1, 1));
    }
    // one object per user: both comments of a user point to the same one, the one get() returns
    auto c00 = by_name(comments, "c00");
    auto c01 = by_name(comments, "c01");
    BOOST_REQUIRE(c00 && c01);
    BOOST_CHECK(c00->user.get() == c01->user.get());
    BOOST_CHECK(s.get<User>(ids[0]) == c00->user.get());
    CHECK_NO_SQL(echo, "reading selectin-loaded many-to-ones");
}

BOOST_FIXTURE_TEST_CASE(many_to_one_with_a_null_key_is_loaded_as_null, authors_db) {
    {
        dorm::session s(engine);
        auto a = s.add(Author{.name = "ann"});
        a->books.push_back(std::make_shared<Book>(Book{.title = "b1"}));
        s.add(Book{.title = "orphan"});
        s.commit();
    }
    echo.clear();
    dorm::session s(engine);
    auto books = s.execute(dorm::select<Book>().options(dorm::selectinload(&Book::author))).all();
    BOOST_REQUIRE_EQUAL(books.size(), 2u);
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 1u);  // the NULL key is not queried
    echo.clear();
    auto orphan = by_name(books, "orphan");
    auto b1 = by_name(books, "b1");
    BOOST_REQUIRE(orphan && b1);
    BOOST_CHECK(orphan->author.loaded());
    BOOST_CHECK(!orphan->author);
    BOOST_REQUIRE(b1->author);
    BOOST_CHECK_EQUAL(b1->author->name, "ann");
    CHECK_NO_SQL(echo, "reading selectin-loaded many-to-ones");
}

BOOST_FIXTURE_TEST_CASE(all_null_keys_run_no_extra_select, authors_db) {
    dorm_test::seed(engine, std::vector<Book>{Book{.title = "x"}, Book{.title = "y"}});
    echo.clear();
    dorm::session s(engine);
    auto books = s.execute(dorm::select<Book>().options(dorm::selectinload(&Book::author))).all();
    BOOST_REQUIRE_EQUAL(books.size(), 2u);
    BOOST_CHECK_MESSAGE(echo.count_statements("SELECT") == 1u, echo.dump());
    echo.clear();
    for (auto& b : books) {
        BOOST_CHECK(b->author.loaded());
        BOOST_CHECK(!b->author);
    }
    CHECK_NO_SQL(echo, "reading null many-to-ones");
}

BOOST_FIXTURE_TEST_CASE(one_to_one_loads_the_child_or_null, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto users =
        s.execute(dorm::select<User>().order_by(col(&User::id)).options(dorm::selectinload(&User::profile))).all();
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_NE(sel[1].find("FROM " + q("profile_table")), std::string::npos);
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 4u);
    echo.clear();
    for (auto& u : users) BOOST_CHECK(u->profile.loaded());
    BOOST_REQUIRE(users[0]->profile);
    BOOST_CHECK_EQUAL(users[0]->profile->profile, "p0");
    BOOST_CHECK(!users[1]->profile);
    BOOST_REQUIRE(users[2]->profile);
    BOOST_CHECK_EQUAL(users[2]->profile->profile, "p2");
    BOOST_CHECK(!users[3]->profile);
    BOOST_CHECK(users[0]->profile->user.get() == users[0]);  // back_populates side
    BOOST_CHECK(users[2]->profile->user.get() == users[2]);
    CHECK_NO_SQL(echo, "reading selectin-loaded one-to-ones");
}

BOOST_FIXTURE_TEST_CASE(one_to_one_from_the_foreign_key_side, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto profiles = s.execute(dorm::select<Profile>().options(dorm::selectinload(&Profile::user))).all();
    BOOST_REQUIRE_EQUAL(profiles.size(), 2u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 2u);
    BOOST_CHECK_EQUAL(in_list_size(selects(echo)[1]), 2u);
    echo.clear();
    for (auto& p : profiles) {
        BOOST_CHECK(p->user.loaded());
        BOOST_REQUIRE(p->user);
        BOOST_CHECK_EQUAL(p->user->name, "user" + p->profile.substr(1));
    }
    CHECK_NO_SQL(echo, "reading selectin-loaded one-to-ones");
}

BOOST_FIXTURE_TEST_CASE(many_to_many_loads_through_the_association_table, posts_db) {
    const auto ids = seed_posts(engine);
    echo.clear();
    dorm::session s(engine);
    auto posts =
        s.execute(dorm::select<Post>().order_by(col(&Post::id)).options(dorm::selectinload(&Post::tags))).all();
    BOOST_REQUIRE_EQUAL(posts.size(), 3u);
    const auto sel = selects(echo);
    BOOST_REQUIRE_MESSAGE(sel.size() == 2u, echo.dump());
    BOOST_CHECK_NE(sel[1].find("JOIN " + q("post_tag")), std::string::npos);
    BOOST_CHECK_NE(sel[1].find(q("post_id") + " IN ("), std::string::npos);
    BOOST_CHECK_EQUAL(in_list_size(sel[1]), 3u);
    echo.clear();
    for (auto& p : posts) BOOST_CHECK(p->tags.loaded());
    CHECK_NAMES(posts[0]->tags, "t1", "t2");
    CHECK_NAMES(posts[1]->tags, "t2");
    BOOST_CHECK(posts[2]->tags.empty());
    // t2 is one object in both collections
    std::shared_ptr<Tag> t2;
    for (auto& t : posts[0]->tags)
        if (t->name == "t2") t2 = t;
    BOOST_REQUIRE(t2);
    BOOST_CHECK(has(posts[1]->tags, t2));
    CHECK_NO_SQL(echo, "reading selectin-loaded many-to-many collections");

    // the reverse collection is not loaded by this option: it loads lazily, to the same objects
    BOOST_CHECK(!t2->posts.loaded());
    CHECK_NAMES(t2->posts, "p1", "p2");
    BOOST_CHECK(has(t2->posts, posts[0]));
    BOOST_CHECK(has(t2->posts, posts[1]));

    // the loaded collection is the baseline for the association rows: removing one writes one DELETE
    echo.clear();
    for (auto it = posts[0]->tags.begin(); it != posts[0]->tags.end(); ++it)
        if ((*it)->name == "t1") {
            posts[0]->tags.erase(it);
            break;
        }
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE"), 1u);
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
    BOOST_CHECK_EQUAL(rows("post_tag"), 2);
    (void)ids;
}

BOOST_FIXTURE_TEST_CASE(many_to_many_from_the_other_side, posts_db) {
    seed_posts(engine);
    echo.clear();
    dorm::session s(engine);
    auto tags = s.execute(dorm::select<Tag>().order_by(col(&Tag::id)).options(dorm::selectinload(&Tag::posts))).all();
    BOOST_REQUIRE_EQUAL(tags.size(), 3u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 2u);
    echo.clear();
    CHECK_NAMES(tags[0]->posts, "p1");
    CHECK_NAMES(tags[1]->posts, "p1", "p2");
    BOOST_CHECK(tags[2]->posts.loaded());
    BOOST_CHECK(tags[2]->posts.empty());
    CHECK_NO_SQL(echo, "reading selectin-loaded many-to-many collections");
}

BOOST_FIXTURE_TEST_CASE(self_referential_children, nodes_db) {
    const int root_id = seed_nodes(engine);
    echo.clear();
    dorm::session s(engine);
    auto nodes =
        s.execute(dorm::select<Node>().order_by(col(&Node::id)).options(dorm::selectinload(&Node::children))).all();
    BOOST_REQUIRE_EQUAL(nodes.size(), 5u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 2u);
    BOOST_CHECK_EQUAL(in_list_size(selects(echo)[1]), 5u);
    echo.clear();
    auto root = by_name(nodes, "root");
    BOOST_REQUIRE(root);
    BOOST_CHECK_EQUAL(root->id, root_id);
    CHECK_NAMES(root->children, "a", "b");
    CHECK_NAMES(by_name(nodes, "a")->children, "a1", "a2");
    BOOST_CHECK(by_name(nodes, "b")->children.empty());
    BOOST_CHECK(by_name(nodes, "a1")->children.empty());
    for (auto& c : root->children) BOOST_CHECK(has(root->children, by_name(nodes, c->name)));  // identity map
    for (auto& c : root->children) BOOST_CHECK(c->parent.get() == root);
    CHECK_NO_SQL(echo, "reading selectin-loaded self-referential collections");
}

BOOST_FIXTURE_TEST_CASE(no_parents_run_no_extra_select, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>()
                               .where(col(&User::age) > 100)
                               .options(dorm::selectinload(&User::comments), dorm::selectinload(&User::profile)))
                     .all();
    BOOST_CHECK(users.empty());
    BOOST_CHECK_MESSAGE(echo.count_statements("SELECT") == 1u, echo.dump());
}

BOOST_FIXTURE_TEST_CASE(two_options_run_one_select_each, users_db) {
    seed_users(engine, loader_users);
    echo.clear();
    dorm::session s(engine);
    auto users = s.execute(dorm::select<User>()
                               .order_by(col(&User::id))
                               .options(dorm::selectinload(&User::comments), dorm::selectinload(&User::profile)))
                     .all();
    BOOST_REQUIRE_EQUAL(users.size(), 4u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 3u);
    BOOST_CHECK_EQUAL(echo.count_containing("FROM " + q("comment_table")), 1u);
    BOOST_CHECK_EQUAL(echo.count_containing("FROM " + q("profile_table")), 1u);
    echo.clear();
    CHECK_NAMES(users[1]->comments, "c10", "c11");
    BOOST_CHECK_EQUAL(users[2]->profile->profile, "p2");
    BOOST_CHECK(!users[3]->profile);
    BOOST_CHECK(users[3]->comments.empty());
    CHECK_NO_SQL(echo, "reading two selectin-loaded relationships");
}

BOOST_FIXTURE_TEST_CASE(more_parents_than_one_in_list_are_queried_in_chunks, users_db) {
    // 1001 users (chunks of 500: 500 + 500 + 1), each with one comment
    constexpr int n = 1001;
    {
        std::vector<User> users;
        for (int i = 0; i < n; ++i) {
            User u{.name = "u" + std::to_string(i), .age = i};
            u.comments.push_back(std::make_shared<Comment>(Comment{.comment = "c" + std::to_string(i)}));
            users.push_back(std::move(u));
        }
        dorm_test::seed(engine, std::move(users));
    }
    echo.clear();
    {
        dorm::session s(engine);
        auto users = s.execute(dorm::select<User>().order_by(col(&User::id)).options(
                                   dorm::selectinload(&User::comments)))
                         .all();
        BOOST_REQUIRE_EQUAL(users.size(), static_cast<std::size_t>(n));
        const auto sel = selects(echo);
        BOOST_REQUIRE_MESSAGE(sel.size() == 4u, sel.size() << " SELECTs");
        BOOST_CHECK_EQUAL(in_list_size(sel[1]), 500u);
        BOOST_CHECK_EQUAL(in_list_size(sel[2]), 500u);
        BOOST_CHECK_EQUAL(in_list_size(sel[3]), 1u);
        echo.clear();
        for (int i = 0; i < n; ++i) {
            BOOST_REQUIRE(users[i]->comments.loaded());
            BOOST_REQUIRE_EQUAL(users[i]->comments.size(), 1u);
            BOOST_CHECK_EQUAL(users[i]->comments[0]->comment, "c" + users[i]->name.substr(1));
        }
        CHECK_NO_SQL(echo, "reading chunk-loaded collections");
    }
    echo.clear();
    {
        // the many-to-one direction: 1001 distinct keys
        dorm::session s(engine);
        auto comments = s.execute(dorm::select<Comment>().options(dorm::selectinload(&Comment::user))).all();
        BOOST_REQUIRE_EQUAL(comments.size(), static_cast<std::size_t>(n));
        const auto sel = selects(echo);
        BOOST_REQUIRE_MESSAGE(sel.size() == 4u, sel.size() << " SELECTs");
        BOOST_CHECK_EQUAL(in_list_size(sel[1]) + in_list_size(sel[2]) + in_list_size(sel[3]), 1001u);
        BOOST_CHECK_EQUAL(in_list_size(sel[1]), 500u);
        echo.clear();
        for (auto& c : comments) {
            BOOST_REQUIRE(c->user.loaded());
            BOOST_REQUIRE(c->user);
            BOOST_CHECK_EQUAL(c->user->name, "u" + c->comment.substr(1));
        }
        CHECK_NO_SQL(echo, "reading chunk-loaded many-to-ones");
    }
}

BOOST_AUTO_TEST_SUITE_END()

