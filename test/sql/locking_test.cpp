// Dry tests of row locks: with_for_update() and its refinements printed per dialect (issue 14,
// item 1), the statement cache telling locking and plain SELECTs apart, misuse errors. What the
// locks do on real servers is checked by test/concurrency.
#include <string>

#include <boost/test/unit_test.hpp>

#include <dorm/error.hpp>

#include "models.hpp"
#include "sql_check.hpp"

using dorm::col;
using dorm::dialect;
using namespace sqlt;

namespace {
const std::string by_id = user_from + R"( WHERE "user_table"."id" = ?)";
}  // namespace

BOOST_AUTO_TEST_SUITE(locking_selects)

BOOST_AUTO_TEST_CASE(for_update_per_dialect) {
    // SQLAlchemy: test/sql/test_compiler.py ForUpdateTest and the dialect suites
    // (test/dialect/postgresql/test_compiler.py test_for_update, mysql test_for_update,
    // oracle test_for_update); SQLite prints nothing (the session locks the database instead)
    const auto stmt = dorm::select<User>().where(col(&User::id) == 1).with_for_update();
    expect_exact(stmt, dialect::sqlite, by_id, "(1,)");
    expect_exact(stmt, dialect::postgresql, translate(by_id, dialect::postgresql) + " FOR UPDATE", "(1,)");
    expect_exact(stmt, dialect::mysql, translate(by_id, dialect::mysql) + " FOR UPDATE", "(1,)");
    expect_exact(stmt, dialect::oracle, translate(by_id, dialect::oracle) + " FOR UPDATE", "(1,)");
}

BOOST_AUTO_TEST_CASE(nowait_skip_locked_and_read) {
    const auto base = dorm::select<User>().where(col(&User::id) == 1);
    expect_exact(base.with_for_update().nowait(), dialect::postgresql,
                 translate(by_id, dialect::postgresql) + " FOR UPDATE NOWAIT", "(1,)");
    expect_exact(base.with_for_update().skip_locked(), dialect::postgresql,
                 translate(by_id, dialect::postgresql) + " FOR UPDATE SKIP LOCKED", "(1,)");
    expect_exact(base.with_for_update().read(), dialect::postgresql,
                 translate(by_id, dialect::postgresql) + " FOR SHARE", "(1,)");
    expect_exact(base.with_for_update().read().nowait(), dialect::postgresql,
                 translate(by_id, dialect::postgresql) + " FOR SHARE NOWAIT", "(1,)");
    // MariaDB: LOCK IN SHARE MODE; NOWAIT and SKIP LOCKED since 10.6
    expect_exact(base.with_for_update().read(), dialect::mysql,
                 translate(by_id, dialect::mysql) + " LOCK IN SHARE MODE", "(1,)");
    expect_exact(base.with_for_update().skip_locked(), dialect::mysql,
                 translate(by_id, dialect::mysql) + " FOR UPDATE SKIP LOCKED", "(1,)");
    expect_exact(base.with_for_update().nowait(), dialect::mysql,
                 translate(by_id, dialect::mysql) + " FOR UPDATE NOWAIT", "(1,)");
    // Oracle has no shared row lock: read() is FOR UPDATE there (as SQLAlchemy prints it)
    expect_exact(base.with_for_update().read(), dialect::oracle,
                 translate(by_id, dialect::oracle) + " FOR UPDATE", "(1,)");
    expect_exact(base.with_for_update().nowait(), dialect::oracle,
                 translate(by_id, dialect::oracle) + " FOR UPDATE NOWAIT", "(1,)");
    // the refinements alone imply FOR UPDATE
    expect_exact(base.nowait(), dialect::postgresql, translate(by_id, dialect::postgresql) + " FOR UPDATE NOWAIT",
                 "(1,)");
    expect_exact(base.read(), dialect::postgresql, translate(by_id, dialect::postgresql) + " FOR SHARE", "(1,)");
    for (auto d : {dialect::sqlite}) expect_exact(base.read().skip_locked(), d, by_id, "(1,)");
}

BOOST_AUTO_TEST_CASE(for_update_of_a_joined_struct) {
    const auto stmt = dorm::select<Comment>().join<User>().where(col(&User::name) == "a").with_for_update().of<Comment>();
    const std::string sql = R"(SELECT "comment_table"."id", "comment_table"."comment", "comment_table"."user_id" )"
                            R"(FROM "comment_table" JOIN "user_table" ON "user_table"."id" = "comment_table"."user_id" )"
                            R"(WHERE "user_table"."name" = ?)";
    expect_exact(stmt, dialect::postgresql, translate(sql, dialect::postgresql) + R"( FOR UPDATE OF "comment_table")",
                 "('a',)");
    // Oracle's OF takes columns: the key column of each struct
    expect_exact(stmt, dialect::oracle,
                 translate(sql, dialect::oracle) + R"( FOR UPDATE OF "comment_table"."id")", "('a',)");
    // MariaDB has no OF: it locks the rows of every table read
    expect_exact(stmt, dialect::mysql, translate(sql, dialect::mysql) + " FOR UPDATE", "('a',)");
    expect_exact(stmt, dialect::sqlite, sql, "('a',)");
    expect_exact(dorm::select<Comment>().join<User>().of<Comment, User>().skip_locked(), dialect::postgresql,
                 flat(R"(SELECT "comment_table"."id", "comment_table"."comment", "comment_table"."user_id" )"
                      R"(FROM "comment_table" JOIN "user_table" ON "user_table"."id" = "comment_table"."user_id")"
                      R"( FOR UPDATE OF "comment_table", "user_table" SKIP LOCKED)"),
                 "()");
}

BOOST_AUTO_TEST_CASE(lock_follows_limit) {
    const auto stmt = dorm::select<User>().order_by(col(&User::id)).limit(5).with_for_update().skip_locked();
    const std::string sql = user_from + R"( ORDER BY "user_table"."id" ASC LIMIT ?)";
    expect_exact(stmt, dialect::postgresql, translate(sql, dialect::postgresql) + " FOR UPDATE SKIP LOCKED", "(5,)");
    expect_exact(stmt, dialect::mysql, translate(sql, dialect::mysql) + " FOR UPDATE SKIP LOCKED", "(5,)");
}

BOOST_AUTO_TEST_CASE(the_statement_cache_tells_locking_selects_apart) {
    // same shape and values with and without the lock: each prints its own SQL (the per-thread
    // shape cache must not hand the plain SELECT's text to the locking one, or the reverse)
    for (int round = 0; round < 2; ++round) {
        const auto plain = dorm::select<User>().where(col(&User::id) == 7);
        expect_exact(plain, dialect::postgresql, translate(by_id, dialect::postgresql), "(7,)");
        expect_exact(plain.with_for_update(), dialect::postgresql,
                     translate(by_id, dialect::postgresql) + " FOR UPDATE", "(7,)");
        expect_exact(plain.with_for_update().nowait(), dialect::postgresql,
                     translate(by_id, dialect::postgresql) + " FOR UPDATE NOWAIT", "(7,)");
        expect_exact(plain.read(), dialect::postgresql, translate(by_id, dialect::postgresql) + " FOR SHARE", "(7,)");
        expect_exact(plain.with_for_update().of<User>(), dialect::postgresql,
                     translate(by_id, dialect::postgresql) + R"( FOR UPDATE OF "user_table")", "(7,)");
    }
}

BOOST_AUTO_TEST_CASE(nowait_and_skip_locked_exclude_each_other) {
    const auto base = dorm::select<User>().with_for_update();
    BOOST_CHECK_THROW((void)base.nowait().skip_locked(), dorm::argument_error);
    try {
        (void)base.skip_locked().nowait();
        BOOST_FAIL("nowait() after skip_locked() was accepted");
    } catch (const dorm::argument_error& e) {
        BOOST_TEST(std::string(e.what()).find("nowait() after skip_locked()") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_SUITE_END()
