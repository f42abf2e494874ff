// Results on real rows: all/first, one/one_or_none, scalar_one, range-for streaming, column selects
// as tuples, count() as int64, aggregates.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "messages.hpp"
#include "seeds.hpp"
#include "session_fixtures.hpp"

using dorm::col;
using dorm_test::message_of;
using dorm_test::seed_members;

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

