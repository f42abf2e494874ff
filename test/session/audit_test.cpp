// Conformance audit against SQLAlchemy 2.0: the session and unit of work, results, relationships
// and errors: one case per behaviour that no other suite checks, or checks only in part. Each case
// quotes the behaviour, names the SQLAlchemy test (under its test/) or documentation section
// (under doc/build/) that shows it, and asserts what SQLAlchemy 2.0 does. Known differences are
// disabled cases, each with its reason (listed in README.md, "Differences from SQLAlchemy").
#define BOOST_TEST_MODULE audit
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"
#include "messages.hpp"
#include "models.hpp"
#include "relation_checks.hpp"
#include "seeds.hpp"

using dorm::col;
using dorm_test::column_of;
using dorm_test::has;
using dorm_test::message_of;
using dorm_test::ph;
using dorm_test::q;
using dorm_test::seed_members;
using dorm_test::seed_users;

namespace {

using member_db = dorm_test::database<Member>;
using users_db = dorm_test::database<User, Profile, Comment>;
using invoices_db = dorm_test::database<Invoice, InvoiceLine>;
using posts_db = dorm_test::database<Post, Tag, PostTag>;

/// Parameter entries of the echo (lines starting with '[').
std::vector<std::string> param_entries(const dorm_test::echo_capture& echo) {
    std::vector<std::string> out;
    for (auto& e : echo.entries())
        if (dorm_test::echo_capture::is_params(e)) out.push_back(e);
    return out;
}

}  // namespace

// ---- Session / unit of work --------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(audit_session)

// test/orm/test_session.py::test_autoflush, orm/session_state_management.rst: "The map is weak-referencing: a
// clean persistent object with no other references can be garbage-collected, and a later get re-SELECTs it."
// Known difference (README.md, "Differences from SQLAlchemy"): the identity map holds objects strongly (the
// session owns its objects through shared_ptr) until the session ends.
BOOST_FIXTURE_TEST_CASE(s2_2_a_clean_object_nobody_holds_is_released_and_get_selects_again, member_db, *boost::unit_test::disabled()) {
    const auto ids = seed_members(engine, 3);
    dorm::session s(engine);
    std::weak_ptr<Member> w;
    {
        auto m = s.get<Member>(ids[0]);
        BOOST_REQUIRE(m);
        w = m;
    }
    s.commit();
    BOOST_CHECK_MESSAGE(w.expired(), "the session keeps a clean object alive that nobody else holds");
    echo.clear();
    auto again = s.get<Member>(ids[0]);
    BOOST_REQUIRE(again);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 1u);
}

// orm/cascades.rst (save-update cascade): "add cascades along save-update to related objects, including
// through backrefs: s.add(address) also adds address.user."
BOOST_FIXTURE_TEST_CASE(s2_4_add_of_a_child_cascades_to_its_parent, users_db) {
    auto u = std::make_shared<User>(User{.name = "parent", .age = 1});
    auto c = std::make_shared<Comment>(Comment{.comment = "child"});
    c->user = u;  // transient graph, built from the many-to-one side
    dorm::session s(engine);
    s.add(c);
    BOOST_CHECK_MESSAGE(s.contains(u), "add(child) did not cascade to child->user");
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK(u->id != 0);
    BOOST_CHECK_EQUAL(c->user_id, u->id);
    BOOST_CHECK_EQUAL(rows("user_table"), 1);
    BOOST_CHECK_EQUAL(rows("comment_table"), 1);
}

// test/orm/test_unitofworkv2.py::test_natural_ordering: "Within one table, INSERTs run in add() order, and
// UPDATEs/DELETEs run in primary-key order."
BOOST_FIXTURE_TEST_CASE(s2_5_deletes_run_in_primary_key_order, member_db) {
    const auto ids = seed_members(engine, 3);
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Member>().order_by(col(&Member::id))).all();
    BOOST_REQUIRE_EQUAL(all.size(), 3u);
    // marked in the order 2nd, 1st, 3rd
    s.remove(all[1]);
    s.remove(all[0]);
    s.remove(all[2]);
    echo.clear();
    s.commit();
    std::vector<std::string> deleted;  // the key of each DELETE, in execution order
    const auto entries = echo.entries();
    for (std::size_t i = 0; i + 1 < entries.size(); ++i)
        if (entries[i].starts_with("DELETE")) deleted.push_back(entries[i + 1]);
    BOOST_REQUIRE_MESSAGE(deleted.size() == 3u || echo.count_statements("DELETE") == 1u, echo.dump());
    if (deleted.size() == 3u)
        for (std::size_t i = 0; i < 3; ++i)
            BOOST_CHECK_MESSAGE(deleted[i].find("(" + std::to_string(ids[i]) + ",)") != std::string::npos,
                                "DELETE #" << i << " is not for id " << ids[i] << ": " << deleted[i] << "\n"
                                           << echo.dump());
}

// test/orm/test_session.py::test_autoflush: "Pending changes are flushed before any
// execute/scalars/get-that-hits-SQL/lazy load."
BOOST_FIXTURE_TEST_CASE(s2_6_a_get_that_runs_sql_autoflushes_first, member_db) {
    const auto ids = seed_members(engine, 3);
    dorm::session s(engine);
    s.add(Member{.email = "new@x", .nick = "new"});
    auto m = s.get<Member>(ids[1]);  // not in the identity map: a SELECT
    BOOST_REQUIRE(m);
    const int insert = echo.find_statement("INSERT");
    const int select = echo.find_statement("SELECT");
    BOOST_REQUIRE_MESSAGE(insert >= 0, "get() did not autoflush the pending INSERT:\n" << echo.dump());
    BOOST_CHECK(insert < select);
    s.rollback();
}

// test/orm/test_session.py::test_autoflush: "An IntegrityError raised during autoflush is prefixed (raised as
// a result of Query-invoked autoflush; consider using a session.no_autoflush block if this flush is occurring
// prematurely)." The error keeps its type (a unique_violation here) and its backend code.
BOOST_FIXTURE_TEST_CASE(s2_6_an_autoflush_error_says_it_came_from_autoflush, member_db) {
    seed_members(engine, 3);
    dorm::session s(engine);
    s.add(Member{.email = "bob@example.com", .nick = "bob again"});
    std::string what = "<no integrity_error>";
    try {
        s.execute(dorm::select<Member>()).all();
    } catch (const dorm::unique_violation& e) {
        what = e.what();
    }
    BOOST_CHECK_MESSAGE(what.find("(raised as a result of Query-invoked autoflush; consider using a "
                                  "session.no_autoflush block if this flush is occurring prematurely)") !=
                            std::string::npos,
                        what);
    s.rollback();
}

// The same (test/orm/test_session.py::test_autoflush) with a lazy load: the flush a lazy load starts says so
// too, and keeps the error's type and details (here a data_error found before any SQL: a name longer than its
// VARCHAR(30)).
BOOST_FIXTURE_TEST_CASE(s2_6_an_autoflush_error_of_a_lazy_load_says_it_came_from_autoflush, users_db) {
    seed_users(engine);
    dorm::session s(engine);
    auto u = s.execute(dorm::select<User>().order_by(col(&User::id))).first();
    BOOST_REQUIRE(u);
    s.add(User{.name = std::string(31, 'x'), .age = 1});
    std::string what = "<no data_error>";
    try {
        (void)u->comments.size();  // lazy load -> autoflush -> the new user's name does not fit
    } catch (const dorm::data_error& e) {
        what = e.what();
        BOOST_CHECK_EQUAL(e.table(), "user_table");
        BOOST_CHECK_EQUAL(e.column(), "name");
    }
    BOOST_CHECK_MESSAGE(what.find("(raised as a result of Query-invoked autoflush; consider using a "
                                  "session.no_autoflush block if this flush is occurring prematurely)") == 0,
                        what);
    BOOST_CHECK_MESSAGE(what.find("VARCHAR(30)") != std::string::npos, what);
    s.rollback();
    // the guard: no flush, so the lazy load works while the half-built object waits
    s.add(User{.name = std::string(31, 'y'), .age = 2});
    {
        auto guard = s.no_autoflush();
        BOOST_CHECK_EQUAL(u->comments.size(), 2u);
    }
    BOOST_CHECK_THROW(s.flush(), dorm::data_error);
    s.rollback();
}

// test/orm/test_unitofwork.py::test_dont_update_blanks, test/orm/test_unitofworkv2.py::test_no_update_no_change
// (dirty detection): "Objects with the same changed-column set are batched into one executemany:
// UPDATE u SET name=? WHERE u.id = ? / [('A', 1), ('B', 2)]."
// Known difference (README.md, "Differences from SQLAlchemy"): echo logs one parameter line per UPDATE.
BOOST_FIXTURE_TEST_CASE(s2_7_updates_of_the_same_columns_are_one_executemany, member_db, *boost::unit_test::disabled()) {
    const auto ids = seed_members(engine, 3);
    dorm::session s(engine);
    auto a = s.get<Member>(ids[0]);
    auto b = s.get<Member>(ids[1]);
    s.commit();
    a->nick = "A";
    b->nick = "B";
    echo.clear();
    s.commit();
    BOOST_CHECK_MESSAGE(echo.count_statements("UPDATE") == 1u, "one UPDATE entry expected:\n" << echo.dump());
    const std::string expected =
        "[('A', " + std::to_string(ids[0]) + "), ('B', " + std::to_string(ids[1]) + ")]";
    bool found = false;
    for (auto& p : param_entries(echo))
        if (p.find(expected) != std::string::npos) found = true;
    BOOST_CHECK_MESSAGE(found, "no executemany parameter list " << expected << ":\n" << echo.dump());
}

// The same tests (dirty detection): "DELETEs batch the same way: [(1,), (2,)]."
// Known difference (README.md, "Differences from SQLAlchemy"): echo logs one parameter line per DELETE.
BOOST_FIXTURE_TEST_CASE(s2_7_deletes_are_one_executemany, member_db, *boost::unit_test::disabled()) {
    const auto ids = seed_members(engine, 3);
    dorm::session s(engine);
    auto a = s.get<Member>(ids[0]);
    auto b = s.get<Member>(ids[1]);  // both loaded first: a get() that runs SQL autoflushes a remove()
    s.remove(a);
    s.remove(b);
    echo.clear();
    s.commit();
    BOOST_CHECK_MESSAGE(echo.count_statements("DELETE") == 1u, "one DELETE entry expected:\n" << echo.dump());
    const std::string expected = "[(" + std::to_string(ids[0]) + ",), (" + std::to_string(ids[1]) + ",)]";
    bool found = false;
    for (auto& p : param_entries(echo))
        if (p.find(expected) != std::string::npos) found = true;
    BOOST_CHECK_MESSAGE(found, "no executemany parameter list " << expected << ":\n" << echo.dump());
}

// tutorial/orm_data_manipulation.rst (INSERT of pending objects): "An explicit PK is included in the INSERT
// column list ... Column order in the INSERT follows the table and omits None-valued autoincrement columns"
// (a None non-default column is sent as NULL).
BOOST_FIXTURE_TEST_CASE(s2_8_insert_column_lists, member_db) {
    dorm::session s(engine);
    s.add(Member{.id = 77, .email = "x@x", .nick = "x"});
    s.flush();
    const std::string with_pk = "INSERT INTO " + q("member") + " (" + q("id") + ", " + q("email") + ", " + q("nick") +
                                ", " + q("score") + ")";
    BOOST_CHECK_MESSAGE(echo.find_statement(with_pk) >= 0, echo.dump());
    echo.clear();
    auto g = s.add(Member{.email = "y@x", .nick = "y"});
    s.flush();
    const std::string generated =
        "INSERT INTO " + q("member") + " (" + q("email") + ", " + q("nick") + ", " + q("score") + ")";
    BOOST_CHECK_MESSAGE(echo.find_statement(generated) >= 0, echo.dump());
    BOOST_CHECK(g->id != 0);
    s.commit();
}

// test/orm/test_expire.py::test_refresh_autoflush: "refresh(obj) runs the SELECT immediately ...
// Relationship-driven FK changes are still autoflushed first" (test_expire.py::test_refresh_autoflush:
// a1.user = u1; refresh -> a1.user_id == 7).
BOOST_FIXTURE_TEST_CASE(s2_11_refresh_autoflushes_relationship_changes_first, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u0 = s.get<User>(ids[0]);
    auto u1 = s.get<User>(ids[1]);
    BOOST_REQUIRE_EQUAL(u0->comments.size(), 2u);  // both collections loaded
    BOOST_REQUIRE_EQUAL(u1->comments.size(), 2u);
    auto c = u0->comments[0];
    c->user = u1;  // relationship change only; user_id is synchronised by a flush
    BOOST_CHECK_EQUAL(c->user_id, ids[0]);
    echo.clear();
    s.refresh(c);
    BOOST_CHECK_MESSAGE(echo.find_statement("UPDATE " + q("comment_table")) >= 0,
                        "refresh() did not autoflush the relationship change:\n" << echo.dump());
    BOOST_CHECK_EQUAL(c->user_id, ids[1]);
    s.commit();
    BOOST_CHECK(column_of(engine, "comment_table", "user_id", c->id) == ids[1]);
}

// test/orm/test_session.py::test_explicit_expunge_pending, orm/cascades.rst (expunge): "expunge(obj) detaches
// the object and cascades along expunge (included in all)." Known difference (README.md, "Differences from
// SQLAlchemy"): expunge does not cascade.
BOOST_FIXTURE_TEST_CASE(s2_13_expunge_cascades_along_all, invoices_db, *boost::unit_test::disabled()) {
    const int inv_id = dorm_test::seed_invoice(engine);
    dorm::session s(engine);
    auto inv = s.get<Invoice>(inv_id);
    BOOST_REQUIRE_EQUAL(inv->lines.size(), 2u);
    auto line = inv->lines[0];
    BOOST_REQUIRE(s.contains(line));
    s.expunge(inv);  // cascade("all, delete-orphan") includes expunge
    BOOST_CHECK(!s.contains(inv));
    BOOST_CHECK_MESSAGE(!s.contains(line), "expunge(invoice) left its line in the session");
    line->item = "changed after expunge";
    echo.clear();
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
    BOOST_CHECK_MESSAGE(echo.count_statements("INSERT") == 0u, "the expunged invoice was INSERTed again:\n"
                                                                  << echo.dump());
}

// test/orm/test_session.py::test_explicit_expunge_deleted: an expunged persistent object is detached, not
// transient: adding it back makes it persistent again (SQLAlchemy: Session._update_impl), never an INSERT.
BOOST_FIXTURE_TEST_CASE(s2_4_re_adding_an_expunged_object_does_not_insert_it, member_db) {
    const auto ids = seed_members(engine, 3);
    dorm::session s(engine);
    auto m = s.get<Member>(ids[0]);
    s.expunge(m);
    BOOST_CHECK(!s.contains(m));
    s.add(m);
    s.add(m);  // twice: still one object in the session
    BOOST_CHECK(s.contains(m));
    BOOST_CHECK(!s.is_modified(m));
    m->nick = "back";
    echo.clear();
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_MESSAGE(echo.count_statements("INSERT") == 0u, echo.dump());
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 1u);
    BOOST_CHECK_EQUAL(rows("member"), 3);
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.get<Member>(ids[0])->nick, "back");
}

// orm/session_state_management.rst (detached objects): a detached object — here: its session ended — added
// to a new session is persistent there; a change to it is an UPDATE, not an INSERT.
BOOST_FIXTURE_TEST_CASE(s2_4_a_detached_object_added_to_a_new_session_is_updated_not_inserted, member_db) {
    const auto ids = seed_members(engine, 3);
    std::shared_ptr<Member> m;
    {
        dorm::session s(engine);
        m = s.get<Member>(ids[0]);
    }
    dorm::session s2(engine);
    s2.add(m);
    m->nick = "again";
    echo.clear();
    BOOST_CHECK_NO_THROW(s2.commit());
    BOOST_CHECK_MESSAGE(echo.count_statements("INSERT") == 0u, echo.dump());
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 1u);
    BOOST_CHECK_EQUAL(rows("member"), 3);
}

// orm/cascades.rst (save-update, expunge): expunging a parent whose loaded child stays in the session must
// not make the next flush INSERT the parent again (SQLAlchemy warns "not in session, add operation along
// 'Comment.user' will not proceed" and writes only the child's UPDATE).
BOOST_FIXTURE_TEST_CASE(s2_13_a_flush_after_expunging_a_parent_does_not_insert_it, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u = s.get<User>(ids[0]);
    BOOST_REQUIRE_EQUAL(u->comments.size(), 2u);
    auto c = u->comments[0];
    s.expunge(u);  // default cascade: the comments stay in the session
    BOOST_REQUIRE(s.contains(c));
    c->comment = "edited";
    echo.clear();
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_MESSAGE(echo.count_statements("INSERT") == 0u, "the expunged user was INSERTed again:\n"
                                                                  << echo.dump());
    BOOST_CHECK_EQUAL(rows("user_table"), 3);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- Results ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(audit_results)

// test/base/test_result.py::test_first: "first() returns the first Row or None, then closes the result, so a
// later .all() raises ResourceClosedError." Known difference (README.md, "Differences from SQLAlchemy"): a
// closed result returns no rows instead of raising (no resource_closed_error yet).
BOOST_FIXTURE_TEST_CASE(s3_3_first_closes_the_result, member_db, *boost::unit_test::disabled()) {
    seed_members(engine, 3);
    dorm::session s(engine);
    auto r = s.execute(dorm::select<Member>().order_by(col(&Member::id)));
    auto first = r.first();
    BOOST_REQUIRE(first);
    std::vector<std::shared_ptr<Member>> rest;
    bool threw = false;
    try {
        rest = r.all();
    } catch (const dorm::error&) {
        threw = true;
    }
    BOOST_CHECK_MESSAGE(threw, "all() after first() did not raise (returned " << rest.size() << " rows)");
}

BOOST_AUTO_TEST_SUITE_END()

// ---- Relationships ----------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(audit_relationships)

// test/orm/test_backref_mutations.py::test_collection_move_preloaded: "back_populates synchronises in Python,
// before any flush" — instrumented on the class, so it holds for objects that are not in a session yet
// (test_backref_mutations.py works on transient objects). Known difference (README.md, "Differences from
// SQLAlchemy" and "Relationships before add()"; .ci/NOTES.md "Relationships before add()"): back_populates is
// kept in step at once only for objects in a session (the session wires the hooks); objects linked before
// add() are reconciled when they join one (test/session/relationships_before_add_test.cpp, suite before_add).
// C++ cannot reach the owner's shared_ptr from its member, and a two-way link between transient objects would
// be a cycle.
BOOST_FIXTURE_TEST_CASE(s4_2_back_populates_works_before_the_objects_join_a_session, users_db, *boost::unit_test::disabled()) {
    auto u = std::make_shared<User>(User{.name = "u", .age = 1});
    auto c1 = std::make_shared<Comment>(Comment{.comment = "c1"});
    auto c2 = std::make_shared<Comment>(Comment{.comment = "c2"});
    u->comments.push_back(c1);
    BOOST_CHECK_MESSAGE(c1->user.get() == u, "push_back on a transient parent did not set child->user");
    c2->user = u;
    BOOST_CHECK_MESSAGE(has(u->comments, c2), "child->user = parent (transient) did not append to parent->comments");
    auto p = std::make_shared<Post>(Post{.title = "p"});
    auto t = std::make_shared<Tag>(Tag{.name = "t"});
    p->tags.push_back(t);
    BOOST_CHECK_MESSAGE(has(t->posts, p), "many-to-many push_back on transient objects did not set the other side");
}

// test/orm/test_sync.py and the FAQ "I set the foo_id attribute...": "Setting a.user_id = 3 directly does not
// update a loaded a.user until it is expired" — and the flush writes the column that was set (FAQ "I set the
// foo_id attribute...").
BOOST_FIXTURE_TEST_CASE(s4_3_setting_the_foreign_key_keeps_the_loaded_relationship_and_is_written, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto c = s.execute(dorm::select<Comment>().where(col(&Comment::comment) == "c00")).scalar_one();
    auto u0 = c->user.get();  // loaded
    BOOST_REQUIRE(u0);
    BOOST_REQUIRE_EQUAL(u0->id, ids[0]);
    c->user_id = ids[1];
    BOOST_CHECK(c->user.get() == u0);  // not refreshed in memory
    s.commit();
    BOOST_CHECK_MESSAGE(column_of(engine, "comment_table", "user_id", c->id) == ids[1],
                        "the directly set foreign key was not written (user_id in the row: "
                            << column_of(engine, "comment_table", "user_id", c->id).value_or(-1)
                            << ", in the object: " << c->user_id << ")");
}

// ...and after that flush, the stale parent in memory does not write its key back: a later flush
// of an unrelated change keeps the foreign key that was set (SQLAlchemy never writes a foreign key
// from a relationship that did not change; its commit expires the stale one, which then loads by
// the new key, as it does here).
BOOST_FIXTURE_TEST_CASE(s4_3_a_foreign_key_set_directly_survives_later_flushes, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto c = s.execute(dorm::select<Comment>().where(col(&Comment::comment) == "c00")).scalar_one();
    auto u0 = c->user.get();
    BOOST_REQUIRE(u0);
    c->user_id = ids[1];
    s.commit();
    BOOST_REQUIRE(column_of(engine, "comment_table", "user_id", c->id) == ids[1]);
    c->comment = "edited";  // an unrelated change
    s.commit();
    BOOST_CHECK_MESSAGE(column_of(engine, "comment_table", "user_id", c->id) == ids[1],
                        "a later flush wrote the stale parent's key back (user_id in the row: "
                            << column_of(engine, "comment_table", "user_id", c->id).value_or(-1) << ")");
    BOOST_CHECK_EQUAL(c->user_id, ids[1]);
    auto u1 = c->user.get();  // loads by the new key
    BOOST_REQUIRE(u1);
    BOOST_CHECK_EQUAL(u1->id, ids[1]);
    c->comment = "again";
    s.commit();
    BOOST_CHECK(column_of(engine, "comment_table", "user_id", c->id) == ids[1]);
}

// The same (test/orm/test_sync.py), the other two ways: a foreign key set directly on a child of a LOADED
// collection is written too; a relationship assigned in the same flush decides over a foreign key set
// directly.
BOOST_FIXTURE_TEST_CASE(s4_3_foreign_key_of_a_child_in_a_loaded_collection_and_an_assigned_relationship, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u0 = s.get<User>(ids[0]);
    BOOST_REQUIRE_EQUAL(u0->comments.size(), 2u);  // loaded
    auto c = u0->comments[0];
    auto d = u0->comments[1];
    c->user_id = ids[1];
    s.commit();
    BOOST_CHECK(column_of(engine, "comment_table", "user_id", c->id) == ids[1]);
    // the collection follows the key (foreign_key_follow_test.cpp)
    BOOST_CHECK_EQUAL(u0->comments.size(), 1u);
    d->user = s.get<User>(ids[2]);  // assigned: it decides
    d->user_id = ids[1];
    s.commit();
    BOOST_CHECK(column_of(engine, "comment_table", "user_id", d->id) == ids[2]);
    BOOST_CHECK_EQUAL(d->user_id, ids[2]);
}

// test/orm/test_manytomany.py, test/orm/test_unitofworkv2.py::test_many_to_many: "Deleting a Post ... deletes
// each association row (DELETE FROM post_tag WHERE post_tag.post_id = ? AND post_tag.tag_id = ?), then
// deletes the post." Known difference (README.md, "Differences from SQLAlchemy"): clearing a many-to-many
// collection deletes its association rows by the owner key only.
BOOST_FIXTURE_TEST_CASE(s4_5_association_rows_are_deleted_by_both_keys, posts_db, *boost::unit_test::disabled()) {
    const int p_id = dorm_test::seed_post_with_tags(engine);
    dorm::session s(engine);
    s.remove(s.get<Post>(p_id));
    echo.clear();
    s.commit();
    const std::string expected = "DELETE FROM " + q("post_tag") + " WHERE " + q("post_tag") + "." + q("post_id") +
                                 " = " + ph(1) + " AND " + q("post_tag") + "." + q("tag_id") + " = " + ph(2);
    BOOST_CHECK_MESSAGE(echo.find_statement(expected) >= 0, "expected " << expected << ":\n" << echo.dump());
    BOOST_CHECK_EQUAL(rows("post_tag"), 0);
    BOOST_CHECK_EQUAL(rows("tag"), 2);
}

// test/orm/test_unitofworkv2.py::test_one_to_many_delete_parent: "If the FK column is NOT NULL, this raises
// IntegrityError ... The same applies ... to removing a child from a collection without delete-orphan."
BOOST_FIXTURE_TEST_CASE(s4_7_removing_a_not_null_child_from_its_collection_is_an_integrity_error, users_db) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u = s.get<User>(ids[0]);
    BOOST_REQUIRE_EQUAL(u->comments.size(), 2u);
    auto c = u->comments[0];
    u->comments.erase(u->comments.begin());
    BOOST_CHECK(!c->user);
    BOOST_CHECK_THROW(s.commit(), dorm::integrity_error);
    s.rollback();
    BOOST_CHECK_EQUAL(rows("comment_table"), 6);
}

// test/orm/test_lazy_relations.py: "lazy=select ... emits SELECT address.* FROM address WHERE ? =
// address.user_id (note the param-first ordering)." Known difference (README.md, "Differences from
// SQLAlchemy"): cosmetic: the lazy-load SQL puts the column first.
BOOST_FIXTURE_TEST_CASE(s4_9_lazy_load_sql_puts_the_parameter_first, users_db, *boost::unit_test::disabled()) {
    const auto ids = seed_users(engine);
    dorm::session s(engine);
    auto u = s.get<User>(ids[0]);
    echo.clear();
    BOOST_CHECK_EQUAL(u->comments.size(), 2u);
    const std::string where = "WHERE " + ph(1) + " = " + q("comment_table") + "." + q("user_id");
    BOOST_CHECK_MESSAGE(echo.count_containing(where) == 1u, "expected '" << where << "':\n" << echo.dump());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- Errors -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(audit_errors)

// errors.rst (gkpj, IntegrityError): "(sqlite3.IntegrityError) UNIQUE constraint failed:
// user_account.name\n[SQL: INSERT ...]\n [parameters: ('a', None)]\n(Background on this error at:
// https://sqlalche.me/e/20/gkpj)". Known difference (README.md, "Differences from SQLAlchemy"): error
// messages have no [parameters: ...] / Background lines yet.
BOOST_FIXTURE_TEST_CASE(s7_1_integrity_error_text, member_db, *boost::unit_test::disabled()) {
    seed_members(engine, 3);
    dorm::session s(engine);
    s.add(Member{.email = "alice@example.com", .nick = "dup"});
    std::string what = "<no integrity_error>";
    try {
        s.commit();
    } catch (const dorm::integrity_error& e) {
        what = e.what();
    }
    if (dorm_test::is_sqlite())
        BOOST_CHECK_MESSAGE(what.starts_with("(sqlite3.IntegrityError) UNIQUE constraint failed: member.email"), what);
    BOOST_CHECK_MESSAGE(what.find("\n[SQL: INSERT INTO ") != std::string::npos, what);
    BOOST_CHECK_MESSAGE(what.find("\n[parameters: ('alice@example.com', 'dup', None)]") != std::string::npos, what);
    BOOST_CHECK_MESSAGE(what.find("\n(Background on this error at: https://sqlalche.me/e/20/gkpj)") !=
                            std::string::npos,
                        what);
    s.rollback();
}

// test/orm/test_transaction.py::test_preserve_flush_error: "After a flush error, every call raises
// PendingRollbackError until rollback(). Repeated calls keep raising the same wrapped original."
BOOST_FIXTURE_TEST_CASE(e4_repeated_pending_rollback_errors_quote_the_same_original, member_db) {
    seed_members(engine, 3);
    dorm::session s(engine);
    s.add(Member{.email = "alice@example.com", .nick = "dup"});
    std::string original;
    try {
        s.commit();
    } catch (const dorm::integrity_error& e) {
        original = e.what();
    }
    BOOST_REQUIRE(!original.empty());
    const std::string m1 = message_of([&] { s.flush(); });
    const std::string m2 = message_of([&] { s.execute(dorm::select<Member>()).all(); });
    const std::string m3 = message_of([&] { s.commit(); });
    BOOST_CHECK(m1.ends_with(original));
    BOOST_CHECK_EQUAL(m1, m2);
    BOOST_CHECK_EQUAL(m1, m3);
    s.rollback();
}

// test/orm/test_lazy_relations.py, test/orm/test_expire.py::test_no_session (bhk3): "Parent instance <User at
// 0x..> is not bound to a Session; lazy load operation of attribute 'addresses' cannot proceed" (bhk3). Known
// difference (README.md, "Differences from SQLAlchemy"): the detached lazy-load message does not name the
// attribute yet.
BOOST_FIXTURE_TEST_CASE(s7_3_detached_lazy_load_message_names_the_attribute, users_db, *boost::unit_test::disabled()) {
    const auto ids = seed_users(engine);
    std::shared_ptr<User> u;
    {
        dorm::session s(engine);
        u = s.get<User>(ids[0]);
    }
    std::string what = "<no detached_instance_error>";
    try {
        (void)u->comments.size();
    } catch (const dorm::detached_instance_error& e) {
        what = e.what();
    }
    BOOST_CHECK_MESSAGE(what.starts_with("Parent instance <User"), what);
    BOOST_CHECK_MESSAGE(
        what.find("is not bound to a Session; lazy load operation of attribute 'comments' cannot proceed") !=
            std::string::npos,
        what);
}

BOOST_AUTO_TEST_SUITE_END()
