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


// A lending library, written as a user would: a Loan refers to its Member (a back_populates pair,
// NOT NULL foreign key) and to its Book through a one-way dorm::one<Book> (no back_populates).
namespace library {
struct Loan;
struct Member {
    std::int64_t id = 0;
    std::string name;
    dorm::many<Loan> loans;
};
BOOST_DESCRIBE_STRUCT(Member, (), (id, name, loans))
DORM_TABLE(Member, "lib_member", (name, dorm::varchar(40)), (loans, dorm::back_populates("member")))

struct Book {
    std::int64_t id = 0;
    std::string title;
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title))
DORM_TABLE(Book, "lib_book", (title, dorm::varchar(40)))

struct Loan {
    std::int64_t id = 0;
    std::string note;
    std::int64_t member_id = 0;
    std::optional<std::int64_t> book_id;
    dorm::one<Member> member;
    dorm::one<Book> book;  // one-way
};
BOOST_DESCRIBE_STRUCT(Loan, (), (id, note, member_id, book_id, member, book))
DORM_TABLE(Loan, "loan", (note, dorm::varchar(40)), (member_id, dorm::foreign_key(&Member::id)),
           (book_id, dorm::foreign_key(&Book::id)), (member, dorm::back_populates("loans")))
}  // namespace library

// The SQLAlchemy unified tutorial's User / Address ("Working with ORM Related Objects").
namespace tutorial {
struct Address;
struct User {
    std::int64_t id = 0;
    std::string name;
    dorm::many<Address> addresses;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, addresses))
DORM_TABLE(User, "user_account", (name, dorm::varchar(30)), (addresses, dorm::back_populates("user")))

struct Address {
    std::int64_t id = 0;
    std::string email_address;
    std::int64_t user_id = 0;
    dorm::one<User> user;
};
BOOST_DESCRIBE_STRUCT(Address, (), (id, email_address, user_id, user))
DORM_TABLE(Address, "address", (email_address, dorm::varchar(60)), (user_id, dorm::foreign_key(&User::id)),
           (user, dorm::back_populates("addresses")))
}  // namespace tutorial

namespace {

using users_db = dorm_test::database<User, Profile, Comment>;
using checklists_db = dorm_test::database<Checklist, ChecklistItem>;
using authors_db = dorm_test::database<Author, Book>;
using invoices_db = dorm_test::database<Invoice, InvoiceLine>;
using nodes_db = dorm_test::database<Node>;
using posts_db = dorm_test::database<Post, Tag, PostTag>;
using library_db = dorm_test::database<library::Member, library::Book, library::Loan>;
using tutorial_db = dorm_test::database<tutorial::User, tutorial::Address>;
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

// ---- relationships assigned before add() (issue 13, items 1 and 12) --------------------------------

namespace {

/// One integer column of one row of `table` (by id), read on a fresh connection.
std::optional<std::int64_t> fk_of(const dorm::engine& e, const std::string& table, const std::string& column,
                                  std::int64_t id) {
    return column_of(e, table, column, static_cast<int>(id));
}

/// A committed member and book; returns their ids.
std::pair<std::int64_t, std::int64_t> seed_library(const dorm::engine& e) {
    dorm::session s(e);
    auto ann = s.add(library::Member{.name = "ann"});
    auto book = s.add(library::Book{.title = "Dune"});
    s.commit();
    return {ann->id, book->id};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(before_add)

using library::Book;
using library::Loan;
using library::Member;

// Item 1: `Loan(member=ann)`, the most common SQLAlchemy idiom, with a persistent member whose
// loans are not loaded, and a one-way dorm::one<Book>.
BOOST_FIXTURE_TEST_CASE(a_parent_assigned_before_add_sets_the_foreign_key, library_db) {
    const auto [ann_id, book_id] = seed_library(engine);
    std::int64_t loan_id = 0;
    {
        dorm::session s(engine);
        auto ann = s.get<Member>(ann_id);
        auto dune = s.get<Book>(book_id);
        auto l = std::make_shared<Loan>();
        l->note = "shared_ptr";
        l->member = ann;
        l->book = dune;
        s.add(l);
        s.commit();
        loan_id = l->id;
        BOOST_CHECK_EQUAL(l->member_id, ann_id);
        BOOST_CHECK(l->book_id == book_id);
    }
    BOOST_CHECK(fk_of(engine, "loan", "member_id", loan_id) == ann_id);
    BOOST_CHECK(fk_of(engine, "loan", "book_id", loan_id) == book_id);
    dorm::session check(engine);
    auto ann = check.get<Member>(ann_id);
    BOOST_REQUIRE_EQUAL(ann->loans.size(), 1u);
    BOOST_CHECK_EQUAL(ann->loans[0]->note, "shared_ptr");
}

BOOST_FIXTURE_TEST_CASE(a_parent_assigned_before_add_of_a_value, library_db) {
    const auto [ann_id, book_id] = seed_library(engine);
    std::vector<std::int64_t> ids;
    {
        dorm::session s(engine);
        auto ann = s.get<Member>(ann_id);
        auto dune = s.get<Book>(book_id);
        Loan tmp;  // a moved temporary
        tmp.note = "moved";
        tmp.member = ann;
        tmp.book = dune;
        auto moved = s.add(std::move(tmp));
        Loan kept;  // copied (the original stays with the caller)
        kept.note = "copied";
        kept.member = ann;
        auto copied = s.add(kept);
        auto designated = s.add(Loan{.note = "designated", .member = ann, .book = dune});
        s.commit();
        ids = {moved->id, copied->id, designated->id};
        BOOST_CHECK(kept.member.get() == ann);  // the caller's copy is untouched
    }
    for (auto id : ids) BOOST_CHECK(fk_of(engine, "loan", "member_id", id) == ann_id);
    BOOST_CHECK(fk_of(engine, "loan", "book_id", ids[0]) == book_id);
    BOOST_CHECK(fk_of(engine, "loan", "book_id", ids[1]) == std::nullopt);
    BOOST_CHECK(fk_of(engine, "loan", "book_id", ids[2]) == book_id);
}

BOOST_FIXTURE_TEST_CASE(a_parent_assigned_before_add_all, library_db) {
    const auto [ann_id, book_id] = seed_library(engine);
    std::vector<std::shared_ptr<Loan>> loans;
    {
        dorm::session s(engine);
        auto ann = s.get<Member>(ann_id);
        auto dune = s.get<Book>(book_id);
        for (int i = 0; i < 3; ++i) {
            loans.push_back(std::make_shared<Loan>());
            loans.back()->note = "n" + std::to_string(i);
            loans.back()->member = ann;
            loans.back()->book = dune;
        }
        s.add_all(loans);
        s.commit();
    }
    for (auto& l : loans) {
        BOOST_CHECK(fk_of(engine, "loan", "member_id", l->id) == ann_id);
        BOOST_CHECK(fk_of(engine, "loan", "book_id", l->id) == book_id);
    }
}

// The parents are new: a pending member (added, not flushed) and transient ones that join the
// session through the loan's many-to-one (save-update cascade): the flush INSERTs them first.
BOOST_FIXTURE_TEST_CASE(new_parents_assigned_before_add_are_inserted_first, library_db) {
    std::shared_ptr<Loan> l1, l2;
    std::weak_ptr<Member> only_held_by_the_loan;
    {
        dorm::session s(engine);
        auto bea = s.add(Member{.name = "bea"});  // pending
        l1 = std::make_shared<Loan>();
        l1->note = "pending parent";
        l1->member = bea;
        l1->book = std::make_shared<Book>(Book{.title = "new one-way"});  // transient, one-way
        s.add(l1);
        l2 = std::make_shared<Loan>();
        l2->note = "transient parent";
        l2->member = std::make_shared<Member>(Member{.name = "cy"});  // held only by the loan
        only_held_by_the_loan = l2->member.get();
        s.add(l2);
        BOOST_CHECK(s.contains(l2->member.get()));
        BOOST_CHECK(s.contains(l1->book.get()));
        BOOST_CHECK(has(bea->loans, l1));  // back_populates at add()
        s.commit();
        BOOST_REQUIRE(l2->member.get());
        BOOST_CHECK_EQUAL(l2->member->name, "cy");
        BOOST_CHECK(l1->member_id == bea->id && bea->id != 0);
        BOOST_CHECK(fk_of(engine, "loan", "member_id", l1->id) == bea->id);
        BOOST_CHECK(fk_of(engine, "loan", "book_id", l1->id) == l1->book->id);
        BOOST_CHECK(fk_of(engine, "loan", "member_id", l2->id) == l2->member->id);
    }
    BOOST_CHECK_EQUAL(rows("lib_member"), 2);
    BOOST_CHECK_EQUAL(rows("lib_book"), 1);
}

// Save-update cascade from a parent's collection: the loans' one-way books still set book_id.
BOOST_FIXTURE_TEST_CASE(children_cascaded_from_a_parents_collection_keep_their_one_way_parents, library_db) {
    const auto [ann_id, book_id] = seed_library(engine);
    (void)ann_id;
    dorm::session s(engine);
    auto dune = s.get<Book>(book_id);
    auto dan = std::make_shared<Member>(Member{.name = "dan"});
    auto l1 = std::make_shared<Loan>();
    l1->book = dune;  // persistent book
    auto l2 = std::make_shared<Loan>();
    l2->book = std::make_shared<Book>(Book{.title = "fresh"});  // transient book
    dan->loans.push_back(l1);
    dan->loans.push_back(l2);
    s.add(dan);
    BOOST_CHECK(l1->member.get() == dan);  // reconciled at add()
    BOOST_CHECK(l2->member.get() == dan);
    s.commit();
    BOOST_CHECK(fk_of(engine, "loan", "member_id", l1->id) == dan->id);
    BOOST_CHECK(fk_of(engine, "loan", "member_id", l2->id) == dan->id);
    BOOST_CHECK(fk_of(engine, "loan", "book_id", l1->id) == book_id);
    BOOST_CHECK(fk_of(engine, "loan", "book_id", l2->id) == l2->book->id);
}

// Re-add of a detached object whose many-to-one was assigned while it had no session.
BOOST_FIXTURE_TEST_CASE(a_detached_object_assigned_a_parent_is_added_back, library_db) {
    const auto [ann_id, book_id] = seed_library(engine);
    std::shared_ptr<Loan> l;
    {
        dorm::session s(engine);
        auto ann = s.get<Member>(ann_id);
        l = std::make_shared<Loan>();
        l->member = ann;
        s.add(l);
        s.commit();
        BOOST_CHECK(l->member.get() == ann);  // loaded while ann lives
    }
    dorm::session s(engine);
    auto dune = s.get<Book>(book_id);
    auto eve = std::make_shared<Member>(Member{.name = "eve"});
    l->member = eve;  // detached: no session hook
    l->book = dune;
    s.add(l);
    BOOST_CHECK(has(eve->loans, l));
    s.commit();
    BOOST_CHECK(eve->id != 0);
    BOOST_CHECK_EQUAL(rows("loan"), 1);  // an UPDATE, not a second INSERT
    BOOST_CHECK(fk_of(engine, "loan", "member_id", l->id) == eve->id);
    BOOST_CHECK(fk_of(engine, "loan", "book_id", l->id) == book_id);
}

// A detached object read from a row whose many-to-one was never loaded: assigning it needs no
// session, and the re-added object writes the new parent's key.
BOOST_FIXTURE_TEST_CASE(a_detached_objects_unloaded_parent_can_be_assigned, library_db) {
    const auto [ann_id, book_id] = seed_library(engine);
    (void)book_id;
    std::int64_t loan_id = 0;
    {
        dorm::session s(engine);
        auto l = std::make_shared<Loan>();
        l->member = s.get<Member>(ann_id);
        s.add(l);
        s.commit();
        loan_id = l->id;
    }
    std::shared_ptr<Loan> l;
    {
        dorm::session s(engine);
        l = s.get<Loan>(loan_id);  // member not loaded
    }
    auto fay = std::make_shared<Member>(Member{.name = "fay"});
    l->member = fay;
    BOOST_CHECK(l->member.get() == fay);
    dorm::session s(engine);
    s.add(l);
    s.commit();
    BOOST_CHECK(fk_of(engine, "loan", "member_id", loan_id) == fay->id);
    BOOST_CHECK_EQUAL(rows("lib_member"), 2);
}

// Item 12, direction 1 (the tutorial's `u1.addresses.append(a1)` on transient objects): the back
// reference is set when u1 joins a session (C++ cannot reach u1's shared_ptr from u1->addresses
// before that; README "Relationships before add()").
BOOST_FIXTURE_TEST_CASE(tutorial_push_back_before_add_is_reconciled_at_add, tutorial_db) {
    using tutorial::Address;
    using tutorial::User;
    auto u1 = std::make_shared<User>(User{.name = "pkrabs"});
    auto a1 = std::make_shared<Address>(Address{.email_address = "pearl.krabs@gmail.com"});
    u1->addresses.push_back(a1);
    BOOST_CHECK(!a1->user.get());  // documented: not yet in step before add()
    dorm::session session(engine);
    session.add(u1);
    BOOST_CHECK(a1->user.get() == u1);
    BOOST_CHECK(session.contains(a1));
    session.commit();
    BOOST_CHECK(fk_of(engine, "address", "user_id", a1->id) == u1->id);
}

// Item 12, direction 2: `a2.user = u1` on transient objects. Adding the child brings the parent
// and appends the child to the parent's collection.
BOOST_FIXTURE_TEST_CASE(tutorial_child_assigned_before_add_joins_the_parents_collection, tutorial_db) {
    using tutorial::Address;
    using tutorial::User;
    auto u1 = std::make_shared<User>(User{.name = "pkrabs"});
    auto a1 = std::make_shared<Address>(Address{.email_address = "pearl.krabs@gmail.com"});
    u1->addresses.push_back(a1);
    auto a2 = std::make_shared<Address>(Address{.email_address = "pearl@aol.com", .user = u1});
    dorm::session session(engine);
    session.add(a2);  // the child: its parent and the parent's other children come with it
    BOOST_CHECK(session.contains(u1));
    BOOST_CHECK(session.contains(a1));
    BOOST_CHECK(has(u1->addresses, a1));
    BOOST_CHECK(has(u1->addresses, a2));
    BOOST_CHECK_EQUAL(u1->addresses.size(), 2u);
    BOOST_CHECK(a1->user.get() == u1);
    session.commit();
    BOOST_CHECK(fk_of(engine, "address", "user_id", a1->id) == u1->id);
    BOOST_CHECK(fk_of(engine, "address", "user_id", a2->id) == u1->id);
    BOOST_CHECK_EQUAL(rows("address"), 2);
}

// Item 12, direction 2 when only the parent is added: SQLAlchemy saves a2 (the backref put it in
// u1.addresses before add). dorm cannot reach a2 from u1, so the flush refuses instead of silently
// leaving a2 out; adding a2 as well is the fix.
BOOST_FIXTURE_TEST_CASE(tutorial_child_unreachable_from_the_added_parent_is_an_error, tutorial_db) {
    using tutorial::Address;
    using tutorial::User;
    auto u1 = std::make_shared<User>(User{.name = "pkrabs"});
    auto a2 = std::make_shared<Address>(Address{.email_address = "pearl@aol.com"});
    a2->user = u1;
    {
        dorm::session session(engine);
        session.add(u1);
        bool threw = false;
        try {
            session.commit();
        } catch (const dorm::invalid_request_error& e) {
            threw = true;
            const std::string what = e.what();
            BOOST_CHECK_MESSAGE(what.find("Address.user") != std::string::npos, what);
            BOOST_CHECK_MESSAGE(what.find("session.add") != std::string::npos, what);
        }
        BOOST_CHECK(threw);
        session.rollback();
    }
    BOOST_CHECK_EQUAL(rows("user_account"), 0);
    dorm::session session(engine);
    session.add(u1);
    session.add(a2);  // the documented way
    session.commit();
    BOOST_CHECK(fk_of(engine, "address", "user_id", a2->id) == u1->id);
    // a child assigned to a parent that is already in the session is not the parent's business
    // (SQLAlchemy 2.0: no cascade along a backref): it is saved once it is added itself
    auto a3 = std::make_shared<Address>(Address{.email_address = "third"});
    a3->user = u1;
    session.commit();
    BOOST_CHECK_EQUAL(rows("address"), 1);
    session.add(a3);
    session.commit();
    BOOST_CHECK(fk_of(engine, "address", "user_id", a3->id) == u1->id);
}

// The whole tutorial script: both directions before add(), then add(u1) and add(a2).
BOOST_FIXTURE_TEST_CASE(tutorial_persisting_and_loading_relationships, tutorial_db) {
    using tutorial::Address;
    using tutorial::User;
    std::int64_t u1_id = 0;
    {
        auto u1 = std::make_shared<User>(User{.name = "pkrabs"});
        auto a1 = std::make_shared<Address>(Address{.email_address = "pearl.krabs@gmail.com"});
        u1->addresses.push_back(a1);
        auto a2 = std::make_shared<Address>(Address{.email_address = "pearl@aol.com", .user = u1});
        dorm::session session(engine);
        session.add(u1);
        session.add(a2);
        BOOST_CHECK_EQUAL(u1->addresses.size(), 2u);
        BOOST_CHECK(a1->user.get() == u1 && a2->user.get() == u1);
        session.commit();
        u1_id = u1->id;
    }
    dorm::session check(engine);
    auto u1 = check.get<User>(u1_id);
    BOOST_REQUIRE(u1);
    std::vector<std::string> emails;
    for (auto& a : u1->addresses) emails.push_back(a->email_address);
    std::sort(emails.begin(), emails.end());
    BOOST_CHECK(emails == (std::vector<std::string>{"pearl.krabs@gmail.com", "pearl@aol.com"}));
}

// No shared_ptr cycle among objects linked before add() and never added, nor after their session.
BOOST_FIXTURE_TEST_CASE(objects_linked_before_add_are_freed, tutorial_db) {
    std::weak_ptr<tutorial::User> wu, wu2;
    std::weak_ptr<tutorial::Address> wa1, wa2, wa3;
    {
        auto u1 = std::make_shared<tutorial::User>(tutorial::User{.name = "never added"});
        auto a1 = std::make_shared<tutorial::Address>(tutorial::Address{.email_address = "x"});
        u1->addresses.push_back(a1);
        auto a2 = std::make_shared<tutorial::Address>(tutorial::Address{.email_address = "y", .user = u1});
        wu = u1;
        wa1 = a1;
        wa2 = a2;
        auto u2 = std::make_shared<tutorial::User>(tutorial::User{.name = "added"});
        auto a3 = std::make_shared<tutorial::Address>(tutorial::Address{.email_address = "z", .user = u2});
        dorm::session s(engine);
        s.add(a3);
        s.commit();
        wu2 = u2;
        wa3 = a3;
    }
    BOOST_CHECK(wu.expired() && wa1.expired() && wa2.expired());
    BOOST_CHECK(wu2.expired() && wa3.expired());
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

