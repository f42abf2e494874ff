// A foreign key that moves to another row by something other than its relationships — the column
// set directly and flushed, a bulk UPDATE, refresh() or a populate_existing SELECT after another
// transaction moved it — is followed by the loaded relationships: the child's many-to-one loads
// again by the new key, the old parent's loaded collection (or one-to-one) lets go of the child
// without any cascade (a delete-orphan collection does not delete it), the new parent's loaded
// collection gains it. Before, the stale relationships wrote the OLD key back at the next flush
// of any unrelated change: a silent lost update (session 21's trial). SQLAlchemy never writes a
// foreign key from a relationship that did not change, and its commit expires the stale ones
// (test/orm/test_sync.py; the FAQ "I set the foo_id attribute on my instance to 7, but the foo
// attribute is still None"). Every case runs on every backend.
#define BOOST_TEST_MODULE foreign_key_follow
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "collection_models.hpp"
#include "fixture.hpp"

using dorm::col;

namespace fkf {
// a one-to-one pair
struct Badge;
struct Person {
    int id = 0;
    std::string name;
    dorm::one<Badge> badge;
};
BOOST_DESCRIBE_STRUCT(Person, (), (id, name, badge))
DORM_TABLE(Person, "fkf_person", (name, dorm::varchar(10)), (badge, dorm::back_populates("holder")))

struct Badge {
    int id = 0;
    std::optional<int> holder_id;
    std::string code;
    dorm::one<Person> holder;
};
BOOST_DESCRIBE_STRUCT(Badge, (), (id, holder_id, code, holder))
DORM_TABLE(Badge, "fkf_badge", (holder_id, dorm::foreign_key(&Person::id)), (code, dorm::varchar(10)),
           (holder, dorm::back_populates("badge")))
}  // namespace fkf

using namespace collection_models;
using namespace fkf;

namespace {
using db = dorm_test::database<Board, Task, Shelf, Volume, Person, Badge>;

/// Two boards, the first with tasks "a" and "b", committed and read back in a new session.
struct orders {
    int o1 = 0, o2 = 0, a = 0, b = 0;
    explicit orders(dorm::engine& engine) {
        dorm::session s(engine);
        auto x = s.add(Board{.title = "o1"});
        auto y = s.add(Board{.title = "o2"});
        auto la = std::make_shared<Task>(Task{.text = "a"});
        auto lb = std::make_shared<Task>(Task{.text = "b"});
        x->tasks.push_back(la);
        x->tasks.push_back(lb);
        s.commit();
        o1 = x->id;
        o2 = y->id;
        a = la->id;
        b = lb->id;
    }
};
}  // namespace

BOOST_FIXTURE_TEST_SUITE(foreign_key_follow, db)

// The trial's program: the old parent's collection is loaded and holds the child; the key is set
// directly and committed; a later unrelated change must not write the old key back.
BOOST_AUTO_TEST_CASE(a_key_set_directly_leaves_the_old_parents_loaded_collection) {
    const orders k(engine);
    dorm::session s(engine);
    auto o1 = s.get<Board>(k.o1);
    auto o2 = s.get<Board>(k.o2);
    BOOST_REQUIRE_EQUAL(o1->tasks.size(), 2u);  // loaded
    BOOST_REQUIRE_EQUAL(o2->tasks.size(), 0u);  // loaded
    auto a = o1->tasks[0]->text == "a" ? o1->tasks[0] : o1->tasks[1];
    BOOST_REQUIRE(a->board.get() == o1);
    a->board_id = k.o2;  // moved by the column
    s.commit();
    BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", k.a) == k.o2);
    BOOST_CHECK_EQUAL(o1->tasks.size(), 1u);
    BOOST_CHECK(!holds(o1->tasks, a));
    BOOST_CHECK(holds(o2->tasks, a));
    BOOST_CHECK(a->board.get() == o2);
    // (the collection let go of it without its delete-orphan cascade)
    BOOST_CHECK_EQUAL(rows("cm_task"), 2);
    a->text = "a2";  // an unrelated change
    s.commit();
    BOOST_CHECK_MESSAGE(dorm_test::column_of(engine, "cm_task", "board_id", k.a) == k.o2,
                        "a later flush wrote the old parent's key back: board_id in the row is "
                            << dorm_test::column_of(engine, "cm_task", "board_id", k.a).value_or(-1));
    BOOST_CHECK_EQUAL(a->board_id, k.o2);
    BOOST_CHECK_EQUAL(rows("cm_task"), 2);
    // and a change made through the relationships afterwards still works
    o1->tasks.push_back(a);
    s.commit();
    BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", k.a) == k.o1);
    BOOST_CHECK(!holds(o2->tasks, a));
}

// The same inside one transaction: flush() and a second flush, no commit in between.
BOOST_AUTO_TEST_CASE(a_key_set_directly_and_flushed_is_not_taken_back_by_the_next_flush) {
    const orders k(engine);
    dorm::session s(engine);
    auto o1 = s.get<Board>(k.o1);
    BOOST_REQUIRE_EQUAL(o1->tasks.size(), 2u);
    auto b = o1->tasks[0]->text == "b" ? o1->tasks[0] : o1->tasks[1];
    BOOST_REQUIRE(b->board.get() == o1);
    b->board_id = k.o2;
    s.flush();
    b->text = "b2";
    s.flush();
    s.commit();
    BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", k.b) == k.o2);
    BOOST_CHECK(!holds(o1->tasks, b));
    auto o2 = b->board.get();  // loads by the new key
    BOOST_REQUIRE(o2);
    BOOST_CHECK_EQUAL(o2->id, k.o2);
}

// The child whose key moved (its many-to-one unloaded by the flush) then leaves the new parent's
// delete-orphan collection: it is deleted, and its many-to-one reads nothing, not the parent it
// left (it loaded that parent again from the key: session 22's trial item 6). SQLAlchemy's
// backref sets an unloaded many-to-one to None on a collection remove (test/orm/
// test_backref_mutations.py, O2MCollectionTest).
BOOST_AUTO_TEST_CASE(an_orphan_whose_key_moved_lets_go_of_the_parent_it_left) {
    for (const bool read_back : {false, true}) {
        BOOST_TEST_CONTEXT((read_back ? "objects read back" : "objects made in the session")) {
            dorm::session s(engine);
            std::shared_ptr<Board> o1, o2;
            std::shared_ptr<Task> a;
            if (read_back) {
                const orders k(engine);
                o1 = s.get<Board>(k.o1);
                o2 = s.get<Board>(k.o2);
                a = s.get<Task>(k.a);
            } else {
                o1 = s.add(Board{.title = "o1"});
                o2 = s.add(Board{.title = "o2"});
                a = std::make_shared<Task>(Task{.text = "a"});
                o1->tasks.push_back(a);
                s.commit();
            }
            const std::int64_t before = rows("cm_task");
            a->board_id = o2->id;
            s.flush();  // (a->board unloads: it follows the key)
            BOOST_REQUIRE(o2->tasks.remove(a));  // loads o2's collection, which holds a now
            BOOST_CHECK(!a->board);
            s.commit();
            BOOST_CHECK(!a->board);
            BOOST_CHECK_EQUAL(rows("cm_task"), before - 1);  // the orphan is deleted
            BOOST_CHECK_EQUAL(o2->tasks.size(), 0u);
            BOOST_CHECK(!holds(o1->tasks, a));
        }
    }
}

// A one-way collection (no many-to-one on the child): the old parent's loaded collection lets go
// of the child, the new parent's gains it; NULL leaves every collection.
BOOST_AUTO_TEST_CASE(a_one_way_collection_follows_a_key_set_directly) {
    const two_shelves k(engine);
    const int s1 = k.s1, s2 = k.s2, v = k.volume;
    dorm::session s(engine);
    auto x = s.get<Shelf>(s1);
    auto y = s.get<Shelf>(s2);
    BOOST_REQUIRE_EQUAL(x->volumes.size(), 1u);
    BOOST_REQUIRE_EQUAL(y->volumes.size(), 0u);
    auto vol = x->volumes[0];
    vol->shelf_id = s2;
    s.commit();
    BOOST_CHECK_EQUAL(x->volumes.size(), 0u);
    BOOST_CHECK(holds(y->volumes, vol));
    vol->title = "v2";
    s.commit();
    BOOST_CHECK_MESSAGE(dorm_test::column_of(engine, "cm_volume", "shelf_id", v) == s2,
                        "the old shelf's collection wrote its key back: shelf_id in the row is "
                            << dorm_test::column_of(engine, "cm_volume", "shelf_id", v).value_or(-1));
    vol->shelf_id.reset();
    s.commit();
    BOOST_CHECK_EQUAL(y->volumes.size(), 0u);
    vol->title = "v3";
    s.commit();
    BOOST_CHECK(!dorm_test::column_of(engine, "cm_volume", "shelf_id", v).has_value());
}

// Moving a child between one-way collections in a session (erase from one, push_back on the
// other, in either order) gives it the new parent's key: the NULL the old collection's removal put
// into the key is not a key set directly (it was lost before: the row ended with NULL).
BOOST_AUTO_TEST_CASE(a_child_moved_between_one_way_collections_gets_the_new_key) {
    for (const bool erase_first : {true, false}) {
        BOOST_TEST_CONTEXT("erase first: " << erase_first) {
            dorm::session s(engine);
            auto x = s.add(Shelf{.name = "s1"});
            auto y = s.add(Shelf{.name = "s2"});
            auto vol = std::make_shared<Volume>(Volume{.title = "v"});
            x->volumes.push_back(vol);
            s.commit();
            if (erase_first) {
                x->volumes.erase(x->volumes.begin());
                y->volumes.push_back(vol);
            } else {
                y->volumes.push_back(vol);
                x->volumes.erase(x->volumes.begin());
            }
            s.commit();
            BOOST_CHECK(dorm_test::column_of(engine, "cm_volume", "shelf_id", vol->id) == y->id);
            BOOST_CHECK(vol->shelf_id == y->id);
            // only leaving: NULL
            y->volumes.erase(y->volumes.begin());
            s.commit();
            BOOST_CHECK(!dorm_test::column_of(engine, "cm_volume", "shelf_id", vol->id).has_value());
        }
    }
}

// The key set directly AND the child appended to a third parent's collection in one unit of
// work, in either order: the collection decides (as SQLAlchemy's flush syncs the relationship
// over the column), the child is in one collection only, and an unrelated flush after it leaves
// the row where it is (it moved the row to the collection's parent before: a lost update).
BOOST_AUTO_TEST_CASE(a_collection_append_decides_over_a_key_set_directly) {
    for (const bool column_first : {true, false}) {
        BOOST_TEST_CONTEXT("column set first: " << column_first) {
            dorm::session s(engine);
            auto o1 = s.add(Board{.title = "o1"});
            auto o2 = s.add(Board{.title = "o2"});
            auto o3 = s.add(Board{.title = "o3"});
            auto l = std::make_shared<Task>(Task{.text = "a"});
            o1->tasks.push_back(l);
            auto x = s.add(Shelf{.name = "x"});
            auto y = s.add(Shelf{.name = "y"});
            auto z = s.add(Shelf{.name = "z"});
            auto vol = std::make_shared<Volume>(Volume{.title = "v"});
            x->volumes.push_back(vol);
            s.commit();
            BOOST_REQUIRE_EQUAL(o2->tasks.size(), 0u);  // loaded
            BOOST_REQUIRE_EQUAL(y->volumes.size(), 0u);
            if (column_first) {
                l->board_id = o2->id;
                o3->tasks.push_back(l);
                vol->shelf_id = y->id;
                z->volumes.push_back(vol);
            } else {
                o3->tasks.push_back(l);
                l->board_id = o2->id;
                z->volumes.push_back(vol);
                vol->shelf_id = y->id;
            }
            s.commit();
            BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", l->id) == o3->id);
            BOOST_CHECK(l->board.get() == o3);
            BOOST_CHECK(!holds(o2->tasks, l));
            BOOST_CHECK(dorm_test::column_of(engine, "cm_volume", "shelf_id", vol->id) == z->id);
            BOOST_CHECK(!holds(y->volumes, vol));
            l->text = "b";
            vol->title = "w";
            s.commit();
            BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", l->id) == o3->id);
            BOOST_CHECK(dorm_test::column_of(engine, "cm_volume", "shelf_id", vol->id) == z->id);
        }
    }
}

// A bulk UPDATE of the foreign key (synchronised into the held objects): the loaded many-to-one
// and both collections follow, and the next flush keeps the new key.
BOOST_AUTO_TEST_CASE(a_bulk_update_of_the_key_is_followed_by_the_loaded_relationships) {
    const orders k(engine);
    dorm::session s(engine);
    auto o1 = s.get<Board>(k.o1);
    auto o2 = s.get<Board>(k.o2);
    BOOST_REQUIRE_EQUAL(o1->tasks.size(), 2u);
    BOOST_REQUIRE_EQUAL(o2->tasks.size(), 0u);
    auto a = s.get<Task>(k.a);
    BOOST_REQUIRE(a->board.get() == o1);
    s.execute(dorm::update<Task>().set(col(&Task::board_id), k.o2).where(col(&Task::id) == k.a));
    BOOST_CHECK_EQUAL(a->board_id, k.o2);
    BOOST_CHECK(a->board.get() == o2);
    BOOST_CHECK(!holds(o1->tasks, a));
    BOOST_CHECK(holds(o2->tasks, a));
    s.commit();
    a->text = "a2";
    s.commit();
    BOOST_CHECK_MESSAGE(dorm_test::column_of(engine, "cm_task", "board_id", k.a) == k.o2,
                        "the flush after a bulk UPDATE wrote the old key back: board_id in the row is "
                            << dorm_test::column_of(engine, "cm_task", "board_id", k.a).value_or(-1));
    BOOST_CHECK_EQUAL(rows("cm_task"), 2);
}

// Another transaction moved the row: refresh() and a populate_existing SELECT bring the new key,
// and the relationships follow it.
BOOST_AUTO_TEST_CASE(a_key_moved_by_another_transaction_is_followed_after_refresh_and_populate_existing) {
    const orders k(engine);
    dorm::session s(engine);
    auto o1 = s.get<Board>(k.o1);
    BOOST_REQUIRE_EQUAL(o1->tasks.size(), 2u);
    auto a = s.get<Task>(k.a);
    auto b = s.get<Task>(k.b);
    BOOST_REQUIRE(a->board.get() == o1);
    BOOST_REQUIRE(b->board.get() == o1);
    s.commit();  // (ends the transaction: the other one's change is visible on every backend)
    {
        dorm::session other(engine);
        other.execute(dorm::update<Task>().set(col(&Task::board_id), k.o2));
        other.commit();
    }
    s.refresh(a);
    BOOST_CHECK_EQUAL(a->board_id, k.o2);
    BOOST_CHECK(!holds(o1->tasks, a));
    s.execute(dorm::select<Task>().where(col(&Task::id) == k.b).populate_existing()).all();
    BOOST_CHECK_EQUAL(b->board_id, k.o2);
    BOOST_CHECK(!holds(o1->tasks, b));
    BOOST_CHECK_EQUAL(o1->tasks.size(), 0u);
    auto o2 = b->board.get();
    BOOST_REQUIRE(o2);
    BOOST_CHECK_EQUAL(o2->id, k.o2);
    a->text = "a2";
    b->text = "b2";
    s.commit();
    BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", k.a) == k.o2);
    BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", k.b) == k.o2);
    BOOST_CHECK_EQUAL(rows("cm_task"), 2);
}

// A one-to-one: the old holder's loaded member lets go, and a later flush keeps the new key.
BOOST_AUTO_TEST_CASE(a_one_to_one_follows_a_key_set_directly) {
    int p1 = 0, p2 = 0, bid = 0;
    {
        dorm::session s(engine);
        auto x = s.add(Person{.name = "p1"});
        auto y = s.add(Person{.name = "p2"});
        x->badge = std::make_shared<Badge>(Badge{.code = "b"});
        s.commit();
        p1 = x->id;
        p2 = y->id;
        bid = x->badge->id;
    }
    dorm::session s(engine);
    auto x = s.get<Person>(p1);
    auto y = s.get<Person>(p2);
    auto badge = x->badge.get();  // loaded
    BOOST_REQUIRE(badge);
    BOOST_REQUIRE(!y->badge.get());  // loaded: none
    BOOST_REQUIRE(badge->holder.get() == x);
    badge->holder_id = p2;
    s.commit();
    BOOST_CHECK(!x->badge.get());
    BOOST_CHECK(y->badge.get() == badge);
    BOOST_CHECK(badge->holder.get() == y);
    badge->code = "b2";
    s.commit();
    BOOST_CHECK_MESSAGE(dorm_test::column_of(engine, "fkf_badge", "holder_id", bid) == p2,
                        "the old holder's one-to-one wrote its key back: holder_id in the row is "
                            << dorm_test::column_of(engine, "fkf_badge", "holder_id", bid).value_or(-1));
}

BOOST_AUTO_TEST_SUITE_END()
