// Failed flushes against a real database: a constraint violation needs a rollback and writes
// nothing, many updates and deletes in one commit, a row deleted elsewhere is a stale_data_error.
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "messages.hpp"
#include "seeds.hpp"
#include "session_fixtures.hpp"

using dorm::col;
using dorm_test::message_of;
using dorm_test::ph;
using dorm_test::q;
using dorm_test::seed_members;

BOOST_AUTO_TEST_SUITE(failed_flush)

BOOST_FIXTURE_TEST_CASE(a_constraint_violation_needs_a_rollback, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    auto dup = s.add(Member{.email = "alice@example.com", .nick = "duplicate"});
    alice->score = 5;
    std::string original;
    try {
        s.commit();
        BOOST_ERROR("a duplicate email was committed");
    } catch (const dorm::unique_violation& e) {
        original = e.what();
    } catch (const std::exception& e) {
        BOOST_ERROR("expected dorm::unique_violation, got: " << e.what());
    }
    BOOST_CHECK_EQUAL(echo.count_entries("ROLLBACK"), 1u);  // the database transaction is gone already

    // every call but rollback() throws pending_rollback_error
    const std::string prefix =
        "This Session's transaction has been rolled back due to a previous exception during flush. To begin a new "
        "transaction with this Session, first issue Session.rollback(). Original exception was: ";
    const std::string msg = message_of([&] { s.flush(); });
    BOOST_CHECK_MESSAGE(msg.starts_with(prefix), msg);
    BOOST_CHECK_MESSAGE(msg.find(original) != std::string::npos, "the original error is not quoted: " << msg);
    BOOST_CHECK_THROW(s.flush(), dorm::pending_rollback_error);
    BOOST_CHECK_THROW(s.commit(), dorm::pending_rollback_error);
    BOOST_CHECK_THROW(s.execute(dorm::select<Member>()), dorm::pending_rollback_error);
    BOOST_CHECK_THROW(s.scalars(dorm::select<Member>()), dorm::pending_rollback_error);
    BOOST_CHECK_THROW(s.get<Member>(ids[0]), dorm::pending_rollback_error);
    BOOST_CHECK_THROW(s.get<Member>(ids[3]), dorm::pending_rollback_error);
    BOOST_CHECK_THROW(s.add(Member{.email = "z@x", .nick = "z"}), dorm::pending_rollback_error);
    BOOST_CHECK_THROW(s.remove(alice), dorm::pending_rollback_error);
    BOOST_CHECK_THROW(s.refresh(alice), dorm::pending_rollback_error);
    BOOST_CHECK_THROW(s.commit(), dorm::pending_rollback_error);  // still, repeatedly

    // after rollback() the session works again
    BOOST_CHECK_NO_THROW(s.rollback());
    BOOST_CHECK(!s.contains(dup));      // the object that failed left the session
    BOOST_CHECK(s.contains(alice));
    BOOST_CHECK(alice->score == 30);    // last committed value
    auto fine = s.add(Member{.email = "fine@x", .nick = "fine"});
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK(fine->id != 0);
    BOOST_CHECK_EQUAL(rows("member"), 6);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count()).select_from<Member>()).scalar_one(), 6);
}

BOOST_FIXTURE_TEST_CASE(a_violation_during_autoflush_also_needs_a_rollback, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    s.add(Member{.email = "bob@example.com", .nick = "bob again"});
    BOOST_CHECK_THROW(s.execute(dorm::select<Member>()).all(), dorm::unique_violation);
    BOOST_CHECK_THROW(s.execute(dorm::select<Member>()).all(), dorm::pending_rollback_error);
    s.rollback();
    BOOST_CHECK_EQUAL(s.execute(dorm::select<Member>()).all().size(), 5u);
}

BOOST_FIXTURE_TEST_CASE(a_violation_in_the_middle_of_many_inserts_writes_none_of_them, member_db) {
    // PostgreSQL sends these INSERTs in pipelined batches: the failing row is in the middle of
    // the second batch, and the rows after it were never run.
    seed_members(engine);
    dorm::session s(engine);
    std::vector<std::shared_ptr<Member>> added;
    for (int i = 0; i < 700; ++i) {
        const bool dup = i == 400;
        added.push_back(s.add(Member{.email = dup ? std::string("carol@example.com") : "m" + std::to_string(i) + "@x",
                                     .nick = "m" + std::to_string(i)}));
    }
    BOOST_CHECK_THROW(s.commit(), dorm::unique_violation);
    s.rollback();
    for (auto& m : added) BOOST_CHECK_EQUAL(m->id, 0);  // rolled-back INSERTs give their keys back
    BOOST_CHECK_EQUAL(rows("member"), 5);
    // the connection is usable again, in and out of batches
    auto after = s.add(Member{.email = "after@x", .nick = "after"});
    s.commit();
    BOOST_CHECK(after->id != 0);
    BOOST_CHECK_EQUAL(rows("member"), 6);
}

/// Members m0..m<n-1> committed in their own session (more rows than one pipelined batch).


BOOST_FIXTURE_TEST_CASE(many_updates_and_deletes_in_one_commit_reach_every_row, member_db) {
    // PostgreSQL pipelines these UPDATEs and DELETEs in batches: every row gets its own values
    const auto ids = seed_many_members(engine, 600);
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Member>().order_by(col(&Member::id))).all();
    BOOST_REQUIRE_EQUAL(all.size(), 600u);
    for (auto& m : all) m->score = *m->score * 2 + 1;
    for (std::size_t i = 0; i < all.size(); i += 3) all[i]->nick = "x" + all[i]->nick;  // another column set
    s.commit();
    {
        dorm::session check(engine);
        auto again = check.execute(dorm::select<Member>().order_by(col(&Member::id))).all();
        BOOST_REQUIRE_EQUAL(again.size(), 600u);
        for (std::size_t i = 0; i < again.size(); ++i) {
            BOOST_CHECK_EQUAL(*again[i]->score, static_cast<int>(i) * 2 + 1);
            BOOST_CHECK_EQUAL(again[i]->nick, (i % 3 == 0 ? "xn" : "n") + std::to_string(i));
        }
    }
    for (std::size_t i = 0; i < all.size(); i += 2) s.remove(all[i]);
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), 300);
    dorm::session check(engine);
    for (std::size_t i = 0; i < ids.size(); ++i) BOOST_CHECK_EQUAL(check.get<Member>(ids[i]) == nullptr, i % 2 == 0);
}

BOOST_FIXTURE_TEST_CASE(objects_stay_found_by_key_across_deletes_and_bulk_inserts, member_db) {
    // the identity map makes room for a commit's INSERTs before indexing them (and drops the
    // places of deleted objects): every object is found again, without SQL, deleted ones are not
    dorm::session s(engine);
    std::vector<std::shared_ptr<Member>> first;
    for (int i = 0; i < 300; ++i)
        first.push_back(s.add(Member{.email = "a" + std::to_string(i) + "@x", .nick = "a", .score = i}));
    s.commit();
    for (std::size_t i = 0; i < first.size(); i += 2) s.remove(first[i]);
    s.commit();
    std::vector<std::shared_ptr<Member>> second;
    for (int i = 0; i < 1000; ++i)
        second.push_back(s.add(Member{.email = "b" + std::to_string(i) + "@x", .nick = "b", .score = i}));
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), 1150);
    echo.clear();
    for (std::size_t i = 1; i < first.size(); i += 2) BOOST_CHECK(s.get<Member>(first[i]->id) == first[i]);
    for (auto& m : second) BOOST_CHECK(s.get<Member>(m->id) == m);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 0u);
    for (std::size_t i = 0; i < first.size(); i += 2) BOOST_CHECK(!s.contains(first[i]));
}

BOOST_FIXTURE_TEST_CASE(an_update_of_a_row_deleted_elsewhere_raises_stale_data_error, member_db) {
    // the row in the middle of the second batch of a pipelining driver is gone: the UPDATE matches
    // no row, the commit fails and writes none of the changes
    const auto ids = seed_many_members(engine, 700);
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Member>().order_by(col(&Member::id))).all();
    s.commit();
    {
        auto c = engine.connect();
        const dorm::value gone[] = {dorm::value(static_cast<std::int64_t>(ids[400]))};
        BOOST_REQUIRE_EQUAL(c.execute("DELETE FROM " + q("member") + " WHERE " + q("id") + " = " + ph(1), gone), 1);
    }
    for (auto& m : all) m->score = -1;
    std::string what = "<no stale_data_error>";
    try {
        s.commit();
    } catch (const dorm::stale_data_error& e) {
        what = e.what();
    }
    BOOST_CHECK_MESSAGE(what.find("UPDATE statement on table 'member' expected to update 1 row(s); 0 were matched") !=
                            std::string::npos,
                        what);
    BOOST_CHECK_THROW(s.flush(), dorm::pending_rollback_error);
    s.rollback();
    BOOST_CHECK_EQUAL(*all[0]->score, 0);  // restored from the committed state
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.execute(dorm::select(dorm::count()).select_from<Member>().where(col(&Member::score) == -1))
                          .scalar_one(),
                      0);
    BOOST_CHECK_EQUAL(rows("member"), 699);
}

BOOST_FIXTURE_TEST_CASE(a_failed_update_restores_the_committed_values_on_rollback, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto bob = s.get<Member>(ids[1]);
    s.commit();
    bob->email = "alice@example.com";  // taken
    BOOST_CHECK_THROW(s.commit(), dorm::unique_violation);
    s.rollback();
    BOOST_CHECK_EQUAL(bob->email, "bob@example.com");
    BOOST_CHECK(!s.is_modified(bob));
    bob->nick = "bobby";
    BOOST_CHECK_NO_THROW(s.commit());
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.get<Member>(ids[1])->nick, "bobby");
    BOOST_CHECK_EQUAL(check.get<Member>(ids[1])->email, "bob@example.com");
}

BOOST_AUTO_TEST_SUITE_END()

