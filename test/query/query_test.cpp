// The query language against a real database (DORM_TEST_URL): every construct of the DSL runs
// real SQL on real rows, and the rows are checked (values, row counts, C++ row types). The dry
// SQL tests (test/sql) check the text; these check that the text does what it says on SQLite,
// PostgreSQL and MariaDB alike. README "Queries", SEMANTICS.md §3 and §6.
#define BOOST_TEST_MODULE query
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"
#include "models.hpp"

using dorm::col;
using dorm_test::q;

// ---- models of this suite --------------------------------------------------------------------

namespace qt {

/// Numbers of every kind, nullable columns, strings: aggregates, arithmetic, IS DISTINCT FROM.
struct Sample {
    int id = 0;
    std::string kind;
    int qty = 0;
    double price = 0;
    std::optional<int> rank;
    std::optional<std::string> note;
};
BOOST_DESCRIBE_STRUCT(Sample, (), (id, kind, qty, price, rank, note))
DORM_TABLE(Sample, "sample", (kind, dorm::varchar(20)), (note, dorm::varchar(50)))

/// Nine inserted columns per row: a multi-row INSERT hits the parameter limit quickly.
struct Wide {
    int id = 0;
    int a = 0;
    int b = 0;
    int c = 0;
    int d = 0;
    int e = 0;
    int f = 0;
    int g = 0;
    std::optional<int> h;
    std::string s;
};
BOOST_DESCRIBE_STRUCT(Wide, (), (id, a, b, c, d, e, f, g, h, s))
DORM_TABLE(Wide, "wide", (s, dorm::varchar(20)))

/// A described struct that is not a table: rows of dorm::text<TextRow>.
struct TextRow {
    int age = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(TextRow, (), (age, name))

}  // namespace qt

using qt::Sample;
using qt::Wide;

namespace {

using users_db = dorm_test::database<User, Profile, Comment>;
using member_db = dorm_test::database<Member>;
using sample_db = dorm_test::database<Sample>;
using node_db = dorm_test::database<Node>;
using wide_db = dorm_test::database<Wide>;

// ---- printing rows, so that a whole result is compared at once with a readable failure ----------

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_tuple : std::false_type {};
template <class... T>
struct is_tuple<std::tuple<T...>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_shared : std::false_type {};
template <class T>
struct is_shared<std::shared_ptr<T>> : std::true_type {};

template <class T>
void put(std::ostream& o, const T& v);

/// What identifies an object in a printed row: its name (or nick, comment, kind, profile).
template <class T>
void put_object(std::ostream& o, const T& v) {
    if constexpr (requires { v.name; })
        put(o, v.name);
    else if constexpr (requires { v.nick; })
        put(o, v.nick);
    else if constexpr (requires { v.comment; })
        put(o, v.comment);
    else if constexpr (requires { v.kind; })
        put(o, v.kind);
    else if constexpr (requires { v.profile; })
        put(o, v.profile);
    else
        o << "<object>";
}

template <class T>
void put(std::ostream& o, const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
        o << v;
    } else if constexpr (std::is_same_v<T, bool>) {
        o << (v ? "true" : "false");
    } else if constexpr (is_optional<T>::value) {
        if (v)
            put(o, *v);
        else
            o << "null";
    } else if constexpr (is_tuple<T>::value) {
        o << '(';
        std::apply(
            [&](const auto&... e) {
                int i = 0;
                ((o << (i++ ? ", " : ""), put(o, e)), ...);
            },
            v);
        o << ')';
    } else if constexpr (is_vector<T>::value) {
        o << '[';
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) o << ", ";
            put(o, v[i]);
        }
        o << ']';
    } else if constexpr (is_shared<T>::value) {
        if (v)
            put_object(o, *v);
        else
            o << "nullptr";
    } else if constexpr (std::is_arithmetic_v<T>) {
        o << v;
    } else {
        put_object(o, v);
    }
}

/// A row, a value or a vector of rows as text: [(Alice, 2), (Carol, null)].
template <class T>
std::string show(const T& v) {
    std::ostringstream o;
    put(o, v);
    return o.str();
}

// ---- seed data ---------------------------------------------------------------------------------

/// Four users; comments: Alice 2 ("hi", "Alice"), Bob 2 ("hi", "Alice"), Carol none, Dave 3
/// ("x", "yo", "Dave"); profiles for Alice and Bob. Average age 37.
struct people {
    int alice = 0, bob = 0, carol = 0, dave = 0;
};
people seed_people(const dorm::engine& e) {
    dorm::session s(e);
    auto alice = s.add(User{.name = "Alice", .age = 30});
    auto bob = s.add(User{.name = "Bob", .age = 41});
    auto carol = s.add(User{.name = "Carol", .age = 25});
    auto dave = s.add(User{.name = "Dave", .age = 52});
    s.flush();
    s.add(Comment{.comment = "hi", .user_id = alice->id});
    s.add(Comment{.comment = "Alice", .user_id = alice->id});
    s.add(Comment{.comment = "hi", .user_id = bob->id});
    s.add(Comment{.comment = "Alice", .user_id = bob->id});
    s.add(Comment{.comment = "x", .user_id = dave->id});
    s.add(Comment{.comment = "yo", .user_id = dave->id});
    s.add(Comment{.comment = "Dave", .user_id = dave->id});
    s.add(Profile{.profile = "a-profile", .user_id = alice->id});
    s.add(Profile{.profile = "b-profile", .user_id = bob->id});
    s.commit();
    return {alice->id, bob->id, carol->id, dave->id};
}

/// Five samples (kind, qty, price, rank, note), inserted in this order (ids ascending):
///   pear 1 1.5  3    x  |  pear 2 2.5  NULL NULL  |  fig 5 4.0  5 y  |  fig 3 0.25 7 w  |  kiwi 6 1.0 NULL v
void seed_samples(const dorm::engine& e) {
    dorm::session s(e);
    s.add(Sample{.kind = "pear", .qty = 1, .price = 1.5, .rank = 3, .note = "x"});
    s.flush();  // ids in this order
    s.add(Sample{.kind = "pear", .qty = 2, .price = 2.5, .rank = std::nullopt, .note = std::nullopt});
    s.flush();
    s.add(Sample{.kind = "fig", .qty = 5, .price = 4.0, .rank = 5, .note = "y"});
    s.flush();
    s.add(Sample{.kind = "fig", .qty = 3, .price = 0.25, .rank = 7, .note = "w"});
    s.flush();
    s.add(Sample{.kind = "kiwi", .qty = 6, .price = 1.0, .rank = std::nullopt, .note = "v"});
    s.commit();
}

/// Members with nicks full of LIKE wildcards (and the escape character, and a backslash).
void seed_wildcard_members(const dorm::engine& e) {
    const std::vector<std::string> nicks{"50% off", "50 percent", "a_b", "axb", "c/d", "back\\slash", "100%", "Alice",
                                         "ALBERT", "bob"};
    dorm::session s(e);
    int i = 0;
    for (auto& n : nicks) {
        s.add(Member{.email = "m" + std::to_string(i++) + "@x", .nick = n});
        s.flush();  // ids in list order
    }
    s.commit();
}

/// Nodes root <- a <- a1, root <- b, with explicit keys.
void seed_nodes(const dorm::engine& e) {
    auto c = e.connect();
    const auto n = dorm::execute(c, dorm::insert<Node>().values({
                                        Node{.id = 1, .name = "root"},
                                        Node{.id = 2, .name = "a", .parent_id = 1},
                                        Node{.id = 3, .name = "b", .parent_id = 1},
                                        Node{.id = 4, .name = "a1", .parent_id = 2},
                                    }))
                       .rowcount();
    BOOST_REQUIRE_EQUAL(n, 4);
}

template <class Stmt>
auto all_of(dorm::session& s, const Stmt& stmt) {
    return s.execute(stmt).all();
}

}  // namespace

// ================================================================================================
// 1. column selects, distinct, label
// ================================================================================================

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

// select<A, B>(): rows are tuples of objects (SEMANTICS §3.1: `select(User, Address)` rows are
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

// ================================================================================================
// 2. aggregates and functions
// ================================================================================================

BOOST_AUTO_TEST_SUITE(aggregates)

BOOST_FIXTURE_TEST_CASE(count_sum_avg_min_max_values_and_types, sample_db) {
    seed_samples(engine);
    dorm::session s(engine);

    auto n = s.execute(dorm::select(dorm::count()).select_from<Sample>()).scalar_one();
    static_assert(std::is_same_v<decltype(n), std::int64_t>);
    BOOST_CHECK_EQUAL(n, 5);
    auto ranked = s.execute(dorm::select(dorm::count(col(&Sample::rank)))).scalar_one();  // NULLs not counted
    static_assert(std::is_same_v<decltype(ranked), std::int64_t>);
    BOOST_CHECK_EQUAL(ranked, 3);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count(col(&Sample::note)))).scalar_one(), 4);

    auto sum_qty = s.execute(dorm::select(dorm::sum(col(&Sample::qty)))).scalar_one();
    static_assert(std::is_same_v<decltype(sum_qty), std::optional<std::int64_t>>);  // sum of int: 64-bit
    BOOST_REQUIRE(sum_qty);
    BOOST_CHECK_EQUAL(*sum_qty, 17);
    auto sum_rank = s.execute(dorm::select(dorm::sum(col(&Sample::rank)))).scalar_one();
    static_assert(std::is_same_v<decltype(sum_rank), std::optional<std::int64_t>>);
    BOOST_CHECK(sum_rank == std::optional<std::int64_t>(15));
    auto sum_price = s.execute(dorm::select(dorm::sum(col(&Sample::price)))).scalar_one();
    static_assert(std::is_same_v<decltype(sum_price), std::optional<double>>);
    BOOST_REQUIRE(sum_price);
    BOOST_CHECK_CLOSE(*sum_price, 9.25, 1e-9);

    auto avg_qty = s.execute(dorm::select(dorm::avg(col(&Sample::qty)))).scalar_one();
    static_assert(std::is_same_v<decltype(avg_qty), std::optional<double>>);  // avg of int: double, not truncated
    BOOST_REQUIRE(avg_qty);
    BOOST_CHECK_CLOSE(*avg_qty, 3.4, 1e-9);
    auto avg_price = s.execute(dorm::select(dorm::avg(col(&Sample::price)))).scalar_one();
    BOOST_REQUIRE(avg_price);
    BOOST_CHECK_CLOSE(*avg_price, 1.85, 1e-9);

    // min / max keep the column's type
    auto lo = s.execute(dorm::select(dorm::min(col(&Sample::qty)), dorm::max(col(&Sample::qty)),
                                     dorm::min(col(&Sample::price)), dorm::max(col(&Sample::price)),
                                     dorm::min(col(&Sample::kind)), dorm::max(col(&Sample::kind)),
                                     dorm::min(col(&Sample::note)), dorm::max(col(&Sample::rank))))
                  .one();
    static_assert(std::is_same_v<decltype(lo), std::tuple<std::optional<int>, std::optional<int>, std::optional<double>,
                                                          std::optional<double>, std::optional<std::string>,
                                                          std::optional<std::string>, std::optional<std::string>,
                                                          std::optional<int>>>);
    BOOST_TEST(show(lo) == "(1, 6, 0.25, 4, fig, pear, v, 7)");

    // aggregates of a filtered set, and arithmetic between aggregates
    auto spread = s.execute(dorm::select(dorm::max(col(&Sample::qty)) - dorm::min(col(&Sample::qty)))
                                .where(col(&Sample::kind) != "kiwi"))
                      .scalar_one();
    static_assert(std::is_same_v<decltype(spread), std::optional<int>>);
    BOOST_CHECK(spread == std::optional<int>(4));
    BOOST_CHECK_EQUAL(
        s.execute(dorm::select(dorm::count()).select_from<Sample>().where(col(&Sample::kind) == "fig")).scalar_one(), 2);
}

BOOST_FIXTURE_TEST_CASE(aggregates_over_an_empty_set_are_null, sample_db) {
    dorm::session s(engine);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count()).select_from<Sample>()).scalar_one(), 0);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count(col(&Sample::qty)))).scalar_one(), 0);
    auto row = s.execute(dorm::select(dorm::sum(col(&Sample::qty)), dorm::sum(col(&Sample::price)),
                                      dorm::avg(col(&Sample::qty)), dorm::min(col(&Sample::qty)),
                                      dorm::max(col(&Sample::kind)), dorm::max(col(&Sample::price))))
                   .one();  // an aggregate without GROUP BY gives one row, even over no rows
    BOOST_TEST(show(row) == "(null, null, null, null, null, null)");
    BOOST_CHECK(!std::get<0>(row).has_value());
    BOOST_CHECK(!std::get<2>(row).has_value());
    BOOST_CHECK(!std::get<4>(row).has_value());

    // the same over a non-empty table with a filter that matches nothing
    s.rollback();  // end the read transaction: another session writes
    seed_samples(engine);
    auto none = s.execute(dorm::select(dorm::sum(col(&Sample::qty)), dorm::avg(col(&Sample::price)),
                                       dorm::min(col(&Sample::note)))
                              .where(col(&Sample::qty) > 100))
                    .one();
    BOOST_TEST(show(none) == "(null, null, null)");
    // sum over rows whose values are all NULL is NULL too
    auto nulls = s.execute(dorm::select(dorm::sum(col(&Sample::rank))).where(col(&Sample::rank).is_null())).scalar_one();
    BOOST_CHECK(!nulls.has_value());
}

BOOST_FIXTURE_TEST_CASE(coalesce_lower_upper_length, sample_db) {
    seed_samples(engine);
    dorm::session s(engine);
    auto notes = all_of(s, dorm::select(dorm::coalesce(col(&Sample::note), "none")).order_by(col(&Sample::id)));
    static_assert(std::is_same_v<decltype(notes), std::vector<std::string>>);
    BOOST_TEST(show(notes) == "[x, none, y, w, v]");
    auto ranks = all_of(s, dorm::select(dorm::coalesce(col(&Sample::rank), col(&Sample::qty))).order_by(col(&Sample::id)));
    static_assert(std::is_same_v<decltype(ranks), std::vector<int>>);
    BOOST_TEST(show(ranks) == "[3, 2, 5, 7, 6]");
    // coalesce in a condition
    BOOST_CHECK_EQUAL(all_of(s, dorm::select(col(&Sample::id)).where(dorm::coalesce(col(&Sample::note), "none") == "none"))
                          .size(),
                      1u);

    auto cases = all_of(s, dorm::select(dorm::upper(col(&Sample::kind)), dorm::lower(dorm::upper(col(&Sample::kind))),
                                        dorm::length(col(&Sample::kind)), dorm::length(col(&Sample::note)))
                               .order_by(col(&Sample::id)));
    static_assert(std::is_same_v<decltype(cases), std::vector<std::tuple<std::string, std::string, std::int64_t,
                                                                         std::optional<std::int64_t>>>>);
    BOOST_TEST(show(cases) ==
               "[(PEAR, pear, 4, 1), (PEAR, pear, 4, null), (FIG, fig, 3, 1), (FIG, fig, 3, 1), (KIWI, kiwi, 4, 1)]");
    BOOST_CHECK_EQUAL(all_of(s, dorm::select(col(&Sample::id)).where(dorm::upper(col(&Sample::kind)) == "FIG")).size(), 2u);
    BOOST_CHECK_EQUAL(all_of(s, dorm::select(col(&Sample::id)).where(dorm::length(col(&Sample::kind)) > 3)).size(), 3u);
}

// length() counts characters, not bytes, on every backend (MySQL's length() counts bytes).
BOOST_FIXTURE_TEST_CASE(length_counts_characters, member_db) {
    dorm::session s(engine);
    s.add(Member{.email = "g@x", .nick = "Grüße"});
    s.add(Member{.email = "w@x", .nick = "世界"});
    s.commit();
    auto lengths = all_of(s, dorm::select(col(&Member::email), dorm::length(col(&Member::nick))).order_by(col(&Member::email)));
    BOOST_TEST(show(lengths) == "[(g@x, 5), (w@x, 2)]");
    BOOST_CHECK_EQUAL(echo.count_containing(dorm_test::is_mysql() ? "char_length(" : "length("), 1u);
    auto upper = s.execute(dorm::select(dorm::lower(col(&Member::nick))).where(col(&Member::email) == "g@x")).scalar_one();
    BOOST_CHECK_EQUAL(upper, "grüße");
}

BOOST_FIXTURE_TEST_CASE(group_by_and_having, sample_db) {
    seed_samples(engine);
    dorm::session s(engine);
    auto groups = all_of(s, dorm::select(col(&Sample::kind), dorm::count(), dorm::sum(col(&Sample::qty)),
                                         dorm::avg(col(&Sample::price)))
                                .group_by(col(&Sample::kind))
                                .order_by(col(&Sample::kind)));
    static_assert(std::is_same_v<decltype(groups), std::vector<std::tuple<std::string, std::int64_t,
                                                                          std::optional<std::int64_t>, std::optional<double>>>>);
    BOOST_TEST(show(groups) == "[(fig, 2, 8, 2.125), (kiwi, 1, 6, 1), (pear, 2, 3, 2)]");

    auto many = all_of(s, dorm::select(col(&Sample::kind), dorm::count())
                              .group_by(col(&Sample::kind))
                              .having(dorm::count() > 1)
                              .order_by(col(&Sample::kind)));
    BOOST_TEST(show(many) == "[(fig, 2), (pear, 2)]");
    // chained having = AND; a having on an aggregate that is not selected
    auto big = all_of(s, dorm::select(col(&Sample::kind))
                             .group_by(col(&Sample::kind))
                             .having(dorm::sum(col(&Sample::qty)) > 5)
                             .having(dorm::max(col(&Sample::price)) < 2.0)
                             .order_by(col(&Sample::kind)));
    BOOST_TEST(show(big) == "[kiwi]");
    // WHERE filters rows before grouping, HAVING groups after
    auto filtered = all_of(s, dorm::select(col(&Sample::kind), dorm::count())
                                  .where(col(&Sample::rank).is_not_null())
                                  .group_by(col(&Sample::kind))
                                  .having(dorm::count() >= 1)
                                  .order_by(dorm::count().desc(), col(&Sample::kind)));
    BOOST_TEST(show(filtered) == "[(fig, 2), (pear, 1)]");
}

BOOST_FIXTURE_TEST_CASE(group_by_over_a_join, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto per_user = all_of(s, dorm::select(col(&User::name), dorm::count(col(&Comment::id)))
                                  .join<Comment>()
                                  .group_by(col(&User::name))
                                  .having(dorm::count(col(&Comment::id)) > 1)
                                  .order_by(col(&User::name)));
    BOOST_TEST(show(per_user) == "[(Alice, 2), (Bob, 2), (Dave, 3)]");
    auto over_two = all_of(s, dorm::select(col(&User::name))
                                  .join<Comment>()
                                  .group_by(col(&User::name))
                                  .having(dorm::count() > 2));
    BOOST_TEST(show(over_two) == "[Dave]");
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================================================
// 3. predicates
// ================================================================================================

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

BOOST_AUTO_TEST_SUITE_END()

// ================================================================================================
// 4. joins
// ================================================================================================

BOOST_AUTO_TEST_SUITE(joins)

BOOST_FIXTURE_TEST_CASE(join_infers_the_on_clause_from_the_foreign_key, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    // parent -> child
    auto users = all_of(s, dorm::select<User>().join<Comment>().where(col(&Comment::comment) == "Alice")
                               .order_by(col(&User::name)));
    BOOST_TEST(show(users) == "[Alice, Bob]");
    // child -> parent
    auto comments = all_of(s, dorm::select<Comment>().join<User>().where(col(&User::name) == "Dave")
                                  .order_by(col(&Comment::id)));
    BOOST_TEST(show(comments) == "[x, yo, Dave]");
    // two joins: the second finds its path through the first
    auto with_profile = all_of(s, dorm::select<Comment>().join<User>().join<Profile>().order_by(col(&Comment::id)));
    BOOST_TEST(show(with_profile) == "[hi, Alice, hi, Alice]");
    // select_from + join
    auto n = s.execute(dorm::select(dorm::count()).select_from<Comment>().join<User>().where(col(&User::name) == "Bob"))
                 .scalar_one();
    BOOST_CHECK_EQUAL(n, 2);
    auto names = all_of(s, dorm::select(col(&User::name)).select_from<Comment>().join<User>()
                               .where(col(&Comment::comment) == "hi").order_by(col(&User::name)));
    BOOST_TEST(show(names) == "[Alice, Bob]");
}

BOOST_FIXTURE_TEST_CASE(join_with_an_explicit_on_clause, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto rows_ = all_of(s, dorm::select(col(&User::name), col(&Comment::comment))
                               .join<Comment>(col(&Comment::user_id) == col(&User::id) && col(&Comment::comment) != "hi")
                               .order_by(col(&Comment::id)));
    BOOST_TEST(show(rows_) == "[(Alice, Alice), (Bob, Alice), (Dave, x), (Dave, yo), (Dave, Dave)]");
    // an ON that is not a foreign key: comments equal to some user's name
    auto named = all_of(s, dorm::select(col(&User::name), dorm::count())
                               .join<Comment>(col(&Comment::comment) == col(&User::name))
                               .group_by(col(&User::name))
                               .order_by(col(&User::name)));
    BOOST_TEST(show(named) == "[(Alice, 2), (Dave, 1)]");
    // ON parameters come before WHERE parameters
    auto mixed = all_of(s, dorm::select(col(&Comment::comment))
                               .select_from<User>()
                               .join<Comment>(col(&Comment::user_id) == col(&User::id) && col(&Comment::comment) != "x")
                               .where(col(&User::age) > 50)
                               .order_by(col(&Comment::id)));
    BOOST_TEST(show(mixed) == "[yo, Dave]");
}

BOOST_FIXTURE_TEST_CASE(outer_join_columns_are_optional, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto rows_ = all_of(s, dorm::select(col(&User::name), col(&Profile::profile)).outer_join<Profile>()
                               .order_by(col(&User::name)));
    static_assert(std::is_same_v<decltype(rows_), std::vector<std::tuple<std::string, std::optional<std::string>>>>);
    BOOST_TEST(show(rows_) == "[(Alice, a-profile), (Bob, b-profile), (Carol, null), (Dave, null)]");
    BOOST_CHECK(!std::get<1>(rows_[2]).has_value());

    // an explicit ON; a non-null int column of the outer table becomes optional too
    auto ids = all_of(s, dorm::select(col(&User::name), col(&Comment::id))
                             .outer_join<Comment>(col(&Comment::user_id) == col(&User::id) && col(&Comment::comment) == "hi")
                             .order_by(col(&User::name)));
    static_assert(std::is_same_v<decltype(ids), std::vector<std::tuple<std::string, std::optional<int>>>>);
    BOOST_REQUIRE_EQUAL(ids.size(), 4u);
    BOOST_CHECK(std::get<1>(ids[0]).has_value());
    BOOST_CHECK(std::get<1>(ids[1]).has_value());
    BOOST_CHECK(!std::get<1>(ids[2]).has_value());
    BOOST_CHECK(!std::get<1>(ids[3]).has_value());

    // users without comments: outer join + IS NULL
    auto lonely = all_of(s, dorm::select<User>().outer_join<Comment>().where(col(&Comment::id) == std::nullopt));
    BOOST_TEST(show(lonely) == "[Carol]");
    // counts including zero
    auto counts = all_of(s, dorm::select(col(&User::name), dorm::count(col(&Comment::id)))
                                .outer_join<Comment>()
                                .group_by(col(&User::name))
                                .order_by(col(&User::name)));
    BOOST_TEST(show(counts) == "[(Alice, 2), (Bob, 2), (Carol, 0), (Dave, 3)]");
    // an inner join after which an outer join: only the outer table's columns are optional
    auto mixed = all_of(s, dorm::select(col(&Comment::comment), col(&User::name), col(&Profile::profile))
                               .join<User>(col(&Comment::user_id) == col(&User::id))
                               .outer_join<Profile>(col(&Profile::user_id) == col(&User::id))
                               .where(col(&Comment::comment) == "yo"));
    static_assert(std::is_same_v<decltype(mixed),
                                 std::vector<std::tuple<std::string, std::string, std::optional<std::string>>>>);
    BOOST_TEST(show(mixed) == "[(yo, Dave, null)]");
}

BOOST_FIXTURE_TEST_CASE(aliased_self_join, node_db) {
    seed_nodes(engine);
    dorm::session s(engine);
    auto parent = dorm::aliased<Node>("parent");
    auto pairs = all_of(s, dorm::select(col(&Node::name), parent.col(&Node::name))
                               .join(parent, col(&Node::parent_id) == parent.col(&Node::id))
                               .order_by(col(&Node::id)));
    static_assert(std::is_same_v<decltype(pairs), std::vector<std::tuple<std::string, std::string>>>);
    BOOST_TEST(show(pairs) == "[(a, root), (b, root), (a1, a)]");
    BOOST_CHECK_EQUAL(echo.count_containing(q("node") + " AS " + q("parent")), 1u);

    // outer: the root has no parent
    auto all_pairs = all_of(s, dorm::select(col(&Node::name), parent.col(&Node::name))
                                   .outer_join(parent, col(&Node::parent_id) == parent.col(&Node::id))
                                   .order_by(col(&Node::id)));
    static_assert(std::is_same_v<decltype(all_pairs), std::vector<std::tuple<std::string, std::optional<std::string>>>>);
    BOOST_TEST(show(all_pairs) == "[(root, null), (a, root), (b, root), (a1, a)]");

    // entities filtered by their parent's columns
    auto children = all_of(s, dorm::select<Node>()
                                  .join(parent, col(&Node::parent_id) == parent.col(&Node::id))
                                  .where(parent.col(&Node::name) == "root")
                                  .order_by(col(&Node::id)));
    static_assert(std::is_same_v<decltype(children), std::vector<std::shared_ptr<Node>>>);
    BOOST_TEST(show(children) == "[a, b]");

    // two aliases: grandparents
    auto grand = dorm::aliased<Node>("grand");
    auto three = all_of(s, dorm::select(col(&Node::name), parent.col(&Node::name), grand.col(&Node::name))
                               .join(parent, col(&Node::parent_id) == parent.col(&Node::id))
                               .join(grand, parent.col(&Node::parent_id) == grand.col(&Node::id)));
    BOOST_TEST(show(three) == "[(a1, a, root)]");

    // children per node, leaves included (count over an outer self-join)
    auto child = dorm::aliased<Node>("child");
    auto fanout = all_of(s, dorm::select(col(&Node::name), dorm::count(child.col(&Node::id)))
                                .outer_join(child, child.col(&Node::parent_id) == col(&Node::id))
                                .group_by(col(&Node::id), col(&Node::name))
                                .order_by(col(&Node::id)));
    BOOST_TEST(show(fanout) == "[(root, 2), (a, 1), (b, 0), (a1, 0)]");
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================================================================
// 5. subqueries
// ================================================================================================

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

// ================================================================================================
// 6. bulk DML
// ================================================================================================

namespace {
/// Five members (alice 30, bob NULL, carol 50, dave 20, eve 10); returns their ids in that order.
std::vector<int> seed_members(const dorm::engine& e) {
    return dorm_test::seed(e, std::vector<Member>{
                                  {.email = "alice@x", .nick = "alice", .score = 30},
                                  {.email = "bob@x", .nick = "bob", .score = std::nullopt},
                                  {.email = "carol@x", .nick = "carol", .score = 50},
                                  {.email = "dave@x", .nick = "dave", .score = 20},
                                  {.email = "eve@x", .nick = "eve", .score = 10},
                              });
}

std::string member_table(const dorm::engine& e) {
    dorm::session s(e);
    return show(s.execute(dorm::select(col(&Member::email), col(&Member::nick), col(&Member::score)).order_by(col(&Member::email)))
                    .all());
}
}  // namespace

BOOST_AUTO_TEST_SUITE(bulk_dml)

BOOST_FIXTURE_TEST_CASE(update_returns_the_rowcount_and_refreshes_session_objects, member_db) {
    const auto ids = seed_members(engine);
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
    const auto ids = seed_members(engine);
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
    const auto ids = seed_members(engine);
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
    const auto ids = seed_members(engine);
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
    seed_members(engine);
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
    seed_members(engine);  // alice 30, bob null, carol 50, dave 20, eve 10
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
    seed_members(engine);
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

BOOST_FIXTURE_TEST_CASE(bulk_statements_through_a_connection, member_db) {
    seed_members(engine);
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

BOOST_AUTO_TEST_SUITE_END()

// ================================================================================================
// 7. raw SQL
// ================================================================================================

BOOST_AUTO_TEST_SUITE(raw_sql)

// :name inside literals and comments is text on every backend, in each backend's own literal forms
// (issue 16, item 5): the statements run, and the literals come back as written.
BOOST_FIXTURE_TEST_CASE(text_placeholders_in_comments_and_literals_run, users_db) {
    auto c = engine.connect();
    auto row = dorm::execute(c, dorm::text<std::tuple<std::string, int>>("SELECT ':w' /* :x */, :v -- :y\n",
                                                                         {{"v", 7}}))
                   .one();
    BOOST_TEST(std::get<0>(row) == ":w");
    BOOST_TEST(std::get<1>(row) == 7);
    std::vector<std::string> forms;
    if (dorm_test::is_postgresql()) forms = {"SELECT E'it\\'s :w'", "SELECT $$it's :w$$", "SELECT $q$it's :w$q$"};
    if (dorm_test::is_mysql()) forms = {"SELECT 'it\\'s :w'", "SELECT \"it's :w\" # :z"};
    if (dorm_test::is_sqlite()) forms = {"SELECT 'it''s :w'"};
    for (const auto& sql : forms)
        BOOST_TEST(dorm::execute(c, dorm::text<std::string>(sql)).one() == "it's :w", sql);
}

BOOST_FIXTURE_TEST_CASE(text_rows_as_tuples, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto rows_ = s.execute(dorm::text<std::tuple<std::string, int>>(
                               "SELECT name, age FROM " + q("user_table") + " WHERE age > :min ORDER BY age", {{"min", 30}}))
                     .all();
    static_assert(std::is_same_v<decltype(rows_), std::vector<std::tuple<std::string, int>>>);
    BOOST_TEST(show(rows_) == "[(Bob, 41), (Dave, 52)]");
    // one parameter used twice, one value type
    auto names = s.execute(dorm::text<std::string>("SELECT name FROM " + q("user_table") +
                                                   " WHERE age < :a OR age - :a > 10 ORDER BY name",
                                                   {{"a", 40}}))
                     .all();
    BOOST_TEST(show(names) == "[Alice, Carol, Dave]");
    auto n = s.execute(dorm::text<std::int64_t>("SELECT count(*) FROM " + q("comment_table"))).scalar_one();
    BOOST_CHECK_EQUAL(n, 7);
    // a NULL
    auto maybe = s.execute(dorm::text<std::tuple<std::string, std::optional<std::string>>>(
                               "SELECT u.name, p.profile FROM " + q("user_table") + " u LEFT OUTER JOIN " +
                               q("profile_table") + " p ON p.user_id = u.id WHERE u.name IN (:x, :y) ORDER BY u.name",
                               {{"x", "Bob"}, {"y", "Carol"}}))
                     .all();
    BOOST_TEST(show(maybe) == "[(Bob, b-profile), (Carol, null)]");
}

BOOST_FIXTURE_TEST_CASE(text_rows_as_described_structs_by_column_name, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    // the columns come in another order than the struct's members
    auto rows_ = s.execute(dorm::text<qt::TextRow>("SELECT age, name FROM " + q("user_table") +
                                                    " WHERE name <> :n ORDER BY age DESC",
                                                    {{"n", "Bob"}}))
                     .all();
    BOOST_REQUIRE_EQUAL(rows_.size(), 3u);
    BOOST_CHECK_EQUAL(rows_[0].name, "Dave");
    BOOST_CHECK_EQUAL(rows_[0].age, 52);
    BOOST_CHECK_EQUAL(rows_[2].name, "Carol");
    BOOST_CHECK_EQUAL(rows_[2].age, 25);
    auto swapped = s.execute(dorm::text<qt::TextRow>("SELECT name, age FROM " + q("user_table") + " WHERE name = :n",
                                                     {{"n", "Alice"}}))
                       .one();
    BOOST_CHECK_EQUAL(swapped.name, "Alice");
    BOOST_CHECK_EQUAL(swapped.age, 30);
    // extra columns are ignored; a missing one is an error
    auto extra = s.execute(dorm::text<qt::TextRow>("SELECT id, age, 'x' AS other, name FROM " + q("user_table") +
                                                   " WHERE age = :a",
                                                   {{"a", 41}}))
                     .one();
    BOOST_CHECK_EQUAL(extra.name, "Bob");
    BOOST_CHECK_THROW(s.execute(dorm::text<qt::TextRow>("SELECT age FROM " + q("user_table"))).all(), dorm::invalid_request_error);  // SQLAlchemy: NoSuchColumnError
}

BOOST_FIXTURE_TEST_CASE(text_without_rows_returns_the_rowcount, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto r = s.execute(dorm::text("UPDATE " + q("user_table") + " SET age = age + :d WHERE age > :min", {{"d", 1}, {"min", 35}}));
    BOOST_CHECK_EQUAL(r.rowcount(), 2);
    BOOST_CHECK_EQUAL(s.execute(dorm::text("DELETE FROM " + q("comment_table") + " WHERE comment = :c", {{"c", "hi"}}))
                          .rowcount(),
                      2);
    BOOST_CHECK_EQUAL(s.execute(dorm::text("DELETE FROM " + q("comment_table") + " WHERE comment = :c", {{"c", "none"}}))
                          .rowcount(),
                      0);
    BOOST_CHECK_EQUAL(s.execute(dorm::text("INSERT INTO " + q("comment_table") + " (comment, user_id) VALUES (:c, :u)",
                                           {{"c", "new"}, {"u", s.execute(dorm::select(col(&User::id)).where(col(&User::name) == "Carol")).scalar_one()}}))
                          .rowcount(),
                      1);
    s.commit();
    BOOST_CHECK_EQUAL(rows("comment_table"), 6);
    dorm::session check(engine);
    BOOST_TEST(show(all_of(check, dorm::select(col(&User::age)).order_by(col(&User::age)))) == "[25, 30, 42, 53]");
}

BOOST_FIXTURE_TEST_CASE(text_sees_the_sessions_pending_changes, users_db) {
    dorm::session s(engine);
    s.add(User{.name = "Eve", .age = 20});  // autoflushed before the raw statement
    BOOST_CHECK_EQUAL(s.execute(dorm::text<std::int64_t>("SELECT count(*) FROM " + q("user_table") + " WHERE name = :n",
                                                         {{"n", "Eve"}}))
                          .scalar_one(),
                      1);
    BOOST_CHECK_EQUAL(s.execute(dorm::text("UPDATE " + q("user_table") + " SET age = :a", {{"a", 21}})).rowcount(), 1);
    s.rollback();  // raw statements are in the session's transaction
    BOOST_CHECK_EQUAL(rows("user_table"), 0);
}

BOOST_FIXTURE_TEST_CASE(parameters_that_look_like_sql_are_only_values, users_db) {
    seed_people(engine);
    const std::vector<std::string> evil{"'; DROP TABLE " + q("user_table") + "--",  // fits VARCHAR(30) "' OR '1'='1", "Bob' --",
                                        ":name", "$1", "?", "\\'; --"};
    dorm::session s(engine);
    for (auto& v : evil) {
        BOOST_TEST_CONTEXT("value " << v) {
            auto found = s.execute(dorm::text<std::string>("SELECT name FROM " + q("user_table") + " WHERE name = :n",
                                                           {{"n", v}}))
                             .all();
            BOOST_CHECK(found.empty());
            BOOST_CHECK_EQUAL(s.execute(dorm::text("UPDATE " + q("user_table") + " SET name = :n WHERE name = :old",
                                                   {{"n", v}, {"old", "nobody"}}))
                                  .rowcount(),
                              0);
        }
    }
    // stored and read back as they are
    int i = 0;
    for (auto& v : evil)
        BOOST_CHECK_EQUAL(s.execute(dorm::text("INSERT INTO " + q("user_table") + " (name, age) VALUES (:n, :a)",
                                               {{"n", v}, {"a", 100 + i++}}))
                              .rowcount(),
                          1);
    s.commit();
    BOOST_CHECK_EQUAL(rows("user_table"), 4 + static_cast<std::int64_t>(evil.size()));
    i = 0;
    for (auto& v : evil) {
        BOOST_TEST_CONTEXT("value " << v) {
            auto back = s.execute(dorm::text<std::string>("SELECT name FROM " + q("user_table") + " WHERE age = :a",
                                                          {{"a", 100 + i++}}))
                            .scalar_one();
            BOOST_CHECK_EQUAL(back, v);
            // and the DSL finds it
            BOOST_CHECK_EQUAL(all_of(s, dorm::select(col(&User::age)).where(col(&User::name) == v)).size(), 1u);
        }
    }
}

BOOST_FIXTURE_TEST_CASE(text_through_a_connection, users_db) {
    seed_people(engine);
    auto c = engine.connect();
    auto rows_ = dorm::execute(c, dorm::text<std::tuple<int, std::string>>("SELECT age, name FROM " + q("user_table") +
                                                                           " WHERE name LIKE :p ORDER BY name",
                                                                           {{"p", "%ar%"}}))
                     .all();
    BOOST_TEST(show(rows_) == "[(25, Carol)]");
    auto structs = dorm::execute(c, dorm::text<qt::TextRow>("SELECT name, age FROM " + q("user_table") +
                                                            " WHERE age BETWEEN :lo AND :hi ORDER BY age",
                                                            {{"lo", 26}, {"hi", 45}}))
                       .all();
    BOOST_REQUIRE_EQUAL(structs.size(), 2u);
    BOOST_CHECK_EQUAL(structs[0].name, "Alice");
    BOOST_CHECK_EQUAL(structs[1].age, 41);
    c.begin();
    BOOST_CHECK_EQUAL(dorm::execute(c, dorm::text("DELETE FROM " + q("comment_table") + " WHERE comment IN (:a, :b)",
                                                  {{"a", "x"}, {"b", "yo"}}))
                          .rowcount(),
                      2);
    c.commit();
    BOOST_CHECK_EQUAL(rows("comment_table"), 5);
    BOOST_CHECK_EQUAL(dorm::execute(c, dorm::text<std::int64_t>("SELECT count(*) FROM " + q("comment_table"))).scalar_one(), 5);
}

BOOST_AUTO_TEST_SUITE_END()

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
