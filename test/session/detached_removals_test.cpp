// A child removed from a DETACHED parent's loaded collection (the parent's session ended, or it was
// expunged) leaves the parent when the parent joins a session again, as a removal in the session
// would: a delete-orphan collection deletes it, another one NULLs its foreign key. SQLAlchemy
// keeps a detached object's collection history and the flush after session.add() applies it
// (orm/session_state_management.rst, "Merging" / "Adding New or Existing Items"; the
// delete-orphan rule of orm/cascades.rst). Before, dorm dropped the removal silently: the child
// stayed in the database under the parent (session 21's trial). A child moved to another parent
// while both were detached is not an orphan, whichever parent is added first. Every case runs on
// every backend.
#define BOOST_TEST_MODULE detached_removals
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

namespace dr {
// a back_populates pair without delete-orphan: the removed child keeps its row, without a parent
struct Pin;
struct Wall {
    int id = 0;
    std::string name;
    dorm::many<Pin> pins;
};
BOOST_DESCRIBE_STRUCT(Wall, (), (id, name, pins))
DORM_TABLE(Wall, "dr_wall", (name, dorm::varchar(10)), (pins, dorm::back_populates("wall")))

struct Pin {
    int id = 0;
    std::optional<int> wall_id;
    std::string label;
    dorm::one<Wall> wall;
};
BOOST_DESCRIBE_STRUCT(Pin, (), (id, wall_id, label, wall))
DORM_TABLE(Pin, "dr_pin", (wall_id, dorm::foreign_key(&Wall::id)), (label, dorm::varchar(10)),
           (wall, dorm::back_populates("pins")))

}  // namespace dr

using namespace collection_models;
using namespace dr;

namespace {
using db = dorm_test::database<Board, Task, Wall, Pin, Shelf, Volume>;

/// Boards "b1" (tasks t0, t1) and "b2" (no task), committed; their keys.
struct boards {
    int b1 = 0, b2 = 0, t0 = 0, t1 = 0;
    explicit boards(dorm::engine& engine) {
        dorm::session s(engine);
        auto x = s.add(Board{.title = "b1"});
        auto y = s.add(Board{.title = "b2"});
        for (const char* t : {"t0", "t1"}) x->tasks.push_back(std::make_shared<Task>(Task{.text = t}));
        s.commit();
        b1 = x->id;
        b2 = y->id;
        t0 = x->tasks[0]->id;
        t1 = x->tasks[1]->id;
    }
};

/// Wall "w" with pins "p0" and "p1", committed; its key and p0's.
struct walls {
    int wall = 0, p0 = 0;
    explicit walls(dorm::engine& engine) {
        dorm::session s(engine);
        auto x = s.add(Wall{.name = "w"});
        for (const char* l : {"p0", "p1"}) x->pins.push_back(std::make_shared<Pin>(Pin{.label = l}));
        s.commit();
        wall = x->id;
        p0 = x->pins[0]->id;
    }
};

/// A board read with its tasks loaded, in a session that then ends.
std::shared_ptr<Board> detached_board(dorm::engine& engine, int id) {
    dorm::session s(engine);
    auto b = s.get<Board>(id);
    BOOST_REQUIRE(b);
    (void)b->tasks.size();  // loaded
    return b;
}

template <class T>
void erase_where(dorm::many<T>& m, const std::string T::*member, const std::string& value) {
    for (auto it = m.begin(); it != m.end(); ++it)
        if ((**it).*member == value) {
            m.erase(it);
            return;
        }
    BOOST_FAIL("no such child: " + value);
}
}  // namespace

BOOST_FIXTURE_TEST_SUITE(detached_removals, db)

// The trial's program: load, session ends, remove a task, add the board to a new session, commit.
BOOST_AUTO_TEST_CASE(a_delete_orphan_child_removed_while_detached_is_deleted_on_re_add) {
    const boards k(engine);
    auto b = detached_board(engine, k.b1);
    BOOST_REQUIRE_EQUAL(b->tasks.size(), 2u);
    erase_where(b->tasks, &Task::text, "t0");
    {
        dorm::session s(engine);
        s.add(b);
        s.commit();
    }
    BOOST_CHECK_EQUAL(rows("cm_task"), 1);
    BOOST_CHECK(!dorm_test::column_of(engine, "cm_task", "board_id", k.t0).has_value());  // no row
    dorm::session v(engine);
    auto again = v.get<Board>(k.b1);
    BOOST_REQUIRE_EQUAL(again->tasks.size(), 1u);
    BOOST_CHECK_EQUAL(again->tasks[0]->text, "t1");
}

// The same after expunge(), and with the removed child no longer held by anyone.
BOOST_AUTO_TEST_CASE(a_child_removed_after_expunge_and_dropped_is_deleted_on_re_add) {
    const boards k(engine);
    dorm::session s(engine);
    auto b = s.get<Board>(k.b1);
    BOOST_REQUIRE_EQUAL(b->tasks.size(), 2u);
    s.expunge(b);
    erase_where(b->tasks, &Task::text, "t1");  // (nobody holds t1 any more)
    s.add(b);
    s.commit();
    BOOST_CHECK_EQUAL(rows("cm_task"), 1);
    BOOST_CHECK_EQUAL(b->tasks.size(), 1u);
}

// The removed child died with its session and nobody holds it: its row is read by its key and
// deleted (the registry of detached objects does not keep objects alive).
BOOST_AUTO_TEST_CASE(a_child_removed_and_gone_from_memory_is_deleted_by_its_key) {
    const boards k(engine);
    auto b = detached_board(engine, k.b1);
    std::weak_ptr<Task> gone;
    {
        auto t0 = b->tasks[0]->text == "t0" ? b->tasks[0] : b->tasks[1];
        gone = t0;
    }
    erase_where(b->tasks, &Task::text, "t0");
    BOOST_REQUIRE(gone.expired());
    dorm::session s(engine);
    s.add(b);
    s.commit();
    BOOST_CHECK_EQUAL(rows("cm_task"), 1);
    BOOST_CHECK(!dorm_test::column_of(engine, "cm_task", "board_id", k.t0).has_value());
    BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", k.t1) == k.b1);
}

// Nothing removed: re-adding writes nothing.
BOOST_AUTO_TEST_CASE(re_adding_an_unchanged_detached_parent_writes_nothing) {
    const boards k(engine);
    auto b = detached_board(engine, k.b1);
    dorm::session s(engine);
    s.add(b);
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE"), 0u);
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    BOOST_CHECK_EQUAL(rows("cm_task"), 2);
}

// A task moved from b1 to b2 while both were detached is not an orphan, whichever board joins
// the session first.
BOOST_AUTO_TEST_CASE(a_child_moved_between_detached_parents_is_kept_in_either_order) {
    for (const bool first_the_old_parent : {true, false}) {
        BOOST_TEST_CONTEXT("the old parent added first: " << first_the_old_parent) {
            meta.drop_all(engine);
            meta.create_all(engine);
            const boards k(engine);
            std::shared_ptr<Board> b1, b2;
            {
                dorm::session s(engine);
                b1 = s.get<Board>(k.b1);
                b2 = s.get<Board>(k.b2);
                BOOST_REQUIRE_EQUAL(b1->tasks.size(), 2u);
                BOOST_REQUIRE_EQUAL(b2->tasks.size(), 0u);
            }
            auto t0 = b1->tasks[0]->text == "t0" ? b1->tasks[0] : b1->tasks[1];
            erase_where(b1->tasks, &Task::text, "t0");
            b2->tasks.push_back(t0);
            {
                dorm::session s(engine);
                if (first_the_old_parent) {
                    s.add(b1);
                    s.add(b2);
                } else {
                    s.add(b2);
                    s.add(b1);
                }
                s.commit();
            }
            BOOST_CHECK_EQUAL(rows("cm_task"), 2);
            BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", k.t0) == k.b2);
            BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", k.t1) == k.b1);
        }
    }
}

// The same when the old board is saved in a session of its own before the new board joins any:
// the task went to another collection while detached, so it is no orphan of the old board (it
// was deleted before: data loss, session 22's trial).
BOOST_AUTO_TEST_CASE(a_child_moved_between_detached_parents_survives_the_old_parent_saved_alone) {
    const boards k(engine);
    std::shared_ptr<Board> b1, b2;
    {
        dorm::session s(engine);
        b1 = s.get<Board>(k.b1);
        b2 = s.get<Board>(k.b2);
        BOOST_REQUIRE_EQUAL(b1->tasks.size(), 2u);
        BOOST_REQUIRE_EQUAL(b2->tasks.size(), 0u);
    }
    auto t0 = b1->tasks[0]->text == "t0" ? b1->tasks[0] : b1->tasks[1];
    b1->tasks.remove(t0);
    b2->tasks.push_back(t0);
    {
        dorm::session s(engine);
        s.add(b1);
        b1->title = "B1";
        s.commit();
    }
    BOOST_CHECK_EQUAL(rows("cm_task"), 2);
    {
        dorm::session s(engine);
        s.add(b2);
        s.commit();
    }
    BOOST_CHECK_EQUAL(rows("cm_task"), 2);
    BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", k.t0) == k.b2);
}

// The old board's collection, captured when it was detached, still holds a task that another
// session moved to b2 since (through the task's many-to-one): re-adding the old board does not
// pull the task back (its stale collection wrote the old key back before: a lost update, session
// 22's trial). The collection lets go of it.
BOOST_AUTO_TEST_CASE(a_stale_collection_of_a_re_added_parent_does_not_move_a_child_back) {
    const boards k(engine);
    auto b1 = detached_board(engine, k.b1);  // request 1
    auto t0 = b1->tasks[0]->text == "t0" ? b1->tasks[0] : b1->tasks[1];
    {  // request 2: the task alone, given another board
        dorm::session s(engine);
        auto b2 = s.get<Board>(k.b2);
        t0->board = b2;
        s.add(t0);
        s.commit();
    }
    BOOST_REQUIRE(dorm_test::column_of(engine, "cm_task", "board_id", k.t0) == k.b2);
    {  // request 3: the old board, renamed
        dorm::session s(engine);
        s.add(b1);
        b1->title = "B1";
        s.commit();
    }
    BOOST_CHECK_MESSAGE(dorm_test::column_of(engine, "cm_task", "board_id", k.t0) == k.b2,
                        "the old board's stale collection moved the task back: board_id "
                            << dorm_test::column_of(engine, "cm_task", "board_id", k.t0).value_or(-1));
    BOOST_CHECK_EQUAL(b1->tasks.size(), 1u);
    BOOST_CHECK_EQUAL(rows("cm_task"), 2);
}

// The new session read the removed task already (another object for the same row): that object
// is the one deleted.
BOOST_AUTO_TEST_CASE(a_removed_child_the_new_session_holds_already_is_deleted) {
    const boards k(engine);
    auto b = detached_board(engine, k.b1);
    erase_where(b->tasks, &Task::text, "t0");
    dorm::session s(engine);
    auto mine = s.get<Task>(k.t0);
    BOOST_REQUIRE(mine);
    s.add(b);
    s.commit();
    BOOST_CHECK_EQUAL(rows("cm_task"), 1);
}

// Without delete-orphan the removed child keeps its row and loses its parent.
BOOST_AUTO_TEST_CASE(a_plain_collection_child_removed_while_detached_loses_its_parent) {
    const walls k(engine);
    const int w = k.wall, p0 = k.p0;
    std::shared_ptr<Wall> wall;
    std::shared_ptr<Pin> pin;
    {
        dorm::session s(engine);
        wall = s.get<Wall>(w);
        BOOST_REQUIRE_EQUAL(wall->pins.size(), 2u);
        pin = wall->pins[0]->id == p0 ? wall->pins[0] : wall->pins[1];
    }
    erase_where(wall->pins, &Pin::label, "p0");
    dorm::session s(engine);
    s.add(wall);
    s.commit();
    BOOST_CHECK_EQUAL(rows("dr_pin"), 2);
    BOOST_CHECK(!dorm_test::column_of(engine, "dr_pin", "wall_id", p0).has_value());
    BOOST_CHECK(!pin->wall_id.has_value());
    BOOST_CHECK(!pin->wall.get());
}

// A one-way collection: the removed child's foreign key becomes NULL.
BOOST_AUTO_TEST_CASE(a_one_way_collection_child_removed_while_detached_loses_its_parent) {
    int sh = 0, v0 = 0;
    {
        dorm::session s(engine);
        auto shelf = s.add(Shelf{.name = "s"});
        for (const char* t : {"v0", "v1"}) shelf->volumes.push_back(std::make_shared<Volume>(Volume{.title = t}));
        s.commit();
        sh = shelf->id;
        v0 = shelf->volumes[0]->id;
    }
    std::shared_ptr<Shelf> shelf;
    {
        dorm::session s(engine);
        shelf = s.get<Shelf>(sh);
        BOOST_REQUIRE_EQUAL(shelf->volumes.size(), 2u);
    }
    erase_where(shelf->volumes, &Volume::title, "v0");
    dorm::session s(engine);
    s.add(shelf);
    s.commit();
    BOOST_CHECK_EQUAL(rows("cm_volume"), 2);
    BOOST_CHECK(!dorm_test::column_of(engine, "cm_volume", "shelf_id", v0).has_value());
}

// A one-way collection's child moved to another shelf while both were detached keeps the new
// shelf, whichever joins first; one whose key was set directly to another shelf is written so
// (the removed child joins the session, as SQLAlchemy's save-update cascade takes it along).
BOOST_AUTO_TEST_CASE(a_one_way_child_moved_while_detached_keeps_its_new_parent) {
    for (const int way : {0, 1, 2}) {
        BOOST_TEST_CONTEXT((way == 0 ? "old shelf first" : way == 1 ? "new shelf first" : "key set directly")) {
            meta.drop_all(engine);
            meta.create_all(engine);
            const two_shelves k(engine, "v0");
            const int s1 = k.s1, s2 = k.s2, v0 = k.volume;
            std::shared_ptr<Shelf> x, y;
            {
                dorm::session s(engine);
                x = s.get<Shelf>(s1);
                y = s.get<Shelf>(s2);
                BOOST_REQUIRE_EQUAL(x->volumes.size(), 1u);
                BOOST_REQUIRE_EQUAL(y->volumes.size(), 0u);
            }
            auto vol = x->volumes[0];
            x->volumes.erase(x->volumes.begin());
            if (way == 2)
                vol->shelf_id = s2;
            else
                y->volumes.push_back(vol);
            {
                dorm::session s(engine);
                if (way == 1) s.add(y);
                s.add(x);
                if (way == 0) s.add(y);
                s.commit();
            }
            BOOST_CHECK(dorm_test::column_of(engine, "cm_volume", "shelf_id", v0) == s2);
        }
    }
}

// The child's side: a DETACHED task's many-to-one set to nullptr, then the task alone add()ed.
// The assignment was made with no session to see it; the re-added task still leaves its board
// (SQLAlchemy keeps a detached object's attribute history, and the flush after add() applies it):
// with delete-orphan it is deleted, else its foreign key becomes NULL. Before, the assignment was
// lost: the key stayed and the many-to-one read the old board again (session 22's trial).
BOOST_AUTO_TEST_CASE(a_detached_childs_parent_set_to_null_is_applied_on_re_add) {
    for (const bool loaded : {true, false}) {
        BOOST_TEST_CONTEXT("the many-to-one was loaded: " << loaded) {
            meta.drop_all(engine);
            meta.create_all(engine);
            const boards k(engine);
            std::shared_ptr<Task> t;
            {
                dorm::session s(engine);
                t = s.get<Task>(k.t0);
                if (loaded) BOOST_REQUIRE(t->board.get());
            }
            t->board = nullptr;
            dorm::session s(engine);
            s.add(t);
            BOOST_CHECK(!t->board.get());
            s.commit();
            BOOST_CHECK_EQUAL(rows("cm_task"), 1);  // the orphan is deleted
            BOOST_CHECK(!dorm_test::column_of(engine, "cm_task", "board_id", k.t0).has_value());
            BOOST_CHECK(!s.contains(t));
            dorm::session v(engine);
            BOOST_CHECK_EQUAL(v.get<Board>(k.b1)->tasks.size(), 1u);
        }
    }
}

// The same without delete-orphan: the pin keeps its row, with a NULL key; the wall, in the
// session already with its pins loaded, lets go of it.
BOOST_AUTO_TEST_CASE(a_detached_childs_parent_set_to_null_loses_its_parent_on_re_add) {
    const walls k(engine);
    const int w = k.wall, p0 = k.p0;
    dorm::session s(engine);
    auto wall = s.get<Wall>(w);
    BOOST_REQUIRE_EQUAL(wall->pins.size(), 2u);
    auto pin = s.get<Pin>(p0);
    BOOST_REQUIRE(pin->wall.get() == wall);
    s.expunge(pin);
    pin->wall = nullptr;  // detached: no session sees it
    s.add(pin);
    BOOST_CHECK_EQUAL(wall->pins.size(), 1u);  // the wall's loaded collection lets go of it
    s.commit();
    BOOST_CHECK_EQUAL(rows("dr_pin"), 2);
    BOOST_CHECK(!dorm_test::column_of(engine, "dr_pin", "wall_id", p0).has_value());
    BOOST_CHECK(!pin->wall_id.has_value());
    BOOST_CHECK(!pin->wall.get());
    // a key set directly to another wall as well, after the assignment: the key decides
    auto other = s.add(Wall{.name = "x"});
    s.commit();
    std::shared_ptr<Pin> p1;
    {
        dorm::session r(engine);
        p1 = r.execute(dorm::select<Pin>().where(col(&Pin::label) == "p1")).scalar_one();
    }
    p1->wall = nullptr;
    p1->wall_id = other->id;
    dorm::session t(engine);
    t.add(p1);
    t.commit();
    BOOST_CHECK(dorm_test::column_of(engine, "dr_pin", "wall_id", p1->id) == other->id);
}

// A new task pushed into a DETACHED board's collection, then only the task add()ed: the task
// belongs to that board (SQLAlchemy's backref sets task.board at the append, and add() cascades
// along it to the board, which joins the session again). Before, the task was inserted without
// its board (session 22's trial).
BOOST_AUTO_TEST_CASE(a_new_child_pushed_into_a_detached_parent_belongs_to_it) {
    const boards k(engine);
    auto b = detached_board(engine, k.b1);
    auto t = std::make_shared<Task>(Task{.text = "t2"});
    b->tasks.push_back(t);
    b->title = "B1";
    dorm::session s(engine);
    s.add(t);
    BOOST_CHECK(t->board.get() == b);
    BOOST_CHECK(s.contains(b));
    s.commit();
    BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", t->id) == k.b1);
    BOOST_CHECK_EQUAL(rows("cm_task"), 3);
    dorm::session v(engine);
    auto again = v.get<Board>(k.b1);
    BOOST_CHECK_EQUAL(again->title, "B1");
    BOOST_CHECK_EQUAL(again->tasks.size(), 3u);
}

// Parent and child both detached; the child's many-to-one is set to nullptr or to another board
// while they are: re-adding the old parent (before or after the child) does not take the child
// back through its stale collection (a session, or SQLAlchemy's backref on detached objects,
// would have taken it out of the collection at the assignment). Before, the old board's
// collection re-asserted `task->board` and the change was lost (session 23's trial).
BOOST_AUTO_TEST_CASE(a_detached_childs_parent_change_wins_over_the_old_parents_stale_collection) {
    for (const bool to_null : {true, false}) {
        for (const bool parent_first : {true, false}) {
            BOOST_TEST_CONTEXT("set to nullptr: " << to_null << ", old parent added first: " << parent_first) {
                meta.drop_all(engine);
                meta.create_all(engine);
                const boards k(engine);
                std::shared_ptr<Board> b1, b2;
                {
                    dorm::session s(engine);
                    b1 = s.get<Board>(k.b1);
                    b2 = s.get<Board>(k.b2);
                    BOOST_REQUIRE_EQUAL(b1->tasks.size(), 2u);
                }
                auto t0 = b1->tasks[0]->text == "t0" ? b1->tasks[0] : b1->tasks[1];
                if (to_null)
                    t0->board = nullptr;
                else
                    t0->board = b2;
                dorm::session s(engine);
                if (parent_first) s.add(b1);
                s.add(t0);
                if (!parent_first) s.add(b1);
                if (!to_null) s.add(b2);
                s.commit();
                BOOST_CHECK(!holds(b1->tasks, t0));
                if (to_null) {
                    BOOST_CHECK_EQUAL(rows("cm_task"), 1);  // the orphan is deleted
                } else {
                    BOOST_CHECK(dorm_test::column_of(engine, "cm_task", "board_id", k.t0) == k.b2);
                    BOOST_CHECK(t0->board.get() == b2);
                    BOOST_CHECK_EQUAL(rows("cm_task"), 2);
                }
                dorm::session v(engine);
                BOOST_CHECK_EQUAL(v.get<Board>(k.b1)->tasks.size(), 1u);
            }
        }
    }
}

// An expunged child still in the loaded collection of a parent removed with a delete cascade:
// SQLAlchemy's delete cascade attaches the detached child and deletes it (Session._delete_impl);
// dorm skipped it and the parent's DELETE failed on the child's foreign key.
BOOST_AUTO_TEST_CASE(a_delete_cascade_reaches_an_expunged_child) {
    const boards k(engine);
    {
        dorm::session s(engine);
        auto b = s.get<Board>(k.b1);
        BOOST_REQUIRE_EQUAL(b->tasks.size(), 2u);
        auto t0 = b->tasks[0];
        s.expunge(t0);
        BOOST_CHECK(!s.contains(t0));
        s.remove(b);
        s.commit();
        BOOST_CHECK(!s.contains(t0));  // deleted: gone from the session after the commit
    }
    BOOST_CHECK_EQUAL(rows("cm_task"), 0);
    BOOST_CHECK_EQUAL(rows("cm_board"), 1);  // b2
}

// The same after the parent's session ended: the parent and its loaded children come back in a
// new session, one child expunged there first.
BOOST_AUTO_TEST_CASE(a_delete_cascade_of_a_re_added_parent_reaches_every_child) {
    const boards k(engine);
    auto b = detached_board(engine, k.b1);
    dorm::session s(engine);
    s.add(b);
    s.expunge(b->tasks[1]);
    s.remove(b);
    s.commit();
    BOOST_CHECK_EQUAL(rows("cm_task"), 0);
}

BOOST_AUTO_TEST_SUITE_END()
