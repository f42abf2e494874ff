// Predicates against a real database: IN / NOT IN (also empty lists), BETWEEN, IS NULL, ilike and
// the LIKE helpers, IS DISTINCT FROM, arithmetic, comparisons across joined tables, chained where().
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <initializer_list>
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

BOOST_AUTO_TEST_SUITE(predicates)

BOOST_FIXTURE_TEST_CASE(in_not_in_and_empty_lists, sample_db) {
    seed_samples(engine);
    dorm::session s(engine);
    auto ids = [&](const auto& stmt) { return show(all_of(s, stmt.order_by(col(&Sample::id)))); };
    const auto qty = col(&Sample::qty);
    BOOST_TEST(ids(dorm::select(qty).where(qty.in({5, 1, 99}))) == "[1, 5]");
    BOOST_TEST(ids(dorm::select(qty).where(qty.not_in({5, 1, 99}))) == "[2, 3, 6]");
    BOOST_TEST(ids(dorm::select(col(&Sample::kind)).where(col(&Sample::kind).in(std::vector<std::string>{"kiwi", "fig"}))) ==
               "[fig, fig, kiwi]");
    // NULL is neither in nor not in a list
    BOOST_TEST(ids(dorm::select(qty).where(col(&Sample::rank).not_in({3}))) == "[5, 3]");
    BOOST_TEST(ids(dorm::select(qty).where(col(&Sample::rank).in({3, 7}))) == "[1, 3]");

    const std::vector<int> none;
    BOOST_TEST(ids(dorm::select(qty).where(qty.in(none))) == "[]");
    BOOST_TEST(ids(dorm::select(qty).where(qty.in(std::initializer_list<int>{}))) == "[]");
    BOOST_TEST(ids(dorm::select(qty).where(!qty.in(none))) == "[1, 2, 5, 3, 6]");
    BOOST_TEST(ids(dorm::select(qty).where(qty.not_in(none))) == "[1, 2, 5, 3, 6]");
    BOOST_TEST(ids(dorm::select(qty).where(qty.in(none) || qty == 3)) == "[3]");
    // an empty NOT IN is true even for NULL values (SQLAlchemy's semantics: the list is empty)
    BOOST_TEST(ids(dorm::select(qty).where(col(&Sample::rank).not_in(none))) == "[1, 2, 5, 3, 6]");
    // the entity form
    BOOST_CHECK(all_of(s, dorm::select<Sample>().where(col(&Sample::id).in(none))).empty());
    BOOST_CHECK_EQUAL(all_of(s, dorm::select<Sample>().where(!col(&Sample::id).in(none))).size(), 5u);
}

BOOST_FIXTURE_TEST_CASE(between_and_null_tests, sample_db) {
    seed_samples(engine);
    dorm::session s(engine);
    auto qtys = [&](const auto& stmt) { return show(all_of(s, stmt.order_by(col(&Sample::id)))); };
    BOOST_TEST(qtys(dorm::select(col(&Sample::qty)).where(col(&Sample::qty).between(2, 5))) == "[2, 5, 3]");
    BOOST_TEST(qtys(dorm::select(col(&Sample::qty)).where(col(&Sample::price).between(1.0, 2.5))) == "[1, 2, 6]");
    BOOST_TEST(qtys(dorm::select(col(&Sample::qty)).where(col(&Sample::rank) == std::nullopt)) == "[2, 6]");
    BOOST_TEST(qtys(dorm::select(col(&Sample::qty)).where(col(&Sample::rank) != std::nullopt)) == "[1, 5, 3]");
    const std::optional<int> unset;
    BOOST_TEST(qtys(dorm::select(col(&Sample::qty)).where(col(&Sample::rank) == unset)) == "[2, 6]");
    BOOST_TEST(qtys(dorm::select(col(&Sample::qty)).where(col(&Sample::note).is_null() || col(&Sample::qty) == 1)) ==
               "[1, 2]");
}

BOOST_FIXTURE_TEST_CASE(ilike_is_case_insensitive, member_db) {
    seed_wildcard_members(engine);
    dorm::session s(engine);
    auto nicks = [&](const auto& cond) {
        return show(all_of(s, dorm::select(col(&Member::nick)).where(cond).order_by(col(&Member::id))));
    };
    BOOST_TEST(nicks(col(&Member::nick).ilike("al%")) == "[Alice, ALBERT]");
    BOOST_TEST(nicks(col(&Member::nick).ilike("AL%")) == "[Alice, ALBERT]");
    BOOST_TEST(nicks(col(&Member::nick).ilike("%OB")) == "[bob]");
    BOOST_TEST(nicks(col(&Member::nick).ilike("aLiCe")) == "[Alice]");
    BOOST_TEST(nicks(col(&Member::nick).ilike("%B%") && col(&Member::nick).ilike("a%")) == "[a_b, axb, ALBERT]");
    BOOST_TEST(nicks(!col(&Member::nick).ilike("%a%") && !col(&Member::nick).like("%0%")) ==
               "[c/d, bob]");
    if (dorm_test::is_postgresql())
        BOOST_CHECK(echo.count_containing("ILIKE") > 0);
    else
        BOOST_CHECK(echo.count_containing("lower(") > 0);
}

BOOST_FIXTURE_TEST_CASE(starts_with_ends_with_contains_match_wildcards_literally, member_db) {
    seed_wildcard_members(engine);
    dorm::session s(engine);
    auto nicks = [&](const auto& cond) {
        return show(all_of(s, dorm::select(col(&Member::nick)).where(cond).order_by(col(&Member::id))));
    };
    const auto nick = col(&Member::nick);
    BOOST_TEST(nicks(nick.contains("%")) == "[50% off, 100%]");
    BOOST_TEST(nicks(nick.starts_with("50%")) == "[50% off]");  // not "50 percent"
    BOOST_TEST(nicks(nick.starts_with("50")) == "[50% off, 50 percent]");
    BOOST_TEST(nicks(nick.ends_with("%")) == "[100%]");
    BOOST_TEST(nicks(nick.ends_with("_b")) == "[a_b]");  // not "axb"
    BOOST_TEST(nicks(nick.contains("_")) == "[a_b]");
    BOOST_TEST(nicks(nick.contains("/")) == "[c/d]");  // the escape character itself
    BOOST_TEST(nicks(nick.contains("\\")) == "[back\\slash]");
    BOOST_TEST(nicks(nick.contains("k\\s")) == "[back\\slash]");
    BOOST_TEST(nicks(nick.contains("x")) == "[axb]");
    BOOST_TEST(nicks(nick.starts_with("")) == "[50% off, 50 percent, a_b, axb, c/d, back\\slash, 100%, Alice, ALBERT, bob]");
    // plain LIKE keeps the wildcards
    BOOST_TEST(nicks(nick.like("a_b")) == "[a_b, axb]");
    BOOST_TEST(nicks(nick.like("50%")) == "[50% off, 50 percent]");
    BOOST_TEST(nicks(nick.not_like("%0%") && nick.not_like("%l%") && nick.not_like("%L%")) == "[a_b, axb, c/d, bob]");
}

BOOST_FIXTURE_TEST_CASE(is_distinct_from_treats_null_as_a_value, sample_db) {
    seed_samples(engine);
    dorm::session s(engine);
    auto qtys = [&](const auto& cond) {
        return show(all_of(s, dorm::select(col(&Sample::qty)).where(cond).order_by(col(&Sample::id))));
    };
    const auto rank = col(&Sample::rank);
    // ranks (by id): 3, NULL, 5, 7, NULL; qtys: 1, 2, 5, 3, 6
    BOOST_TEST(qtys(rank != 3) == "[5, 3]");  // NULL != 3 is not true
    BOOST_TEST(qtys(rank.is_distinct_from(3)) == "[2, 5, 3, 6]");
    BOOST_TEST(qtys(rank.is_not_distinct_from(3)) == "[1]");
    BOOST_TEST(qtys(rank.is_not_distinct_from(std::nullopt)) == "[2, 6]");
    BOOST_TEST(qtys(rank.is_distinct_from(std::nullopt)) == "[1, 5, 3]");
    BOOST_TEST(qtys(rank.is_not_distinct_from(std::optional<int>())) == "[2, 6]");
    BOOST_TEST(qtys(rank.is_distinct_from(std::optional<int>(7))) == "[1, 2, 5, 6]");
    // column with column
    BOOST_TEST(qtys(rank.is_not_distinct_from(col(&Sample::qty))) == "[5]");
    BOOST_TEST(qtys(rank.is_distinct_from(col(&Sample::qty))) == "[1, 2, 3, 6]");
    // inside AND / OR / NOT
    BOOST_TEST(qtys(col(&Sample::qty) > 1 && (rank.is_distinct_from(5) || col(&Sample::kind) == "fig")) ==
               "[2, 5, 3, 6]");
    BOOST_TEST(qtys(!rank.is_distinct_from(7)) == "[3]");
    if (dorm_test::is_mysql())
        BOOST_CHECK(echo.count_containing("<=>") > 0);
    else
        BOOST_CHECK(echo.count_containing("IS DISTINCT FROM") > 0);
}

BOOST_FIXTURE_TEST_CASE(arithmetic_between_columns_and_values, sample_db) {
    seed_samples(engine);
    dorm::session s(engine);
    const auto qty = col(&Sample::qty);
    const auto rank = col(&Sample::rank);
    const auto price = col(&Sample::price);
    auto qtys = [&](const auto& cond) {
        return show(all_of(s, dorm::select(qty).where(cond).order_by(col(&Sample::id))));
    };
    // qtys 1, 2, 5, 3, 6; ranks 3, NULL, 5, 7, NULL; prices 1.5, 2.5, 4.0, 0.25, 1.0
    BOOST_TEST(qtys(qty * 2 > rank) == "[5]");
    BOOST_TEST(qtys(qty + 2 >= rank) == "[1, 5]");
    BOOST_TEST(qtys(rank - qty == 2) == "[1]");
    BOOST_TEST(qtys(qty - 1 > 3) == "[5, 6]");
    BOOST_TEST(qtys(2 * qty < 5) == "[1, 2]");
    BOOST_TEST(qtys(10 - qty < 6) == "[5, 6]");
    BOOST_TEST(qtys(-qty < -4) == "[5, 6]");
    BOOST_TEST(qtys(qty % 2 == 0) == "[2, 6]");
    BOOST_TEST(qtys(qty * price > 4.9) == "[2, 5, 6]");
    BOOST_TEST(qtys(price * 4 == 1) == "[3]");
    BOOST_TEST(qtys((qty + 1) * 2 == 8) == "[3]");
    BOOST_TEST(qtys(qty + (rank - 1) * 2 == 13) == "[5]");  // 5 + (5 - 1) * 2
    // integer division of int columns is integer division on every backend (the C++ type is int)
    BOOST_TEST(qtys(qty / 2 == 2) == "[5]");
    auto halves = all_of(s, dorm::select(qty / 2).order_by(col(&Sample::id)));
    static_assert(std::is_same_v<decltype(halves), std::vector<int>>);
    BOOST_TEST(show(halves) == "[0, 1, 2, 1, 3]");
    BOOST_TEST(show(all_of(s, dorm::select(-qty / 2).order_by(col(&Sample::id)))) == "[0, -1, -2, -1, -3]");  // toward 0
    BOOST_TEST(qtys(qty / col(&Sample::rank) == 1) == "[5]");  // 1/3, 5/5, 3/7; NULL ranks: NULL
    if (dorm_test::is_mysql()) BOOST_CHECK(echo.count_containing(" DIV ") > 0);  // MySQL's `/` is exact
    // double arithmetic stays double
    auto totals = all_of(s, dorm::select(qty * price, price / 2).order_by(col(&Sample::id)));
    static_assert(std::is_same_v<decltype(totals), std::vector<std::tuple<double, double>>>);
    BOOST_TEST(show(totals) == "[(1.5, 0.75), (5, 1.25), (20, 2), (0.75, 0.125), (6, 0.5)]");
    // NULL operands give NULL: an optional result
    auto sums = all_of(s, dorm::select(qty + rank).order_by(col(&Sample::id)));
    static_assert(std::is_same_v<decltype(sums), std::vector<std::optional<int>>>);
    BOOST_TEST(show(sums) == "[4, null, 10, 10, null]");
}

BOOST_FIXTURE_TEST_CASE(comparison_across_two_joined_tables, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    // comments whose text is their author's name
    auto own = all_of(s, dorm::select(col(&User::name), col(&Comment::comment))
                             .join<Comment>()
                             .where(col(&Comment::comment) == col(&User::name))
                             .order_by(col(&User::name)));
    BOOST_TEST(show(own) == "[(Alice, Alice), (Dave, Dave)]");
    auto other = all_of(s, dorm::select(col(&User::name), col(&Comment::comment))
                               .join<Comment>()
                               .where(col(&Comment::comment) != col(&User::name))
                               .where(dorm::length(col(&Comment::comment)) > 2)
                               .order_by(col(&User::name)));
    BOOST_TEST(show(other) == "[(Bob, Alice)]");
    // a number of one table against a number of the other
    auto longer = all_of(s, dorm::select<Comment>()
                                .join<User>()
                                .where(dorm::length(col(&Comment::comment)) * 10 > col(&User::age))
                                .order_by(col(&Comment::id)));
    BOOST_TEST(show(longer) == "[Alice, Alice]");  // 50 > 30 and 50 > 41; "Dave": 40 < 52
}

BOOST_FIXTURE_TEST_CASE(chained_where_is_and, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto names = [&](const auto& stmt) { return show(all_of(s, stmt.order_by(col(&User::name)))); };
    const auto age = col(&User::age);
    BOOST_TEST(names(dorm::select(col(&User::name)).where(age > 26).where(age < 50)) == "[Alice, Bob]");
    BOOST_TEST(names(dorm::select(col(&User::name)).where(age > 26).where(age < 50).where(col(&User::name) != "Bob")) ==
               "[Alice]");
    // an OR in one where() stays together with the AND of the next
    BOOST_TEST(names(dorm::select(col(&User::name)).where(age < 26 || age > 50).where(col(&User::name) != "Dave")) ==
               "[Carol]");
    BOOST_TEST(names(dorm::select(col(&User::name)).where(col(&User::name) != "Dave").where(age < 26 || age > 50)) ==
               "[Carol]");
    BOOST_TEST(names(dorm::select(col(&User::name)).where(!(age < 26 || age > 50))) == "[Alice, Bob]");
    // chained where on an entity select of a join
    BOOST_TEST(names(dorm::select<User>().join<Comment>().where(col(&Comment::comment) == "hi").where(age > 35)) == "[Bob]");
}



BOOST_FIXTURE_TEST_CASE(recipes_and_trees_read_the_same_rows, sample_db) {
    // select<T>().where(col <op> value) runs from its recipe (dorm/query/lazy_select.hpp), the
    // same statement once its tree is made runs from the tree: the rows must be the same, for
    // each column type and operator, in a session and on a connection
    seed_samples(engine);
    dorm::session s(engine);
    auto conn = engine.connect();
    int recipes = 0;
    auto check = [&](const auto& stmt, const std::string& what) {
        BOOST_TEST_CONTEXT(what) {
            BOOST_TEST_REQUIRE(stmt.lazy_ast().recipe() != nullptr);
            ++recipes;
            const auto tree = stmt;
            (void)tree.ast();  // the copy's tree is made: it runs as a tree
            BOOST_TEST_REQUIRE(tree.lazy_ast().recipe() == nullptr);
            auto ids_in_session = [&](const auto& q) {
                std::vector<int> ids;
                for (const auto& x : s.execute(q).all()) ids.push_back(x->id);
                std::sort(ids.begin(), ids.end());
                return show(ids);
            };
            auto ids_on_connection = [&](const auto& q) {
                std::vector<int> ids;
                for (const auto& x : dorm::execute(conn, q).all()) ids.push_back(x.id);
                std::sort(ids.begin(), ids.end());
                return show(ids);
            };
            const std::string expected = ids_in_session(tree);
            BOOST_TEST(ids_in_session(stmt) == expected);
            BOOST_TEST(ids_on_connection(stmt) == expected);
            BOOST_TEST(ids_on_connection(tree) == expected);
        }
    };
    auto all_ops = [&](auto c, auto v, const std::string& what) {
        check(dorm::select<Sample>().where(c == v), what + " ==");
        check(dorm::select<Sample>().where(c != v), what + " !=");
        check(dorm::select<Sample>().where(c < v), what + " <");
        check(dorm::select<Sample>().where(c <= v), what + " <=");
        check(dorm::select<Sample>().where(c > v), what + " >");
        check(dorm::select<Sample>().where(c >= v), what + " >=");
    };
    for (int v : {0, 1, 3, 6, INT32_MAX, INT32_MIN}) all_ops(col(&Sample::qty), v, "qty " + std::to_string(v));
    for (double v : {0.25, 1.0, 2.4999, -1e300}) all_ops(col(&Sample::price), v, "price " + std::to_string(v));
    for (std::string v : {"", "fig", "kiwi", "pear", "pears", "z"}) all_ops(col(&Sample::kind), v, "kind " + v);
    for (int v : {3, 5, 8}) all_ops(col(&Sample::rank), std::optional<int>(v), "rank " + std::to_string(v));
    all_ops(col(&Sample::note), std::optional<std::string>("w"), "note w");
    check(dorm::select<Sample>().where(col(&Sample::kind).like("%i%")), "kind like");
    check(dorm::select<Sample>().where(col(&Sample::kind).ilike("PEAR")), "kind ilike");
    check(dorm::select<Sample>().where(col(&Sample::rank).is_distinct_from(std::optional<int>(3))), "rank distinct");
    check(dorm::select<Sample>(), "no condition");
    BOOST_TEST(recipes == 6 * (6 + 4 + 6 + 3 + 1) + 4);
    // and the rows themselves: pear 1, fig 5 and fig 3 cost more than 1.0
    BOOST_TEST(s.execute(dorm::select<Sample>().where(col(&Sample::price) > 1.0)).all().size() == 3u);
}

BOOST_FIXTURE_TEST_CASE(integer_columns_beside_floating_point_values, sample_db) {
    // An integer column compared with or computed with a floating-point value compares
    // numerically on every backend (PostgreSQL refused `qty > 2.5`: it took the parameter for an
    // integer). qty: 1, 2, 5, 3, 6; rank: 3, NULL, 5, 7, NULL.
    seed_samples(engine);
    dorm::session s(engine);
    auto qtys = [&](const auto& cond) {
        std::vector<int> out;
        for (const auto& x : s.execute(dorm::select<Sample>().where(cond).order_by(col(&Sample::id))).all())
            out.push_back(x->qty);
        return show(out);
    };
    const auto qty = col(&Sample::qty);
    BOOST_TEST(qtys(qty > 2.5) == "[5, 3, 6]");
    BOOST_TEST(qtys(qty <= 2.5) == "[1, 2]");
    BOOST_TEST(qtys(qty == 2.0) == "[2]");
    BOOST_TEST(qtys(qty == 2.5) == "[]");
    BOOST_TEST(qtys(qty != 2.5) == "[1, 2, 5, 3, 6]");
    BOOST_TEST(qtys(2.5 < qty) == "[5, 3, 6]");
    BOOST_TEST(qtys(qty.between(1.5, 3.5)) == "[2, 3]");
    BOOST_TEST(qtys(qty.in({2.0, 5.5})) == "[2]");
    BOOST_TEST(qtys(col(&Sample::rank) >= 4.5) == "[5, 3]");
    BOOST_TEST(qtys(qty * 1.5 > 7.0) == "[5, 6]");
    BOOST_TEST(show(s.execute(dorm::select(qty + 0.5).order_by(col(&Sample::id))).all()) == "[1.5, 2.5, 5.5, 3.5, 6.5]");
    BOOST_TEST(show(s.execute(dorm::select(qty / 2.0).order_by(col(&Sample::id))).all()) == "[0.5, 1, 2.5, 1.5, 3]");
    // boundaries: huge magnitudes, negative zero, a value past INT64_MAX
    BOOST_TEST(qtys(qty < 1e300) == "[1, 2, 5, 3, 6]");
    BOOST_TEST(qtys(qty > -1e300) == "[1, 2, 5, 3, 6]");
    BOOST_TEST(qtys(qty > 1e19) == "[]");
    BOOST_TEST(qtys(qty == -0.0) == "[]");
    BOOST_TEST(qtys(qty > -0.0) == "[1, 2, 5, 3, 6]");
    // the same statement shape with an integer value, after the typed one, on the same connection
    BOOST_TEST(qtys(qty > 2) == "[5, 3, 6]");
    auto conn = engine.connect();
    BOOST_TEST(dorm::execute(conn, dorm::select<Sample>().where(qty < 1.5)).all().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
