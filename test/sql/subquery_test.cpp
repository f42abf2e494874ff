// Dry tests of aliased tables (self-joins) and subqueries: IN (SELECT ...), EXISTS, correlated
// and scalar subqueries, a subquery as a JOIN source.
#include <cstdint>
#include <string>

#include <boost/test/unit_test.hpp>

#include "models.hpp"
#include "sql_check.hpp"

using dorm::col;
using dorm::dialect;
using namespace sqlt;

BOOST_AUTO_TEST_SUITE(subqueries)

BOOST_AUTO_TEST_CASE(aliased_self_join) {
    auto parent = dorm::aliased<Node>("parent");
    auto stmt = dorm::select<Node>()
                    .join(parent, col(&Node::parent_id) == parent.col(&Node::id))
                    .where(parent.col(&Node::label) == "root");
    const std::string sql = R"(SELECT "node"."id", "node"."parent_id", "node"."label" FROM "node" )"
                            R"(JOIN "node" AS "parent" ON "node"."parent_id" = "parent"."id" WHERE "parent"."label" = ?)";
    for (auto d : {dialect::sqlite, dialect::postgresql, dialect::mysql}) expect_in(stmt, d, sql, "('root',)");
    // Oracle: no AS before a table alias
    expect_in(stmt, dialect::oracle,
              R"(SELECT "node"."id", "node"."parent_id", "node"."label" FROM "node" )"
              R"(JOIN "node" "parent" ON "node"."parent_id" = "parent"."id" WHERE "parent"."label" = ?)",
              "('root',)");

    auto outer = dorm::select(col(&Node::label), parent.col(&Node::label))
                     .outer_join(parent, col(&Node::parent_id) == parent.col(&Node::id));
    expect_in(outer, dialect::postgresql,
              R"(SELECT "node"."label", "parent"."label" FROM "node" LEFT OUTER JOIN "node" AS "parent" )"
              R"(ON "node"."parent_id" = "parent"."id")",
              "()");
}

BOOST_AUTO_TEST_CASE(in_subquery) {
    auto stmt = dorm::select<User>().where(
        col(&User::id).in(dorm::select(col(&Comment::user_id)).where(col(&Comment::comment) == "x")));
    expect_all(stmt,
               user_from + R"( WHERE "user_table"."id" IN (SELECT "comment_table"."user_id" FROM "comment_table" )"
                           R"(WHERE "comment_table"."comment" = ?))",
               "('x',)");
    expect_all(dorm::select<User>().where(col(&User::id).not_in(dorm::select(col(&Comment::user_id)))),
               user_from + R"( WHERE "user_table"."id" NOT IN (SELECT "comment_table"."user_id" FROM "comment_table"))",
               "()");
    // parameters of the outer and the inner statement are numbered in text order
    auto mixed = dorm::select<User>()
                     .where(col(&User::age) > 1)
                     .where(col(&User::id).in(dorm::select(col(&Comment::user_id)).where(col(&Comment::id) < 2)))
                     .where(col(&User::name) == "c");
    expect_all(mixed,
               user_from + R"( WHERE "user_table"."age" > ? AND "user_table"."id" IN (SELECT "comment_table"."user_id" )"
                           R"(FROM "comment_table" WHERE "comment_table"."id" < ?) AND "user_table"."name" = ?)",
               "(1, 2, 'c')");
}

BOOST_AUTO_TEST_CASE(exists_correlated) {
    auto stmt = dorm::select<User>().where(dorm::exists(
        dorm::select(col(&Comment::id)).correlate<User>().where(col(&Comment::user_id) == col(&User::id))));
    // the outer table is not repeated in the subquery's FROM
    expect_all(stmt,
               user_from + R"( WHERE EXISTS (SELECT "comment_table"."id" FROM "comment_table" )"
                           R"(WHERE "comment_table"."user_id" = "user_table"."id"))",
               "()");
    auto not_exists = dorm::select<User>().where(
        !dorm::exists(dorm::select(col(&Comment::id))
                          .correlate<User>()
                          .where(col(&Comment::user_id) == col(&User::id) && col(&Comment::comment) == "hi")) &&
        col(&User::age) > 3);
    expect_all(not_exists,
               user_from + R"( WHERE NOT EXISTS (SELECT "comment_table"."id" FROM "comment_table" )"
                           R"(WHERE "comment_table"."user_id" = "user_table"."id" AND "comment_table"."comment" = ?) )"
                           R"(AND "user_table"."age" > ?)",
               "('hi', 3)");
}

BOOST_AUTO_TEST_CASE(scalar_subquery) {
    auto n = dorm::select(dorm::count())
                 .select_from<Comment>()
                 .correlate<User>()
                 .where(col(&Comment::user_id) == col(&User::id))
                 .scalar_subquery();
    expect_all(dorm::select(col(&User::name), n.label("n")),
               R"(SELECT "user_table"."name", (SELECT count(*) FROM "comment_table" )"
               R"(WHERE "comment_table"."user_id" = "user_table"."id") AS "n" FROM "user_table")",
               "()");
    {
        const auto above = dorm::select<User>().where(col(&User::age) > dorm::select(dorm::avg(col(&User::age))).scalar_subquery());
        for (auto d : all_dialects)
            if (d != dorm::dialect::mysql)
                expect_in(above, d, user_from + R"( WHERE "user_table"."age" > (SELECT avg("user_table"."age") FROM "user_table"))",
                          "()");
        expect_exact(above, dorm::dialect::mysql,
                     "SELECT `user_table`.`id`, `user_table`.`name`, `user_table`.`age` FROM `user_table` WHERE "
                     "`user_table`.`age` > (SELECT avg(CAST(`user_table`.`age` AS DOUBLE)) FROM `user_table`)",
                     "()");
    }
    expect_all(dorm::select<User>().where(n > 2), user_from + R"( WHERE (SELECT count(*) FROM "comment_table" )"
                                                              R"(WHERE "comment_table"."user_id" = "user_table"."id") > ?)",
               "(2,)");
}

BOOST_AUTO_TEST_CASE(subquery_as_join_source) {
    auto counts = dorm::select(col(&Comment::user_id), dorm::count().label("n"))
                      .group_by(col(&Comment::user_id))
                      .subquery("counts");
    auto stmt = dorm::select(col(&User::name), counts.c<std::int64_t>("n"))
                    .join(counts, counts.c<int>("user_id") == col(&User::id))
                    .where(counts.c<std::int64_t>("n") > 2);
    const std::string inner =
        R"((SELECT "comment_table"."user_id", count(*) AS "n" FROM "comment_table" GROUP BY "comment_table"."user_id"))";
    for (auto d : {dialect::sqlite, dialect::postgresql, dialect::mysql})
        expect_in(stmt, d,
                  R"(SELECT "user_table"."name", "counts"."n" FROM "user_table" JOIN )" + inner +
                      R"( AS "counts" ON "counts"."user_id" = "user_table"."id" WHERE "counts"."n" > ?)",
                  "(2,)");
    // Oracle rejects AS before any FROM/JOIN alias, a subquery's included
    expect_in(stmt, dialect::oracle,
              R"(SELECT "user_table"."name", "counts"."n" FROM "user_table" JOIN )" + inner +
                  R"( "counts" ON "counts"."user_id" = "user_table"."id" WHERE "counts"."n" > ?)",
              "(2,)");
}

BOOST_AUTO_TEST_SUITE_END()
