// Relationships against a real database (DORM_TEST_URL): back_populates before any flush,
// save-update cascades, flush order (parents first, also within a self-referential table),
// lazy loading (N+1, identity-map hits without SQL), deleting parents with and without
// cascades, many-to-many association rows, detached objects and the absence of shared_ptr
// cycles (the sanitizer build runs this with leak detection). SEMANTICS.md §4.
#define BOOST_TEST_MODULE relationships
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"
#include "models.hpp"
#include "relation_checks.hpp"

using dorm::col;
using dorm_test::q;

// A one-way collection: Checklist has many ChecklistItem, the item has only the foreign key (no
// relationship of its own, so no back_populates).
struct ChecklistItem;
struct Checklist {
    std::int64_t id = 0;
    std::string title;
    dorm::many<ChecklistItem> items;
};
BOOST_DESCRIBE_STRUCT(Checklist, (), (id, title, items))
DORM_TABLE(Checklist, "checklist", (title, dorm::varchar(40)))

struct ChecklistItem {
    std::int64_t id = 0;
    std::string text;
    std::optional<std::int64_t> checklist_id;
};
BOOST_DESCRIBE_STRUCT(ChecklistItem, (), (id, text, checklist_id))
DORM_TABLE(ChecklistItem, "checklist_item", (text, dorm::varchar(40)), (checklist_id, dorm::foreign_key(&Checklist::id)))

namespace {

using users_db = dorm_test::database<User, Profile, Comment>;
using checklists_db = dorm_test::database<Checklist, ChecklistItem>;
using authors_db = dorm_test::database<Author, Book>;
using invoices_db = dorm_test::database<Invoice, InvoiceLine>;
using nodes_db = dorm_test::database<Node>;
using posts_db = dorm_test::database<Post, Tag, PostTag>;
using all_db = dorm_test::database<User, Profile, Comment, Author, Book, Invoice, InvoiceLine, Node, Post, Tag, PostTag>;

using dorm_test::has;

/// One integer column of one row, read on a fresh connection (NULL -> nullopt).
std::optional<std::int64_t> column_of(const dorm::engine& e, const std::string& table, const std::string& column,
                                      int id) {
    auto c = e.connect();
    auto st = c.prepare("SELECT " + q(column) + " FROM " + q(table) + " WHERE " + q("id") + " = " + std::to_string(id));
    if (!st->step()) return std::nullopt;
    if (st->is_null(0)) return std::nullopt;
    return st->get_int(0);
}

/// Three users with two comments each, committed; returns the users' ids.
std::vector<int> seed_users(const dorm::engine& e) {
    std::vector<User> users;
    for (int i = 0; i < 3; ++i) {
        User u{.name = "user" + std::to_string(i), .age = 20 + i};
        for (int j = 0; j < 2; ++j)
            u.comments.push_back(
                std::make_shared<Comment>(Comment{.comment = "c" + std::to_string(i) + std::to_string(j)}));
        users.push_back(std::move(u));
    }
    return dorm_test::seed(e, std::move(users));
}

}  // namespace

// ---- back_populates ------------------------------------------------------------------------------

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
    BOOST_CHECK(c1->user.get() == u);  // back_populates (SEMANTICS §4.2)
    BOOST_CHECK_EQUAL(rows("comment_table"), 2);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- flush order ---------------------------------------------------------------------------------

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

// ---- lazy loading --------------------------------------------------------------------------------

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

BOOST_AUTO_TEST_SUITE_END()

// ---- deleting parents ----------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(delete_parent)

BOOST_FIXTURE_TEST_CASE(without_cascade_the_childrens_foreign_key_becomes_null, authors_db) {
    int a_id = 0, a2_id = 0;
    std::vector<int> book_ids;
    {
        dorm::session s(engine);
        auto a = s.add(Author{.name = "A"});
        auto a2 = s.add(Author{.name = "A2"});
        for (const char* t : {"b1", "b2"}) a->books.push_back(std::make_shared<Book>(Book{.title = t}));
        a2->books.push_back(std::make_shared<Book>(Book{.title = "b3"}));
        s.commit();
        a_id = a->id;
        a2_id = a2->id;
        for (auto& b : a->books) book_ids.push_back(b->id);
    }
    dorm::session s(engine);
    s.remove(s.get<Author>(a_id));  // books not loaded: the flush loads them
    echo.clear();
    s.commit();
    const int select = echo.find_statement("SELECT", q("book"));
    const int update = echo.find_statement("UPDATE " + q("book"));
    const int del = echo.find_statement("DELETE FROM " + q("author"));
    BOOST_CHECK(select >= 0);
    BOOST_REQUIRE(update >= 0);
    BOOST_REQUIRE(del >= 0);
    BOOST_CHECK(update < del);
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 2u);
    BOOST_CHECK_EQUAL(rows("author"), 1);
    BOOST_CHECK_EQUAL(rows("book"), 3);
    for (int id : book_ids) BOOST_CHECK(column_of(engine, "book", "author_id", id) == std::nullopt);
    auto b3 = s.execute(dorm::select<Book>().where(col(&Book::title) == "b3")).scalar_one();
    BOOST_CHECK(b3->author_id == a2_id);
}

BOOST_FIXTURE_TEST_CASE(without_cascade_loaded_children_lose_their_parent, authors_db) {
    dorm::session s(engine);
    auto a = s.add(Author{.name = "A"});
    auto b = std::make_shared<Book>(Book{.title = "b"});
    a->books.push_back(b);
    s.commit();
    s.remove(a);
    s.commit();
    BOOST_CHECK(!b->author_id.has_value());
    BOOST_CHECK(s.contains(b));
    BOOST_CHECK(column_of(engine, "book", "author_id", b->id) == std::nullopt);
}

BOOST_FIXTURE_TEST_CASE(without_cascade_a_not_null_foreign_key_is_an_integrity_error, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u = s.get<User>(ids[0]);
    s.remove(u);
    echo.clear();
    try {
        s.commit();
        BOOST_ERROR("a parent with NOT NULL children was deleted");
    } catch (const dorm::integrity_error& e) {
        // SEMANTICS §4.7: the children are de-associated (UPDATE ... SET user_id = NULL), which the
        // NOT NULL constraint refuses.
        BOOST_CHECK_MESSAGE(dynamic_cast<const dorm::not_null_violation*>(&e) != nullptr,
                            "expected a not_null_violation from the de-associating UPDATE, got: " << e.what());
        BOOST_CHECK_MESSAGE(echo.find_statement("UPDATE " + q("comment_table")) >= 0,
                            "no UPDATE de-associated the comments:\n" << echo.dump());
    }
    s.rollback();
    BOOST_CHECK(s.contains(u));
    BOOST_CHECK_EQUAL(rows("user_table"), 3);
    BOOST_CHECK_EQUAL(rows("comment_table"), 6);
    BOOST_CHECK_EQUAL(u->comments.size(), 2u);
}

BOOST_FIXTURE_TEST_CASE(a_parent_without_children_is_deleted, users_db) {
    dorm::session s(engine);
    auto u = s.add(User{.name = "alone", .age = 1});
    s.commit();
    s.remove(u);
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(rows("user_table"), 0);
}

BOOST_FIXTURE_TEST_CASE(a_one_way_collection_writes_and_loads_its_children, checklists_db) {
    // no back_populates and no relationship on the child's side: the parent's key still reaches
    // the children's foreign key, a lazy load finds them, an appended child is inserted and a
    // removed one is de-associated (its nullable foreign key set to NULL)
    std::int64_t list_id = 0;
    {
        dorm::session s(engine);
        auto list = s.add(Checklist{.title = "packing"});
        for (const char* t : {"tent", "stove"})
            list->items.push_back(std::make_shared<ChecklistItem>(ChecklistItem{.text = t}));
        s.commit();
        list_id = list->id;
        BOOST_REQUIRE(list_id != 0);
        for (auto& item : list->items) BOOST_CHECK(item->checklist_id == list_id);
    }
    BOOST_CHECK_EQUAL(rows("checklist_item"), 2);
    dorm::session s(engine);
    auto list = s.get<Checklist>(list_id);
    BOOST_REQUIRE(list);
    BOOST_CHECK_EQUAL(list->items.size(), 2u);
    CHECK_NAMES(list->items, "stove", "tent");
    list->items.push_back(std::make_shared<ChecklistItem>(ChecklistItem{.text = "lamp"}));
    auto tent = *std::find_if(list->items.begin(), list->items.end(), [](const auto& i) { return i->text == "tent"; });
    list->items.remove(tent);
    s.commit();
    BOOST_CHECK_EQUAL(rows("checklist_item"), 3);
    BOOST_CHECK(!tent->checklist_id.has_value());
    dorm::session check(engine);
    auto again = check.get<Checklist>(list_id);
    BOOST_REQUIRE(again);
    CHECK_NAMES(again->items, "lamp", "stove");
}

BOOST_FIXTURE_TEST_CASE(cascade_delete_deletes_the_children_first, invoices_db) {
    int inv_id = 0;
    {
        dorm::session s(engine);
        auto inv = s.add(Invoice{.number = "INV-1"});
        auto other = s.add(Invoice{.number = "INV-2"});
        for (const char* item : {"a", "b", "c"})
            inv->lines.push_back(std::make_shared<InvoiceLine>(InvoiceLine{.item = item}));
        other->lines.push_back(std::make_shared<InvoiceLine>(InvoiceLine{.item = "kept"}));
        s.commit();
        inv_id = inv->id;
    }
    dorm::session s(engine);
    s.remove(s.get<Invoice>(inv_id));  // lines not loaded: the flush loads them
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(rows("invoice"), 1);
    BOOST_CHECK_EQUAL(rows("invoice_line"), 1);
    const int line_delete = echo.find_statement("DELETE FROM " + q("invoice_line"));
    const int invoice_delete = echo.find_statement("DELETE FROM " + q("invoice"));
    BOOST_REQUIRE(line_delete >= 0);
    BOOST_REQUIRE(invoice_delete >= 0);
    BOOST_CHECK(line_delete < invoice_delete);
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    auto kept = s.execute(dorm::select<InvoiceLine>()).scalar_one();
    BOOST_CHECK_EQUAL(kept->item, "kept");
}

BOOST_FIXTURE_TEST_CASE(delete_orphan_deletes_a_child_removed_from_its_collection, invoices_db) {
    int inv_id = 0;
    {
        dorm::session s(engine);
        auto inv = s.add(Invoice{.number = "INV-1"});
        for (const char* item : {"a", "b"})
            inv->lines.push_back(std::make_shared<InvoiceLine>(InvoiceLine{.item = item}));
        s.commit();
        inv_id = inv->id;
    }
    dorm::session s(engine);
    auto inv = s.get<Invoice>(inv_id);
    auto first = inv->lines[0];
    const std::string gone = first->item;
    inv->lines.erase(inv->lines.begin());
    s.commit();
    BOOST_CHECK_EQUAL(rows("invoice_line"), 1);
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE FROM " + q("invoice_line")), 1u);
    BOOST_CHECK(!s.contains(first));
    dorm::session check(engine);
    auto left = check.execute(dorm::select<InvoiceLine>()).scalar_one();
    BOOST_CHECK(left->item != gone);
    BOOST_CHECK_EQUAL(left->invoice_id, inv_id);
}

BOOST_FIXTURE_TEST_CASE(delete_orphan_never_inserts_a_pending_child_removed_before_flush, invoices_db) {
    dorm::session s(engine);
    auto inv = s.add(Invoice{.number = "INV-1"});
    auto line = std::make_shared<InvoiceLine>(InvoiceLine{.item = "oops"});
    inv->lines.push_back(line);
    BOOST_CHECK(s.contains(line));
    inv->lines.remove(line);
    BOOST_CHECK(!s.contains(line));
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT INTO " + q("invoice_line")), 0u);
    BOOST_CHECK_EQUAL(rows("invoice_line"), 0);
    BOOST_CHECK_EQUAL(rows("invoice"), 1);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- many-to-many --------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(many_to_many)

BOOST_FIXTURE_TEST_CASE(append_sets_the_other_side_and_inserts_association_rows, posts_db) {
    dorm::session s(engine);
    auto p = s.add(Post{.title = "hello"});
    auto t1 = std::make_shared<Tag>(Tag{.name = "cpp"});
    auto t2 = std::make_shared<Tag>(Tag{.name = "orm"});
    p->tags.push_back(t1);
    p->tags.push_back(t2);
    BOOST_CHECK(has(t1->posts, p));  // back_populates
    BOOST_CHECK(has(t2->posts, p));
    BOOST_CHECK(s.contains(t1));     // save-update cascade
    BOOST_CHECK(s.contains(t2));
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 2);
    BOOST_CHECK_EQUAL(rows("tag"), 2);
    const int post_insert = echo.find_statement("INSERT INTO " + q("post") + " ");
    const int tag_insert = echo.find_statement("INSERT INTO " + q("tag") + " ");
    const int assoc_insert = echo.find_statement("INSERT INTO " + q("post_tag"));
    BOOST_REQUIRE(assoc_insert >= 0);
    BOOST_CHECK(post_insert < assoc_insert);
    BOOST_CHECK(tag_insert < assoc_insert);
}

BOOST_FIXTURE_TEST_CASE(appending_on_either_side_writes_one_row, posts_db) {
    dorm::session s(engine);
    auto p = s.add(Post{.title = "p"});
    auto t = s.add(Tag{.name = "t"});
    t->posts.push_back(p);
    BOOST_CHECK(has(p->tags, t));
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    // appending the same pair again changes nothing
    p->tags.push_back(t);
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
}

BOOST_FIXTURE_TEST_CASE(collections_load_lazily_in_both_directions, posts_db) {
    int p1_id = 0, t2_id = 0;
    {
        dorm::session s(engine);
        auto p1 = s.add(Post{.title = "p1"});
        auto p2 = s.add(Post{.title = "p2"});
        auto t1 = std::make_shared<Tag>(Tag{.name = "t1"});
        auto t2 = std::make_shared<Tag>(Tag{.name = "t2"});
        p1->tags.push_back(t1);
        p1->tags.push_back(t2);
        p2->tags.push_back(t2);
        s.commit();
        p1_id = p1->id;
        t2_id = t2->id;
    }
    dorm::session s(engine);
    auto p1 = s.get<Post>(p1_id);
    CHECK_NAMES(p1->tags, "t1", "t2");
    auto t2 = s.get<Tag>(t2_id);
    CHECK_NAMES(t2->posts, "p1", "p2");
    BOOST_CHECK(has(t2->posts, p1));  // the same object through the identity map
}

BOOST_FIXTURE_TEST_CASE(removing_from_the_collection_deletes_only_the_association_row, posts_db) {
    int p_id = 0;
    {
        dorm::session s(engine);
        auto p = s.add(Post{.title = "p"});
        p->tags.push_back(std::make_shared<Tag>(Tag{.name = "t1"}));
        p->tags.push_back(std::make_shared<Tag>(Tag{.name = "t2"}));
        s.commit();
        p_id = p->id;
    }
    dorm::session s(engine);
    auto p = s.get<Post>(p_id);
    auto it = std::find_if(p->tags.begin(), p->tags.end(), [](auto& t) { return t->name == "t1"; });
    BOOST_REQUIRE(it != p->tags.end());
    auto t1 = *it;
    BOOST_CHECK(has(t1->posts, p));
    p->tags.erase(it);
    BOOST_CHECK(!has(t1->posts, p));  // back_populates on removal
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    BOOST_CHECK_EQUAL(rows("tag"), 2);  // the tag itself stays
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE FROM " + q("post_tag")), 1u);
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE FROM " + q("tag")), 0u);
    dorm::session check(engine);
    CHECK_NAMES(check.get<Post>(p_id)->tags, "t2");
}

BOOST_FIXTURE_TEST_CASE(deleting_a_post_deletes_only_its_association_rows, posts_db) {
    int p1_id = 0, p2_id = 0;
    {
        dorm::session s(engine);
        auto p1 = s.add(Post{.title = "p1"});
        auto p2 = s.add(Post{.title = "p2"});
        auto t1 = std::make_shared<Tag>(Tag{.name = "t1"});
        auto t2 = std::make_shared<Tag>(Tag{.name = "t2"});
        p1->tags.push_back(t1);
        p1->tags.push_back(t2);
        p2->tags.push_back(t2);
        s.commit();
        p1_id = p1->id;
        p2_id = p2->id;
    }
    dorm::session s(engine);
    s.remove(s.get<Post>(p1_id));
    echo.clear();
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(rows("post"), 1);
    BOOST_CHECK_EQUAL(rows("tag"), 2);
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    const int assoc_delete = echo.find_statement("DELETE FROM " + q("post_tag"));
    const int post_delete = echo.find_statement("DELETE FROM " + q("post") + " ");
    BOOST_REQUIRE(assoc_delete >= 0);
    BOOST_REQUIRE(post_delete >= 0);
    BOOST_CHECK(assoc_delete < post_delete);
    dorm::session check(engine);
    CHECK_NAMES(check.get<Post>(p2_id)->tags, "t2");
}

BOOST_FIXTURE_TEST_CASE(deleting_a_tag_deletes_only_its_association_rows, posts_db) {
    int t1_id = 0;
    {
        dorm::session s(engine);
        auto p1 = s.add(Post{.title = "p1"});
        auto p2 = s.add(Post{.title = "p2"});
        auto t1 = std::make_shared<Tag>(Tag{.name = "t1"});
        auto t2 = std::make_shared<Tag>(Tag{.name = "t2"});
        p1->tags.push_back(t1);
        p1->tags.push_back(t2);
        p2->tags.push_back(t1);
        s.commit();
        t1_id = t1->id;
    }
    dorm::session s(engine);
    s.remove(s.get<Tag>(t1_id));
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(rows("tag"), 1);
    BOOST_CHECK_EQUAL(rows("post"), 2);
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    dorm::session check(engine);
    auto p1 = check.execute(dorm::select<Post>().where(col(&Post::title) == "p1")).scalar_one();
    CHECK_NAMES(p1->tags, "t2");
}

BOOST_FIXTURE_TEST_CASE(clearing_and_refilling_a_collection, posts_db) {
    dorm::session s(engine);
    auto p = s.add(Post{.title = "p"});
    auto t1 = std::make_shared<Tag>(Tag{.name = "t1"});
    auto t2 = std::make_shared<Tag>(Tag{.name = "t2"});
    p->tags.push_back(t1);
    s.commit();
    p->tags.clear();
    p->tags.push_back(t2);
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    dorm::session check(engine);
    CHECK_NAMES(check.get<Post>(p->id)->tags, "t2");
}

BOOST_AUTO_TEST_SUITE_END()

// ---- rollback and failed flushes with relationships ---------------------------------------------

BOOST_AUTO_TEST_SUITE(rollback)

BOOST_FIXTURE_TEST_CASE(a_child_added_in_a_rolled_back_transaction_is_not_written_later, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u = s.get<User>(ids[0]);
    BOOST_REQUIRE_EQUAL(u->comments.size(), 2u);
    auto c = std::make_shared<Comment>(Comment{.comment = "rolled back"});
    u->comments.push_back(c);
    s.flush();
    s.rollback();
    BOOST_CHECK(!s.contains(c));
    // a consistent state: the collection no longer holds the expunged child...
    CHECK_NAMES(u->comments, "c00", "c01");
    // ...and the next commit does not bring it back through the save-update cascade
    s.commit();
    BOOST_CHECK_EQUAL(rows("comment_table"), 6);
    BOOST_CHECK(!s.contains(c));
}

BOOST_FIXTURE_TEST_CASE(a_child_erased_in_a_rolled_back_transaction_comes_back, invoices_db) {
    int inv_id = 0;
    {
        dorm::session s(engine);
        auto inv = s.add(Invoice{.number = "INV-1"});
        for (const char* item : {"a", "b"})
            inv->lines.push_back(std::make_shared<InvoiceLine>(InvoiceLine{.item = item}));
        s.commit();
        inv_id = inv->id;
    }
    dorm::session s(engine);
    auto inv = s.get<Invoice>(inv_id);
    auto first = inv->lines[0];
    inv->lines.erase(inv->lines.begin());  // delete-orphan
    s.flush();
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE FROM " + q("invoice_line")), 1u);
    s.rollback();
    BOOST_CHECK(s.contains(first));
    CHECK_NAMES(inv->lines, "a", "b");
    s.commit();
    BOOST_CHECK_EQUAL(rows("invoice_line"), 2);
}

BOOST_FIXTURE_TEST_CASE(a_lazy_load_after_a_failed_flush_needs_a_rollback, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u0 = s.get<User>(ids[0]);
    auto u1 = s.get<User>(ids[1]);
    s.add(Comment{.comment = "orphan", .user_id = 987654});  // no such user
    BOOST_CHECK_THROW(s.flush(), dorm::foreign_key_violation);
    BOOST_CHECK_THROW(u0->comments.size(), dorm::pending_rollback_error);
    s.rollback();
    BOOST_CHECK_EQUAL(u1->comments.size(), 2u);
}

BOOST_FIXTURE_TEST_CASE(replacing_a_one_to_one_child_de_associates_the_old_one, users_db) {
    dorm::session s(engine);
    auto u = s.add(User{.name = "u", .age = 1});
    auto p1 = s.add(Profile{.profile = "first"});
    u->profile = p1;
    s.commit();
    auto p2 = s.add(Profile{.profile = "second"});
    u->profile = p2;
    BOOST_CHECK(!p1->user);
    BOOST_CHECK(p2->user.get() == u);
    // the old profile's NOT NULL user_id would become NULL: the database refuses (SEMANTICS §4.4)
    BOOST_CHECK_THROW(s.commit(), dorm::integrity_error);
    s.rollback();
}

BOOST_AUTO_TEST_SUITE_END()

// ---- detached objects ----------------------------------------------------------------------------

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

// ---- no shared_ptr cycles ------------------------------------------------------------------------

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
