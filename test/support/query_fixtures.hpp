#pragma once
// Test support for the query suite (test/query/query_*_test.cpp): its own models (Sample, Wide,
// TextRow), the databases its cases run on, and the rows they seed.
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "models.hpp"
#include "show_rows.hpp"

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

// The databases the cases run on (tables created before a case, dropped after it).
using users_db = dorm_test::database<User, Profile, Comment>;
using member_db = dorm_test::database<Member>;
using sample_db = dorm_test::database<Sample>;
using node_db = dorm_test::database<Node>;
using wide_db = dorm_test::database<Wide>;

// ---- seed data ---------------------------------------------------------------------------------

/// Four users; comments: Alice 2 ("hi", "Alice"), Bob 2 ("hi", "Alice"), Carol none, Dave 3
/// ("x", "yo", "Dave"); profiles for Alice and Bob. Average age 37.
struct people {
    int alice = 0, bob = 0, carol = 0, dave = 0;
};
inline people seed_people(const dorm::engine& e) {
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
inline void seed_samples(const dorm::engine& e) {
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
inline void seed_wildcard_members(const dorm::engine& e) {
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
inline void seed_nodes(const dorm::engine& e) {
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

/// Every row of `stmt`, run in `s`.
template <class Stmt>
auto all_of(dorm::session& s, const Stmt& stmt) {
    return s.execute(stmt).all();
}

/// Five members (alice 30, bob NULL, carol 50, dave 20, eve 10); returns their ids in that order.
inline std::vector<int> seed_bulk_members(const dorm::engine& e) {
    return dorm_test::seed(e, std::vector<Member>{
                                  {.email = "alice@x", .nick = "alice", .score = 30},
                                  {.email = "bob@x", .nick = "bob", .score = std::nullopt},
                                  {.email = "carol@x", .nick = "carol", .score = 50},
                                  {.email = "dave@x", .nick = "dave", .score = 20},
                                  {.email = "eve@x", .nick = "eve", .score = 10},
                              });
}

/// The member table as text, ordered by email: [(alice@x, alice, 30), ...].
inline std::string member_table(const dorm::engine& e) {
    dorm::session s(e);
    return show(s.execute(dorm::select(dorm::col(&Member::email), dorm::col(&Member::nick), dorm::col(&Member::score))
                        .order_by(dorm::col(&Member::email)))
                    .all());
}
