// Bulk DML against a real database: update() / delete() with their rowcounts and the session's
// objects kept in step, multi-row insert() chunked under the parameter limit, upserts.
#include <boost/test/unit_test.hpp>

#include <limits>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "models.hpp"
#include "query_fixtures.hpp"
#include "show_rows.hpp"

using dorm::col;
using dorm_test::q;

BOOST_AUTO_TEST_SUITE(bulk_dml)

BOOST_FIXTURE_TEST_CASE(update_returns_the_rowcount_and_refreshes_session_objects, member_db) {
    const auto ids = seed_bulk_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    auto bob = s.get<Member>(ids[1]);
    auto carol = s.get<Member>(ids[2]);
    BOOST_REQUIRE(alice && bob && carol);

    auto r = s.execute(dorm::update<Member>()
                           .set(col(&Member::score), col(&Member::score) + 5)
                           .where(col(&Member::nick).in({"alice", "carol", "dave"})));
    BOOST_CHECK_EQUAL(r.rowcount(), 3);
    // objects already in the session see the new values (same objects)
    BOOST_CHECK(alice->score == std::optional<int>(35));
    BOOST_CHECK(carol->score == std::optional<int>(55));
    BOOST_CHECK(bob->score == std::nullopt);
    BOOST_CHECK(s.get<Member>(ids[0]).get() == alice.get());
    BOOST_CHECK(!s.is_modified(alice));  // the new values are the row's, nothing to write
    // a query returns the session's object with the new value
    auto again = s.execute(dorm::select<Member>().where(col(&Member::nick) == "alice")).scalar_one();
    BOOST_CHECK(again.get() == alice.get());
    BOOST_CHECK(again->score == std::optional<int>(35));

    // several columns, a NULL, a condition on the updated column itself
    auto r2 = s.execute(dorm::update<Member>()
                            .set(col(&Member::nick), "low")
                            .set(col(&Member::score), std::nullopt)
                            .where(col(&Member::score) < 30));
    BOOST_CHECK_EQUAL(r2.rowcount(), 2);  // dave 25, eve 10
    BOOST_CHECK_EQUAL(s.execute(dorm::update<Member>().set(col(&Member::nick), "x").where(col(&Member::id) < 0)).rowcount(), 0);
    // rows matched, not rows changed (a row updated to the value it has counts too)
    BOOST_CHECK_EQUAL(s.execute(dorm::update<Member>().set(col(&Member::nick), "bob").where(col(&Member::nick) == "bob"))
                          .rowcount(),
                      1);
    s.commit();
    BOOST_TEST(member_table(engine) ==
               "[(alice@x, alice, 35), (bob@x, bob, null), (carol@x, carol, 55), (dave@x, low, null), (eve@x, low, null)]");
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 4u);
}

BOOST_FIXTURE_TEST_CASE(update_with_unflushed_changes_and_rollback, member_db) {
    const auto ids = seed_bulk_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    alice->nick = "alice2";  // autoflushed before the UPDATE
    auto r = s.execute(dorm::update<Member>().set(col(&Member::score), 0).where(col(&Member::nick) == "alice2"));
    BOOST_CHECK_EQUAL(r.rowcount(), 1);
    BOOST_CHECK(alice->score == std::optional<int>(0));
    BOOST_CHECK_EQUAL(alice->nick, "alice2");
    s.rollback();
    BOOST_CHECK(alice->score == std::optional<int>(30));  // committed values back
    BOOST_CHECK_EQUAL(alice->nick, "alice");
    BOOST_TEST(member_table(engine) ==
               "[(alice@x, alice, 30), (bob@x, bob, null), (carol@x, carol, 50), (dave@x, dave, 20), (eve@x, eve, 10)]");
}

BOOST_FIXTURE_TEST_CASE(delete_returns_the_rowcount_and_removes_session_objects, member_db) {
    const auto ids = seed_bulk_members(engine);
    dorm::session s(engine);
    auto everyone = all_of(s, dorm::select<Member>().order_by(col(&Member::id)));
    BOOST_REQUIRE_EQUAL(everyone.size(), 5u);
    auto dave = everyone[3];
    auto eve = everyone[4];

    auto r = s.execute(dorm::delete_from<Member>().where(col(&Member::score) < 25));
    BOOST_CHECK_EQUAL(r.rowcount(), 2);
    BOOST_CHECK(!s.contains(dave));
    BOOST_CHECK(!s.contains(eve));
    BOOST_CHECK(s.contains(everyone[0]));
    BOOST_CHECK(s.get<Member>(ids[3]) == nullptr);  // no stale object
    BOOST_CHECK(s.get<Member>(ids[4]) == nullptr);
    BOOST_TEST(show(all_of(s, dorm::select<Member>().order_by(col(&Member::id)))) == "[alice, bob, carol]");
    BOOST_CHECK_EQUAL(s.execute(dorm::delete_from<Member>().where(col(&Member::nick) == "nobody")).rowcount(), 0);
    // a subquery in the condition (on the same table: MySQL refuses that with error 1093, MariaDB
    // >= 10.3.1 accepts it)
    auto r2 = s.execute(dorm::delete_from<Member>().where(
        col(&Member::id).in(dorm::select(col(&Member::id)).where(col(&Member::score).is_null()))));
    BOOST_CHECK_EQUAL(r2.rowcount(), 1);
    BOOST_CHECK(!s.contains(everyone[1]));
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), 2);
    // without a condition: every row
    BOOST_CHECK_EQUAL(s.execute(dorm::delete_from<Member>()).rowcount(), 2);
    BOOST_CHECK(!s.contains(everyone[0]));
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), 0);
}

BOOST_FIXTURE_TEST_CASE(a_rolled_back_delete_brings_the_objects_back, member_db) {
    const auto ids = seed_bulk_members(engine);
    dorm::session s(engine);
    auto dave = s.get<Member>(ids[3]);
    BOOST_CHECK_EQUAL(s.execute(dorm::delete_from<Member>().where(col(&Member::nick) == "dave")).rowcount(), 1);
    BOOST_CHECK(!s.contains(dave));
    s.rollback();
    BOOST_CHECK(s.contains(dave));
    BOOST_CHECK(s.get<Member>(ids[3]).get() == dave.get());
    BOOST_CHECK_EQUAL(rows("member"), 5);
}

BOOST_FIXTURE_TEST_CASE(insert_of_many_rows_is_chunked_under_the_parameter_limit, wide_db) {
    int max_params = 0;
    {
        auto c = engine.connect();
        max_params = c.raw().max_params();
    }
    BOOST_REQUIRE(max_params > 0);
    const int per_statement = max_params / 9;  // nine columns besides the generated key
    const int n = 2 * per_statement + 7;       // three statements
    BOOST_TEST_MESSAGE("max_params " << max_params << ", " << n << " rows");
    std::vector<Wide> rows_;
    rows_.reserve(static_cast<std::size_t>(n));
    std::int64_t sum_a = 0;
    for (int i = 0; i < n; ++i) {
        rows_.push_back(Wide{.a = i, .b = 2 * i, .c = -i, .d = i % 7, .e = 1, .f = 0, .g = i % 2,
                             .h = i % 3 == 0 ? std::optional<int>() : std::optional<int>(i), .s = "row" + std::to_string(i)});
        sum_a += i;
    }
    dorm::session s(engine);
    echo.clear();
    auto r = s.execute(dorm::insert<Wide>().values(rows_));
    BOOST_CHECK_EQUAL(r.rowcount(), n);
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT INTO"), 3u);  // one multi-row statement per chunk
    BOOST_CHECK_EQUAL(s.size(), 0u);                                // the rows are not added to the session
    s.commit();
    BOOST_CHECK_EQUAL(rows("wide"), n);
    auto check = s.execute(dorm::select(dorm::count(), dorm::sum(col(&Wide::a)), dorm::sum(col(&Wide::b)),
                                        dorm::count(col(&Wide::h)), dorm::max(col(&Wide::s))))
                     .one();
    BOOST_CHECK_EQUAL(std::get<0>(check), n);
    BOOST_CHECK(std::get<1>(check) == std::optional<std::int64_t>(sum_a));
    BOOST_CHECK(std::get<2>(check) == std::optional<std::int64_t>(2 * sum_a));
    BOOST_CHECK_EQUAL(std::get<3>(check), n - (n + 2) / 3);
    // every row arrived whole: a row from the last chunk
    const int last = n - 1;
    auto row = s.execute(dorm::select<Wide>().where(col(&Wide::a) == last)).scalar_one();
    BOOST_CHECK_EQUAL(row->b, 2 * last);
    BOOST_CHECK_EQUAL(row->c, -last);
    BOOST_CHECK_EQUAL(row->s, "row" + std::to_string(last));

    s.rollback();  // end the read transaction

    // the same through a connection
    auto c = engine.connect();
    c.begin();
    echo.clear();
    BOOST_CHECK_EQUAL(dorm::execute(c, dorm::insert<Wide>().values(rows_)).rowcount(), n);
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT INTO"), 3u);
    c.commit();
    BOOST_CHECK_EQUAL(rows("wide"), 2 * n);
}

BOOST_FIXTURE_TEST_CASE(insert_of_a_few_rows_is_one_statement, member_db) {
    dorm::session s(engine);
    std::vector<std::shared_ptr<Member>> ms{std::make_shared<Member>(Member{.email = "a@x", .nick = "a", .score = 1}),
                                            std::make_shared<Member>(Member{.email = "b@x", .nick = "b"})};
    echo.clear();
    BOOST_CHECK_EQUAL(s.execute(dorm::insert<Member>().values(ms)).rowcount(), 2);
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT INTO"), 1u);
    BOOST_CHECK_EQUAL(ms[0]->id, 0);  // not added, no key read back
    // an explicit key goes in a statement of its own (its column list differs)
    echo.clear();
    BOOST_CHECK_EQUAL(s.execute(dorm::insert<Member>().values({Member{.email = "c@x", .nick = "c"},
                                                              Member{.id = 1000, .email = "d@x", .nick = "d", .score = 4}}))
                          .rowcount(),
                      2);
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT INTO"), 2u);
    s.commit();
    BOOST_TEST(member_table(engine) == "[(a@x, a, 1), (b@x, b, null), (c@x, c, null), (d@x, d, 4)]");
    auto d = s.get<Member>(1000);
    BOOST_REQUIRE(d);
    BOOST_CHECK_EQUAL(d->nick, "d");
    // a unique violation fails the statement
    BOOST_CHECK_THROW(s.execute(dorm::insert<Member>().values({Member{.email = "a@x", .nick = "dup"}})), dorm::unique_violation);
    s.rollback();
    BOOST_CHECK_EQUAL(rows("member"), 4);
}

BOOST_FIXTURE_TEST_CASE(upsert_do_update, member_db) {
    seed_bulk_members(engine);
    dorm::session s(engine);
    echo.clear();
    auto r = s.execute(dorm::insert<Member>()
                           .values({Member{.email = "alice@x", .nick = "alice2", .score = 99},
                                    Member{.email = "frank@x", .nick = "frank", .score = 1},
                                    Member{.email = "bob@x", .nick = "bob2", .score = std::nullopt}})
                           .on_conflict(col(&Member::email))
                           .do_update(col(&Member::nick), col(&Member::score)));
    // affected rows: 1 per insert and 1 per update, on every backend (MySQL's own count is 2 per update)
    BOOST_CHECK_EQUAL(r.rowcount(), 3);
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT INTO"), 1u);
    if (dorm_test::is_mysql())
        BOOST_CHECK_EQUAL(echo.count_containing("ON DUPLICATE KEY UPDATE"), 1u);
    else
        BOOST_CHECK_EQUAL(echo.count_containing("ON CONFLICT (" + q("email") + ") DO UPDATE SET"), 1u);
    s.commit();
    BOOST_TEST(member_table(engine) == "[(alice@x, alice2, 99), (bob@x, bob2, null), (carol@x, carol, 50), "
                                       "(dave@x, dave, 20), (eve@x, eve, 10), (frank@x, frank, 1)]");
    // only the listed columns are updated
    BOOST_CHECK_EQUAL(s.execute(dorm::insert<Member>()
                                    .values({Member{.email = "carol@x", .nick = "ignored", .score = 7}})
                                    .on_conflict(col(&Member::email))
                                    .do_update(col(&Member::score)))
                          .rowcount(),
                      1);
    s.commit();
    BOOST_TEST(member_table(engine) == "[(alice@x, alice2, 99), (bob@x, bob2, null), (carol@x, carol, 7), "
                                       "(dave@x, dave, 20), (eve@x, eve, 10), (frank@x, frank, 1)]");
    BOOST_CHECK_EQUAL(rows("member"), 6);
}

// rowcount() of an upsert is the same on every backend: rows inserted + rows updated (an update
// that sets the values the row already has counts too, as on PostgreSQL); rows skipped by
// do_nothing do not count. MariaDB's own affected-rows says 2 per updated row.
BOOST_FIXTURE_TEST_CASE(upsert_rowcount_is_the_same_on_every_backend, member_db) {
    seed_bulk_members(engine);  // alice 30, bob null, carol 50, dave 20, eve 10
    dorm::session s(engine);
    auto upsert = [&](std::vector<Member> ms) {
        return s.execute(dorm::insert<Member>().values(ms).on_conflict(col(&Member::email)).do_update(col(&Member::score)))
            .rowcount();
    };
    BOOST_CHECK_EQUAL(upsert({Member{.email = "alice@x", .nick = "a", .score = 31}, Member{.email = "new1@x", .nick = "n1"}}),
                      2);  // one updated, one inserted
    BOOST_CHECK_EQUAL(upsert({Member{.email = "new2@x", .nick = "n2"}, Member{.email = "new3@x", .nick = "n3"}}),
                      2);  // two inserted
    BOOST_CHECK_EQUAL(upsert({Member{.email = "carol@x", .nick = "c", .score = 50},
                              Member{.email = "dave@x", .nick = "d", .score = 20}}),
                      2);  // two updates that change nothing
    BOOST_CHECK_EQUAL(upsert({Member{.email = "eve@x", .nick = "e", .score = 11}}), 1);    // one row, updated
    BOOST_CHECK_EQUAL(upsert({Member{.email = "eve@x", .nick = "e", .score = 11}}), 1);    // one row, unchanged
    BOOST_CHECK_EQUAL(upsert({Member{.email = "new4@x", .nick = "n4", .score = 1}}), 1);  // one row, inserted
    BOOST_CHECK_EQUAL(s.execute(dorm::insert<Member>()
                                    .values({Member{.email = "bob@x", .nick = "b"}, Member{.email = "new5@x", .nick = "n5"}})
                                    .on_conflict(col(&Member::email))
                                    .do_nothing())
                          .rowcount(),
                      1);  // one conflict skipped, one inserted
    BOOST_CHECK_EQUAL(s.execute(dorm::insert<Member>()
                                    .values({Member{.email = "bob@x", .nick = "b"}})
                                    .on_conflict(col(&Member::email))
                                    .do_nothing())
                          .rowcount(),
                      0);
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), 10);
    BOOST_TEST(member_table(engine) == "[(alice@x, alice, 31), (bob@x, bob, null), (carol@x, carol, 50), "
                                       "(dave@x, dave, 20), (eve@x, eve, 11), (new1@x, n1, null), (new2@x, n2, null), "
                                       "(new3@x, n3, null), (new4@x, n4, 1), (new5@x, n5, null)]");
    // the same through a connection (no session)
    auto c = engine.connect();
    BOOST_CHECK_EQUAL(dorm::execute(c, dorm::insert<Member>()
                                           .values({Member{.email = "alice@x", .nick = "a", .score = 32},
                                                    Member{.email = "new6@x", .nick = "n6"}})
                                           .on_conflict(col(&Member::email))
                                           .do_update(col(&Member::score)))
                          .rowcount(),
                      2);
}

BOOST_FIXTURE_TEST_CASE(upsert_do_nothing, member_db) {
    seed_bulk_members(engine);
    dorm::session s(engine);
    echo.clear();
    auto r = s.execute(dorm::insert<Member>()
                           .values({Member{.email = "carol@x", .nick = "ignored", .score = 0},
                                    Member{.email = "gina@x", .nick = "gina", .score = 5}})
                           .on_conflict(col(&Member::email))
                           .do_nothing());
    BOOST_CHECK_EQUAL(r.rowcount(), 1);  // only the new row
    if (dorm_test::is_mysql())
        BOOST_CHECK_EQUAL(echo.count_statements("INSERT IGNORE INTO"), 1u);
    else
        BOOST_CHECK_EQUAL(echo.count_containing("ON CONFLICT (" + q("email") + ") DO NOTHING"), 1u);
    // without a conflict target: any unique key
    auto r2 = s.execute(dorm::insert<Member>()
                            .values({Member{.email = "gina@x", .nick = "again"}, Member{.email = "hal@x", .nick = "hal"}})
                            .do_nothing());
    BOOST_CHECK_EQUAL(r2.rowcount(), 1);
    s.commit();
    BOOST_TEST(member_table(engine) == "[(alice@x, alice, 30), (bob@x, bob, null), (carol@x, carol, 50), "
                                       "(dave@x, dave, 20), (eve@x, eve, 10), (gina@x, gina, 5), (hal@x, hal, null)]");
}

// DESIGN.md: after a bulk statement "objects already in the session are updated/removed"; an
// upsert too (SQLAlchemy leaves them stale unless populate_existing, but expires them on commit,
// which dorm does not do: a stale object would write its old value back on its next change).
BOOST_FIXTURE_TEST_CASE(upsert_refreshes_the_objects_the_session_holds, member_db) {
    const auto ids = seed_bulk_members(engine);
    dorm::session s(engine);
    auto alice = s.get<Member>(ids[0]);
    auto bob = s.get<Member>(ids[1]);
    auto carol = s.get<Member>(ids[2]);
    BOOST_REQUIRE(alice && bob && carol);
    carol->nick = "carol2";  // autoflushed first; carol is not in the upsert
    auto r = s.execute(dorm::insert<Member>()
                           .values({Member{.email = "alice@x", .nick = "alice2", .score = 99},
                                    Member{.email = "bob@x", .nick = "bob2", .score = 5},
                                    Member{.email = "frank@x", .nick = "frank", .score = 1}})
                           .on_conflict(col(&Member::email))
                           .do_update(col(&Member::score)));
    BOOST_CHECK_EQUAL(r.rowcount(), 3);
    BOOST_CHECK(alice->score == std::optional<int>(99));  // the same objects, the row's values
    BOOST_CHECK(bob->score == std::optional<int>(5));
    BOOST_CHECK_EQUAL(alice->nick, "alice");  // not in do_update: unchanged
    BOOST_CHECK_EQUAL(carol->nick, "carol2");
    BOOST_CHECK(!s.is_modified(alice));
    BOOST_CHECK(s.get<Member>(ids[0]).get() == alice.get());
    s.commit();
    *alice->score += 1;  // the application changes what it sees: 99 -> 100, not 30 -> 31
    s.commit();
    BOOST_TEST(member_table(engine) == "[(alice@x, alice, 100), (bob@x, bob, 5), (carol@x, carol2, 50), "
                                       "(dave@x, dave, 20), (eve@x, eve, 10), (frank@x, frank, 1)]");
    // rollback gives the committed values back, as after a bulk UPDATE
    s.execute(dorm::insert<Member>()
                  .values({Member{.email = "alice@x", .nick = "x", .score = 7}})
                  .on_conflict(col(&Member::email))
                  .do_update(col(&Member::nick), col(&Member::score)));
    BOOST_CHECK_EQUAL(alice->nick, "x");
    BOOST_CHECK(alice->score == std::optional<int>(7));
    s.rollback();
    BOOST_CHECK_EQUAL(alice->nick, "alice");
    BOOST_CHECK(alice->score == std::optional<int>(100));
    // do_nothing changes no row: the held object keeps its (unflushed) value, which is then written
    alice->nick = "mine";
    s.execute(dorm::insert<Member>().values({Member{.email = "alice@x", .nick = "theirs"}}).on_conflict(col(&Member::email)).do_nothing());
    BOOST_CHECK_EQUAL(alice->nick, "mine");
    s.commit();
    BOOST_TEST(member_table(engine) == "[(alice@x, mine, 100), (bob@x, bob, 5), (carol@x, carol2, 50), "
                                       "(dave@x, dave, 20), (eve@x, eve, 10), (frank@x, frank, 1)]");
}

namespace bulk_upsert {
struct Stock {
    int id = 0;
    std::string warehouse;
    std::string sku;
    int qty = 0;
};
BOOST_DESCRIBE_STRUCT(Stock, (), (id, warehouse, sku, qty))
DORM_TABLE(Stock, "bulk_upsert_stock",
           (warehouse, dorm::varchar(20)),
           (sku, dorm::varchar(20)),
           (table_args, dorm::unique(&Stock::warehouse, &Stock::sku)))
}  // namespace bulk_upsert

BOOST_FIXTURE_TEST_CASE(upsert_on_a_composite_key_refreshes_many_held_objects, dorm_test::database<bulk_upsert::Stock>) {
    using bulk_upsert::Stock;
    // 1,500 rows in two warehouses; the session holds every row of warehouse "b"
    constexpr int n = 750;
    std::vector<Stock> rows;
    for (int i = 0; i < n; ++i) {
        rows.push_back(Stock{.warehouse = "a", .sku = "s" + std::to_string(i), .qty = i});
        rows.push_back(Stock{.warehouse = "b", .sku = "s" + std::to_string(i), .qty = i});
    }
    dorm::session s(engine);
    s.execute(dorm::insert<Stock>().values(rows));
    s.commit();
    auto held = s.scalars(dorm::select<Stock>().where(col(&Stock::warehouse) == "b").order_by(col(&Stock::sku))).all();
    BOOST_REQUIRE_EQUAL(held.size(), static_cast<std::size_t>(n));
    // every sku of both warehouses gets qty + 1000; "c" rows are new
    std::vector<Stock> incoming;
    for (int i = 0; i < n; ++i)
        for (const char* w : {"a", "b", "c"})
            incoming.push_back(Stock{.warehouse = w, .sku = "s" + std::to_string(i), .qty = i + 1000});
    auto r = s.execute(dorm::insert<Stock>()
                           .values(incoming)
                           .on_conflict(col(&Stock::sku), col(&Stock::warehouse))  // a key's columns in any order
                           .do_update(col(&Stock::qty)));
    BOOST_CHECK_EQUAL(r.rowcount(), 3 * n);
    int stale = 0;
    for (const auto& st : held) stale += st->qty != std::stoi(st->sku.substr(1)) + 1000;
    BOOST_TEST(stale == 0);
    for (auto& st : held) st->qty += 1;  // written over the upserted values
    s.commit();
    dorm::session v(engine);
    const auto total = v.execute(dorm::select(dorm::sum(col(&Stock::qty))).select_from<Stock>().where(col(&Stock::warehouse) == "b"))
                           .scalar_one();
    BOOST_REQUIRE(total.has_value());
    BOOST_TEST(*total == static_cast<std::int64_t>(n) * (n - 1) / 2 + 1001LL * n);
    BOOST_TEST(v.execute(dorm::select(dorm::count()).select_from<Stock>()).scalar_one() == 3 * n);
}

// The conflict target must be a unique key: SQLite and PostgreSQL refuse another one, and
// MariaDB's ON DUPLICATE KEY UPDATE (any unique key) would insert a duplicate row without a word.
BOOST_FIXTURE_TEST_CASE(upsert_on_a_column_that_is_no_unique_key_is_refused, member_db) {
    seed_bulk_members(engine);
    dorm::session s(engine);
    echo.clear();
    BOOST_CHECK_EXCEPTION(s.execute(dorm::insert<Member>()
                                        .values({Member{.email = "zed@x", .nick = "alice", .score = 1}})
                                        .on_conflict(col(&Member::nick))
                                        .do_update(col(&Member::score))),
                          dorm::argument_error, [](const dorm::argument_error& e) {
                              return std::string(e.what()).find("on_conflict(nick) of member names no unique key") !=
                                     std::string::npos;
                          });
    BOOST_CHECK_THROW(s.execute(dorm::insert<Member>().values({Member{.email = "zed@x", .nick = "alice"}}).on_conflict(col(&Member::score)).do_nothing()),
                      dorm::argument_error);
    auto c = engine.connect();
    BOOST_CHECK_THROW(dorm::execute(c, dorm::insert<Member>()
                                           .values({Member{.email = "zed@x", .nick = "alice", .score = 1}})
                                           .on_conflict(col(&Member::nick))
                                           .do_update(col(&Member::score))),
                      dorm::argument_error);
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);  // refused before any SQL
    s.rollback();
    BOOST_CHECK_EQUAL(rows("member"), 5);
    // the primary key and a unique column are keys
    BOOST_CHECK_EQUAL(s.execute(dorm::insert<Member>()
                                    .values({Member{.email = "zed@x", .nick = "zed"}})
                                    .on_conflict(col(&Member::email))
                                    .do_nothing())
                          .rowcount(),
                      1);
}

BOOST_FIXTURE_TEST_CASE(bulk_statements_through_a_connection, member_db) {
    seed_bulk_members(engine);
    auto c = engine.connect();
    c.begin();
    BOOST_CHECK_EQUAL(
        dorm::execute(c, dorm::update<Member>().set(col(&Member::score), col(&Member::score) * 2).where(col(&Member::score) >= 30))
            .rowcount(),
        2);
    BOOST_CHECK_EQUAL(dorm::execute(c, dorm::delete_from<Member>().where(col(&Member::nick) == "eve")).rowcount(), 1);
    BOOST_CHECK_EQUAL(dorm::execute(c, dorm::insert<Member>()
                                           .values({Member{.email = "alice@x", .nick = "alice", .score = 1},
                                                    Member{.email = "zed@x", .nick = "zed", .score = 2}})
                                           .on_conflict(col(&Member::email))
                                           .do_nothing())
                          .rowcount(),
                      1);
    // rows are plain values on a connection
    auto all = dorm::execute(c, dorm::select<Member>().order_by(col(&Member::email))).all();
    static_assert(std::is_same_v<decltype(all), std::vector<Member>>);
    BOOST_TEST(show(all) == "[alice, bob, carol, dave, zed]");
    auto scores = dorm::execute(c, dorm::select(col(&Member::nick), col(&Member::score)).order_by(col(&Member::email))).all();
    BOOST_TEST(show(scores) == "[(alice, 60), (bob, null), (carol, 100), (dave, 20), (zed, 2)]");
    c.commit();
    BOOST_TEST(member_table(engine) == "[(alice@x, alice, 60), (bob@x, bob, null), (carol@x, carol, 100), "
                                       "(dave@x, dave, 20), (zed@x, zed, 2)]");
}

// A value longer than its VARCHAR(n) is refused before a bulk statement runs, as the flush refuses
// it for an object (found by an application-style trial: SQLite stored it; PostgreSQL and MariaDB
// refused it with a driver message naming neither table nor column). Characters are counted, not
// bytes; a computed value is the database's to check.
BOOST_FIXTURE_TEST_CASE(bulk_statements_refuse_a_text_longer_than_its_varchar, member_db) {
    seed_bulk_members(engine);
    const std::string long_nick(101, 'n');
    const std::string fits = "\xE2\x82\xAC" + std::string(99, 'e');  // 100 characters, 102 bytes
    auto expect_refused = [&](auto&& run) {
        try {
            run();
            BOOST_ERROR("a 101-character nick was written into VARCHAR(100)");
        } catch (const dorm::data_error& e) {
            BOOST_CHECK_EQUAL(e.table(), "member");
            BOOST_CHECK_EQUAL(e.column(), "nick");
            BOOST_CHECK(e.value().find("nnnn") != std::string::npos);
            BOOST_CHECK(std::string(e.what()).find("VARCHAR(100)") != std::string::npos);
        }
    };
    {
        dorm::session s(engine);
        echo.clear();
        expect_refused([&] {
            s.execute(dorm::update<Member>().set(col(&Member::nick), long_nick).where(col(&Member::nick) == "bob"));
        });
        expect_refused([&] {
            s.execute(dorm::insert<Member>().values({Member{.email = "x@x", .nick = "x"},
                                                     Member{.email = "long@x", .nick = long_nick}}));
        });
        expect_refused([&] {
            s.execute(dorm::insert<Member>()
                          .values({Member{.email = "alice@x", .nick = long_nick}})
                          .on_conflict(col(&Member::email))
                          .do_update(col(&Member::nick)));
        });
        BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);  // refused before any SQL
        BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
        BOOST_CHECK_EQUAL(s.execute(dorm::update<Member>().set(col(&Member::nick), fits).where(col(&Member::nick) == "bob"))
                              .rowcount(),
                          1);
        s.commit();
    }
    auto c = engine.connect();
    c.begin();
    expect_refused([&] {
        dorm::execute(c, dorm::update<Member>().set(col(&Member::nick), long_nick).where(col(&Member::nick) == "carol"));
    });
    expect_refused([&] { dorm::execute(c, dorm::insert<Member>().values({Member{.email = "l@x", .nick = long_nick}})); });
    c.rollback();
    BOOST_CHECK_EQUAL(rows("member"), 5);
    BOOST_TEST(member_table(engine).find(std::string(101, 'n')) == std::string::npos);
}

// A floating-point value with a fraction for an integer column is refused before a bulk UPDATE
// runs (SQLite kept 2.5 in the INTEGER column, MariaDB rounded it, PostgreSQL refused it without
// naming the column); a whole number is written as the integer it is.
BOOST_FIXTURE_TEST_CASE(bulk_update_refuses_a_fraction_for_an_integer_column, member_db) {
    seed_bulk_members(engine);
    dorm::session s(engine);
    echo.clear();
    for (double bad : {2.5, -0.25, 1e300, 1e19, -1e19, std::numeric_limits<double>::quiet_NaN(),
                       std::numeric_limits<double>::infinity()}) {
        try {
            s.execute(dorm::update<Member>().set(col(&Member::score), bad).where(col(&Member::nick) == "alice"));
            BOOST_ERROR("a fraction was written into an integer column");
        } catch (const dorm::data_error& e) {
            BOOST_CHECK_EQUAL(e.table(), "member");
            BOOST_CHECK_EQUAL(e.column(), "score");
            BOOST_CHECK_MESSAGE(std::string(e.what()).find("whole number") != std::string::npos, e.what());
        }
    }
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);  // refused before any SQL
    BOOST_CHECK_EQUAL(
        s.execute(dorm::update<Member>().set(col(&Member::score), 40.0).where(col(&Member::score) > 29.5)).rowcount(), 2);
    s.commit();
    BOOST_TEST(member_table(engine) == "[(alice@x, alice, 40), (bob@x, bob, null), (carol@x, carol, 40), "
                                       "(dave@x, dave, 20), (eve@x, eve, 10)]");
}

BOOST_AUTO_TEST_SUITE_END()

