// Renaming a natural primary key whose loaded children refer to it through a foreign key with
// ON UPDATE CASCADE: the database moves the children's rows with the parent's UPDATE, so the
// session gives the children the new key in memory without an UPDATE of its own (which would look
// for the row under the old key and fail with a misleading stale_data_error, session 21's trial),
// and a child whose primary key holds that column is found under its new key afterwards.
// SQLAlchemy does the same with its default passive_updates=True (orm/relationship_persistence.rst,
// "Mutable Primary Keys / Update Cascades"; test/orm/test_naturalpks.py::NaturalPKTest
// ::test_onetomany_passive). Every case runs on every backend.
#define BOOST_TEST_MODULE natural_key_rename
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"

using dorm::col;

namespace nkr {
struct Stock;
struct Note;
struct Sku {
    std::string code;
    std::string name;
    dorm::many<Stock> stocks;
    dorm::many<Note> notes;
};
BOOST_DESCRIBE_STRUCT(Sku, (), (code, name, stocks, notes))
DORM_TABLE(Sku, "nkr_sku", (code, dorm::primary_key, dorm::varchar(20)), (name, dorm::varchar(20)),
           (stocks, dorm::back_populates("sku")), (notes, dorm::back_populates("sku")))

// the foreign key is part of the child's composite primary key
struct Stock {
    std::string sku_code;
    int depot = 0;
    int qty = 0;
    dorm::one<Sku> sku;
};
BOOST_DESCRIBE_STRUCT(Stock, (), (sku_code, depot, qty, sku))
DORM_TABLE(Stock, "nkr_stock", (depot, dorm::primary_key),
           (sku_code, dorm::primary_key, dorm::varchar(20), dorm::foreign_key(&Sku::code),
            dorm::on_update(dorm::fk_action::cascade)),
           (sku, dorm::back_populates("stocks")))

// a child with its own key
struct Note {
    int id = 0;
    std::string sku_code;
    std::string text;
    dorm::one<Sku> sku;
};
BOOST_DESCRIBE_STRUCT(Note, (), (id, sku_code, text, sku))
DORM_TABLE(Note, "nkr_note",
           (sku_code, dorm::varchar(20), dorm::foreign_key(&Sku::code), dorm::on_update(dorm::fk_action::cascade)),
           (text, dorm::varchar(20)), (sku, dorm::back_populates("notes")))
}  // namespace nkr

using namespace nkr;

namespace {
using db = dorm_test::database<Sku, Stock, Note>;

std::shared_ptr<Sku> seed(dorm::session& s) {
    auto b = s.add(Sku{.code = "B-2", .name = "bucket"});
    b->stocks.push_back(std::make_shared<Stock>(Stock{.depot = 1, .qty = 5}));
    b->stocks.push_back(std::make_shared<Stock>(Stock{.depot = 2, .qty = 7}));
    b->notes.push_back(std::make_shared<Note>(Note{.text = "fragile"}));
    s.commit();
    return b;
}

std::int64_t count_where(dorm::engine& engine, const std::string& table, const std::string& code) {
    auto c = engine.connect();
    auto st = c.prepare("SELECT count(*) FROM " + dorm_test::q(table) + " WHERE " + dorm_test::q("sku_code") + " = '" +
                        code + "'");
    st->step();
    return st->get_int(0);
}
}  // namespace

BOOST_FIXTURE_TEST_SUITE(natural_key_rename, db)

BOOST_AUTO_TEST_CASE(renaming_a_key_the_database_cascades_updates_only_the_parent) {
    dorm::session s(engine);
    auto b = seed(s);
    BOOST_REQUIRE_EQUAL(b->stocks.size(), 2u);  // loaded
    BOOST_REQUIRE_EQUAL(b->notes.size(), 1u);
    b->code = "C-3";
    echo.clear();
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 1u);  // the parent's; the database moves the rest
    for (auto& st : b->stocks) BOOST_CHECK_EQUAL(st->sku_code, "C-3");
    BOOST_CHECK_EQUAL(b->notes[0]->sku_code, "C-3");
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_stock", "C-3"), 2);
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_note", "C-3"), 1);
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_stock", "B-2"), 0);
}

BOOST_AUTO_TEST_CASE(a_renamed_child_is_found_and_updated_under_its_new_key) {
    dorm::session s(engine);
    auto b = seed(s);
    BOOST_REQUIRE_EQUAL(b->stocks.size(), 2u);
    auto first = b->stocks[0]->depot == 1 ? b->stocks[0] : b->stocks[1];
    b->code = "C-3";
    s.commit();
    // the identity map knows it by (depot, new code): no SELECT, the same object
    echo.clear();
    auto again = s.get<Stock>(std::string("C-3"), 1);
    BOOST_CHECK(again == first);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 0u);
    first->qty = 6;  // its UPDATE finds the row by the new key
    BOOST_CHECK_NO_THROW(s.commit());
    {
        auto c = engine.connect();
        auto st = c.prepare("SELECT " + dorm_test::q("qty") + " FROM " + dorm_test::q("nkr_stock") + " WHERE " +
                            dorm_test::q("depot") + " = 1 AND " + dorm_test::q("sku_code") + " = 'C-3'");
        BOOST_REQUIRE(st->step());
        BOOST_CHECK_EQUAL(st->get_int(0), 6);
    }
    // the rename and a child's change in one flush
    b->code = "D-4";
    first->qty = 9;
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_stock", "D-4"), 2);
    BOOST_CHECK(s.get<Stock>(std::string("D-4"), 1) == first);
    BOOST_CHECK_EQUAL(first->qty, 9);
}

BOOST_AUTO_TEST_CASE(a_rolled_back_rename_gives_the_children_their_old_key_back) {
    dorm::session s(engine);
    auto b = seed(s);
    BOOST_REQUIRE_EQUAL(b->stocks.size(), 2u);
    auto first = b->stocks[0]->depot == 1 ? b->stocks[0] : b->stocks[1];
    b->code = "C-3";
    s.flush();
    BOOST_CHECK_EQUAL(first->sku_code, "C-3");
    s.rollback();
    BOOST_CHECK_EQUAL(b->code, "B-2");
    BOOST_CHECK_EQUAL(first->sku_code, "B-2");
    echo.clear();
    BOOST_CHECK(s.get<Stock>(std::string("B-2"), 1) == first);
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_stock", "B-2"), 2);
    first->qty = 8;
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_stock", "B-2"), 2);
}

// The children were read by their own queries and only their many-to-one is loaded (the parent's
// collections are not): they take the new key from the renamed parent without an UPDATE, as the
// children of a loaded collection do (before, the many-to-one wrote the new key with an UPDATE
// that looked for the child's row under the old key: stale_data_error, session 22's trial).
// SQLAlchemy finds such children through the identity map (orm/dependency.py DetectKeySwitch).
BOOST_AUTO_TEST_CASE(a_rename_reaches_children_through_their_loaded_many_to_one) {
    {
        dorm::session s(engine);
        seed(s);
    }
    dorm::session s(engine);
    auto first = s.get<Stock>(std::string("B-2"), 1);
    BOOST_REQUIRE(first);
    auto note = s.execute(dorm::select<Note>()).scalar_one();
    auto b = first->sku.get();
    BOOST_REQUIRE(b);
    BOOST_REQUIRE(note->sku.get() == b);
    b->code = "C-3";
    echo.clear();
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 1u);  // the parent's
    BOOST_CHECK_EQUAL(first->sku_code, "C-3");
    BOOST_CHECK_EQUAL(note->sku_code, "C-3");
    BOOST_CHECK(first->sku.get() == b);
    echo.clear();
    BOOST_CHECK(s.get<Stock>(std::string("C-3"), 1) == first);  // re-indexed: no SELECT
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 0u);
    first->qty = 6;
    note->text = "heavy";
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_stock", "C-3"), 2);
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_note", "C-3"), 1);
    dorm::session v(engine);
    BOOST_CHECK_EQUAL(v.get<Stock>(std::string("C-3"), 1)->qty, 6);
}

// Children read by their own query with no relationship loaded (neither the parent's collections
// nor their own many-to-one): dorm finds them among the objects it watches by their foreign key
// (SQLAlchemy's DetectKeySwitch reaches only loaded many-to-ones and leaves these stale, so a child
// whose primary key holds the column fails its next UPDATE; session 23's trial).
BOOST_AUTO_TEST_CASE(a_rename_reaches_children_with_no_relationship_loaded) {
    {
        dorm::session s(engine);
        seed(s);
    }
    dorm::session s(engine);
    auto stocks = s.scalars(dorm::select<Stock>().order_by(col(&Stock::depot))).all();
    BOOST_REQUIRE_EQUAL(stocks.size(), 2u);
    auto note = s.execute(dorm::select<Note>()).scalar_one();
    auto b = s.get<Sku>(std::string("B-2"));
    BOOST_REQUIRE(b);
    BOOST_REQUIRE(!stocks[0]->sku.loaded() && !note->sku.loaded() && !b->stocks.loaded());
    b->code = "C-3";
    stocks[0]->qty = 6;  // in the same flush as the rename
    echo.clear();
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 2u);  // the parent's and the stock's qty
    BOOST_CHECK_EQUAL(stocks[0]->sku_code, "C-3");
    BOOST_CHECK_EQUAL(stocks[1]->sku_code, "C-3");
    BOOST_CHECK_EQUAL(note->sku_code, "C-3");
    BOOST_CHECK(s.get<Stock>(std::string("C-3"), 2) == stocks[1]);  // re-indexed
    stocks[1]->qty = 8;  // found under the new key
    note->text = "moved";
    BOOST_CHECK_NO_THROW(s.commit());
    dorm::session v(engine);
    BOOST_CHECK_EQUAL(v.get<Stock>(std::string("C-3"), 1)->qty, 6);
    BOOST_CHECK_EQUAL(v.get<Stock>(std::string("C-3"), 2)->qty, 8);
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_note", "C-3"), 1);
    // a key set directly on a child wins over the rename (its own UPDATE writes it)
    auto d = v.add(Sku{.code = "D-4", .name = "drum"});
    v.flush();
    auto n2 = v.execute(dorm::select<Note>()).scalar_one();
    auto c = v.get<Sku>(std::string("C-3"));
    c->code = "E-5";
    n2->sku_code = "D-4";
    BOOST_CHECK_NO_THROW(v.commit());
    BOOST_CHECK_EQUAL(n2->sku_code, "D-4");
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_note", "D-4"), 1);
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_stock", "E-5"), 2);
    (void)d;
}

// A key renamed and a new object with the old key in one commit (SQLAlchemy re-keys its identity
// map after the flush, test/orm/test_naturalpks.py): the new row's object is indexed after the
// renamed one moved to its new key (before, the commit failed with "another Sku object with the
// same primary key", session 24's trial).
BOOST_AUTO_TEST_CASE(a_renamed_key_is_free_for_a_new_object_in_the_same_commit) {
    dorm::session s(engine);
    auto b = seed(s);
    b->code = "C-3";
    auto fresh = s.add(Sku{.code = "B-2", .name = "new bucket"});
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK(s.get<Sku>(std::string("B-2")) == fresh);
    BOOST_CHECK(s.get<Sku>(std::string("C-3")) == b);
    BOOST_CHECK_EQUAL(count_where(engine, "nkr_stock", "C-3"), 2);
    dorm::session v(engine);
    BOOST_CHECK_EQUAL(v.get<Sku>(std::string("B-2"))->name, "new bucket");
    BOOST_CHECK_EQUAL(v.get<Sku>(std::string("C-3"))->name, "bucket");
}

BOOST_AUTO_TEST_SUITE_END()
