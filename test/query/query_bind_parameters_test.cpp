// Bind parameters against a real database: a statement built once and run again with other values,
// through a session or a connection, from several threads; a missing value is an argument_error.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <dorm/dorm.hpp>

#include "all_types.hpp"
#include "fixture.hpp"
#include "models.hpp"
#include "query_fixtures.hpp"
#include "show_rows.hpp"

using dorm::col;

// ---- bindparam: a statement built once, run with different values -------------------------------

BOOST_AUTO_TEST_SUITE(bind_parameters)

BOOST_FIXTURE_TEST_CASE(a_statement_runs_again_with_other_values, users_db) {
    seed_people(engine);
    const auto older_than = dorm::select(col(&User::name))
                                .where(col(&User::age) > dorm::bindparam<int>("min"))
                                .order_by(col(&User::name));
    dorm::session s(engine);
    BOOST_TEST(show(s.execute(older_than, {{"min", 40}}).all()) == "[Bob, Dave]");
    BOOST_TEST(show(s.execute(older_than, {{"min", 26}}).all()) == "[Alice, Bob, Dave]");
    BOOST_TEST(show(s.execute(older_than, {{"min", 99}}).all()) == "[]");
    // the values are bound, never printed into the SQL; one statement text for every run
    BOOST_CHECK_EQUAL(echo.count_containing("40"), 0u);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 3u);
    const auto st = echo.statements();
    BOOST_CHECK(st[0] == st[1] && st[1] == st[2]);
}

BOOST_FIXTURE_TEST_CASE(entities_through_a_session_and_values_through_a_connection, users_db) {
    seed_people(engine);
    const auto by_name = dorm::select<User>().where(col(&User::name) == dorm::bindparam<std::string>("name"));
    dorm::session s(engine);
    auto bob = s.execute(by_name, {{"name", "Bob"}}).scalar_one();
    BOOST_CHECK_EQUAL(bob->age, 41);
    BOOST_CHECK(s.execute(by_name, {{"name", "Bob"}}).scalar_one().get() == bob.get());  // identity map
    BOOST_CHECK(!s.execute(by_name, {{"name", "Nobody"}}).first());
    auto c = engine.connect();
    std::vector<User> carol = dorm::execute(c, by_name, {{"name", "Carol"}}).all();
    BOOST_REQUIRE_EQUAL(carol.size(), 1u);
    BOOST_CHECK_EQUAL(carol[0].age, 25);
    // a value that looks like SQL is only a value
    BOOST_CHECK(dorm::execute(c, by_name, {{"name", "x' OR '1'='1"}}).all().empty());
}

BOOST_FIXTURE_TEST_CASE(bind_parameters_mix_with_literal_values_and_subqueries, users_db) {
    seed_people(engine);
    // users with at least :n comments whose age is between a literal and a bound bound
    const auto stmt = dorm::select(col(&User::name))
                          .where(col(&User::age).between(20, 60))
                          .where(dorm::select(dorm::count())
                                     .select_from<Comment>()
                                     .correlate<User>()
                                     .where(col(&Comment::user_id) == col(&User::id))
                                     .scalar_subquery() >= dorm::bindparam<std::int64_t>("n"))
                          .where(col(&User::age) < dorm::bindparam<int>("max_age"))
                          .order_by(col(&User::name))
                          .limit(10);
    dorm::session s(engine);
    BOOST_TEST(show(s.execute(stmt, {{"n", 2}, {"max_age", 60}}).all()) == "[Alice, Bob, Dave]");
    BOOST_TEST(show(s.execute(stmt, {{"max_age", 45}, {"n", 2}}).all()) == "[Alice, Bob]");
    BOOST_TEST(show(s.execute(stmt, {{"n", 3}, {"max_age", 60}}).all()) == "[Dave]");
}

BOOST_FIXTURE_TEST_CASE(a_statement_object_run_again_follows_every_change_to_it, users_db) {
    // a statement object remembers its compiled SQL from its second run on; every builder call
    // on it (also on a moved-from rvalue) must forget that
    seed_people(engine);
    auto q = dorm::select(col(&User::name)).where(col(&User::age) > 20).order_by(col(&User::name));
    dorm::session s(engine);
    for (int i = 0; i < 3; ++i) BOOST_TEST(show(s.execute(q).all()) == "[Alice, Bob, Carol, Dave]");
    auto older = std::move(q).where(col(&User::age) > 40);
    for (int i = 0; i < 3; ++i) BOOST_TEST(show(s.execute(older).all()) == "[Bob, Dave]");
    auto first = std::move(older).limit(1);
    for (int i = 0; i < 3; ++i) BOOST_TEST(show(s.execute(first).all()) == "[Bob]");
    auto second = std::move(first).offset(1);
    for (int i = 0; i < 3; ++i) BOOST_TEST(show(s.execute(second).all()) == "[Dave]");
    const auto copy = second;  // a copy starts without the memo, and gives the same answer
    for (int i = 0; i < 3; ++i) BOOST_TEST(show(s.execute(copy).all()) == "[Dave]");
    auto by_age = std::move(second).order_by(col(&User::age).desc());
    for (int i = 0; i < 3; ++i) BOOST_TEST(show(s.execute(by_age).all()) == "[Dave]");
    auto distinct = dorm::select(col(&Comment::comment)).order_by(col(&Comment::comment));
    for (int i = 0; i < 2; ++i) BOOST_TEST(show(s.execute(distinct).all()) == "[Alice, Alice, Dave, hi, hi, x, yo]");
    auto once = std::move(distinct).distinct();
    for (int i = 0; i < 2; ++i) BOOST_TEST(show(s.execute(once).all()) == "[Alice, Dave, hi, x, yo]");
    // the same object compiled for two dialects
    const auto by_id = dorm::select<User>().where(col(&User::id) == 7);
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(dorm::compile(by_id, dorm::dialect::sqlite).sql.find("= ?") != std::string::npos);
        const auto pg = dorm::compile(by_id, dorm::dialect::postgresql);
        BOOST_TEST(pg.sql.find("= $1") != std::string::npos);
        BOOST_REQUIRE_EQUAL(pg.params.size(), 1u);
        BOOST_TEST((pg.params[0] == dorm::value(7)));
    }
}

BOOST_FIXTURE_TEST_CASE(a_const_statement_runs_from_several_threads, users_db) {
    seed_people(engine);
    const auto by_name = dorm::select<User>().where(col(&User::name) == dorm::bindparam<std::string>("name"));
    const std::vector<std::pair<std::string, int>> ages = {{"Alice", 30}, {"Bob", 41}, {"Carol", 25}, {"Dave", 52}};
    std::atomic<int> wrong{0}, done{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            try {
                auto c = engine.connect();
                for (int i = 0; i < 100; ++i) {
                    const auto& [name, age] = ages[static_cast<std::size_t>((t + i) % 4)];
                    const std::vector<User> found = dorm::execute(c, by_name, {{"name", name}}).all();
                    if (found.size() != 1 || found[0].age != age) ++wrong;
                    ++done;
                }
            } catch (const std::exception&) {
                ++wrong;
            }
        });
    for (auto& th : threads) th.join();
    BOOST_CHECK_EQUAL(wrong.load(), 0);
    BOOST_CHECK_EQUAL(done.load(), 400);
}

BOOST_FIXTURE_TEST_CASE(a_named_list_and_a_braced_list_give_the_same_rows, users_db) {
    // execute() and compile() take the values as a dorm::text_params variable or as a braced list
    // (read in place); a list may name values of several kinds, in any order
    seed_people(engine);
    const auto stmt = dorm::select(col(&User::name))
                          .where(col(&User::age) >= dorm::bindparam<int>("min"))
                          .where(col(&User::name) != dorm::bindparam<std::string>("not"))
                          .order_by(col(&User::name));
    const dorm::text_params named = {{"not", "Bob"}, {"min", 26}};
    dorm::session s(engine);
    BOOST_TEST(show(s.execute(stmt, named).all()) == "[Alice, Dave]");
    BOOST_TEST(show(s.execute(stmt, {{"min", 26}, {"not", "Bob"}}).all()) == "[Alice, Dave]");
    BOOST_TEST(show(s.execute(stmt, {{"min", 26}, {"not", std::string("Dave")}}, dorm::on_primary).all()) ==
               "[Alice, Bob]");
    auto c = engine.connect();
    BOOST_TEST(show(dorm::execute(c, stmt, named).all()) == "[Alice, Dave]");
    BOOST_TEST(show(dorm::execute(c, stmt, {{"not", "Alice"}, {"min", 0}}).all()) == "[Bob, Carol, Dave]");
    const dorm::compiled a = dorm::compile(stmt, dorm::dialect::postgresql, named);
    const dorm::compiled b = dorm::compile(stmt, dorm::dialect::postgresql, {{"min", 26}, {"not", "Bob"}});
    BOOST_CHECK_EQUAL(a.sql, b.sql);
    BOOST_REQUIRE_EQUAL(b.params.size(), 2u);
    BOOST_TEST((b.params[0] == dorm::value(26)));
    BOOST_TEST((b.params[1] == dorm::value(std::string("Bob"))));
}

BOOST_FIXTURE_TEST_CASE(results_open_at_once_keep_their_own_values, users_db) {
    // a finished result's parameter list is reused by the thread's next query: results still open
    // (or read on another thread, or with a long parameter list) must keep their own values
    seed_people(engine);
    const auto by_name = dorm::select<User>().where(col(&User::name) == dorm::bindparam<std::string>("name"));
    dorm::session s(engine);
    auto bob = s.execute(by_name, {{"name", "Bob"}});  // not read yet
    {
        auto carol = s.execute(by_name, {{"name", "Carol"}});
        BOOST_CHECK_EQUAL(carol.scalar_one()->age, 25);
    }  // carol's list goes to the spare
    auto alice = s.execute(dorm::select<User>().where(col(&User::name) == std::string("Alice")));  // takes it
    auto dave = s.execute(by_name, {{"name", "Dave"}});
    BOOST_CHECK_EQUAL(dave.scalar_one()->age, 52);
    BOOST_CHECK_EQUAL(bob.scalar_one()->age, 41);
    BOOST_CHECK_EQUAL(alice.scalar_one()->age, 30);

    // a result moved to another thread, read and destroyed there
    auto c = engine.connect();
    auto on_main = dorm::execute(c, by_name, {{"name", "Carol"}});
    std::vector<User> read_there;
    std::thread([&read_there, r = std::move(on_main)]() mutable { read_there = r.all(); }).join();
    BOOST_REQUIRE_EQUAL(read_there.size(), 1u);
    BOOST_CHECK_EQUAL(read_there[0].age, 25);

    // a long list (not kept), then short ones again
    std::vector<int> ages;
    for (int a = 0; a < 200; ++a) ages.push_back(a);
    const auto by_age = dorm::select(col(&User::name)).where(col(&User::age).in(ages)).order_by(col(&User::name));
    for (int round = 0; round < 3; ++round) {
        BOOST_TEST(show(dorm::execute(c, by_age).all()) == "[Alice, Bob, Carol, Dave]");
        BOOST_CHECK_EQUAL(dorm::execute(c, by_name, {{"name", "Alice"}}).scalar_one().age, 30);
    }
}

namespace {
using all_types_db = dorm_test::database<all_types::AllTypes>;

/// Three rows of AllTypes that differ in their time point, date, enum, blob, flag and code.
void seed_typed_rows(const dorm::engine& e) {
    using all_types::AllTypes;
    using all_types::Color;
    using std::chrono::sys_seconds;
    dorm::session s(e);
    for (int i = 0; i < 3; ++i) {
        AllTypes a;
        a.code = "c" + std::to_string(i);
        a.flag = i == 1;
        a.at_s = sys_seconds(std::chrono::seconds(1700000000 + 3600 * i));
        a.day = std::chrono::year_month_day(std::chrono::year(2024), std::chrono::month(3), std::chrono::day(10 + i));
        a.color = static_cast<Color>(i);
        a.data = dorm::blob{std::byte(i), std::byte(0xff)};
        a.d = 0.5 + i;
        s.add(std::move(a));
    }
    s.commit();
}
}  // namespace

BOOST_FIXTURE_TEST_CASE(values_of_every_column_type_bind_as_their_columns_values, all_types_db) {
    // a braced list takes C++ values of the bindparam's type (time points, dates, enums, blobs,
    // bools), converted as the column's values are: the same rows as literal values select
    using all_types::AllTypes;
    using all_types::Color;
    using std::chrono::sys_seconds;
    seed_typed_rows(engine);
    const auto stmt = dorm::select(col(&AllTypes::code))
                          .where(col(&AllTypes::at_s) >= dorm::bindparam<sys_seconds>("since"))
                          .where(col(&AllTypes::day) <= dorm::bindparam<std::chrono::year_month_day>("until"))
                          .where(col(&AllTypes::color) != dorm::bindparam<Color>("not"))
                          .where(col(&AllTypes::d) > dorm::bindparam<double>("min"))
                          .order_by(col(&AllTypes::code));
    const auto since = sys_seconds(std::chrono::seconds(1700000000 + 3600));
    const auto until = std::chrono::year_month_day(std::chrono::year(2024), std::chrono::month(3), std::chrono::day(12));
    dorm::session s(engine);
    BOOST_TEST(show(s.execute(stmt, {{"since", since}, {"until", until}, {"not", Color::blue}, {"min", 0}}).all()) ==
               "[c1]");
    BOOST_TEST(show(s.execute(stmt, {{"since", since - std::chrono::hours(1)}, {"until", until}, {"not", Color::green},
                                     {"min", 0.25}})
                        .all()) == "[c0, c2]");
    // a list kept and changed between runs
    std::vector<dorm::named_value> values = {{"since", since}, {"until", until}, {"not", Color::red}, {"min", 1}};
    BOOST_TEST(show(s.execute(stmt, values).all()) == "[c1, c2]");
    values[3] = {"min", 2.0};
    BOOST_TEST(show(s.execute(stmt, values).all()) == "[c2]");
    auto c = engine.connect();
    BOOST_TEST(show(dorm::execute(c, stmt, values).all()) == "[c2]");

    // blobs and bools, on a connection
    const auto by_data = dorm::select(col(&AllTypes::code))
                             .where(col(&AllTypes::data) == dorm::bindparam<dorm::blob>("data"))
                             .where(col(&AllTypes::flag) == dorm::bindparam<bool>("flag"));
    BOOST_TEST(show(dorm::execute(c, by_data, {{"data", dorm::blob{std::byte(1), std::byte(0xff)}}, {"flag", true}}).all()) ==
               "[c1]");
    BOOST_TEST(show(dorm::execute(c, by_data, {{"data", dorm::blob{std::byte(1), std::byte(0xff)}}, {"flag", false}})
                        .all()) == "[]");
    // the same values as literals print the same parameters
    const dorm::compiled bound = dorm::compile(stmt, dorm::dialect::postgresql, values);
    const dorm::compiled literal = dorm::compile(dorm::select(col(&AllTypes::code))
                                                     .where(col(&AllTypes::at_s) >= since)
                                                     .where(col(&AllTypes::day) <= until)
                                                     .where(col(&AllTypes::color) != Color::red)
                                                     .where(col(&AllTypes::d) > 2.0)
                                                     .order_by(col(&AllTypes::code)),
                                                 dorm::dialect::postgresql);
    BOOST_CHECK(bound.params == literal.params);
    BOOST_CHECK_EQUAL(bound.sql, literal.sql);
}

BOOST_FIXTURE_TEST_CASE(a_value_of_another_type_is_an_argument_error, all_types_db) {
    // SQLite would compare an integer with a timestamp's text (every integer sorts before any
    // text) and answer without an error: the value is refused before any SQL is sent
    using all_types::AllTypes;
    using all_types::Color;
    using std::chrono::sys_seconds;
    seed_typed_rows(engine);
    const auto stmt = dorm::select<AllTypes>()
                          .where(col(&AllTypes::at_s) >= dorm::bindparam<sys_seconds>("since"))
                          .where(col(&AllTypes::code) != dorm::bindparam<std::string>("code"))
                          .where(col(&AllTypes::i32) < dorm::bindparam<int>("n"))
                          .where(col(&AllTypes::color) != dorm::bindparam<Color>("color"));
    const auto since = sys_seconds(std::chrono::seconds(1700000000));
    dorm::session s(engine);
    auto refused = [&](const dorm::bind_values& values, const std::string& name, const std::string& takes) {
        try {
            s.execute(stmt, values).all();
        } catch (const dorm::argument_error& e) {
            const std::string m = e.what();
            BOOST_TEST_INFO("message: " << m);
            BOOST_CHECK(m.find("bindparam(\"" + name + "\")") != std::string::npos);
            BOOST_CHECK(m.find(takes) != std::string::npos);
            return;
        }
        BOOST_ERROR("no argument_error for " << name);
    };
    echo.clear();
    refused({{"since", 1700000000}, {"code", "x"}, {"n", 5}, {"color", Color::red}}, "since", "timestamp");
    refused({{"since", since}, {"code", 7}, {"n", 5}, {"color", Color::red}}, "code", "std::string");
    refused({{"since", since}, {"code", "x"}, {"n", "5"}, {"color", Color::red}}, "n", "int");
    refused({{"since", since}, {"code", "x"}, {"n", 5}, {"color", "red"}}, "color", "Color");
    refused({{"since", since}, {"code", "x"}, {"n", 5}, {"color", 0}}, "color", "Color");
    // dorm::values (a text_params, or one in a list): their storage kind is checked
    refused({{"since", dorm::value(1700000000)}, {"code", "x"}, {"n", 5}, {"color", Color::red}}, "since", "timestamp");
    refused(dorm::text_params{{"since", dorm::value("2023-11-14 22:13:20")}, {"code", dorm::value(1)}, {"n", 5},
                              {"color", "red"}},
            "code", "std::string");
    refused(dorm::text_params{{"since", dorm::value("2023-11-14 22:13:20")}, {"code", "x"}, {"n", dorm::value(2)},
                              {"color", dorm::value(dorm::blob{})}},
            "color", "Color");
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 0u);
    // a floating-point number for an integer (PostgreSQL would refuse it, SQLite compare it as a real)
    refused({{"since", since}, {"code", "x"}, {"n", 5.5}, {"color", Color::red}}, "n", "int");
    refused(dorm::text_params{{"since", dorm::value("2023-11-14 22:13:20")}, {"code", "x"}, {"n", 5.0}, {"color", "red"}},
            "n", "int");
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 0u);
    // what is accepted: an integer of another width for an integer, an integer for a floating-point
    // number, NULL for anything, and the stored forms given as dorm::values
    BOOST_CHECK_EQUAL(s.execute(stmt, {{"since", since}, {"code", "x"}, {"n", std::uint8_t(5)}, {"color", Color::blue}}).all().size(),
                      2u);
    BOOST_CHECK_EQUAL(
        s.execute(stmt, {{"since", std::nullopt}, {"code", "x"}, {"n", std::int64_t(5)}, {"color", Color::blue}}).all().size(),
        0u);
    BOOST_CHECK_EQUAL(s.execute(stmt, dorm::text_params{{"since", dorm::value("2023-11-14 22:13:20")},
                                                        {"code", "x"},
                                                        {"n", 5},
                                                        {"color", "blue"}})
                          .all()
                          .size(),
                      2u);
    // on a connection and in compile() too
    auto c = engine.connect();
    BOOST_CHECK_THROW(dorm::execute(c, stmt, {{"since", 0}, {"code", "x"}, {"n", 5}, {"color", Color::red}}).all(),
                      dorm::argument_error);
    BOOST_CHECK_THROW(dorm::compile(stmt, dorm::dialect::mysql, {{"since", since}, {"code", "x"}, {"n", 5}, {"color", 1}}),
                      dorm::argument_error);
}

BOOST_FIXTURE_TEST_CASE(boundary_values_bind_exactly_or_are_refused, all_types_db) {
    // the extremes of a 64-bit integer, an empty and a NUL-bearing text select their own row; an
    // unsigned value above INT64_MAX is a data_error (it used to bind as -1), as a literal too
    using all_types::AllTypes;
    const std::string with_nul("a\0b", 3);
    {
        dorm::session s(engine);
        AllTypes lo, hi, empty, nul;
        lo.i64 = std::numeric_limits<std::int64_t>::min();
        lo.code = "lo";
        hi.i64 = std::numeric_limits<std::int64_t>::max();
        hi.code = "hi";
        empty.code = "empty";
        nul.text = with_nul;
        nul.code = "nul";
        for (auto* a : {&lo, &hi, &empty}) s.add(*a);
        if (!dorm_test::is_postgresql()) s.add(nul);  // PostgreSQL text cannot hold NUL (a data_error)
        s.commit();
    }
    const auto by_i64 = dorm::select(col(&AllTypes::code)).where(col(&AllTypes::i64) == dorm::bindparam<std::int64_t>("v"));
    const auto by_text = dorm::select(col(&AllTypes::code))
                             .where(col(&AllTypes::text) == dorm::bindparam<std::string>("t"))
                             .order_by(col(&AllTypes::code));
    dorm::session s(engine);
    BOOST_TEST(show(s.execute(by_i64, {{"v", std::numeric_limits<std::int64_t>::min()}}).all()) == "[lo]");
    BOOST_TEST(show(s.execute(by_i64, {{"v", std::numeric_limits<std::int64_t>::max()}}).all()) == "[hi]");
    BOOST_TEST(show(s.execute(by_i64, {{"v", std::uint64_t(9223372036854775807ull)}}).all()) == "[hi]");
    BOOST_CHECK_THROW(s.execute(by_i64, {{"v", std::numeric_limits<std::uint64_t>::max()}}).all(), dorm::data_error);
    BOOST_CHECK_THROW(dorm::select(col(&AllTypes::code)).where(col(&AllTypes::i64) == std::numeric_limits<std::uint64_t>::max()),
                      dorm::data_error);
    // a dorm::value (text() parameters, execute's values) refuses it too, before any SQL is sent
    BOOST_CHECK_EQUAL(dorm::value(std::uint64_t(9223372036854775807ull)).as_int(), std::numeric_limits<std::int64_t>::max());
    BOOST_CHECK_THROW(dorm::value(std::numeric_limits<std::uint64_t>::max()), dorm::data_error);
    BOOST_CHECK_THROW(dorm::value(std::size_t(1) << 63), dorm::data_error);
    BOOST_CHECK_THROW(dorm::value(std::numeric_limits<unsigned long long>::max()), dorm::data_error);
    BOOST_CHECK_EQUAL(dorm::value(std::numeric_limits<std::uint32_t>::max()).as_int(), 4294967295);
    BOOST_CHECK_EQUAL(s.execute(dorm::text<std::string>("SELECT code FROM all_types WHERE i64 = :v",
                                                         {{"v", std::uint64_t(9223372036854775807ull)}}))
                          .scalar_one(),
                      "hi");
    BOOST_CHECK_THROW(s.execute(dorm::text<std::string>("SELECT code FROM all_types WHERE i64 = :v",
                                                         {{"v", std::numeric_limits<std::uint64_t>::max()}})),
                      dorm::data_error);
    BOOST_TEST(show(s.execute(by_text, {{"t", std::string()}}).all()) == "[empty, hi, lo]");
    if (dorm_test::is_postgresql())  // refused before it is sent, not cut at the NUL
        BOOST_CHECK_THROW(s.execute(by_text, {{"t", with_nul}}).all(), dorm::data_error);
    else
        BOOST_TEST(show(s.execute(by_text, {{"t", with_nul}}).all()) == "[nul]");
    BOOST_TEST(show(s.execute(by_text, {{"t", std::string_view("a")}}).all()) == "[]");
}

BOOST_FIXTURE_TEST_CASE(a_missing_value_is_an_argument_error, users_db) {
    seed_people(engine);
    const auto stmt = dorm::select<User>().where(col(&User::age) > dorm::bindparam<int>("min"));
    dorm::session s(engine);
    BOOST_CHECK_THROW(s.execute(stmt), dorm::argument_error);                    // no values at all
    BOOST_CHECK_THROW(s.execute(stmt, {{"max", 3}}), dorm::argument_error);      // not this one
    BOOST_CHECK_EQUAL(s.execute(stmt, {{"min", 0}}).all().size(), 4u);           // the cache still answers
    BOOST_CHECK_THROW(s.execute(stmt, {}), dorm::argument_error);
    auto c = engine.connect();
    BOOST_CHECK_THROW(dorm::execute(c, stmt).all(), dorm::argument_error);
}

BOOST_AUTO_TEST_SUITE_END()

