// Subqueries against a real database: scalar subqueries in WHERE and in the select list, IN / NOT IN
// a subquery, correlated EXISTS, a subquery as a join source.
#include <boost/test/unit_test.hpp>

#include <cstdint>
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

BOOST_AUTO_TEST_SUITE(subqueries)

BOOST_FIXTURE_TEST_CASE(scalar_subquery_in_where_and_in_the_select_list, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    // older than the average (37)
    auto older = all_of(s, dorm::select(col(&User::name))
                               .where(col(&User::age) > dorm::select(dorm::avg(col(&User::age))).scalar_subquery())
                               .order_by(col(&User::name)));
    BOOST_TEST(show(older) == "[Bob, Dave]");
    // the youngest
    auto youngest = s.execute(dorm::select(col(&User::name))
                                  .where(col(&User::age) == dorm::select(dorm::min(col(&User::age))).scalar_subquery()))
                        .scalar_one();
    BOOST_CHECK_EQUAL(youngest, "Carol");

    // correlated: comments per user in the select list (zero included)
    auto n = dorm::select(dorm::count())
                 .select_from<Comment>()
                 .correlate<User>()
                 .where(col(&Comment::user_id) == col(&User::id))
                 .scalar_subquery();
    auto counts = all_of(s, dorm::select(col(&User::name), n.label("n")).order_by(col(&User::name)));
    static_assert(std::is_same_v<decltype(counts), std::vector<std::tuple<std::string, std::int64_t>>>);
    BOOST_TEST(show(counts) == "[(Alice, 2), (Bob, 2), (Carol, 0), (Dave, 3)]");
    // correlated in where
    auto busy = all_of(s, dorm::select<User>().where(n > 2));
    BOOST_TEST(show(busy) == "[Dave]");
    auto quiet = all_of(s, dorm::select(col(&User::name)).where(n < 1 || col(&User::age) > 50).order_by(col(&User::name)));
    BOOST_TEST(show(quiet) == "[Carol, Dave]");
}

BOOST_FIXTURE_TEST_CASE(in_and_not_in_a_subquery, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto said_hi = dorm::select(col(&Comment::user_id)).where(col(&Comment::comment) == "hi");
    auto in = all_of(s, dorm::select(col(&User::name)).where(col(&User::id).in(said_hi)).order_by(col(&User::name)));
    BOOST_TEST(show(in) == "[Alice, Bob]");
    auto out = all_of(s, dorm::select(col(&User::name)).where(col(&User::id).not_in(said_hi)).order_by(col(&User::name)));
    BOOST_TEST(show(out) == "[Carol, Dave]");
    // outer and inner parameters, in text order
    auto mixed = all_of(s, dorm::select(col(&User::name))
                               .where(col(&User::age) > 26)
                               .where(col(&User::id).in(dorm::select(col(&Comment::user_id)).where(col(&Comment::comment) != "hi")))
                               .where(col(&User::name) != "Bob")
                               .order_by(col(&User::name)));
    BOOST_TEST(show(mixed) == "[Alice, Dave]");
    // a subquery on the same table
    auto not_oldest = all_of(s, dorm::select(col(&User::name))
                                    .where(col(&User::id).in(dorm::select(col(&User::id)).where(col(&User::age) < 50)))
                                    .order_by(col(&User::name)));
    BOOST_TEST(show(not_oldest) == "[Alice, Bob, Carol]");
}

BOOST_FIXTURE_TEST_CASE(exists_and_not_exists_correlated, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto has_comment = dorm::exists(
        dorm::select(col(&Comment::id)).correlate<User>().where(col(&Comment::user_id) == col(&User::id)));
    BOOST_TEST(show(all_of(s, dorm::select<User>().where(has_comment).order_by(col(&User::name)))) == "[Alice, Bob, Dave]");
    BOOST_TEST(show(all_of(s, dorm::select<User>().where(!has_comment))) == "[Carol]");
    auto said_own_name = dorm::exists(dorm::select(col(&Comment::id))
                                          .correlate<User>()
                                          .where(col(&Comment::user_id) == col(&User::id) &&
                                                 col(&Comment::comment) == col(&User::name)));
    BOOST_TEST(show(all_of(s, dorm::select<User>().where(said_own_name).order_by(col(&User::name)))) == "[Alice, Dave]");
    BOOST_TEST(show(all_of(s, dorm::select<User>().where(!said_own_name && col(&User::age) > 26).order_by(col(&User::name)))) ==
               "[Bob]");
    // a parameter inside the correlated subquery
    auto said = [](const char* what) {
        return dorm::exists(dorm::select(col(&Comment::id))
                                .correlate<User>()
                                .where(col(&Comment::user_id) == col(&User::id) && col(&Comment::comment) == what));
    };
    BOOST_TEST(show(all_of(s, dorm::select<User>().where(said("yo") || said("hi")).order_by(col(&User::name)))) ==
               "[Alice, Bob, Dave]");
    BOOST_TEST(show(all_of(s, dorm::select<User>().where(said("Alice") && !said("hi")))) == "[]");
}

BOOST_FIXTURE_TEST_CASE(a_subquery_as_a_join_source, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto counts = dorm::select(col(&Comment::user_id), dorm::count().label("n"))
                      .group_by(col(&Comment::user_id))
                      .subquery("counts");
    auto per_user = all_of(s, dorm::select(col(&User::name), counts.c<std::int64_t>("n"))
                                  .join(counts, counts.c<int>("user_id") == col(&User::id))
                                  .order_by(col(&User::name)));
    static_assert(std::is_same_v<decltype(per_user), std::vector<std::tuple<std::string, std::int64_t>>>);
    BOOST_TEST(show(per_user) == "[(Alice, 2), (Bob, 2), (Dave, 3)]");
    auto busy = all_of(s, dorm::select(col(&User::name))
                              .join(counts, counts.c<int>("user_id") == col(&User::id))
                              .where(counts.c<std::int64_t>("n") > 2));
    BOOST_TEST(show(busy) == "[Dave]");
    // outer: users without comments have no counts row
    auto all_users = all_of(s, dorm::select(col(&User::name), counts.c<std::int64_t>("n"))
                                   .outer_join(counts, counts.c<int>("user_id") == col(&User::id))
                                   .order_by(col(&User::name)));
    static_assert(std::is_same_v<decltype(all_users), std::vector<std::tuple<std::string, std::optional<std::int64_t>>>>);
    BOOST_TEST(show(all_users) == "[(Alice, 2), (Bob, 2), (Carol, null), (Dave, 3)]");
    // entities joined to a filtered subquery with a parameter
    auto hi = dorm::select(col(&Comment::user_id)).where(col(&Comment::comment) == "hi").distinct().subquery("hi");
    auto users = all_of(s, dorm::select<User>().join(hi, hi.c<int>("user_id") == col(&User::id)).where(col(&User::age) > 35));
    BOOST_TEST(show(users) == "[Bob]");
}

BOOST_AUTO_TEST_SUITE_END()

