// Rollback and failed flushes with relationships against a real database: a rolled-back child is
// not written later, an erased one comes back, a lazy load after a failed flush needs a rollback.
#include <boost/test/unit_test.hpp>

#include <memory>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "relation_checks.hpp"
#include "relationships_fixtures.hpp"
#include "seeds.hpp"

using dorm_test::q;
using dorm_test::seed_invoice;
using dorm_test::seed_users;

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
    const int inv_id = seed_invoice(engine);
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
    // the old profile's NOT NULL user_id would become NULL: the database refuses (test/orm/test_onetoone.py)
    BOOST_CHECK_THROW(s.commit(), dorm::integrity_error);
    s.rollback();
}

BOOST_AUTO_TEST_SUITE_END()

