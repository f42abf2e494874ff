// Column selects against a real database: tuples of columns, one column as values, DISTINCT,
// label(), and select<A, B>() giving tuples of objects.
#include <boost/test/unit_test.hpp>

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

BOOST_AUTO_TEST_SUITE(column_selects)

BOOST_FIXTURE_TEST_CASE(columns_give_tuples_and_one_column_gives_values, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto rows_ = all_of(s, dorm::select(col(&User::name), col(&User::age)).order_by(col(&User::age)));
    static_assert(std::is_same_v<decltype(rows_), std::vector<std::tuple<std::string, int>>>);
    BOOST_TEST(show(rows_) == "[(Carol, 25), (Alice, 30), (Bob, 41), (Dave, 52)]");

    auto names = all_of(s, dorm::select(col(&User::name)).where(col(&User::age) > 35).order_by(col(&User::name)));
    static_assert(std::is_same_v<decltype(names), std::vector<std::string>>);
    BOOST_TEST(show(names) == "[Bob, Dave]");

    // an expression as a column; parameters in the select list
    auto next_age = all_of(s, dorm::select(col(&User::name), col(&User::age) + 1).order_by(col(&User::name)));
    static_assert(std::is_same_v<decltype(next_age), std::vector<std::tuple<std::string, int>>>);
    BOOST_TEST(show(next_age) == "[(Alice, 31), (Bob, 42), (Carol, 26), (Dave, 53)]");

    // columns of a joined table
    auto pairs = all_of(s, dorm::select(col(&User::name), col(&Profile::profile)).join<Profile>().order_by(col(&User::name)));
    BOOST_TEST(show(pairs) == "[(Alice, a-profile), (Bob, b-profile)]");
    BOOST_CHECK_EQUAL(s.size(), 0u);  // values, not objects
}

BOOST_FIXTURE_TEST_CASE(distinct_removes_duplicate_rows, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto all_comments = all_of(s, dorm::select(col(&Comment::comment)).order_by(col(&Comment::comment)));
    BOOST_CHECK_EQUAL(all_comments.size(), 7u);
    auto distinct = all_of(s, dorm::select(col(&Comment::comment)).distinct().order_by(col(&Comment::comment)));
    BOOST_TEST(show(distinct) == "[Alice, Dave, hi, x, yo]");
    BOOST_CHECK_EQUAL(echo.count_containing("SELECT DISTINCT"), 1u);

    // users with a comment: the join repeats each user once per comment, DISTINCT once per user
    auto joined = all_of(s, dorm::select(col(&User::name)).join<Comment>().order_by(col(&User::name)));
    BOOST_TEST(show(joined) == "[Alice, Alice, Bob, Bob, Dave, Dave, Dave]");
    auto once = all_of(s, dorm::select<User>().join<Comment>().distinct().order_by(col(&User::name)));
    static_assert(std::is_same_v<decltype(once), std::vector<std::shared_ptr<User>>>);
    BOOST_TEST(show(once) == "[Alice, Bob, Dave]");
    auto hi = all_of(s, dorm::select<User>().join<Comment>().where(col(&Comment::comment) == "hi").distinct()
                            .order_by(col(&User::name)));
    BOOST_TEST(show(hi) == "[Alice, Bob]");
}

BOOST_FIXTURE_TEST_CASE(label_names_a_column, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto names = all_of(s, dorm::select(col(&User::name).label("who")).where(col(&User::age) < 30));
    BOOST_TEST(show(names) == "[Carol]");
    BOOST_CHECK_EQUAL(echo.count_containing("AS " + q("who")), 1u);

    // the label is the column's name: text<Row> and a subquery source find it by that name
    auto older = dorm::select(col(&User::name).label("who"), (col(&User::age) * 2).label("twice")).subquery("o");
    auto from_sub = all_of(s, dorm::select(older.c<std::string>("who"), older.c<int>("twice"))
                                  .select_from<User>()  // any table: the join below brings the subquery
                                  .join(older, older.c<std::string>("who") == col(&User::name))
                                  .where(older.c<int>("twice") > 80)
                                  .order_by(older.c<int>("twice")));
    BOOST_TEST(show(from_sub) == "[(Bob, 82), (Dave, 104)]");
}

// select<A, B>(): rows are tuples of objects (SQLAlchemy tutorial/data_select.rst: `select(User, Address)` rows are
// 2-tuples).
BOOST_FIXTURE_TEST_CASE(select_of_two_structs_gives_tuples_of_objects, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto pairs = all_of(s, dorm::select<User, Comment>().join<Comment>().order_by(col(&Comment::id)));
    static_assert(std::is_same_v<decltype(pairs), std::vector<std::tuple<std::shared_ptr<User>, std::shared_ptr<Comment>>>>);
    BOOST_TEST(show(pairs) == "[(Alice, hi), (Alice, Alice), (Bob, hi), (Bob, Alice), (Dave, x), (Dave, yo), (Dave, Dave)]");
    BOOST_REQUIRE_EQUAL(pairs.size(), 7u);
    // the session's objects: one per row of a table
    BOOST_CHECK(std::get<0>(pairs[0]).get() == std::get<0>(pairs[1]).get());
    BOOST_CHECK(std::get<0>(pairs[0]).get() == s.get<User>(std::get<0>(pairs[0])->id).get());
    BOOST_CHECK(std::get<1>(pairs[2])->user_id == std::get<0>(pairs[2])->id);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT " + q("user_table") + "." + q("id") + ", "), 1u);

    auto hi = all_of(s, dorm::select<User, Comment>().join<Comment>().where(col(&Comment::comment) == "hi")
                            .order_by(col(&User::name)));
    BOOST_TEST(show(hi) == "[(Alice, hi), (Bob, hi)]");
    // the other way round, and with the ON clause written out
    auto back = all_of(s, dorm::select<Comment, User>()
                              .join<User>(col(&Comment::user_id) == col(&User::id) && col(&User::age) > 50)
                              .order_by(col(&Comment::id)));
    BOOST_TEST(show(back) == "[(x, Dave), (yo, Dave), (Dave, Dave)]");
    auto profiles = all_of(s, dorm::select<User, Profile>().join<Profile>().order_by(col(&User::name)));
    BOOST_TEST(show(profiles) == "[(Alice, a-profile), (Bob, b-profile)]");

    // outer join: a user without comments comes with a null pointer
    auto all = all_of(s, dorm::select<User, Comment>().outer_join<Comment>().order_by(col(&User::name), col(&Comment::id)));
    static_assert(std::is_same_v<decltype(all), std::vector<std::tuple<std::shared_ptr<User>, std::shared_ptr<Comment>>>>);
    BOOST_TEST(show(all) == "[(Alice, hi), (Alice, Alice), (Bob, hi), (Bob, Alice), (Carol, nullptr), (Dave, x), "
                            "(Dave, yo), (Dave, Dave)]");
    s.commit();

    // on a connection: tuples of values, std::optional for the outer-joined struct
    auto c = engine.connect();
    auto values = dorm::execute(c, dorm::select<User, Comment>().outer_join<Comment>().where(col(&User::age) < 35)
                                       .order_by(col(&User::name), col(&Comment::id)))
                      .all();
    static_assert(std::is_same_v<decltype(values), std::vector<std::tuple<User, std::optional<Comment>>>>);
    BOOST_TEST(show(values) == "[(Alice, hi), (Alice, Alice), (Carol, null)]");
    auto inner = dorm::execute(c, dorm::select<User, Profile>().join<Profile>().order_by(col(&User::name))).all();
    static_assert(std::is_same_v<decltype(inner), std::vector<std::tuple<User, Profile>>>);
    BOOST_TEST(show(inner) == "[(Alice, a-profile), (Bob, b-profile)]");
}

BOOST_AUTO_TEST_SUITE_END()

