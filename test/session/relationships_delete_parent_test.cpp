// Deleting parents against a real database: without a cascade the children's foreign keys become
// NULL (or a NOT NULL key is an integrity error); a one-way collection; cascade delete and
// delete-orphan.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "relation_checks.hpp"
#include "relationships_fixtures.hpp"
#include "seeds.hpp"

using dorm::col;
using dorm_test::column_of;
using dorm_test::q;
using dorm_test::seed_invoice;
using dorm_test::seed_users;

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
        // test/orm/test_unitofworkv2.py::test_one_to_many_delete_parent: the children are de-associated
        // (UPDATE ... SET user_id = NULL), which the NOT NULL constraint refuses.
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
    const int inv_id = seed_invoice(engine);
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

