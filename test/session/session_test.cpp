// The session against a real database (DORM_TEST_URL): identity map, unit of work (what a
// flush writes and what it does not), transactions and rollback, failed flushes, and results of
// queries on real rows. SEMANTICS.md §2, §3, §7.
#define BOOST_TEST_MODULE session
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"
#include "models.hpp"

using dorm::col;
using dorm_test::ph;
using dorm_test::q;

namespace {

using member_db = dorm_test::database<Member>;
using users_db = dorm_test::database<User, Profile, Comment>;

/// Five members committed in their own session; returns their ids in insert order.
std::vector<int> seed_members(const dorm::engine& e) {
    return dorm_test::seed(e, std::vector<Member>{
                                  {.email = "alice@example.com", .nick = "alice", .score = 30},
                                  {.email = "bob@example.com", .nick = "bob", .score = std::nullopt},
                                  {.email = "carol@example.com", .nick = "carol", .score = 50},
                                  {.email = "dave@example.com", .nick = "dave", .score = 20},
                                  {.email = "eve@example.com", .nick = "100% eve_", .score = 10},
                              });
}

template <class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "<no exception>";
}

std::vector<std::string> nicks(const std::vector<std::shared_ptr<Member>>& ms) {
    std::vector<std::string> out;
    for (auto& m : ms) out.push_back(m->nick);
    return out;
}

#define CHECK_NICKS(result, ...)                                                              \
    do {                                                                                      \
        const std::vector<std::string> expected_{__VA_ARGS__};                                \
        const auto got_ = nicks(result);                                                      \
        BOOST_CHECK_EQUAL_COLLECTIONS(got_.begin(), got_.end(), expected_.begin(), expected_.end()); \
    } while (0)

}  // namespace

// ---- add / get / identity map ------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(identity_map)

BOOST_FIXTURE_TEST_CASE(add_returns_the_sessions_object_and_commit_sets_the_id, member_db) {
    dorm::session s(engine);
    auto m = s.add(Member{.email = "a@x", .nick = "a"});
    static_assert(std::is_same_v<decltype(m), std::shared_ptr<Member>>);
    BOOST_CHECK_EQUAL(m->id, 0);
    BOOST_CHECK(s.contains(m));
    BOOST_CHECK(s.is_modified(m));  // pending
    BOOST_CHECK(echo.statements().empty());  // add() runs no SQL
    s.commit();
    BOOST_CHECK(m->id != 0);
    BOOST_CHECK(s.contains(m));
    BOOST_CHECK(!s.is_modified(m));
    BOOST_CHECK_EQUAL(rows("member"), 1);
}

BOOST_FIXTURE_TEST_CASE(generated_ids_are_read_back_on_flush, member_db) {
    dorm::session s(engine);
    auto a = s.add(Member{.email = "a@x", .nick = "a"});
    auto b = s.add(Member{.email = "b@x", .nick = "b"});
    auto c = s.add(Member{.email = "c@x", .nick = "c"});
    s.flush();
    BOOST_CHECK(a->id != 0);
    BOOST_CHECK(b->id != 0);
    BOOST_CHECK(c->id != 0);
    BOOST_CHECK(a->id != b->id && b->id != c->id && a->id != c->id);
    // the ids are the rows' keys
    echo.clear();
    BOOST_CHECK(s.get<Member>(b->id).get() == b.get());  // identity map, no SQL
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 0u);
    auto by_query = s.execute(dorm::select<Member>().where(col(&Member::id) == b->id)).scalar_one();
    BOOST_CHECK(by_query.get() == b.get());
    BOOST_CHECK_EQUAL(by_query->email, "b@x");
    s.commit();
}

BOOST_FIXTURE_TEST_CASE(an_explicit_primary_key_is_inserted, member_db) {
    {
        dorm::session s(engine);
        auto m = s.add(Member{.id = 4242, .email = "x@x", .nick = "x"});
        s.commit();
        BOOST_CHECK_EQUAL(m->id, 4242);
    }
    dorm::session s(engine);
    auto m = s.get<Member>(4242);
    BOOST_REQUIRE(m);
    BOOST_CHECK_EQUAL(m->nick, "x");
}

BOOST_FIXTURE_TEST_CASE(get_query_first_and_scalar_one_return_the_same_object, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto by_get = s.get<Member>(ids[0]);
    BOOST_REQUIRE(by_get);
    auto by_one = s.execute(dorm::select<Member>().where(col(&Member::nick) == "alice")).scalar_one();
    auto by_first = s.execute(dorm::select<Member>().where(col(&Member::nick) == "alice")).first();
    auto by_all = s.execute(dorm::select<Member>().order_by(col(&Member::id))).all();
    auto by_scalars = s.scalars(dorm::select<Member>().where(col(&Member::id) == ids[0])).all();
    BOOST_CHECK(by_one.get() == by_get.get());
    BOOST_CHECK(by_first.get() == by_get.get());
    BOOST_REQUIRE_EQUAL(by_all.size(), 5u);
    BOOST_CHECK(by_all[0].get() == by_get.get());
    BOOST_REQUIRE_EQUAL(by_scalars.size(), 1u);
    BOOST_CHECK(by_scalars[0].get() == by_get.get());
    // one object per row: a second query returns the same objects
    auto again = s.execute(dorm::select<Member>().order_by(col(&Member::id))).all();
    for (std::size_t i = 0; i < again.size(); ++i) BOOST_CHECK(again[i].get() == by_all[i].get());
    BOOST_CHECK(s.contains(by_get));
}

BOOST_FIXTURE_TEST_CASE(query_first_then_get_runs_no_sql, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Member>()).all();
    echo.clear();
    for (int id : ids) BOOST_CHECK(s.get<Member>(id) != nullptr);
    BOOST_CHECK_MESSAGE(echo.statements().empty(), "get() of objects in the identity map ran SQL:\n" << echo.dump());
}

BOOST_FIXTURE_TEST_CASE(get_of_a_present_object_runs_no_sql, member_db) {
    dorm::session s(engine);
    auto m = s.add(Member{.email = "a@x", .nick = "a"});
    s.commit();
    echo.clear();
    auto again = s.get<Member>(m->id);
    BOOST_CHECK(again.get() == m.get());
    BOOST_CHECK_MESSAGE(echo.entries().empty(), "get() of a present object logged:\n" << echo.dump());
}

BOOST_FIXTURE_TEST_CASE(get_of_a_missing_row_returns_nullptr, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    std::shared_ptr<Member> none;
    BOOST_CHECK_NO_THROW(none = s.get<Member>(987654));
    BOOST_CHECK(none == nullptr);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
    BOOST_CHECK(echo.find_statement("SELECT", "WHERE") >= 0);
}

BOOST_FIXTURE_TEST_CASE(get_after_a_flushed_delete_returns_nullptr, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[1]);
    BOOST_REQUIRE(m);
    s.remove(m);
    s.flush();
    BOOST_CHECK(s.get<Member>(ids[1]) == nullptr);
    BOOST_CHECK(!s.contains(m));
    s.commit();
    BOOST_CHECK(s.get<Member>(ids[1]) == nullptr);
    BOOST_CHECK_EQUAL(rows("member"), 4);
}

BOOST_FIXTURE_TEST_CASE(adding_an_object_twice_is_a_no_op, member_db) {
    dorm::session s(engine);
    auto m = std::make_shared<Member>(Member{.email = "a@x", .nick = "a"});
    auto r1 = s.add(m);
    auto r2 = s.add(m);
    BOOST_CHECK(r1.get() == m.get());  // add(shared_ptr) keeps the caller's object
    BOOST_CHECK(r2.get() == m.get());
    BOOST_CHECK_EQUAL(s.size(), 1u);
    s.commit();
    s.add(m);  // persistent: still a no-op
    echo.clear();
    s.commit();
    BOOST_CHECK(echo.statements().empty());
    BOOST_CHECK_EQUAL(rows("member"), 1);
}

BOOST_FIXTURE_TEST_CASE(add_all_adds_every_object, member_db) {
    dorm::session s(engine);
    std::vector<std::shared_ptr<Member>> ms{
        std::make_shared<Member>(Member{.email = "a@x", .nick = "a"}),
        std::make_shared<Member>(Member{.email = "b@x", .nick = "b"}),
        std::make_shared<Member>(Member{.email = "c@x", .nick = "c"}),
    };
    s.add_all(ms);
    for (auto& m : ms) BOOST_CHECK(s.contains(m));
    s.commit();
    for (auto& m : ms) BOOST_CHECK(m->id != 0);
    BOOST_CHECK_EQUAL(rows("member"), 3);
    // INSERTs run in add() order
    auto c = engine.connect();
    auto st = c.prepare("SELECT " + q("nick") + " FROM " + q("member") + " ORDER BY " + q("id"));
    std::string order;
    while (st->step()) order += st->get_text(0);
    BOOST_CHECK_EQUAL(order, "abc");
}

// Many objects given as shared_ptr, then removed and expunged: each add() finds out whether the
// object is in the session already, and each remove()/expunge() finds its record, without walking
// the session's records (issue 16, item 1: 20,000 adds took 10 s, 40,000 93 s). Not timed: with a
// walk per call this case takes tens of seconds; without, a fraction of one.
BOOST_FIXTURE_TEST_CASE(many_shared_ptr_objects_are_added_and_removed_one_by_one, member_db) {
    constexpr int n = 20000;
    dorm::session s(engine);
    std::vector<std::shared_ptr<Member>> ms;
    ms.reserve(n);
    for (int i = 0; i < n; ++i) {
        ms.push_back(std::make_shared<Member>(Member{.email = std::to_string(i) + "@x", .nick = "m"}));
        s.add(ms.back());
    }
    for (int i = 0; i < n; i += 2) s.add(ms[static_cast<std::size_t>(i)]);  // again: a no-op
    for (int i = 1; i < n; i += 4) s.remove(ms[static_cast<std::size_t>(i)]);  // pending: leaves the session
    int inside = 0;
    for (auto& m : ms) inside += s.contains(m) ? 1 : 0;
    BOOST_CHECK_EQUAL(inside, n - n / 4);
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), n - n / 4);
    for (int i = 0; i < n; i += 4) s.expunge(ms[static_cast<std::size_t>(i)]);
    inside = 0;
    for (auto& m : ms) inside += s.contains(m) ? 1 : 0;
    BOOST_CHECK_EQUAL(inside, n / 2);
    ms[2]->nick = "changed";  // still in the session: an UPDATE
    s.commit();
    dorm::session fresh(engine);
    BOOST_CHECK_EQUAL(fresh.get<Member>(ms[2]->id)->nick, "changed");
}

// A rollback of many flushed INSERTs, a flush of many DELETEs and a bulk DELETE of many loaded
// objects forget their records without one scan of the session's lists per record (issue 16,
// item 1: 20,000 rolled-back INSERTs took seconds, growing as n^2). Not timed, as above; the
// rows and the objects' states are what is checked.
BOOST_FIXTURE_TEST_CASE(many_objects_leave_the_session_at_once, member_db) {
    constexpr int n = 20000;
    dorm::session s(engine);
    std::vector<std::shared_ptr<Member>> ms;
    ms.reserve(n);
    for (int i = 0; i < n; ++i)
        ms.push_back(s.add(Member{.email = std::to_string(i) + "@x", .nick = i % 2 ? "odd" : "even"}));
    s.flush();
    BOOST_CHECK(ms.back()->id != 0);
    s.rollback();  // every INSERT is undone: the objects leave the session, their keys go back to 0
    BOOST_CHECK_EQUAL(s.size(), 0u);
    BOOST_CHECK(!s.contains(ms.front()));
    BOOST_CHECK_EQUAL(ms.back()->id, 0);
    BOOST_CHECK_EQUAL(rows("member"), 0);

    for (auto& m : ms) s.add(m);  // again, for real
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), n);
    for (int i = 0; i < n; i += 2) s.remove(ms[static_cast<std::size_t>(i)]);
    s.flush();  // n/2 DELETEs
    BOOST_CHECK(!s.contains(ms[0]));
    BOOST_CHECK(s.contains(ms[1]));
    s.rollback();  // the deleted objects come back
    BOOST_CHECK(s.contains(ms[0]));
    BOOST_CHECK_EQUAL(s.size(), static_cast<std::size_t>(n));
    for (int i = 0; i < n; i += 2) s.remove(ms[static_cast<std::size_t>(i)]);
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), n / 2);
    auto removed = s.execute(dorm::delete_from<Member>().where(col(&Member::nick) == "odd"));  // the rest, in bulk
    BOOST_CHECK_EQUAL(removed.rowcount(), n / 2);
    BOOST_CHECK(!s.contains(ms[1]));
    BOOST_CHECK_EQUAL(s.size(), 0u);
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), 0);
}

BOOST_FIXTURE_TEST_CASE(session_options_turn_autoflush_off, member_db) {
    // SQLAlchemy: Session(autoflush=False): a query does not write pending objects first
    dorm::session s(engine, {.autoflush = false});
    s.add(Member{.email = "a@x", .nick = "pending"});
    BOOST_CHECK(s.scalars(dorm::select<Member>()).all().empty());
    s.flush();
    BOOST_CHECK_EQUAL(s.scalars(dorm::select<Member>()).all().size(), 1u);
    s.rollback();
    dorm::session on(engine);  // the default flushes first
    on.add(Member{.email = "b@x", .nick = "pending"});
    BOOST_CHECK_EQUAL(on.scalars(dorm::select<Member>().where(col(&Member::email) == "b@x")).all().size(), 1u);
}

BOOST_FIXTURE_TEST_CASE(add_all_takes_a_braced_list, member_db) {
    // SQLAlchemy: session.add_all([a, b, c])
    auto a = std::make_shared<Member>(Member{.email = "a@x", .nick = "a"});
    auto b = std::make_shared<Member>(Member{.email = "b@x", .nick = "b"});
    dorm::session s(engine);
    s.add_all({a, b, std::make_shared<Member>(Member{.email = "c@x", .nick = "c"})});
    BOOST_CHECK(s.contains(a));
    BOOST_CHECK(s.contains(b));
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), 3);
    BOOST_CHECK(a->id != 0 && b->id != 0);
}

BOOST_FIXTURE_TEST_CASE(scalars_is_a_scalar_result, member_db) {
    // SQLAlchemy 2.0: session.scalars(stmt).all() / .first() / .one() / .one_or_none() / iteration
    seed_members(engine);
    dorm::session s(engine);
    auto all = s.scalars(dorm::select<Member>().order_by(col(&Member::id))).all();
    static_assert(std::is_same_v<decltype(all), std::vector<std::shared_ptr<Member>>>);
    CHECK_NICKS(all, "alice", "bob", "carol", "dave", "100% eve_");
    auto alice = s.scalars(dorm::select<Member>().where(col(&Member::nick) == "alice")).one();
    BOOST_CHECK(alice.get() == all[0].get());
    BOOST_CHECK(s.scalars(dorm::select<Member>().order_by(col(&Member::id))).first().get() == all[0].get());
    BOOST_CHECK(!s.scalars(dorm::select<Member>().where(col(&Member::nick) == "nobody")).first());
    BOOST_CHECK(!s.scalars(dorm::select<Member>().where(col(&Member::nick) == "nobody")).one_or_none());
    BOOST_CHECK_THROW(s.scalars(dorm::select<Member>().where(col(&Member::nick) == "nobody")).one(),
                      dorm::no_result_found);
    BOOST_CHECK_THROW(s.scalars(dorm::select<Member>()).one(), dorm::multiple_results_found);
    BOOST_CHECK_THROW(s.scalars(dorm::select<Member>()).one_or_none(), dorm::multiple_results_found);
    std::vector<std::string> seen;
    for (const auto& m : s.scalars(dorm::select<Member>().order_by(col(&Member::id)))) seen.push_back(m->nick);
    BOOST_CHECK_EQUAL(seen.size(), 5u);
    // value selects: the first column's values; first()/one_or_none() give std::optional
    auto nick_list = s.scalars(dorm::select(col(&Member::nick)).order_by(col(&Member::id))).all();
    static_assert(std::is_same_v<decltype(nick_list), std::vector<std::string>>);
    BOOST_CHECK_EQUAL(nick_list.front(), "alice");
    std::optional<std::string> none = s.scalars(dorm::select(col(&Member::nick)).where(col(&Member::id) < 0)).first();
    BOOST_CHECK(!none);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count()).select_from<Member>()).scalars().one(), 5);
}

// Known limitation (see .ci/NOTES.md): a session cannot yet tell that a shared_ptr it did not
// create belongs to another session, so this SQLAlchemy rule is not enforced. Disabled, not deleted.
BOOST_FIXTURE_TEST_CASE(an_object_of_another_session_cannot_be_added, member_db,
                        *boost::unit_test::disabled()) {
    dorm::session s1(engine);
    dorm::session s2(engine);
    auto m = s1.add(Member{.email = "a@x", .nick = "a"});
    BOOST_CHECK_THROW(s2.add(m), dorm::invalid_request_error);
    BOOST_CHECK(!s2.contains(m));
}

BOOST_FIXTURE_TEST_CASE(remove_refresh_expunge_of_a_foreign_object_throw, member_db) {
    dorm::session s(engine);
    auto stranger = std::make_shared<Member>(Member{.email = "a@x", .nick = "a"});
    BOOST_CHECK_THROW(s.remove(stranger), dorm::invalid_request_error);
    BOOST_CHECK_THROW(s.refresh(stranger), dorm::invalid_request_error);
    BOOST_CHECK_THROW(s.expunge(stranger), dorm::invalid_request_error);
    BOOST_CHECK(!s.contains(stranger));
    BOOST_CHECK(!s.is_modified(stranger));
}

BOOST_FIXTURE_TEST_CASE(removing_a_pending_object_expunges_it, member_db) {
    dorm::session s(engine);
    auto m = s.add(Member{.email = "a@x", .nick = "a"});
    s.remove(m);
    BOOST_CHECK(!s.contains(m));
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
    BOOST_CHECK_EQUAL(rows("member"), 0);
}

BOOST_FIXTURE_TEST_CASE(expunge_detaches_the_object, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    BOOST_REQUIRE(m);
    s.expunge(m);
    BOOST_CHECK(!s.contains(m));
    m->nick = "changed after expunge";
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    // the row is loaded into a new object
    auto fresh = s.get<Member>(ids[0]);
    BOOST_REQUIRE(fresh);
    BOOST_CHECK(fresh.get() != m.get());
    BOOST_CHECK_EQUAL(fresh->nick, "alice");
    // and the expunged object can join another session
    dorm::session other(engine);
    BOOST_CHECK_NO_THROW(other.add(std::make_shared<Member>(Member{.email = "z@x", .nick = "z"})));
}

BOOST_FIXTURE_TEST_CASE(an_object_given_as_shared_ptr_comes_back_persistent_in_a_new_session, member_db) {
    // the user's own shared_ptr (not an object the session made): after its session ended, adding
    // it to another session is an UPDATE of its row; a new object that happens to get the same
    // address later is an INSERT
    auto m = std::make_shared<Member>(Member{.email = "a@x", .nick = "a"});
    {
        dorm::session s(engine);
        s.add(m);
        s.commit();
    }
    BOOST_REQUIRE(m->id != 0);
    {
        dorm::session s(engine);
        s.add(m);
        BOOST_CHECK(!s.is_modified(m));
        m->nick = "changed";
        echo.clear();
        s.commit();
        BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
        BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 1u);
    }
    BOOST_CHECK_EQUAL(rows("member"), 1);
    const void* address = m.get();
    m.reset();
    for (int i = 0; i < 8; ++i) {  // a new object, perhaps at the old address: it is new
        auto n = std::make_shared<Member>(Member{.email = "n" + std::to_string(i) + "@x", .nick = "n"});
        dorm::session s(engine);
        s.add(n);
        echo.clear();
        s.commit();
        BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 1u);
        if (n.get() == address) break;
    }
}

BOOST_FIXTURE_TEST_CASE(expunge_all_empties_the_session, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Member>()).all();
    BOOST_CHECK_EQUAL(s.size(), 5u);
    s.expunge_all();
    for (auto& m : all) BOOST_CHECK(!s.contains(m));
    BOOST_CHECK_EQUAL(s.size(), 0u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- what a flush writes -----------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(unit_of_work)

BOOST_FIXTURE_TEST_CASE(a_tables_updates_run_before_its_inserts, member_db) {
    // SQLAlchemy's unit of work: UPDATEs of a table before its INSERTs, so renaming a unique value
    // and adding a new row with the old value in one flush works
    // (test/orm/test_unitofwork.py, the mapper's save_obj: updates, then inserts)
    dorm::session s(engine);
    auto bob = s.add(Member{.email = "bob@example.com", .nick = "bob"});
    s.commit();
    bob->email = "robert@example.com";
    auto new_bob = s.add(Member{.email = "bob@example.com", .nick = "bob the second"});
    echo.clear();
    BOOST_CHECK_NO_THROW(s.commit());
    const int update = echo.find_statement("UPDATE");
    const int insert = echo.find_statement("INSERT");
    BOOST_CHECK_MESSAGE(update >= 0 && insert > update, echo.dump());
    dorm::session fresh(engine);
    BOOST_CHECK_EQUAL(fresh.get<Member>(bob->id)->email, "robert@example.com");
    BOOST_CHECK_EQUAL(fresh.get<Member>(new_bob->id)->email, "bob@example.com");
}

BOOST_FIXTURE_TEST_CASE(autoflush_before_a_query_finds_an_added_object, member_db) {
    dorm::session s(engine);
    auto m = s.add(Member{.email = "a@x", .nick = "pending"});
    auto found = s.execute(dorm::select<Member>().where(col(&Member::nick) == "pending")).first();
    BOOST_REQUIRE(found);
    BOOST_CHECK(found.get() == m.get());
    BOOST_CHECK(m->id != 0);
    const int insert = echo.find_statement("INSERT");
    const int select = echo.find_statement("SELECT");
    BOOST_REQUIRE(insert >= 0);
    BOOST_REQUIRE(select >= 0);
    BOOST_CHECK(insert < select);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count()).select_from<Member>()).scalar_one(), 1);
    s.rollback();
    BOOST_CHECK_EQUAL(rows("member"), 0);  // flushed, not committed
}

BOOST_FIXTURE_TEST_CASE(autoflush_before_a_query_writes_changes, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    m->score = 99;
    auto n = s.execute(dorm::select(dorm::count()).select_from<Member>().where(col(&Member::score) == 99))
                 .scalar_one();
    BOOST_CHECK_EQUAL(n, 1);
}

BOOST_FIXTURE_TEST_CASE(no_autoflush_keeps_changes_in_memory, member_db) {
    dorm::session s(engine);
    {
        auto guard = s.no_autoflush();
        s.add(Member{.email = "a@x", .nick = "pending"});
        auto found = s.execute(dorm::select<Member>().where(col(&Member::nick) == "pending")).first();
        BOOST_CHECK(!found);
        BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
    }
    auto found = s.execute(dorm::select<Member>().where(col(&Member::nick) == "pending")).first();
    BOOST_CHECK(found);
}

BOOST_FIXTURE_TEST_CASE(update_lists_only_changed_columns, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    s.commit();
    echo.clear();
    m->nick = "alicia";
    BOOST_CHECK(s.is_modified(m));
    s.commit();
    const auto st = echo.statements();
    BOOST_REQUIRE_EQUAL(st.size(), 1u);
    const std::string expected = "UPDATE " + q("member") + " SET " + q("nick") + "=" + ph(1) + " WHERE " +
                                 q("member") + "." + q("id") + " = " + ph(2);
    BOOST_CHECK_EQUAL(st[0], expected);
    // parameters: the new value and the key
    const auto entries = echo.entries();
    bool params_ok = false;
    for (auto& e : entries)
        if (e.starts_with("[") && e.find("('alicia', " + std::to_string(ids[0]) + ")") != std::string::npos)
            params_ok = true;
    BOOST_CHECK_MESSAGE(params_ok, "UPDATE parameters not ('alicia', id):\n" << echo.dump());
    BOOST_CHECK_EQUAL(echo.count_entries("BEGIN (implicit)"), 1u);
    BOOST_CHECK_EQUAL(echo.count_entries("COMMIT"), 1u);

    // two columns changed: both, and only those
    echo.clear();
    m->score = 31;
    m->email = "alicia@example.com";
    s.commit();
    BOOST_REQUIRE_EQUAL(echo.count_statements("UPDATE"), 1u);
    const auto up = echo.statements()[0];
    BOOST_CHECK(up.find(q("score") + "=") != std::string::npos);
    BOOST_CHECK(up.find(q("email") + "=") != std::string::npos);
    BOOST_CHECK(up.find(q("nick") + "=") == std::string::npos);

    dorm::session check(engine);
    auto again = check.get<Member>(ids[0]);
    BOOST_CHECK_EQUAL(again->nick, "alicia");
    BOOST_CHECK(again->score == 31);
    BOOST_CHECK_EQUAL(again->email, "alicia@example.com");
}

BOOST_FIXTURE_TEST_CASE(setting_an_optional_to_null_is_written, member_db) {
    const auto ids = seed_members(engine);
    {
        dorm::session s(engine);
        auto m = s.get<Member>(ids[0]);
        m->score = std::nullopt;
        s.commit();
        BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 1u);
    }
    dorm::session s(engine);
    BOOST_CHECK(s.get<Member>(ids[0])->score == std::nullopt);
    auto none = s.execute(dorm::select<Member>().where(col(&Member::score).is_null()).order_by(col(&Member::id)))
                    .all();
    CHECK_NICKS(none, "alice", "bob");
}

BOOST_FIXTURE_TEST_CASE(commit_without_work_writes_nothing, member_db) {
    seed_members(engine);
    {
        dorm::session fresh(engine);
        echo.clear();
        fresh.commit();  // autobegin takes no connection: nothing logged
        BOOST_CHECK_MESSAGE(echo.entries().empty(), "commit() of an unused session logged:\n" << echo.dump());
        fresh.flush();
        BOOST_CHECK(echo.entries().empty());
    }
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Member>()).all();
    s.commit();
    echo.clear();
    s.commit();  // loaded objects, nothing changed
    s.flush();
    BOOST_CHECK_MESSAGE(echo.entries().empty(), "commit() without changes logged:\n" << echo.dump());
    for (auto& m : all) BOOST_CHECK(!s.is_modified(m));
}

BOOST_FIXTURE_TEST_CASE(setting_a_value_to_the_same_value_writes_nothing, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    s.commit();
    echo.clear();
    m->nick = std::string("alice");
    m->score = 30;
    m->email = std::string(m->email);
    BOOST_CHECK(!s.is_modified(m));
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    BOOST_CHECK_MESSAGE(echo.entries().empty(), "an unchanged object was written:\n" << echo.dump());
}

BOOST_FIXTURE_TEST_CASE(changing_and_changing_back_writes_nothing, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    m->nick = "temporary";
    BOOST_CHECK(s.is_modified(m));
    m->nick = "alice";
    BOOST_CHECK(!s.is_modified(m));
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
}

BOOST_FIXTURE_TEST_CASE(is_modified_follows_the_object, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    BOOST_CHECK(!s.is_modified(m));
    m->score = 1;
    BOOST_CHECK(s.is_modified(m));
    s.flush();
    BOOST_CHECK(!s.is_modified(m));  // flushed: the database has it
    s.remove(m);
    BOOST_CHECK(s.is_modified(m));  // marked for delete
    s.rollback();
}

BOOST_FIXTURE_TEST_CASE(one_transaction_per_commit, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    auto bob = s.get<Member>(ids[1]);
    s.commit();
    echo.clear();
    alice->score = 31;
    s.remove(bob);
    s.add(Member{.email = "new1@x", .nick = "new1"});
    s.add(Member{.email = "new2@x", .nick = "new2"});
    s.commit();
    const auto entries = echo.entries();
    BOOST_REQUIRE(!entries.empty());
    BOOST_CHECK_EQUAL(entries.front(), "BEGIN (implicit)");
    BOOST_CHECK_EQUAL(entries.back(), "COMMIT");
    BOOST_CHECK_EQUAL(echo.count_entries("BEGIN (implicit)"), 1u);
    BOOST_CHECK_EQUAL(echo.count_entries("COMMIT"), 1u);
    BOOST_CHECK_EQUAL(echo.count_entries("ROLLBACK"), 0u);
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 2u);
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 1u);
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE"), 1u);
    BOOST_CHECK_EQUAL(rows("member"), 6);

    // the next commit is the next transaction
    echo.clear();
    alice->score = 32;
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_entries("BEGIN (implicit)"), 1u);
    BOOST_CHECK_EQUAL(echo.count_entries("COMMIT"), 1u);
}

BOOST_FIXTURE_TEST_CASE(updates_run_in_primary_key_order, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Member>().order_by(col(&Member::id).desc())).all();
    for (auto& m : all) m->score = 1000 + m->id;
    echo.clear();
    s.commit();
    std::vector<std::string> params;
    for (auto& e : echo.entries())
        if (dorm_test::echo_capture::is_params(e) && e.find("(10") != std::string::npos) params.push_back(e);
    BOOST_REQUIRE_EQUAL(params.size(), all.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        BOOST_CHECK_MESSAGE(params[i].find(", " + std::to_string(ids[i]) + ")") != std::string::npos,
                            "UPDATE #" << i << " is not for id " << ids[i] << ": " << params[i]);
}

BOOST_FIXTURE_TEST_CASE(remove_deletes_the_row, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[2]);
    s.remove(m);
    BOOST_CHECK(s.contains(m));  // marked, still in the session until the flush
    s.commit();
    BOOST_CHECK(!s.contains(m));
    BOOST_CHECK_EQUAL(m->nick, "carol");  // the object stays usable
    BOOST_CHECK_EQUAL(rows("member"), 4);
    const std::string expected = "DELETE FROM " + q("member") + " WHERE " + q("member") + "." + q("id") + " = " + ph(1);
    BOOST_CHECK(echo.find_statement(expected) >= 0);
}

BOOST_FIXTURE_TEST_CASE(remove_then_add_keeps_the_object, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[2]);
    s.remove(m);
    s.add(m);
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), 5);
    BOOST_CHECK(s.contains(m));
}

BOOST_FIXTURE_TEST_CASE(many_inserts_in_one_commit_get_their_own_keys, member_db) {
    // more rows than one batch of a pipelining driver (PostgreSQL): every object gets the key of
    // its own row, in add() order
    dorm::session s(engine);
    std::vector<std::shared_ptr<Member>> added;
    for (int i = 0; i < 600; ++i)
        added.push_back(s.add(Member{.email = "m" + std::to_string(i) + "@x", .nick = "n" + std::to_string(i)}));
    s.commit();
    std::set<int> ids;
    for (auto& m : added) ids.insert(m->id);
    BOOST_CHECK_EQUAL(ids.size(), added.size());
    BOOST_CHECK(ids.count(0) == 0);
    dorm::session check(engine);
    for (std::size_t i = 0; i < added.size(); i += 37) {
        auto m = check.get<Member>(added[i]->id);
        BOOST_REQUIRE(m);
        BOOST_CHECK_EQUAL(m->email, added[i]->email);
    }
    for (std::size_t i = 1; i < added.size(); ++i) BOOST_CHECK(added[i]->id > added[i - 1]->id);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- transactions ------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(transactions)

BOOST_FIXTURE_TEST_CASE(a_destroyed_session_rolls_back_what_it_did_not_commit, member_db) {
    const auto ids = seed_members(engine);
    {
        dorm::session s(engine);
        s.add(Member{.email = "uncommitted@x", .nick = "u"});
        s.get<Member>(ids[0])->score = 777;
        s.remove(s.get<Member>(ids[1]));
        s.flush();
        echo.clear();
    }
    BOOST_CHECK_EQUAL(echo.count_entries("ROLLBACK"), 1u);
    BOOST_CHECK_EQUAL(echo.count_entries("COMMIT"), 0u);
    dorm::session s(engine);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count()).select_from<Member>()).scalar_one(), 5);
    BOOST_CHECK(s.get<Member>(ids[0])->score == 30);
    BOOST_CHECK(s.get<Member>(ids[1]) != nullptr);
}

BOOST_FIXTURE_TEST_CASE(objects_stay_valid_after_the_session_ends, member_db) {
    const auto ids = seed_members(engine);
    std::vector<std::shared_ptr<Member>> kept;
    std::shared_ptr<Member> added;
    {
        dorm::session s(engine);
        kept = s.execute(dorm::select<Member>().order_by(col(&Member::id))).all();
        added = s.add(Member{.email = "late@x", .nick = "late"});
        s.commit();
    }
    BOOST_REQUIRE_EQUAL(kept.size(), 5u);
    BOOST_CHECK_EQUAL(kept[0]->nick, "alice");
    BOOST_CHECK_EQUAL(kept[4]->nick, "100% eve_");
    BOOST_CHECK(added->id != 0);
    BOOST_CHECK_EQUAL(added->nick, "late");
    // a detached object can be changed freely and joins a new session
    added->nick = "later";
    dorm::session s2(engine);
    BOOST_CHECK_NO_THROW(s2.add(added));
}

BOOST_FIXTURE_TEST_CASE(rollback_restores_a_consistent_state, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    auto bob = s.get<Member>(ids[1]);
    auto carol = s.get<Member>(ids[2]);
    auto dave = s.get<Member>(ids[3]);
    s.commit();  // everything above is committed state

    auto added = s.add(Member{.email = "new@x", .nick = "new"});
    alice->nick = "alicia";
    alice->score = 31;
    s.remove(bob);
    s.flush();
    BOOST_CHECK(!s.contains(bob));
    carol->nick = "unflushed";
    s.remove(dave);  // not flushed
    s.rollback();

    // objects added in the transaction leave the session
    BOOST_CHECK(!s.contains(added));
    BOOST_CHECK_EQUAL(added->nick, "new");  // its values stay
    // removed ones come back
    BOOST_CHECK(s.contains(bob));
    BOOST_CHECK(!s.is_modified(bob));
    BOOST_CHECK(s.get<Member>(ids[1]).get() == bob.get());
    BOOST_CHECK(s.contains(dave));
    BOOST_CHECK(!s.is_modified(dave));
    // changed ones get the last committed values back (flushed or not)
    BOOST_CHECK_EQUAL(alice->nick, "alice");
    BOOST_CHECK(alice->score == 30);
    BOOST_CHECK_EQUAL(carol->nick, "carol");
    BOOST_CHECK(!s.is_modified(alice));
    BOOST_CHECK(!s.is_modified(carol));
    // objects committed earlier stay
    BOOST_CHECK(s.contains(alice));
    BOOST_CHECK(s.contains(carol));

    // the session goes on: nothing of the rolled-back transaction is written later
    echo.clear();
    s.commit();
    BOOST_CHECK(echo.statements().empty());
    BOOST_CHECK_EQUAL(rows("member"), 5);
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.get<Member>(ids[0])->nick, "alice");
    BOOST_CHECK(check.get<Member>(ids[1]) != nullptr);
}

BOOST_FIXTURE_TEST_CASE(close_detaches_everything_and_the_session_can_be_used_again, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    auto added = s.add(Member{.email = "new@x", .nick = "new"});
    s.flush();
    alice->nick = "changed";
    s.close();
    BOOST_CHECK(!s.contains(alice));
    BOOST_CHECK(!s.contains(added));
    BOOST_CHECK_EQUAL(s.size(), 0u);
    BOOST_CHECK_EQUAL(rows("member"), 5);  // the flushed INSERT was rolled back
    auto again = s.get<Member>(ids[0]);
    BOOST_REQUIRE(again);
    BOOST_CHECK(again.get() != alice.get());
    BOOST_CHECK_EQUAL(again->nick, "alice");
    s.add(Member{.email = "after@x", .nick = "after"});
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(rows("member"), 6);
}

BOOST_FIXTURE_TEST_CASE(rollback_after_several_flushes_restores_the_committed_values, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    s.commit();
    alice->score = 1;
    s.flush();
    alice->score = 2;
    s.flush();
    alice->nick = "x";
    s.rollback();
    BOOST_CHECK(alice->score == 30);
    BOOST_CHECK_EQUAL(alice->nick, "alice");
}

BOOST_FIXTURE_TEST_CASE(rollback_keeps_what_was_committed_before, member_db) {
    dorm::session s(engine);
    auto first = s.add(Member{.email = "first@x", .nick = "first"});
    s.commit();
    first->nick = "first, changed";
    s.commit();
    first->nick = "first, rolled back";
    auto second = s.add(Member{.email = "second@x", .nick = "second"});
    s.rollback();
    BOOST_CHECK(s.contains(first));
    BOOST_CHECK_EQUAL(first->nick, "first, changed");
    BOOST_CHECK(!s.contains(second));
    BOOST_CHECK_EQUAL(rows("member"), 1);
}

BOOST_FIXTURE_TEST_CASE(an_object_rolled_back_out_of_the_session_can_be_added_again, member_db) {
    dorm::session s(engine);
    auto m = s.add(Member{.email = "again@x", .nick = "again"});
    s.flush();
    s.rollback();
    BOOST_CHECK(!s.contains(m));
    s.add(m);
    s.commit();
    BOOST_CHECK(m->id != 0);
    BOOST_CHECK_EQUAL(rows("member"), 1);
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.get<Member>(m->id)->nick, "again");
}

BOOST_AUTO_TEST_SUITE_END()

// ---- failed flush ------------------------------------------------------------------------------

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
std::vector<int> seed_many_members(const dorm::engine& e, int n) {
    std::vector<Member> ms;
    for (int i = 0; i < n; ++i)
        ms.push_back({.email = "m" + std::to_string(i) + "@x", .nick = "n" + std::to_string(i), .score = i});
    return dorm_test::seed(e, std::move(ms));
}

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

// ---- queries do not overwrite, refresh does ----------------------------------------------------

BOOST_AUTO_TEST_SUITE(refresh)

BOOST_FIXTURE_TEST_CASE(a_query_does_not_overwrite_unflushed_changes, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    s.commit();
    {
        // another session changes the row
        dorm::session other(engine);
        auto a = other.get<Member>(ids[0]);
        a->nick = "changed elsewhere";
        a->score = 99;
        other.commit();
    }
    alice->email = "local@example.com";  // unflushed
    {
        auto guard = s.no_autoflush();
        auto again = s.execute(dorm::select<Member>().where(col(&Member::id) == ids[0])).scalar_one();
        BOOST_CHECK(again.get() == alice.get());
        BOOST_CHECK_EQUAL(alice->email, "local@example.com");  // unflushed change survives
        BOOST_CHECK_EQUAL(alice->nick, "alice");               // the row does not overwrite the object
        BOOST_CHECK(alice->score == 30);
    }
    // refresh() re-reads the row and discards the unflushed change
    echo.clear();
    s.refresh(alice);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    BOOST_CHECK_EQUAL(alice->email, "alice@example.com");
    BOOST_CHECK_EQUAL(alice->nick, "changed elsewhere");
    BOOST_CHECK(alice->score == 99);
    BOOST_CHECK(!s.is_modified(alice));
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
}

BOOST_FIXTURE_TEST_CASE(a_query_after_autoflush_keeps_the_new_values, member_db) {
    const auto ids = seed_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    alice->nick = "local";
    auto again = s.execute(dorm::select<Member>().where(col(&Member::nick) == "local")).scalar_one();
    BOOST_CHECK(again.get() == alice.get());
    BOOST_CHECK_EQUAL(alice->nick, "local");
}

BOOST_FIXTURE_TEST_CASE(refresh_of_a_pending_object_is_an_error, member_db) {
    dorm::session s(engine);
    auto m = s.add(Member{.email = "a@x", .nick = "a"});
    BOOST_CHECK_THROW(s.refresh(m), dorm::invalid_request_error);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- results -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(results)

BOOST_FIXTURE_TEST_CASE(all_and_first, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Member>().order_by(col(&Member::nick))).all();
    static_assert(std::is_same_v<decltype(all), std::vector<std::shared_ptr<Member>>>);
    CHECK_NICKS(all, "100% eve_", "alice", "bob", "carol", "dave");

    echo.clear();
    auto first = s.execute(dorm::select<Member>().order_by(col(&Member::nick).desc())).first();
    static_assert(std::is_same_v<decltype(first), std::shared_ptr<Member>>);
    BOOST_REQUIRE(first);
    BOOST_CHECK_EQUAL(first->nick, "dave");
    const auto st = echo.statements();
    BOOST_REQUIRE_EQUAL(st.size(), 1u);
    BOOST_CHECK_MESSAGE(st[0].find("LIMIT") == std::string::npos, "first() added a LIMIT: " << st[0]);

    auto none = s.execute(dorm::select<Member>().where(col(&Member::nick) == "nobody")).first();
    BOOST_CHECK(none == nullptr);
    auto empty = s.execute(dorm::select<Member>().where(col(&Member::nick) == "nobody")).all();
    BOOST_CHECK(empty.empty());
}

BOOST_FIXTURE_TEST_CASE(one_and_one_or_none, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    auto one = s.execute(dorm::select<Member>().where(col(&Member::nick) == "bob")).one();
    BOOST_CHECK_EQUAL(one->nick, "bob");
    auto maybe = s.execute(dorm::select<Member>().where(col(&Member::nick) == "bob")).one_or_none();
    BOOST_CHECK(maybe.get() == one.get());
    auto nothing = s.execute(dorm::select<Member>().where(col(&Member::nick) == "nobody")).one_or_none();
    BOOST_CHECK(nothing == nullptr);

    auto none = [&] { s.execute(dorm::select<Member>().where(col(&Member::nick) == "nobody")).one(); };
    auto many = [&] { s.execute(dorm::select<Member>()).one(); };
    auto many_or_none = [&] { s.execute(dorm::select<Member>()).one_or_none(); };
    BOOST_CHECK_THROW(none(), dorm::no_result_found);
    BOOST_CHECK_THROW(many(), dorm::multiple_results_found);
    BOOST_CHECK_THROW(many_or_none(), dorm::multiple_results_found);
    BOOST_CHECK_EQUAL(message_of(none), "No row was found when one was required");
    BOOST_CHECK_EQUAL(message_of(many), "Multiple rows were found when exactly one was required");
    BOOST_CHECK_EQUAL(message_of(many_or_none), "Multiple rows were found when one or none was required");
}

BOOST_FIXTURE_TEST_CASE(scalar_one_and_scalar_one_or_none, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    auto alice = s.execute(dorm::select<Member>().where(col(&Member::nick) == "alice")).scalar_one();
    static_assert(std::is_same_v<decltype(alice), std::shared_ptr<Member>>);
    BOOST_CHECK_EQUAL(alice->email, "alice@example.com");
    auto maybe = s.execute(dorm::select<Member>().where(col(&Member::nick) == "alice")).scalar_one_or_none();
    BOOST_CHECK(maybe.get() == alice.get());
    BOOST_CHECK(s.execute(dorm::select<Member>().where(col(&Member::nick) == "x")).scalar_one_or_none() == nullptr);

    auto none = [&] { s.execute(dorm::select<Member>().where(col(&Member::nick) == "nobody")).scalar_one(); };
    auto many = [&] { s.execute(dorm::select<Member>()).scalar_one(); };
    auto many_or_none = [&] { s.execute(dorm::select<Member>()).scalar_one_or_none(); };
    BOOST_CHECK_THROW(none(), dorm::no_result_found);
    BOOST_CHECK_THROW(many(), dorm::multiple_results_found);
    BOOST_CHECK_THROW(many_or_none(), dorm::multiple_results_found);
    BOOST_CHECK_EQUAL(message_of(none), "No row was found when one was required");
    BOOST_CHECK_EQUAL(message_of(many), "Multiple rows were found when exactly one was required");
    BOOST_CHECK_EQUAL(message_of(many_or_none), "Multiple rows were found when one or none was required");

    // value rows
    auto nick = s.execute(dorm::select(col(&Member::nick)).where(col(&Member::id) == alice->id)).scalar_one();
    static_assert(std::is_same_v<decltype(nick), std::string>);
    BOOST_CHECK_EQUAL(nick, "alice");
    auto no_nick =
        s.execute(dorm::select(col(&Member::nick)).where(col(&Member::nick) == "nobody")).scalar_one_or_none();
    static_assert(std::is_same_v<decltype(no_nick), std::optional<std::string>>);
    BOOST_CHECK(!no_nick);
    auto first_nick = s.execute(dorm::select(col(&Member::nick)).order_by(col(&Member::nick))).first();
    static_assert(std::is_same_v<decltype(first_nick), std::optional<std::string>>);
    BOOST_REQUIRE(first_nick);
    BOOST_CHECK_EQUAL(*first_nick, "100% eve_");
    BOOST_CHECK_THROW(s.execute(dorm::select(col(&Member::nick))).scalar_one(), dorm::multiple_results_found);
}

BOOST_FIXTURE_TEST_CASE(range_for_streams_the_rows, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    std::vector<std::string> seen;
    for (auto& m : s.execute(dorm::select<Member>().order_by(col(&Member::id)))) seen.push_back(m->nick);
    const std::vector<std::string> expected{"alice", "bob", "carol", "dave", "100% eve_"};
    BOOST_CHECK_EQUAL_COLLECTIONS(seen.begin(), seen.end(), expected.begin(), expected.end());

    std::vector<std::string> values;
    for (auto& n : s.execute(dorm::select(col(&Member::nick)).order_by(col(&Member::id)))) values.push_back(n);
    BOOST_CHECK_EQUAL_COLLECTIONS(values.begin(), values.end(), expected.begin(), expected.end());
    // streamed objects are the session's
    for (auto& m : s.execute(dorm::select<Member>())) BOOST_CHECK(s.contains(m));
}

BOOST_FIXTURE_TEST_CASE(column_selects_give_tuples, users_db) {
    {
        dorm::session s(engine);
        s.add(User{.name = "Alice", .age = 30});
        s.add(User{.name = "Bob", .age = 41});
        s.commit();
    }
    dorm::session s(engine);
    auto rows_ = s.execute(dorm::select(col(&User::name), col(&User::age)).order_by(col(&User::age))).all();
    static_assert(std::is_same_v<decltype(rows_), std::vector<std::tuple<std::string, int>>>);
    BOOST_REQUIRE_EQUAL(rows_.size(), 2u);
    BOOST_CHECK(rows_[0] == std::make_tuple(std::string("Alice"), 30));
    BOOST_CHECK(rows_[1] == std::make_tuple(std::string("Bob"), 41));
    BOOST_CHECK_EQUAL(s.size(), 0u);  // values, not objects

    auto one = s.execute(dorm::select(col(&User::name), col(&User::age)).where(col(&User::age) > 40)).one();
    BOOST_CHECK_EQUAL(std::get<0>(one), "Bob");
    BOOST_CHECK_EQUAL(std::get<1>(one), 41);
    auto name = s.execute(dorm::select(col(&User::name), col(&User::age)).where(col(&User::age) > 40)).scalar_one();
    static_assert(std::is_same_v<decltype(name), std::string>);
    BOOST_CHECK_EQUAL(name, "Bob");
    auto maybe = s.execute(dorm::select(col(&User::name), col(&User::age)).where(col(&User::age) > 99)).first();
    static_assert(std::is_same_v<decltype(maybe), std::optional<std::tuple<std::string, int>>>);
    BOOST_CHECK(!maybe);
}

BOOST_FIXTURE_TEST_CASE(count_is_an_int64, users_db) {
    dorm::session s(engine);
    auto zero = s.execute(dorm::select(dorm::count()).select_from<User>()).scalar_one();
    static_assert(std::is_same_v<decltype(zero), std::int64_t>);
    BOOST_CHECK_EQUAL(zero, 0);
    s.add(User{.name = "Alice", .age = 30});
    s.add(User{.name = "Bob", .age = 41});
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count()).select_from<User>()).scalar_one(), 2);
    BOOST_CHECK_EQUAL(
        s.execute(dorm::select(dorm::count()).select_from<User>().where(col(&User::age) > 35)).scalar_one(), 1);
    s.commit();
}

BOOST_FIXTURE_TEST_CASE(aggregates_on_real_rows, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    auto total = s.execute(dorm::select(dorm::sum(col(&Member::score)))).scalar_one();
    BOOST_REQUIRE(total);
    BOOST_CHECK_EQUAL(*total, 110);
    auto hi = s.execute(dorm::select(dorm::max(col(&Member::score)))).scalar_one();
    BOOST_REQUIRE(hi);
    BOOST_CHECK(*hi == 50);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count(col(&Member::score)))).scalar_one(), 4);  // NULL not counted
}

BOOST_AUTO_TEST_SUITE_END()

// ---- filters on real data ----------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(filters)

BOOST_FIXTURE_TEST_CASE(where_and_order_by, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::score) > 15).order_by(col(&Member::score))).all(),
                "dave", "alice", "carol");
    CHECK_NICKS(s.execute(dorm::select<Member>()
                              .where(col(&Member::score) >= 20)
                              .where(col(&Member::score) <= 30)
                              .order_by(col(&Member::score).desc()))
                    .all(),
                "alice", "dave");
    CHECK_NICKS(s.execute(dorm::select<Member>()
                              .where(col(&Member::nick) == "bob" || col(&Member::score) < 15)
                              .order_by(col(&Member::id)))
                    .all(),
                "bob", "100% eve_");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(!(col(&Member::nick) != "carol"))).all(), "carol");
}

BOOST_FIXTURE_TEST_CASE(limit_and_offset, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    CHECK_NICKS(s.execute(dorm::select<Member>().order_by(col(&Member::id)).limit(2)).all(), "alice", "bob");
    CHECK_NICKS(s.execute(dorm::select<Member>().order_by(col(&Member::id)).limit(2).offset(1)).all(), "bob",
                "carol");
    CHECK_NICKS(s.execute(dorm::select<Member>().order_by(col(&Member::id)).offset(3)).all(), "dave",
                "100% eve_");
    BOOST_CHECK(s.execute(dorm::select<Member>().order_by(col(&Member::id)).limit(0)).all().empty());
}

BOOST_FIXTURE_TEST_CASE(like_and_escaped_patterns, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::email).like("%@example.com"))
                              .order_by(col(&Member::id)))
                    .all(),
                "alice", "bob", "carol", "dave", "100% eve_");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).like("_ob"))).all(), "bob");
    // % and _ in the value are literal with contains/starts_with/ends_with
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).contains("0% e"))).all(), "100% eve_");
    BOOST_CHECK(s.execute(dorm::select<Member>().where(col(&Member::nick).contains("e%"))).all().empty());
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).ends_with("e_"))).all(), "100% eve_");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).starts_with("ca"))).all(), "carol");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).not_like("%a%")).order_by(col(&Member::id)))
                    .all(),
                "bob", "100% eve_");
}

BOOST_FIXTURE_TEST_CASE(in_between_and_null, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).in({"carol", "alice", "zed"}))
                              .order_by(col(&Member::id)))
                    .all(),
                "alice", "carol");
    BOOST_CHECK(s.execute(dorm::select<Member>().where(col(&Member::nick).in(std::vector<std::string>{}))).all().empty());
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::score).not_in({30, 50}))
                              .order_by(col(&Member::id)))
                    .all(),
                "dave", "100% eve_");  // NULL is neither in nor not in
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::score).between(10, 30))
                              .order_by(col(&Member::score)))
                    .all(),
                "100% eve_", "dave", "alice");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::score).is_null())).all(), "bob");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::score) == nullptr)).all(), "bob");
    BOOST_CHECK_EQUAL(s.execute(dorm::select<Member>().where(col(&Member::score).is_not_null())).all().size(), 4u);
}

BOOST_FIXTURE_TEST_CASE(values_that_look_like_sql_round_trip, member_db) {
    const std::vector<std::string> nasty{
        "'; DROP TABLE member; --", "x' OR '1'='1", "\\'; --", "", "Grüße 世界 🌍", "%_%", "$1", "?", ":nick",
    };
    {
        dorm::session s(engine);
        int i = 0;
        for (auto& v : nasty) s.add(Member{.email = "m" + std::to_string(i++) + "@x", .nick = v});
        s.commit();
    }
    BOOST_CHECK_EQUAL(rows("member"), static_cast<std::int64_t>(nasty.size()));
    dorm::session s(engine);
    for (auto& v : nasty) {
        BOOST_TEST_CONTEXT("value '" << v << "'") {
            auto found = s.execute(dorm::select<Member>().where(col(&Member::nick) == v)).all();
            BOOST_REQUIRE_EQUAL(found.size(), 1u);
            BOOST_CHECK(found[0]->nick == v);
            auto in = s.execute(dorm::select<Member>().where(col(&Member::nick).in({v}))).all();
            BOOST_CHECK_EQUAL(in.size(), 1u);
        }
    }
    // updates carry them as well
    auto m = s.execute(dorm::select<Member>().where(col(&Member::nick) == "")).scalar_one();
    m->nick = "'); DELETE FROM member; --";
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), static_cast<std::int64_t>(nasty.size()));
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.get<Member>(m->id)->nick, "'); DELETE FROM member; --");
}

BOOST_AUTO_TEST_SUITE_END()
