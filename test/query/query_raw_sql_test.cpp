// Raw SQL through dorm::text() against a real database: placeholders inside literals and comments,
// rows as tuples or described structs, rowcounts, pending changes flushed first, hostile values.
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
using dorm_test::q;

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

// A tuple (or a single value) is read by position: a statement returning fewer columns is an
// error, not values read as NULL (an optional element was nullopt, a plain one a misleading "NULL
// cannot be read"), and one returning more is an error too.
BOOST_FIXTURE_TEST_CASE(text_rows_of_another_width_are_an_error, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    const std::string sql = "SELECT name, age FROM " + q("user_table") + " ORDER BY name";
    auto width_error = [](const std::string& got, const std::string& reads) {
        return [got, reads](const dorm::invalid_request_error& e) {
            const std::string m = e.what();
            return m.find("returns " + got + " per row") != std::string::npos &&
                   m.find("reads " + reads + " by position") != std::string::npos;
        };
    };
    BOOST_CHECK_EXCEPTION((s.execute(dorm::text<std::tuple<std::string, int, std::optional<int>>>(sql)).all()),
                          dorm::invalid_request_error, width_error("2 columns", "3 values"));
    BOOST_CHECK_EXCEPTION((s.execute(dorm::text<std::tuple<std::string>>(sql)).all()), dorm::invalid_request_error,
                          width_error("2 columns", "1 value"));
    BOOST_CHECK_EXCEPTION((s.execute(dorm::text<std::string>(sql)).first()), dorm::invalid_request_error,
                          width_error("2 columns", "1 value"));
    BOOST_CHECK_EXCEPTION((s.execute(dorm::text<std::tuple<int, std::optional<int>>>("SELECT 1")).one()),
                          dorm::invalid_request_error, width_error("1 column", "2 values"));
    // the session is usable afterwards, and the right width reads
    auto rows_ = s.execute(dorm::text<std::tuple<std::string, int>>(sql)).all();
    BOOST_CHECK_EQUAL(rows_.size(), 4u);
    auto c = engine.connect();
    BOOST_CHECK_THROW((dorm::execute(c, dorm::text<std::tuple<std::string, int, int>>(sql)).all()),
                      dorm::invalid_request_error);
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

