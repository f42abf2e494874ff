// Dry tests of SELECT statements: entity and column selects, aggregates, GROUP BY / HAVING,
// ORDER BY, LIMIT / OFFSET per dialect, DISTINCT, joins, select_from, chained where, quoting
// and the clause layout (SQLAlchemy: doc/build/core/engines.rst
// §dbengine_logging, test/sql/test_compiler.py).
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/error.hpp>

#include "models.hpp"
#include "sql_check.hpp"

using dorm::col;
using dorm::dialect;
using namespace sqlt;

BOOST_AUTO_TEST_SUITE(select_statements)

BOOST_AUTO_TEST_CASE(entity_select_lists_columns_not_relationships) {
    expect_all(dorm::select<User>(), user_from, "()");
    expect_all(dorm::select<Comment>(),
               R"(SELECT "comment_table"."id", "comment_table"."comment", "comment_table"."user_id" FROM "comment_table")",
               "()");
}

BOOST_AUTO_TEST_CASE(clause_layout) {
    // as SQLAlchemy prints them (core/engines.rst §dbengine_logging): clauses are separated by " \n"
    const auto c = dorm::compile(dorm::select<User>()
                                     .where(col(&User::age) > 1)
                                     .order_by(col(&User::name))
                                     .limit(2)
                                     .offset(1),
                                 dialect::sqlite);
    BOOST_TEST(c.sql == std::string(user_columns) +
                            " \nFROM \"user_table\" \nWHERE \"user_table\".\"age\" > ? \nORDER BY \"user_table\".\"name\" ASC"
                            " \nLIMIT ? OFFSET ?");
    BOOST_TEST(params_of(c) == "(1, 2, 1)");

    const auto g = dorm::compile(dorm::select(col(&User::age), dorm::count())
                                     .group_by(col(&User::age))
                                     .having(dorm::count() > 1),
                                 dialect::sqlite);
    BOOST_TEST(g.sql == "SELECT \"user_table\".\"age\", count(*) \nFROM \"user_table\" \nGROUP BY \"user_table\".\"age\" "
                        "\nHAVING count(*) > ?");
}

BOOST_AUTO_TEST_CASE(column_select) {
    expect_all(dorm::select(col(&User::name), col(&User::age)),
               R"(SELECT "user_table"."name", "user_table"."age" FROM "user_table")", "()");
    expect_all(dorm::select(col(&User::name)).where(col(&User::age) > 3),
               R"(SELECT "user_table"."name" FROM "user_table" WHERE "user_table"."age" > ?)", "(3,)");
    expect_all(dorm::select(col(&User::age) + 1), R"(SELECT "user_table"."age" + ? FROM "user_table")", "(1,)");
    expect_all(dorm::select(col(&User::name).label("n")), R"(SELECT "user_table"."name" AS "n" FROM "user_table")", "()");
}

BOOST_AUTO_TEST_CASE(aggregates) {
    expect_all(dorm::select(dorm::count()).select_from<User>(), R"(SELECT count(*) FROM "user_table")", "()");
    expect_all(dorm::select(dorm::count()).select_from<User>().where(col(&User::age) > 18),
               R"(SELECT count(*) FROM "user_table" WHERE "user_table"."age" > ?)", "(18,)");
    expect_all(dorm::select(dorm::count(col(&User::id))), R"(SELECT count("user_table"."id") FROM "user_table")", "()");
    {
        // MySQL / MariaDB: AVG over doubles (its AVG of integers is a DECIMAL with 4 more digits only)
        const auto stmt = dorm::select(dorm::sum(col(&Item::qty)), dorm::avg(col(&Item::price)),
                                       dorm::min(col(&Item::name)), dorm::max(col(&Item::created)));
        for (auto d : all_dialects)
            if (d != dialect::mysql)
                expect_in(stmt, d,
                          R"(SELECT sum("item"."qty"), avg("item"."price"), min("item"."name"), max("item"."created") )"
                          R"(FROM "item")",
                          "()");
        expect_exact(stmt, dialect::mysql,
                     "SELECT sum(`item`.`qty`), avg(CAST(`item`.`price` AS DOUBLE)), min(`item`.`name`), "
                     "max(`item`.`created`) FROM `item`",
                     "()");
    }
    expect_all(dorm::select(dorm::count().label("n")).select_from<Item>(), R"(SELECT count(*) AS "n" FROM "item")", "()");
    expect_all(dorm::select(dorm::max(col(&Item::qty)) - dorm::min(col(&Item::qty))),
               R"(SELECT max("item"."qty") - min("item"."qty") FROM "item")", "()");
}

BOOST_AUTO_TEST_CASE(select_without_table) {
    auto stmt = dorm::select(dorm::count());
    for (auto d : {dialect::sqlite, dialect::postgresql, dialect::mysql}) expect_in(stmt, d, "SELECT count(*)", "()");
    expect_in(stmt, dialect::oracle, "SELECT count(*) FROM DUAL", "()");
}

BOOST_AUTO_TEST_CASE(group_by_and_having) {
    // test/sql/test_compiler.py:
    // select(User.name, func.count(Address.id)).join(...).group_by(...).having(count > 1)
    auto stmt = dorm::select(col(&User::name), dorm::count(col(&Comment::id)))
                    .join<Comment>()
                    .group_by(col(&User::name))
                    .having(dorm::count(col(&Comment::id)) > 1);
    expect_all(stmt,
               R"(SELECT "user_table"."name", count("comment_table"."id") FROM "user_table" JOIN "comment_table" )"
               R"(ON "user_table"."id" = "comment_table"."user_id" GROUP BY "user_table"."name" )"
               R"(HAVING count("comment_table"."id") > ?)",
               "(1,)");

    auto two = dorm::select(col(&Item::name), col(&Item::color), dorm::sum(col(&Item::qty)))
                   .where(col(&Item::active) == true)  // a bare bool column is Oracle-specific: see expressions
                   .group_by(col(&Item::name), col(&Item::color))
                   .having(dorm::sum(col(&Item::qty)) > 10)
                   .having(dorm::count() < 5 || dorm::max(col(&Item::price)) > 2.5)
                   .order_by(col(&Item::name));
    expect_all(two,
               R"(SELECT "item"."name", "item"."color", sum("item"."qty") FROM "item" WHERE "item"."active" = ? )"
               R"(GROUP BY "item"."name", "item"."color" HAVING sum("item"."qty") > ? AND )"
               R"((count(*) < ? OR max("item"."price") > ?) ORDER BY "item"."name" ASC)",
               "(1, 10, 5, 2.5)");
}

BOOST_AUTO_TEST_CASE(order_by) {
    expect_all(dorm::select<User>().order_by(col(&User::name).asc(), col(&User::id).desc()),
               user_from + R"( ORDER BY "user_table"."name" ASC, "user_table"."id" DESC)", "()");
    expect_all(dorm::select<User>().order_by(col(&User::age)), user_from + R"( ORDER BY "user_table"."age" ASC)", "()");
    expect_all(dorm::select<User>().order_by(col(&User::age).desc()).order_by(col(&User::name)),
               user_from + R"( ORDER BY "user_table"."age" DESC, "user_table"."name" ASC)", "()");
    expect_all(dorm::select<Item>().order_by((col(&Item::qty) * col(&Item::price)).desc()),
               std::string(item_columns) + R"( FROM "item" ORDER BY "item"."qty" * "item"."price" DESC)", "()");
}

BOOST_AUTO_TEST_CASE(order_by_nulls_first_and_last) {
    const auto stmt = dorm::select<User>().order_by(col(&User::age).desc().nulls_last(), col(&User::name).nulls_first());
    expect_exact(stmt, dialect::sqlite,
                 user_from + R"( ORDER BY "user_table"."age" DESC NULLS LAST, "user_table"."name" ASC NULLS FIRST)", "()");
    expect_exact(stmt, dialect::postgresql,
                 user_from + R"( ORDER BY "user_table"."age" DESC NULLS LAST, "user_table"."name" ASC NULLS FIRST)", "()");
    // MariaDB has no NULLS FIRST / LAST: false sorts before true
    expect_exact(stmt, dialect::mysql,
                 "SELECT `user_table`.`id`, `user_table`.`name`, `user_table`.`age` FROM `user_table` ORDER BY "
                 "(`user_table`.`age` IS NULL) ASC, `user_table`.`age` DESC, (`user_table`.`name` IS NULL) DESC, "
                 "`user_table`.`name` ASC",
                 "()");
}

BOOST_AUTO_TEST_CASE(limit_offset_sqlite) {
    const auto d = dialect::sqlite;
    expect_exact(dorm::select<User>().limit(2).offset(1), d, user_from + " LIMIT ? OFFSET ?", "(2, 1)");
    expect_exact(dorm::select<User>().limit(5), d, user_from + " LIMIT ?", "(5,)");
    expect_exact(dorm::select<User>().offset(7), d, user_from + " LIMIT -1 OFFSET ?", "(7,)");
    // parameters of WHERE come first; the order of the calls does not matter
    expect_exact(dorm::select<User>().offset(1).limit(2).where(col(&User::age) > 3), d,
                 user_from + R"( WHERE "user_table"."age" > ? LIMIT ? OFFSET ?)", "(3, 2, 1)");
}

BOOST_AUTO_TEST_CASE(limit_offset_postgresql) {
    const auto d = dialect::postgresql;
    expect_exact(dorm::select<User>().limit(2).offset(1), d, user_from + " LIMIT $1 OFFSET $2", "(2, 1)");
    expect_exact(dorm::select<User>().limit(5), d, user_from + " LIMIT $1", "(5,)");
    expect_exact(dorm::select<User>().offset(7), d, user_from + " OFFSET $1", "(7,)");
    expect_exact(dorm::select<User>().where(col(&User::age) > 3).limit(2).offset(1), d,
                 user_from + R"( WHERE "user_table"."age" > $1 LIMIT $2 OFFSET $3)", "(3, 2, 1)");
}

BOOST_AUTO_TEST_CASE(limit_offset_mysql) {
    const auto d = dialect::mysql;
    const std::string from = translate(user_from, d);
    expect_exact(dorm::select<User>().limit(2).offset(1), d, from + " LIMIT ? OFFSET ?", "(2, 1)");
    expect_exact(dorm::select<User>().limit(5), d, from + " LIMIT ?", "(5,)");
    // MySQL has no OFFSET without LIMIT: the largest row count
    expect_exact(dorm::select<User>().offset(7), d, from + " LIMIT 18446744073709551615 OFFSET ?", "(7,)");
}

BOOST_AUTO_TEST_CASE(limit_offset_oracle) {
    const auto d = dialect::oracle;
    // the offset comes first in the text, so it is bound first
    expect_exact(dorm::select<User>().limit(2).offset(1), d, user_from + " OFFSET :1 ROWS FETCH FIRST :2 ROWS ONLY",
                 "(1, 2)");
    expect_exact(dorm::select<User>().limit(5), d, user_from + " FETCH FIRST :1 ROWS ONLY", "(5,)");
    expect_exact(dorm::select<User>().offset(7), d, user_from + " OFFSET :1 ROWS", "(7,)");
    expect_exact(dorm::select<User>().where(col(&User::age) > 3).order_by(col(&User::id)).limit(2).offset(1), d,
                 user_from + R"( WHERE "user_table"."age" > :1 ORDER BY "user_table"."id" ASC )"
                             "OFFSET :2 ROWS FETCH FIRST :3 ROWS ONLY",
                 "(3, 1, 2)");
}

BOOST_AUTO_TEST_CASE(distinct) {
    expect_all(dorm::select<User>().distinct(),
               R"(SELECT DISTINCT "user_table"."id", "user_table"."name", "user_table"."age" FROM "user_table")", "()");
    expect_all(dorm::select(col(&User::age)).distinct().order_by(col(&User::age)),
               R"(SELECT DISTINCT "user_table"."age" FROM "user_table" ORDER BY "user_table"."age" ASC)", "()");
}

BOOST_AUTO_TEST_CASE(chained_where_is_and) {
    expect_all(dorm::select<User>().where(col(&User::name) == "a").where(col(&User::age) > 1),
               user_where(R"("user_table"."name" = ? AND "user_table"."age" > ?)"), "('a', 1)");
    expect_all(dorm::select<User>().where(col(&User::name) == "a").where(col(&User::age) > 1 || col(&User::age) < 0),
               user_where(R"("user_table"."name" = ? AND ("user_table"."age" > ? OR "user_table"."age" < ?))"),
               "('a', 1, 0)");
    expect_all(dorm::select<User>().where(col(&User::age) > 1 || col(&User::age) < 0).where(col(&User::name) == "a"),
               user_where(R"(("user_table"."age" > ? OR "user_table"."age" < ?) AND "user_table"."name" = ?)"),
               "(1, 0, 'a')");
    expect_all(dorm::select<User>().where(col(&User::id) == 1).where(col(&User::id) == 2).where(col(&User::id) == 3),
               user_where(R"("user_table"."id" = ? AND "user_table"."id" = ? AND "user_table"."id" = ?)"), "(1, 2, 3)");
}

BOOST_AUTO_TEST_CASE(join_infers_on_clause_from_foreign_key) {
    // parent -> child
    expect_all(dorm::select<User>().join<Comment>(),
               user_from + R"( JOIN "comment_table" ON "user_table"."id" = "comment_table"."user_id")", "()");
    // child -> parent
    expect_all(dorm::select<Comment>().join<User>(),
               R"(SELECT "comment_table"."id", "comment_table"."comment", "comment_table"."user_id" FROM "comment_table" )"
               R"(JOIN "user_table" ON "user_table"."id" = "comment_table"."user_id")",
               "()");
    // a column of the joined table in WHERE
    expect_all(dorm::select<User>().join<Comment>().where(col(&Comment::comment) == "hi"),
               user_from + R"( JOIN "comment_table" ON "user_table"."id" = "comment_table"."user_id" )"
                           R"(WHERE "comment_table"."comment" = ?)",
               "('hi',)");
    // two joins: the second finds its path through the first
    expect_all(dorm::select<Comment>().join<User>().join<Profile>(),
               R"(SELECT "comment_table"."id", "comment_table"."comment", "comment_table"."user_id" FROM "comment_table" )"
               R"(JOIN "user_table" ON "user_table"."id" = "comment_table"."user_id" )"
               R"(JOIN "profile_table" ON "user_table"."id" = "profile_table"."user_id")",
               "()");
    // a column select joins the same way
    expect_all(dorm::select(col(&User::name), col(&Comment::comment)).join<Comment>(),
               R"(SELECT "user_table"."name", "comment_table"."comment" FROM "user_table" )"
               R"(JOIN "comment_table" ON "user_table"."id" = "comment_table"."user_id")",
               "()");
}

BOOST_AUTO_TEST_CASE(join_with_explicit_on) {
    expect_all(dorm::select<User>().join<Comment>(col(&Comment::user_id) == col(&User::id) && col(&Comment::comment) != "x"),
               user_from + R"( JOIN "comment_table" ON "comment_table"."user_id" = "user_table"."id" AND )"
                           R"("comment_table"."comment" != ?)",
               "('x',)");
    // ON parameters come before WHERE parameters
    expect_all(dorm::select<User>().join<Comment>(col(&Comment::id) > 5).where(col(&User::age) < 9),
               user_from + R"( JOIN "comment_table" ON "comment_table"."id" > ? WHERE "user_table"."age" < ?)", "(5, 9)");
}

BOOST_AUTO_TEST_CASE(outer_join) {
    expect_all(dorm::select<User>().outer_join<Profile>(),
               user_from + R"( LEFT OUTER JOIN "profile_table" ON "user_table"."id" = "profile_table"."user_id")", "()");
    expect_all(dorm::select<User>().outer_join<Comment>(col(&Comment::user_id) == col(&User::id)),
               user_from + R"( LEFT OUTER JOIN "comment_table" ON "comment_table"."user_id" = "user_table"."id")", "()");
    expect_all(dorm::select<User>().join<Profile>().outer_join<Comment>().where(col(&Comment::id) == std::nullopt),
               user_from + R"( JOIN "profile_table" ON "user_table"."id" = "profile_table"."user_id" )"
                           R"(LEFT OUTER JOIN "comment_table" ON "user_table"."id" = "comment_table"."user_id" )"
                           R"(WHERE "comment_table"."id" IS NULL)",
               "()");
}

BOOST_AUTO_TEST_CASE(select_from) {
    expect_all(dorm::select(dorm::count()).select_from<Comment>().join<User>().where(col(&User::name) == "bob"),
               R"(SELECT count(*) FROM "comment_table" JOIN "user_table" ON "user_table"."id" = "comment_table"."user_id" )"
               R"(WHERE "user_table"."name" = ?)",
               "('bob',)");
}

BOOST_AUTO_TEST_CASE(select_from_then_join_the_selected_struct) {
    // SQLAlchemy: select(User.name).select_from(Address).join(User)
    expect_all(dorm::select(col(&User::name)).select_from<Comment>().join<User>(),
               R"(SELECT "user_table"."name" FROM "comment_table" JOIN "user_table" )"
               R"(ON "user_table"."id" = "comment_table"."user_id")",
               "()");
}

BOOST_AUTO_TEST_CASE(parameters_follow_the_text_across_clauses) {
    auto stmt = dorm::select(col(&User::name), col(&User::age) + 1)
                    .join<Comment>(col(&Comment::user_id) == col(&User::id) && col(&Comment::id) > 2)
                    .where(col(&User::name) != "x")
                    .group_by(col(&User::name), col(&User::age))
                    .having(dorm::count(col(&Comment::id)) > 4)
                    .order_by((col(&User::age) * 5).desc())
                    .limit(6)
                    .offset(7);
    expect_exact(stmt, dialect::postgresql,
                 R"(SELECT "user_table"."name", "user_table"."age" + $1 FROM "user_table" JOIN "comment_table" ON )"
                 R"("comment_table"."user_id" = "user_table"."id" AND "comment_table"."id" > $2 WHERE "user_table"."name" != $3 )"
                 R"(GROUP BY "user_table"."name", "user_table"."age" HAVING count("comment_table"."id") > $4 )"
                 R"(ORDER BY "user_table"."age" * $5 DESC LIMIT $6 OFFSET $7)",
                 "(1, 2, 'x', 4, 5, 6, 7)");
    expect_exact(stmt, dialect::oracle,
                 R"(SELECT "user_table"."name", "user_table"."age" + :1 FROM "user_table" JOIN "comment_table" ON )"
                 R"("comment_table"."user_id" = "user_table"."id" AND "comment_table"."id" > :2 WHERE "user_table"."name" != :3 )"
                 R"(GROUP BY "user_table"."name", "user_table"."age" HAVING count("comment_table"."id") > :4 )"
                 R"(ORDER BY "user_table"."age" * :5 DESC OFFSET :6 ROWS FETCH FIRST :7 ROWS ONLY)",
                 "(1, 2, 'x', 4, 5, 7, 6)");
}

BOOST_AUTO_TEST_CASE(self_referential_join_on) {
    // a self-reference is a normal foreign key; filtering on it needs no join
    expect_all(dorm::select<Node>().where(col(&Node::parent_id) == 1),
               R"(SELECT "node"."id", "node"."parent_id", "node"."label" FROM "node" WHERE "node"."parent_id" = ?)", "(1,)");
}

BOOST_AUTO_TEST_CASE(identifier_quoting) {
    // a table named like a keyword is quoted in every dialect
    expect_all(dorm::select<kw::User>().where(col(&kw::User::name) == "x"),
               R"(SELECT "user"."id", "user"."name" FROM "user" WHERE "user"."name" = ?)", "('x',)");
    expect_exact(dorm::select<kw::User>(), dialect::mysql, "SELECT `user`.`id`, `user`.`name` FROM `user`", "()");
}

BOOST_AUTO_TEST_CASE(a_cached_shape_binds_the_new_values_in_printer_order) {
    // compile_select caches SQL per statement shape: the second statement of a shape must get
    // its own values, in the order the dialect prints them (Oracle binds OFFSET before FETCH)
    for (int round = 0; round < 3; ++round) {
        const auto a = 10 + round, lim = 2 + round, off = 5 + round;
        const auto stmt = dorm::select<User>().where(col(&User::age) > a).limit(lim).offset(off);
        expect_exact(stmt, dialect::oracle, user_from + R"( WHERE "user_table"."age" > :1 OFFSET :2 ROWS FETCH FIRST :3 ROWS ONLY)",
                     "(" + std::to_string(a) + ", " + std::to_string(off) + ", " + std::to_string(lim) + ")");
        expect_exact(stmt, dialect::sqlite, user_from + R"( WHERE "user_table"."age" > ? LIMIT ? OFFSET ?)",
                     "(" + std::to_string(a) + ", " + std::to_string(lim) + ", " + std::to_string(off) + ")");
    }
    // shapes that differ only in an operator, a column, an alias or a name are different shapes
    expect_all(dorm::select<User>().where(col(&User::age) >= 1), user_where(R"("user_table"."age" >= ?)"), "(1,)");
    expect_all(dorm::select<User>().where(col(&User::age) <= 1), user_where(R"("user_table"."age" <= ?)"), "(1,)");
    expect_all(dorm::select<User>().where(col(&User::id) <= 1), user_where(R"("user_table"."id" <= ?)"), "(1,)");
    expect_all(dorm::select(col(&User::age).label("a")), R"(SELECT "user_table"."age" AS "a" FROM "user_table")", "()");
    expect_all(dorm::select(col(&User::age).label("b")), R"(SELECT "user_table"."age" AS "b" FROM "user_table")", "()");
    // a list of another length is another shape
    expect_all(dorm::select<User>().where(col(&User::id).in({1, 2})), user_where(R"("user_table"."id" IN (?, ?))"),
               "(1, 2)");
    expect_all(dorm::select<User>().where(col(&User::id).in({3, 4, 5})),
               user_where(R"("user_table"."id" IN (?, ?, ?))"), "(3, 4, 5)");
}

BOOST_AUTO_TEST_CASE(bindparam_values_come_with_the_compile) {
    const auto stmt = dorm::select<User>()
                          .where(col(&User::age) > dorm::bindparam<int>("min"))
                          .where(col(&User::name) != "x")
                          .where(col(&User::age) < dorm::bindparam<int>("max"));
    const auto sql = user_where(R"("user_table"."age" > ? AND "user_table"."name" != ? AND "user_table"."age" < ?)");
    for (int round = 0; round < 2; ++round) {
        const auto c = dorm::compile(stmt, dialect::sqlite, {{"max", 60 + round}, {"min", 18}});
        BOOST_TEST(flat(c.sql) == sql);
        BOOST_TEST(params_of(c) == "(18, 'x', " + std::to_string(60 + round) + ")");
    }
    const auto pg = dorm::compile(stmt, dialect::postgresql, {{"min", 1}, {"max", 2}});
    BOOST_TEST(params_of(pg) == "(1, 'x', 2)");
    BOOST_CHECK_THROW(dorm::compile(stmt, dialect::sqlite), dorm::argument_error);
    BOOST_CHECK_THROW(dorm::compile(stmt, dialect::sqlite, {{"min", 1}}), dorm::argument_error);
    try {
        (void)dorm::compile(stmt, dialect::mysql, {{"min", 1}});
        BOOST_ERROR("expected argument_error");
    } catch (const dorm::argument_error& e) {
        BOOST_TEST(std::string(e.what()).find("bindparam(\"max\")") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_CASE(statement_trees_cross_threads) {
    // Tree nodes come from a per-thread pool of blocks (lib/query/node_pool.hpp): trees made on
    // one thread are compiled and dropped on another (their blocks join that thread's pool and
    // are reused there), after the maker thread has ended; then two threads at once. Every
    // statement must keep its own values.
    auto make = [](int i) {
        return dorm::select<User>().where(col(&User::age) > i).where(col(&User::name) == std::to_string(i));
    };
    auto expected = [](int i) { return "(" + std::to_string(i) + ", '" + std::to_string(i) + "')"; };
    const auto sql = user_where(R"("user_table"."age" > ? AND "user_table"."name" = ?)");
    constexpr int n = 3000;
    std::vector<decltype(make(0))> made;
    std::thread maker([&] {
        for (int i = 0; i < n; ++i) made.push_back(make(i));
    });
    maker.join();
    int wrong = 0;
    auto check_and_drop = [&](std::vector<decltype(make(0))>& v, int first, int& bad) {
        for (std::size_t k = 0; k < v.size(); ++k) {
            const auto c = dorm::compile(v[k], dialect::sqlite);
            if (flat(c.sql) != sql || params_of(c) != expected(first + static_cast<int>(k))) ++bad;
        }
        v.clear();
    };
    std::thread user([&] {
        check_and_drop(made, 0, wrong);  // the maker's blocks now belong to this thread
        std::vector<decltype(make(0))> own;
        for (int i = 0; i < n; ++i) own.push_back(make(n + i));  // made from them
        check_and_drop(own, n, wrong);
    });
    user.join();
    BOOST_TEST(wrong == 0);
    // two threads building, compiling and dropping at once, and trees of this thread dropped there
    for (int i = 0; i < 100; ++i) made.push_back(make(i));
    int wrong_a = 0, wrong_b = 0;
    std::thread a([&] {
        check_and_drop(made, 0, wrong_a);
        for (int round = 0; round < 20; ++round) {
            std::vector<decltype(make(0))> v;
            for (int i = 0; i < 200; ++i) v.push_back(make(round * 1000 + i));
            check_and_drop(v, round * 1000, wrong_a);
        }
    });
    std::thread b([&] {
        for (int round = 0; round < 20; ++round) {
            std::vector<decltype(make(0))> v;
            for (int i = 0; i < 200; ++i) v.push_back(make(round * 7 + i));
            check_and_drop(v, round * 7, wrong_b);
        }
    });
    a.join();
    b.join();
    BOOST_TEST(wrong_a == 0);
    BOOST_TEST(wrong_b == 0);
    std::vector<decltype(make(0))> here;
    for (int i = 0; i < 10; ++i) here.push_back(make(i));
    check_and_drop(here, 0, wrong);
    BOOST_TEST(wrong == 0);
}

BOOST_AUTO_TEST_CASE(column_nodes_are_shared_between_statements) {
    // A thread keeps the column nodes it made last (lib/query/ast.cpp): statements built per call
    // share them. Statements over many columns of several tables are kept, some made on a thread
    // that has ended (its cache gone), others while entries are replaced; each must still name
    // its own column, and an aliased column its alias.
    using sqlt::Node;
    struct made {
        dorm::select_stmt<dorm::entity<Item>, boost::mp11::mp_list<Item>> item;
        dorm::select_stmt<dorm::entity<Node>, boost::mp11::mp_list<Node>> node;
    };
    auto make = [](int i) {
        auto item = dorm::select<Item>();
        switch (i % 4) {
            case 0: item = std::move(item).where(col(&Item::qty) == i); break;
            case 1: item = std::move(item).where(col(&Item::name) == std::to_string(i)); break;
            case 2: item = std::move(item).where(col(&Item::rank) == i && col(&Item::id) > i); break;
            default: item = std::move(item).where(col(&Item::price) > double(i)); break;
        }
        auto node = i % 2 ? dorm::select<Node>().where(col(&Node::label) == std::to_string(i))
                          : dorm::select<Node>().where(col(&Node::parent_id) == i);
        return made{std::move(item), std::move(node)};
    };
    auto item_cond = [](int i) -> std::string {
        switch (i % 4) {
            case 0: return R"("item"."qty" = ?)";
            case 1: return R"("item"."name" = ?)";
            case 2: return R"("item"."rank" = ? AND "item"."id" > ?)";
            default: return R"("item"."price" > ?)";
        }
    };
    constexpr int n = 400;
    std::vector<made> kept;
    std::thread maker([&] {
        for (int i = 0; i < n; ++i) kept.push_back(make(i));
    });
    maker.join();
    for (int i = n; i < 2 * n; ++i) kept.push_back(make(i));
    int wrong = 0;
    for (int i = 0; i < 2 * n; ++i) {
        const auto c = dorm::compile(kept[static_cast<std::size_t>(i)].item, dialect::sqlite);
        if (flat(c.sql) != item_where(item_cond(i))) ++wrong;
        const auto d = dorm::compile(kept[static_cast<std::size_t>(i)].node, dialect::sqlite);
        const std::string node_col = i % 2 ? R"("node"."label" = ?)" : R"("node"."parent_id" = ?)";
        if (flat(d.sql).find(node_col) == std::string::npos) ++wrong;
    }
    BOOST_TEST(wrong == 0);
    // many (table, column) pairs, so that pairs share cache entries: every node is the pair's own
    std::vector<dorm::schema::table> tables(50);
    std::vector<dorm::ast::expr_ptr> nodes;
    int mismatched = 0;
    for (int round = 0; round < 2; ++round)
        for (const auto& t : tables)
            for (int c = 0; c < 80; ++c) {
                auto e = dorm::ast::make_column(&t, c);
                if (e->table != &t || e->column != c || !e->alias.empty()) ++mismatched;
                if (c % 7 == 0) nodes.push_back(std::move(e));  // some outlive their cache entry
            }
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        const auto& t = tables[(k % (nodes.size() / 2)) / 12];
        if (nodes[k]->table != &t || nodes[k]->column != static_cast<int>((k % 12) * 7)) ++mismatched;
    }
    BOOST_TEST(mismatched == 0);
    // an aliased column is its own node; the plain one next to it is not affected
    const auto parent = dorm::aliased<Node>("parent");
    const auto joined = dorm::select<Node>()
                            .join(parent, col(&Node::parent_id) == parent.col(&Node::id))
                            .where(parent.col(&Node::label) == "root")
                            .where(col(&Node::label) == "leaf");
    const auto c = dorm::compile(joined, dialect::sqlite);
    BOOST_TEST(flat(c.sql).find(R"(WHERE "parent"."label" = ? AND "node"."label" = ?)") != std::string::npos, c.sql);
}

BOOST_AUTO_TEST_CASE(cached_shapes_match_fresh_compiles_in_any_order) {
    // The shape cache answers a statement of the shape it looked up last without hashing (its key
    // is compared as it is written, lib/query/shape_cache.hpp). In a seeded random sequence of 64
    // shapes (repeats, alternations, two dialects, bindparams, LIMIT), each compile must give the
    // SQL and parameters that a thread with an empty cache prints.
    auto build = [](unsigned k, int i) {
        auto q = dorm::select<Item>();
        if (k & 1) q = std::move(q).where(col(&Item::qty) == i);
        if (k & 2) q = std::move(q).where(col(&Item::name) != std::to_string(i));
        if (k & 4) q = std::move(q).where(col(&Item::price) > double(i) || col(&Item::rank).is_null());
        if (k & 8) q = std::move(q).order_by(col(&Item::id).desc());
        if (k & 16) q = std::move(q).limit(i % 5 + 1);
        if (k & 32) q = std::move(q).where(col(&Item::qty) == dorm::bindparam<int>("q"));
        return q;
    };
    std::mt19937 rng(20261206);
    unsigned k = 0;
    int wrong = 0;
    for (int step = 0; step < 1500; ++step) {
        if (rng() % 3 != 0) k = rng() % 64;  // else the same shape again
        const int i = static_cast<int>(rng() % 1000);
        const auto d = rng() % 4 == 0 ? dialect::postgresql : dialect::sqlite;
        const auto stmt = build(k, i);
        const auto here = dorm::compile(stmt, d, {{"q", i + 1}});
        dorm::compiled fresh;
        std::thread([&] { fresh = dorm::compile(build(k, i), d, {{"q", i + 1}}); }).join();
        if (here.sql != fresh.sql || params_of(here) != params_of(fresh)) {
            if (++wrong < 5) BOOST_ERROR("step " << step << " shape " << k << ": " << here.sql << " " << params_of(here));
        }
    }
    BOOST_TEST(wrong == 0);
}

BOOST_AUTO_TEST_SUITE_END()
