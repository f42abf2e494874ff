// Filters on real rows: where and order_by, limit and offset, LIKE with escaped patterns, IN,
// BETWEEN and NULL, values that look like SQL.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "seeds.hpp"
#include "session_fixtures.hpp"

using dorm::col;
using dorm_test::seed_members;

BOOST_AUTO_TEST_SUITE(filters)

BOOST_FIXTURE_TEST_CASE(where_and_order_by, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::score) > 15).order_by(col(&Member::score))).all(),
                "dave", "alice", "carol");
    CHECK_NICKS(s.execute(dorm::select<Member>()
                              .where(col(&Member::score) >= 20)
                              .where(col(&Member::score) <= 30)
                              .order_by(col(&Member::score).desc()))
                    .all(),
                "alice", "dave");
    CHECK_NICKS(s.execute(dorm::select<Member>()
                              .where(col(&Member::nick) == "bob" || col(&Member::score) < 15)
                              .order_by(col(&Member::id)))
                    .all(),
                "bob", "100% eve_");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(!(col(&Member::nick) != "carol"))).all(), "carol");
}

BOOST_FIXTURE_TEST_CASE(limit_and_offset, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    CHECK_NICKS(s.execute(dorm::select<Member>().order_by(col(&Member::id)).limit(2)).all(), "alice", "bob");
    CHECK_NICKS(s.execute(dorm::select<Member>().order_by(col(&Member::id)).limit(2).offset(1)).all(), "bob",
                "carol");
    CHECK_NICKS(s.execute(dorm::select<Member>().order_by(col(&Member::id)).offset(3)).all(), "dave",
                "100% eve_");
    BOOST_CHECK(s.execute(dorm::select<Member>().order_by(col(&Member::id)).limit(0)).all().empty());
}

BOOST_FIXTURE_TEST_CASE(like_and_escaped_patterns, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::email).like("%@example.com"))
                              .order_by(col(&Member::id)))
                    .all(),
                "alice", "bob", "carol", "dave", "100% eve_");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).like("_ob"))).all(), "bob");
    // % and _ in the value are literal with contains/starts_with/ends_with
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).contains("0% e"))).all(), "100% eve_");
    BOOST_CHECK(s.execute(dorm::select<Member>().where(col(&Member::nick).contains("e%"))).all().empty());
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).ends_with("e_"))).all(), "100% eve_");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).starts_with("ca"))).all(), "carol");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).not_like("%a%")).order_by(col(&Member::id)))
                    .all(),
                "bob", "100% eve_");
}

BOOST_FIXTURE_TEST_CASE(in_between_and_null, member_db) {
    seed_members(engine);
    dorm::session s(engine);
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::nick).in({"carol", "alice", "zed"}))
                              .order_by(col(&Member::id)))
                    .all(),
                "alice", "carol");
    BOOST_CHECK(s.execute(dorm::select<Member>().where(col(&Member::nick).in(std::vector<std::string>{}))).all().empty());
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::score).not_in({30, 50}))
                              .order_by(col(&Member::id)))
                    .all(),
                "dave", "100% eve_");  // NULL is neither in nor not in
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::score).between(10, 30))
                              .order_by(col(&Member::score)))
                    .all(),
                "100% eve_", "dave", "alice");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::score).is_null())).all(), "bob");
    CHECK_NICKS(s.execute(dorm::select<Member>().where(col(&Member::score) == nullptr)).all(), "bob");
    BOOST_CHECK_EQUAL(s.execute(dorm::select<Member>().where(col(&Member::score).is_not_null())).all().size(), 4u);
}

BOOST_FIXTURE_TEST_CASE(values_that_look_like_sql_round_trip, member_db) {
    const std::vector<std::string> nasty{
        "'; DROP TABLE member; --", "x' OR '1'='1", "\\'; --", "", "Grüße 世界 🌍", "%_%", "$1", "?", ":nick",
    };
    {
        dorm::session s(engine);
        int i = 0;
        for (auto& v : nasty) s.add(Member{.email = "m" + std::to_string(i++) + "@x", .nick = v});
        s.commit();
    }
    BOOST_CHECK_EQUAL(rows("member"), static_cast<std::int64_t>(nasty.size()));
    dorm::session s(engine);
    for (auto& v : nasty) {
        BOOST_TEST_CONTEXT("value '" << v << "'") {
            auto found = s.execute(dorm::select<Member>().where(col(&Member::nick) == v)).all();
            BOOST_REQUIRE_EQUAL(found.size(), 1u);
            BOOST_CHECK(found[0]->nick == v);
            auto in = s.execute(dorm::select<Member>().where(col(&Member::nick).in({v}))).all();
            BOOST_CHECK_EQUAL(in.size(), 1u);
        }
    }
    // updates carry them as well
    auto m = s.execute(dorm::select<Member>().where(col(&Member::nick) == "")).scalar_one();
    m->nick = "'); DELETE FROM member; --";
    s.commit();
    BOOST_CHECK_EQUAL(rows("member"), static_cast<std::int64_t>(nasty.size()));
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.get<Member>(m->id)->nick, "'); DELETE FROM member; --");
}

BOOST_AUTO_TEST_SUITE_END()

