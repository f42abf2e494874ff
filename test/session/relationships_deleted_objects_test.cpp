// A deleted object stays deleted while the in-memory objects of the session still refer to it.
// Objects are not expired on commit (README: like SQLAlchemy's expire_on_commit=False), so a
// loaded collection of a parent may still hold a child whose row was deleted; the save-update
// cascade of the next flush must not INSERT that row again (found by an application-style trial:
// the next query's autoflush re-inserted the child, and its association rows).
//
// SQLAlchemy: a flush never saves an object that is not in the session through an unchanged
// collection (unitofwork.py register_object: "not in session, add operation will not proceed"),
// and Session.add() of a deleted instance raises InvalidRequestError ("Instance ... has been
// deleted. Use the make_transient() function ..."; test/orm/test_session.py
// SessionStateTest.test_deleted_adds_to_imap_unconditionally and test_transient_deleted...).
#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <string>

#include <dorm/dorm.hpp>

#include "fixture.hpp"

using dorm::col;
using dorm_test::q;

namespace {

struct Shelf;
struct Jar {
    int id = 0;
    std::string label;
    std::optional<int> shelf_id;
    dorm::one<Shelf> shelf;
};
struct Shelf {
    int id = 0;
    std::string room;
    dorm::many<Jar> jars;
};
BOOST_DESCRIBE_STRUCT(Jar, (), (id, label, shelf_id, shelf))
BOOST_DESCRIBE_STRUCT(Shelf, (), (id, room, jars))
DORM_TABLE(Shelf, "del_shelf", (jars, dorm::back_populates("shelf")))
DORM_TABLE(Jar, "del_jar", (shelf_id, dorm::foreign_key(&Shelf::id)), (shelf, dorm::back_populates("jars")))

struct Recipe;
struct Spice;
struct RecipeSpice {
    int recipe_id = 0;
    int spice_id = 0;
};
struct Recipe {
    int id = 0;
    std::string name;
    dorm::many<Spice> spices;
};
struct Spice {
    int id = 0;
    std::string name;
    dorm::many<Recipe> recipes;
};
BOOST_DESCRIBE_STRUCT(RecipeSpice, (), (recipe_id, spice_id))
BOOST_DESCRIBE_STRUCT(Recipe, (), (id, name, spices))
BOOST_DESCRIBE_STRUCT(Spice, (), (id, name, recipes))
DORM_TABLE(Recipe, "del_recipe", (spices, dorm::secondary<RecipeSpice>, dorm::back_populates("recipes")))
DORM_TABLE(Spice, "del_spice", (recipes, dorm::secondary<RecipeSpice>, dorm::back_populates("spices")))
DORM_TABLE(RecipeSpice, "del_recipe_spice", (recipe_id, dorm::primary_key, dorm::foreign_key(&Recipe::id)),
           (spice_id, dorm::primary_key, dorm::foreign_key(&Spice::id)))

// delete-orphan on the collection side; the child leaves it from either side
struct Basket;
struct Apple {
    int id = 0;
    std::string kind;
    std::optional<int> basket_id;
    dorm::one<Basket> basket;
};
struct Basket {
    int id = 0;
    std::string owner;
    dorm::many<Apple> apples;
};
BOOST_DESCRIBE_STRUCT(Apple, (), (id, kind, basket_id, basket))
BOOST_DESCRIBE_STRUCT(Basket, (), (id, owner, apples))
DORM_TABLE(Basket, "del_basket", (apples, dorm::back_populates("basket"), dorm::cascade("all, delete-orphan")))
DORM_TABLE(Apple, "del_apple", (basket_id, dorm::foreign_key(&Basket::id)), (basket, dorm::back_populates("apples")))

// an orphan with a second many-to-one (to an object the session does not hold yet)
struct Orchard;
struct Variety {
    int id = 0;
    std::string name;
};
struct Fruit {
    int id = 0;
    std::optional<int> orchard_id;
    int variety_id = 0;
    dorm::one<Orchard> orchard;
    dorm::one<Variety> variety;
};
struct Orchard {
    int id = 0;
    std::string place;
    dorm::many<Fruit> fruits;
};
BOOST_DESCRIBE_STRUCT(Variety, (), (id, name))
BOOST_DESCRIBE_STRUCT(Fruit, (), (id, orchard_id, variety_id, orchard, variety))
BOOST_DESCRIBE_STRUCT(Orchard, (), (id, place, fruits))
DORM_TABLE(Variety, "del_variety")
DORM_TABLE(Orchard, "del_orchard", (fruits, dorm::back_populates("orchard"), dorm::cascade("all, delete-orphan")))
DORM_TABLE(Fruit, "del_fruit", (orchard_id, dorm::foreign_key(&Orchard::id)), (variety_id, dorm::foreign_key(&Variety::id)),
           (orchard, dorm::back_populates("fruits")))

using pantry_db = dorm_test::database<Shelf, Jar, Recipe, Spice, RecipeSpice, Basket, Apple, Variety, Orchard, Fruit>;

}  // namespace

BOOST_AUTO_TEST_SUITE(deleted_objects)

BOOST_FIXTURE_TEST_CASE(a_child_deleted_while_its_parents_collection_holds_it_is_not_inserted_again, pantry_db) {
    dorm::session s(engine);
    auto shelf = s.add(Shelf{.room = "kitchen"});
    auto jar = std::make_shared<Jar>(Jar{.label = "salt"});  // the application's own object
    shelf->jars.push_back(jar);
    shelf->jars.push_back(std::make_shared<Jar>(Jar{.label = "sugar"}));
    s.commit();
    const int jar_id = jar->id;
    s.remove(jar);
    s.commit();
    BOOST_CHECK_EQUAL(rows("del_jar"), 1);
    echo.clear();
    // the next query's autoflush, a change of the parent, and a commit: none inserts the jar
    auto left = s.execute(dorm::select<Jar>()).all();
    BOOST_CHECK_EQUAL(left.size(), 1u);
    shelf->room = "pantry";
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 1u);
    BOOST_CHECK_EQUAL(rows("del_jar"), 1);
    BOOST_CHECK(s.get<Jar>(jar_id) == nullptr);
    dorm::session fresh(engine);
    BOOST_CHECK(fresh.get<Jar>(jar_id) == nullptr);
}

BOOST_FIXTURE_TEST_CASE(a_session_made_child_deleted_in_the_open_transaction_stays_deleted, pantry_db) {
    int shelf_id = 0;
    {
        dorm::session s(engine);
        auto shelf = s.add(Shelf{.room = "cellar"});
        shelf->jars.push_back(std::make_shared<Jar>(Jar{.label = "wine"}));
        s.commit();
        shelf_id = shelf->id;
    }
    dorm::session s(engine);
    auto shelf = s.get<Shelf>(shelf_id);
    BOOST_REQUIRE(shelf);
    BOOST_REQUIRE_EQUAL(shelf->jars.size(), 1u);  // loaded: the session made the jar
    auto jar = *shelf->jars.begin();
    s.remove(jar);
    s.flush();  // the DELETE ran; the transaction is open
    echo.clear();
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count()).select_from<Jar>()).scalar_one(), 0);
    s.flush();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
    BOOST_CHECK_EQUAL(rows("del_jar"), 0);
}

BOOST_FIXTURE_TEST_CASE(add_refuses_a_deleted_object_and_the_session_goes_on, pantry_db) {
    dorm::session s(engine);
    auto jar = s.add(Jar{.label = "pepper"});
    s.commit();
    s.remove(jar);
    s.flush();
    BOOST_CHECK_THROW(s.add(jar), dorm::invalid_request_error);  // deleted in this transaction
    s.commit();
    try {
        s.add(jar);  // deleted and committed
        BOOST_ERROR("add() took a deleted object");
    } catch (const dorm::invalid_request_error& e) {
        const std::string m = e.what();
        BOOST_CHECK(m.find("Jar") != std::string::npos);
        BOOST_CHECK(m.find("deleted") != std::string::npos);
    }
    // its values go into a new row as a new object
    auto again = s.add(Jar{.label = jar->label});
    s.commit();
    BOOST_CHECK(again->id != 0);
    BOOST_CHECK_EQUAL(rows("del_jar"), 1);
}

BOOST_FIXTURE_TEST_CASE(rollback_brings_a_flushed_delete_back_as_a_usable_object, pantry_db) {
    dorm::session s(engine);
    auto shelf = s.add(Shelf{.room = "attic"});
    auto jar = std::make_shared<Jar>(Jar{.label = "honey"});
    shelf->jars.push_back(jar);
    s.commit();
    s.remove(jar);
    s.flush();
    s.rollback();
    BOOST_CHECK(s.contains(jar));
    jar->label = "raw honey";
    s.commit();  // an UPDATE of the row that is still there
    BOOST_CHECK_EQUAL(rows("del_jar"), 1);
    dorm::session fresh(engine);
    auto back = fresh.get<Jar>(jar->id);
    BOOST_REQUIRE(back);
    BOOST_CHECK_EQUAL(back->label, "raw honey");
}

BOOST_FIXTURE_TEST_CASE(a_bulk_deleted_child_held_by_a_collection_is_not_inserted_again, pantry_db) {
    dorm::session s(engine);
    auto shelf = s.add(Shelf{.room = "garage"});
    auto jar = std::make_shared<Jar>(Jar{.label = "oil"});
    shelf->jars.push_back(jar);
    s.commit();
    const int jar_id = jar->id;
    s.execute(dorm::delete_from<Jar>().where(col(&Jar::id) == jar_id));
    shelf->room = "shed";
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
    BOOST_CHECK_EQUAL(rows("del_jar"), 0);
    BOOST_CHECK(s.get<Jar>(jar_id) == nullptr);
}

BOOST_FIXTURE_TEST_CASE(a_delete_cascade_passes_over_a_bulk_deleted_child_its_collection_still_holds, pantry_db) {
    // (trial 25: the cascade took the bulk-deleted apple back in, and add() refused it as deleted,
    // so the basket could not be deleted; SQLAlchemy's cascade skips it)
    dorm::session s(engine);
    auto basket = s.add(Basket{.owner = "ann"});
    basket->apples.push_back(std::make_shared<Apple>(Apple{.kind = "gala"}));
    basket->apples.push_back(std::make_shared<Apple>(Apple{.kind = "fuji"}));
    s.commit();
    const int gala = basket->apples[0]->id;
    s.execute(dorm::delete_from<Apple>().where(col(&Apple::id) == gala));
    BOOST_REQUIRE_EQUAL(basket->apples.size(), 2u);  // not expired: it still holds the deleted one
    s.remove(basket);
    s.commit();
    BOOST_CHECK_EQUAL(rows("del_basket"), 0);
    BOOST_CHECK_EQUAL(rows("del_apple"), 0);  // the other apple went with the basket
}

BOOST_FIXTURE_TEST_CASE(removing_a_parent_passes_over_a_bulk_deleted_child_its_collection_still_holds, pantry_db) {
    // (no delete cascade: the other children lose their parent, the deleted one is not touched)
    dorm::session s(engine);
    auto shelf = s.add(Shelf{.room = "attic"});
    shelf->jars.push_back(std::make_shared<Jar>(Jar{.label = "salt"}));
    shelf->jars.push_back(std::make_shared<Jar>(Jar{.label = "rice"}));
    s.commit();
    const int salt = shelf->jars[0]->id;
    auto rice = shelf->jars[1];
    s.execute(dorm::delete_from<Jar>().where(col(&Jar::id) == salt));
    s.remove(shelf);
    s.commit();
    BOOST_CHECK_EQUAL(rows("del_shelf"), 0);
    BOOST_CHECK_EQUAL(rows("del_jar"), 1);
    BOOST_CHECK(!rice->shelf_id.has_value());
}

BOOST_FIXTURE_TEST_CASE(a_deleted_many_to_many_peer_gets_no_association_row_back, pantry_db) {
    dorm::session s(engine);
    auto pepper = s.add(Spice{.name = "pepper"});
    auto stew = s.add(Recipe{.name = "stew"});
    auto soup = s.add(Recipe{.name = "soup"});
    stew->spices.push_back(pepper);
    soup->spices.push_back(pepper);
    s.commit();
    BOOST_CHECK_EQUAL(rows("del_recipe_spice"), 2);
    s.remove(stew);  // pepper->recipes still holds it in memory
    s.commit();
    BOOST_CHECK_EQUAL(rows("del_recipe"), 1);
    BOOST_CHECK_EQUAL(rows("del_recipe_spice"), 1);
    echo.clear();
    pepper->name = "black pepper";
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
    BOOST_CHECK_EQUAL(rows("del_recipe"), 1);
    BOOST_CHECK_EQUAL(rows("del_recipe_spice"), 1);
    // the application tidies the collection up: the deleted recipe's association row is gone
    // already, so there is nothing to delete for it (and no error)
    for (auto it = pepper->recipes.begin(); it != pepper->recipes.end(); ++it)
        if ((*it)->name == "stew") {
            pepper->recipes.erase(it);
            break;
        }
    BOOST_CHECK_EQUAL(pepper->recipes.size(), 1u);
    s.commit();
    BOOST_CHECK_EQUAL(rows("del_recipe_spice"), 1);
    // the other recipe's association is still there
    dorm::session fresh(engine);
    auto p = fresh.execute(dorm::select<Spice>()).scalar_one();
    BOOST_REQUIRE_EQUAL(p->recipes.size(), 1u);
    BOOST_CHECK_EQUAL((*p->recipes.begin())->name, "soup");
}

// SQLAlchemy: test/orm/test_cascade.py O2MCascadeDeleteOrphanTest (an orphan made through the
// backref, `child.parent = None`, is deleted at the flush; re-parented before it, it is kept)
BOOST_FIXTURE_TEST_CASE(a_child_whose_parent_is_set_to_null_is_a_deleted_orphan, pantry_db) {
    dorm::session s(engine);
    auto b = s.add(Basket{.owner = "ann"});
    auto red = std::make_shared<Apple>(Apple{.kind = "red"});
    auto green = std::make_shared<Apple>(Apple{.kind = "green"});
    b->apples.push_back(red);
    b->apples.push_back(green);
    s.commit();
    green->basket = nullptr;  // from the child's side
    BOOST_CHECK_EQUAL(b->apples.size(), 1u);
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE FROM " + q("del_apple")), 1u);
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    BOOST_CHECK_EQUAL(rows("del_apple"), 1);
    BOOST_CHECK(!s.contains(green));
}

BOOST_FIXTURE_TEST_CASE(an_orphan_given_a_parent_again_before_the_flush_is_kept, pantry_db) {
    dorm::session s(engine);
    auto ann = s.add(Basket{.owner = "ann"});
    auto bob = s.add(Basket{.owner = "bob"});
    auto apple = std::make_shared<Apple>(Apple{.kind = "gala"});
    ann->apples.push_back(apple);
    s.commit();
    apple->basket = nullptr;
    apple->basket = bob;  // moved, through an orphan state
    s.commit();
    BOOST_CHECK_EQUAL(rows("del_apple"), 1);
    BOOST_CHECK(s.contains(apple));
    BOOST_CHECK(apple->basket_id == bob->id);
    BOOST_CHECK_EQUAL(bob->apples.size(), 1u);
    BOOST_CHECK_EQUAL(ann->apples.size(), 0u);
    dorm::session fresh(engine);
    auto back = fresh.get<Apple>(apple->id);
    BOOST_REQUIRE(back);
    BOOST_CHECK(back->basket_id == bob->id);
}

BOOST_FIXTURE_TEST_CASE(a_new_child_orphaned_before_the_flush_is_never_inserted, pantry_db) {
    dorm::session s(engine);
    auto b = s.add(Basket{.owner = "cy"});
    s.commit();
    auto apple = std::make_shared<Apple>(Apple{.kind = "fuji"});
    b->apples.push_back(apple);  // pending through the cascade
    apple->basket = nullptr;
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
    BOOST_CHECK_EQUAL(rows("del_apple"), 0);
    BOOST_CHECK(!s.contains(apple));
}

// An orphan stays an orphan when the application add()s it again: add() of an object in the
// session does nothing, and the flush deletes a persistent orphan (SQLAlchemy: orphans are found
// at the flush, test/orm/test_cascade.py O2MCascadeDeleteOrphanTest; add() only cancels a
// session.delete()). Giving it a parent again keeps it. Before, add() kept the orphan.
BOOST_FIXTURE_TEST_CASE(an_orphan_add_ed_again_is_still_deleted, pantry_db) {
    for (const bool from_the_child : {false, true}) {
        BOOST_TEST_CONTEXT("orphaned from the child's side: " << from_the_child) {
            meta.drop_all(engine);
            meta.create_all(engine);
            dorm::session s(engine);
            auto b = s.add(Basket{.owner = "eve"});
            auto apple = std::make_shared<Apple>(Apple{.kind = "russet"});
            b->apples.push_back(apple);
            s.commit();
            if (from_the_child)
                apple->basket = nullptr;
            else
                b->apples.remove(apple);
            s.add(apple);
            s.commit();
            BOOST_CHECK_EQUAL(rows("del_apple"), 0);
            BOOST_CHECK(!s.contains(apple));
        }
    }
    // session.remove() then add(): the delete is cancelled (SQLAlchemy's Session.add() of a
    // deleted object before the flush)
    dorm::session s(engine);
    auto b = s.add(Basket{.owner = "fay"});
    auto apple = std::make_shared<Apple>(Apple{.kind = "envy"});
    b->apples.push_back(apple);
    s.commit();
    s.remove(apple);
    s.add(apple);
    s.commit();
    BOOST_CHECK_EQUAL(rows("del_apple"), 1);
    // an orphan put back in a collection is kept
    b->apples.remove(apple);
    s.add(apple);
    b->apples.push_back(apple);
    s.commit();
    BOOST_CHECK_EQUAL(rows("del_apple"), 1);
    BOOST_CHECK(apple->basket_id == b->id);
}

// Found by an application-style trial: after a rollback that undid a flushed delete cascaded to
// children, the parent was no longer in the session (a second record was made for it while the
// children were wired again), a get() loaded another object for its row, and its later changes
// were never written. SQLAlchemy: test/orm/test_transaction.py RollbackRecoverTest / the
// "deleted objects come back as persistent" rule of Session.rollback().
BOOST_FIXTURE_TEST_CASE(rollback_of_a_cascaded_delete_brings_parent_and_children_back, pantry_db) {
    dorm::session s(engine);
    auto b = s.add(Basket{.owner = "dee"});
    auto a1 = std::make_shared<Apple>(Apple{.kind = "pink"});
    auto a2 = std::make_shared<Apple>(Apple{.kind = "gold"});
    b->apples.push_back(a1);
    b->apples.push_back(a2);
    s.commit();
    s.remove(b);  // cascade: the apples go too
    s.flush();
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count()).select_from<Apple>()).scalar_one(), 0);  // in its transaction
    s.rollback();
    BOOST_CHECK(s.contains(b));
    BOOST_CHECK(s.contains(a1));
    BOOST_CHECK(s.contains(a2));
    BOOST_CHECK(s.get<Basket>(b->id).get() == b.get());
    BOOST_CHECK(s.get<Apple>(a1->id).get() == a1.get());
    BOOST_CHECK_EQUAL(b->apples.size(), 2u);
    b->owner = "dee dee";
    a2->kind = "golden";
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 2u);
    dorm::session fresh(engine);
    auto back = fresh.get<Basket>(b->id);
    BOOST_REQUIRE(back);
    BOOST_CHECK_EQUAL(back->owner, "dee dee");
    BOOST_REQUIRE_EQUAL(back->apples.size(), 2u);
    auto gold = fresh.get<Apple>(a2->id);
    BOOST_REQUIRE(gold);
    BOOST_CHECK_EQUAL(gold->kind, "golden");
}

// A lazy load autoflushes first; when that flush deletes the object itself (an orphan), its
// many-to-one still loads what its row named, as SQLAlchemy's lazy loader does for a deleted
// object (from its committed state), and its collections are empty (record_base::autoflush_kept_me).
BOOST_FIXTURE_TEST_CASE(a_lazy_load_whose_autoflush_deletes_the_object_itself, pantry_db) {
    int orchard_id = 0, variety_id = 0;
    {
        dorm::session s(engine);
        auto v = s.add(Variety{.name = "Cox"});
        auto o = s.add(Orchard{.place = "hill"});
        s.flush();
        auto f = std::make_shared<Fruit>(Fruit{.variety_id = v->id});
        o->fruits.push_back(f);
        s.commit();
        orchard_id = o->id;
        variety_id = v->id;
    }
    dorm::session s(engine);
    auto o = s.get<Orchard>(orchard_id);
    BOOST_REQUIRE(o);
    BOOST_REQUIRE_EQUAL(o->fruits.size(), 1u);
    auto f = *o->fruits.begin();
    o->fruits.remove(f);  // an orphan: deleted by the next flush
    echo.clear();
    // the variety is not in the session: loading it runs SQL, so the session flushes first
    auto v = f->variety.get();
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE"), 1u);
    BOOST_REQUIRE(v);
    BOOST_CHECK_EQUAL(v->id, variety_id);
    BOOST_CHECK_EQUAL(v->name, "Cox");
    BOOST_CHECK(s.get<Variety>(variety_id) == v);  // loaded into the session, as any lazy load
    s.commit();
    BOOST_CHECK_EQUAL(rows("del_fruit"), 0);
    BOOST_CHECK_EQUAL(rows("del_variety"), 1);
    BOOST_CHECK_EQUAL(rows("del_orchard"), 1);
}

BOOST_AUTO_TEST_SUITE_END()
