// Dry tests of bulk UPDATE / DELETE / INSERT (with upsert) and of raw text() statements.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/error.hpp>
#include <dorm/query/dml.hpp>
#include <dorm/query/text.hpp>

#include "models.hpp"
#include "sql_check.hpp"

using dorm::col;
using dorm::dialect;
using namespace sqlt;

namespace dmlt {
// a table whose only column is generated
struct Solo {
    int id = 0;
};
BOOST_DESCRIBE_STRUCT(Solo, (), (id))
}  // namespace dmlt

BOOST_AUTO_TEST_SUITE(dml)

BOOST_AUTO_TEST_CASE(update) {
    expect_all(dorm::update<User>().set(col(&User::age), 31).set(col(&User::name), "B").where(col(&User::name) == "Bob"),
               R"(UPDATE "user_table" SET "age"=?, "name"=? WHERE "user_table"."name" = ?)", "(31, 'B', 'Bob')");
    expect_all(dorm::update<User>().set(col(&User::age), col(&User::age) + 1),
               R"(UPDATE "user_table" SET "age"="user_table"."age" + ?)", "(1,)");
    expect_all(dorm::update<Item>().set(col(&Item::note), std::optional<std::string>{}).where(col(&Item::qty) == 0 || col(&Item::active) == true),
               R"(UPDATE "item" SET "note"=? WHERE "item"."qty" = ? OR "item"."active" = ?)", "(None, 0, 1)");
    // set(column, std::nullopt): see test/compile_fail/pass_null_operands.cpp
    expect_all(dorm::update<User>().set(col(&User::age), 1).where(col(&User::id) > 1).where(col(&User::id) < 9),
               R"(UPDATE "user_table" SET "age"=? WHERE "user_table"."id" > ? AND "user_table"."id" < ?)", "(1, 1, 9)");
}

BOOST_AUTO_TEST_CASE(delete_) {
    expect_all(dorm::delete_from<User>().where(col(&User::age) < 18), R"(DELETE FROM "user_table" WHERE "user_table"."age" < ?)",
               "(18,)");
    expect_all(dorm::delete_from<User>(), R"(DELETE FROM "user_table")", "()");
    expect_all(dorm::delete_from<User>().where(
                   col(&User::id).in(dorm::select(col(&Comment::user_id)).where(col(&Comment::comment) == "spam"))),
               R"(DELETE FROM "user_table" WHERE "user_table"."id" IN (SELECT "comment_table"."user_id" )"
               R"(FROM "comment_table" WHERE "comment_table"."comment" = ?))",
               "('spam',)");
}

BOOST_AUTO_TEST_CASE(insert) {
    // rows without a key leave the autoincrement column out
    expect_all(dorm::insert<User>().values({User{.name = "a", .age = 1}, User{.name = "b", .age = 2}}),
               R"(INSERT INTO "user_table" ("name", "age") VALUES (?, ?), (?, ?))", "('a', 1, 'b', 2)");
    // an explicit key is inserted
    expect_all(dorm::insert<User>().values({User{.id = 5, .name = "a", .age = 1}}),
               R"(INSERT INTO "user_table" ("id", "name", "age") VALUES (?, ?, ?))", "(5, 'a', 1)");
    // a range of shared_ptr
    const std::vector<std::shared_ptr<Comment>> comments{std::make_shared<Comment>(Comment{.comment = "c", .user_id = 3})};
    expect_all(dorm::insert<Comment>().values(comments),
               R"(INSERT INTO "comment_table" ("comment", "user_id") VALUES (?, ?))", "('c', 3)");
    BOOST_CHECK_THROW(dorm::compile(dorm::insert<User>(), dialect::sqlite), dorm::argument_error);
}

BOOST_AUTO_TEST_CASE(insert_only_generated_columns) {
    // no column to list: DEFAULT VALUES (MySQL: an empty column list)
    auto stmt = dorm::insert<dmlt::Solo>().values({dmlt::Solo{}});
    for (auto d : {dialect::sqlite, dialect::postgresql, dialect::oracle})
        expect_in(stmt, d, R"(INSERT INTO "solo" DEFAULT VALUES)", "()");
    expect_in(stmt, dialect::mysql, R"(INSERT INTO "solo" () VALUES ())", "()");
}

BOOST_AUTO_TEST_CASE(upsert_per_dialect) {
    const User row{.id = 5, .name = "a", .age = 1};
    auto update = dorm::insert<User>().values({row}).on_conflict(col(&User::id)).do_update(col(&User::name), col(&User::age));
    const std::string insert = R"(INSERT INTO "user_table" ("id", "name", "age") VALUES (?, ?, ?))";
    for (auto d : {dialect::sqlite, dialect::postgresql})
        expect_in(update, d,
                  insert + R"( ON CONFLICT ("id") DO UPDATE SET "name" = excluded."name", "age" = excluded."age")",
                  "(5, 'a', 1)");
    expect_in(update, dialect::mysql, insert + R"( ON DUPLICATE KEY UPDATE "name" = VALUES("name"), "age" = VALUES("age"))",
              "(5, 'a', 1)");
    BOOST_CHECK_THROW(dorm::compile(update, dialect::oracle), dorm::unsupported_error);

    auto nothing = dorm::insert<User>().values({row}).on_conflict(col(&User::name)).do_nothing();
    for (auto d : {dialect::sqlite, dialect::postgresql})
        expect_in(nothing, d, insert + R"( ON CONFLICT ("name") DO NOTHING)", "(5, 'a', 1)");
    expect_in(nothing, dialect::mysql, R"(INSERT IGNORE INTO "user_table" ("id", "name", "age") VALUES (?, ?, ?))",
              "(5, 'a', 1)");
    BOOST_CHECK_THROW(dorm::compile(nothing, dialect::oracle), dorm::unsupported_error);
}

// SQLAlchemy's on_conflict_do_nothing() without a target: ON CONFLICT DO NOTHING (any constraint).
// `ON CONFLICT () DO NOTHING` is a syntax error on SQLite and PostgreSQL.
BOOST_AUTO_TEST_CASE(do_nothing_without_conflict_target) {
    auto stmt = dorm::insert<User>().values({User{.id = 5, .name = "a", .age = 1}}).do_nothing();
    for (auto d : {dialect::sqlite, dialect::postgresql})
        expect_in(stmt, d, R"(INSERT INTO "user_table" ("id", "name", "age") VALUES (?, ?, ?) ON CONFLICT DO NOTHING)",
                  "(5, 'a', 1)");
}

BOOST_AUTO_TEST_CASE(text_named_parameters) {
    auto stmt = dorm::text("SELECT * FROM t WHERE a = :a AND b = ':a' AND \"c:a\" = :b AND c::text = :b -- :a\n AND d = :a",
                           {{"a", 1}, {"b", "x"}});
    // quoted strings and identifiers, comments and :: casts are left alone; every use is a parameter
    expect_exact(stmt, dialect::sqlite, "SELECT * FROM t WHERE a = ? AND b = ':a' AND \"c:a\" = ? AND c::text = ? -- :a  AND d = ?",
                 "(1, 'x', 'x', 1)");
    expect_exact(stmt, dialect::postgresql,
                 "SELECT * FROM t WHERE a = $1 AND b = ':a' AND \"c:a\" = $2 AND c::text = $3 -- :a  AND d = $4",
                 "(1, 'x', 'x', 1)");
    expect_exact(stmt, dialect::oracle,
                 "SELECT * FROM t WHERE a = :1 AND b = ':a' AND \"c:a\" = :2 AND c::text = :3 -- :a  AND d = :4",
                 "(1, 'x', 'x', 1)");
    const auto injected = dorm::compile(dorm::text("SELECT 1 WHERE x = :v", {{"v", "'; DROP TABLE t; --"}}), dialect::mysql);
    BOOST_TEST(injected.sql == "SELECT 1 WHERE x = ?");
    BOOST_CHECK_THROW(dorm::compile(dorm::text("SELECT :missing"), dialect::sqlite), dorm::argument_error);
}

// :name inside comments and literals is text, per dialect: block comments (nested on PostgreSQL),
// MariaDB's backslash escapes in '...' and "..." and its # comments, PostgreSQL's E'...' and
// $tag$...$tag$ (issue 16, item 5). Nothing there asks for a parameter.
BOOST_AUTO_TEST_CASE(text_placeholders_in_comments_and_literals_are_text) {
    auto sql_of = [](const char* sql, dialect d) { return dorm::compile(dorm::text(sql, {{"v", 1}}), d); };
    for (auto d : {dialect::sqlite, dialect::postgresql, dialect::mysql, dialect::oracle}) {
        BOOST_TEST_CONTEXT("dialect " << dorm::dialect_name(d)) {
            auto c = sql_of("SELECT 'a' /* :w */, :v", d);
            BOOST_TEST(c.params.size() == 1u);
            BOOST_TEST(c.sql.find("/* :w */") != std::string::npos);
            BOOST_CHECK_NO_THROW(sql_of("SELECT 1 /* multi\nline :w\n */ -- :x", d));
            BOOST_CHECK_NO_THROW(sql_of("SELECT ':w', \":w\"", d));
        }
    }
    // PostgreSQL: E'' with a backslash-escaped quote, dollar quoting, nested comments, casts
    for (const char* sql : {"SELECT E'it\\'s :w', :v", "SELECT $$ :w $$, :v", "SELECT $fn$ it's :w $fn$, :v",
                            "SELECT /* a /* nested :w */ still :x */ :v", "SELECT :v::text"}) {
        BOOST_TEST_CONTEXT(sql) {
            auto c = sql_of(sql, dialect::postgresql);
            BOOST_TEST(c.params.size() == 1u);
            BOOST_TEST(c.sql.find("$1") != std::string::npos);
        }
    }
    // $1 is not a dollar quote
    BOOST_TEST(sql_of("SELECT $1, :v", dialect::postgresql).sql == "SELECT $1, $1");
    // MariaDB: backslash escapes in both quote styles, # comments
    for (const char* sql : {"SELECT 'it\\'s :w', :v", "SELECT \"say \\\":w\\\"\", :v", "SELECT :v # :w"}) {
        BOOST_TEST_CONTEXT(sql) {
            auto c = sql_of(sql, dialect::mysql);
            BOOST_TEST(c.params.size() == 1u);
        }
    }
    // found by test/fuzz (fuzz_text): SQLite's [identifier] is quoted; on MariaDB "--" is a comment
    // only before a space or control character (5--:v is 5 - -?), and /*! ... */ is executed SQL
    BOOST_TEST(sql_of("SELECT [a:w], :v", dialect::sqlite).sql == "SELECT [a:w], ?");
    BOOST_TEST(sql_of("SELECT 5--:v", dialect::mysql).sql == "SELECT 5--?");
    BOOST_TEST(sql_of("SELECT 5-- :w\n", dialect::mysql).params.empty());
    BOOST_TEST(sql_of("SELECT 1 /*! + :v */ /*M! + :v */", dialect::mysql).sql == "SELECT 1 /*! + ? */ /*M! + ? */");
    BOOST_TEST(sql_of("SELECT 5--:w", dialect::postgresql).params.empty());
    // elsewhere a backslash is an ordinary character: 'a\' ends the literal
    BOOST_TEST(sql_of("SELECT 'a\\', :v", dialect::sqlite).params.size() == 1u);
    BOOST_CHECK_THROW(sql_of("SELECT 'a\\', :w", dialect::sqlite), dorm::argument_error);
}

BOOST_AUTO_TEST_SUITE_END()
