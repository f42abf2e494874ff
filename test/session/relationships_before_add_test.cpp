// Relationships assigned before add() against a real database (issue 13, items 1 and 12): a parent
// assigned to a new object sets its foreign key, new parents are inserted first, detached objects
// come back, and the tutorial's idioms work in any order.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "relation_checks.hpp"
#include "relationships_fixtures.hpp"

using dorm_test::column_of;
using dorm_test::has;

namespace {

/// One integer column of one row of `table` (by id), read on a fresh connection.
std::optional<std::int64_t> fk_of(const dorm::engine& e, const std::string& table, const std::string& column,
                                  std::int64_t id) {
    return column_of(e, table, column, static_cast<int>(id));
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

