// refresh() and expunge() follow the cascade of loaded relationships, as SQLAlchemy's
// "refresh-expire" and "expunge" cascades do (orm/cascades.rst, sections "expunge" and
// "refresh-expire"; test/orm/test_cascade.py::O2MCascadeTest::test_expunge / the refresh cases of
// test/orm/test_expire.py::ExpireTest::test_refresh_cascade): with cascade("all") the loaded
// children are re-read (their unflushed changes dropped) or detached with the parent; with the
// default cascade ("save-update, merge") they are not. Every case runs on every backend.
#define BOOST_TEST_MODULE refresh_expunge_cascade
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"
#include "models.hpp"

using dorm::col;

namespace {
using db = dorm_test::database<Invoice, InvoiceLine, Author, Book>;

/// An invoice with lines "a" and "b", and an author with books "x" and "y", committed.
struct seeded {
    int invoice = 0, author = 0;
    explicit seeded(dorm::engine& engine) {
        dorm::session s(engine);
        auto inv = s.add(Invoice{.number = "I-1"});
        for (const char* item : {"a", "b"}) inv->lines.push_back(std::make_shared<InvoiceLine>(InvoiceLine{.item = item}));
        auto au = s.add(Author{.name = "ann"});
        for (const char* t : {"x", "y"}) au->books.push_back(std::make_shared<Book>(Book{.title = t}));
        s.commit();
        invoice = inv->id;
        author = au->id;
    }
};

/// Another transaction renames every line and book.
void rename_elsewhere(dorm::engine& engine) {
    dorm::session other(engine);
    other.execute(dorm::update<InvoiceLine>().set(col(&InvoiceLine::item), std::string("elsewhere")));
    other.execute(dorm::update<Book>().set(col(&Book::title), std::string("elsewhere")));
    other.commit();
}
}  // namespace

BOOST_FIXTURE_TEST_SUITE(refresh_expunge_cascade, db)

BOOST_AUTO_TEST_CASE(refresh_re_reads_the_loaded_children_of_a_cascade_all_relationship) {
    const seeded k(engine);
    dorm::session s(engine);
    auto inv = s.get<Invoice>(k.invoice);
    BOOST_REQUIRE_EQUAL(inv->lines.size(), 2u);  // loaded
    auto line = inv->lines[0];
    s.commit();  // (a new transaction sees the other one's change on every backend)
    rename_elsewhere(engine);
    line->item = "unflushed";
    inv->number = "unflushed";
    s.refresh(inv);
    BOOST_CHECK_EQUAL(inv->number, "I-1");
    BOOST_CHECK_EQUAL(line->item, "elsewhere");  // re-read, its unflushed change dropped
    for (auto& l : inv->lines) BOOST_CHECK_EQUAL(l->item, "elsewhere");
    BOOST_CHECK(!s.is_modified(line));
    s.commit();
    BOOST_CHECK_EQUAL(rows("invoice_line"), 2);
}

BOOST_AUTO_TEST_CASE(refresh_leaves_the_children_of_a_default_cascade_alone) {
    const seeded k(engine);
    dorm::session s(engine);
    auto au = s.get<Author>(k.author);
    BOOST_REQUIRE_EQUAL(au->books.size(), 2u);
    auto book = au->books[0];
    s.commit();
    rename_elsewhere(engine);
    book->title = "unflushed";
    {
        auto guard = s.no_autoflush();
        s.refresh(au);
    }
    BOOST_CHECK_EQUAL(book->title, "unflushed");  // not reached: its change stays (and is flushed)
    s.commit();
    dorm::session v(engine);
    BOOST_CHECK_EQUAL(v.get<Book>(book->id)->title, "unflushed");
}

BOOST_AUTO_TEST_CASE(a_child_whose_row_is_gone_leaves_the_session_on_refresh) {
    const seeded k(engine);
    dorm::session s(engine);
    auto inv = s.get<Invoice>(k.invoice);
    BOOST_REQUIRE_EQUAL(inv->lines.size(), 2u);
    auto gone = inv->lines[0];
    const int gone_id = gone->id;
    s.commit();
    {
        dorm::session other(engine);
        other.execute(dorm::delete_from<InvoiceLine>().where(col(&InvoiceLine::id) == gone_id));
        other.commit();
    }
    s.refresh(inv);
    BOOST_CHECK(!s.contains(gone));
    BOOST_CHECK_EQUAL(inv->lines.size(), 1u);  // reloaded
    BOOST_CHECK_THROW(s.add(gone), dorm::invalid_request_error);  // a deleted row does not come back
    s.commit();
    BOOST_CHECK_EQUAL(rows("invoice_line"), 1);
}

BOOST_AUTO_TEST_CASE(expunge_detaches_the_loaded_children_of_a_cascade_all_relationship) {
    const seeded k(engine);
    dorm::session s(engine);
    auto inv = s.get<Invoice>(k.invoice);
    BOOST_REQUIRE_EQUAL(inv->lines.size(), 2u);
    auto line = inv->lines[0];
    s.expunge(inv);
    BOOST_CHECK(!s.contains(inv));
    BOOST_CHECK(!s.contains(line));
    line->item = "not tracked";
    s.commit();
    dorm::session v(engine);
    BOOST_CHECK(v.get<InvoiceLine>(line->id)->item != "not tracked");
}

BOOST_AUTO_TEST_CASE(expunge_leaves_the_children_of_a_default_cascade_in_the_session) {
    const seeded k(engine);
    dorm::session s(engine);
    auto au = s.get<Author>(k.author);
    BOOST_REQUIRE_EQUAL(au->books.size(), 2u);
    auto book = au->books[0];
    s.expunge(au);
    BOOST_CHECK(!s.contains(au));
    BOOST_CHECK(s.contains(book));
    book->title = "tracked";
    s.commit();
    dorm::session v(engine);
    BOOST_CHECK_EQUAL(v.get<Book>(book->id)->title, "tracked");
}

// A pending parent's pending children leave with it: nothing is inserted.
BOOST_AUTO_TEST_CASE(expunge_of_a_pending_parent_takes_its_pending_children) {
    dorm::session s(engine);
    auto inv = s.add(Invoice{.number = "new"});
    auto line = std::make_shared<InvoiceLine>(InvoiceLine{.item = "n"});
    inv->lines.push_back(line);
    BOOST_REQUIRE(s.contains(line));
    s.expunge(inv);
    BOOST_CHECK(!s.contains(line));
    s.commit();
    BOOST_CHECK_EQUAL(rows("invoice"), 0);
    BOOST_CHECK_EQUAL(rows("invoice_line"), 0);
}

// An expunged object stays detached although a loaded relationship of an object still in the
// session holds it: the flush does not take it back in, so its later changes are not written
// (SQLAlchemy: the flush cascades only along what a relationship gained, and an object outside
// the session "will not proceed"; orm/cascades.rst "save-update"). Before, the flush's
// save-update cascade re-added it and wrote the change (session 23's trial), from the parent's
// collection to the child and from the child's many-to-one to the parent.
BOOST_AUTO_TEST_CASE(an_expunged_child_held_by_a_loaded_collection_stays_detached) {
    const seeded k(engine);
    dorm::session s(engine);
    auto au = s.get<Author>(k.author);
    BOOST_REQUIRE_EQUAL(au->books.size(), 2u);
    auto book = au->books[0];
    s.expunge(book);
    book->title = "scratch";
    s.commit();
    BOOST_CHECK(!s.contains(book));
    {
        dorm::session v(engine);
        BOOST_CHECK(v.get<Book>(book->id)->title != "scratch");
    }
    // a refresh of the parent reads the child's row into a new object (its autoflush writes nothing)
    s.refresh(au);
    BOOST_REQUIRE_EQUAL(au->books.size(), 2u);
    for (const auto& b : au->books) {
        BOOST_CHECK(b != book);
        BOOST_CHECK(b->title != "scratch");
    }
    BOOST_CHECK(!s.contains(book));
}

BOOST_AUTO_TEST_CASE(an_expunged_parent_held_by_a_loaded_many_to_one_stays_detached) {
    const seeded k(engine);
    dorm::session s(engine);
    auto book = s.execute(dorm::select<Book>().where(col(&Book::title) == "x")).scalar_one();
    auto au = book->author.get();
    BOOST_REQUIRE(au);
    s.expunge(au);
    au->name = "scratch";
    book->title = "x2";  // a change of the child: its flush does not take the parent along
    s.commit();
    BOOST_CHECK(!s.contains(au));
    dorm::session v(engine);
    BOOST_CHECK_EQUAL(v.get<Author>(k.author)->name, "ann");
    BOOST_CHECK_EQUAL(v.get<Book>(book->id)->title, "x2");
}

// A new child appended to a loaded cascade("all") collection and never flushed leaves the session
// when the parent is refreshed (SQLAlchemy's refresh expires along "refresh-expire", which
// expunges a pending object: Session._conditional_expire); with the default cascade the child is
// not reached and is inserted by the refresh's autoflush, with its parent's key. Before, the
// cascade-all child was inserted too (session 23's trial).
BOOST_AUTO_TEST_CASE(refresh_expunges_a_pending_child_of_a_cascade_all_collection) {
    const seeded k(engine);
    dorm::session s(engine);
    auto inv = s.get<Invoice>(k.invoice);
    BOOST_REQUIRE_EQUAL(inv->lines.size(), 2u);
    auto fresh = std::make_shared<InvoiceLine>(InvoiceLine{.item = "new"});
    inv->lines.push_back(fresh);
    BOOST_REQUIRE(s.contains(fresh));
    s.refresh(inv);
    BOOST_CHECK(!s.contains(fresh));
    BOOST_CHECK_EQUAL(inv->lines.size(), 2u);
    s.commit();
    BOOST_CHECK_EQUAL(rows("invoice_line"), 2);

    auto au = s.get<Author>(k.author);
    BOOST_REQUIRE_EQUAL(au->books.size(), 2u);
    auto book = std::make_shared<Book>(Book{.title = "z"});
    au->books.push_back(book);
    s.refresh(au);
    BOOST_CHECK(s.contains(book));
    BOOST_CHECK_EQUAL(au->books.size(), 3u);
    BOOST_CHECK(book->author_id == k.author);
    s.commit();
    BOOST_CHECK_EQUAL(rows("book"), 3);
}

BOOST_AUTO_TEST_SUITE_END()
