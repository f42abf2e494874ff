#pragma once
// Test support for the loaders suite (test/session/loaders_*_test.cpp): a struct with two
// collections (LdTeam), the databases its cases run on, the rows they seed, and readers of the SQL
// the loaders emit (IN-list sizes, SELECTs captured).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "models.hpp"
#include "relation_checks.hpp"
#include "seeds.hpp"

// ---- a struct with two collections (a joinedload of both is a cartesian product) ---------------

struct LdPlayer;
struct LdCoach;

struct LdTeam {
    int id = 0;
    std::string name;
    dorm::many<LdPlayer> players;
    dorm::many<LdCoach> coaches;
};
BOOST_DESCRIBE_STRUCT(LdTeam, (), (id, name, players, coaches))
DORM_TABLE(LdTeam, "ld_team",
           (name, dorm::varchar(30)),
           (players, dorm::back_populates("team")),
           (coaches, dorm::back_populates("team")))

struct LdPlayer {
    int id = 0;
    std::string name;
    int team_id = 0;
    dorm::one<LdTeam> team;
};
BOOST_DESCRIBE_STRUCT(LdPlayer, (), (id, name, team_id, team))
DORM_TABLE(LdPlayer, "ld_player",
           (name, dorm::varchar(30)),
           (team_id, dorm::foreign_key(&LdTeam::id)),
           (team, dorm::back_populates("players")))

struct LdCoach {
    int id = 0;
    std::string name;
    int team_id = 0;
    dorm::one<LdTeam> team;
};
BOOST_DESCRIBE_STRUCT(LdCoach, (), (id, name, team_id, team))
DORM_TABLE(LdCoach, "ld_coach",
           (name, dorm::varchar(30)),
           (team_id, dorm::foreign_key(&LdTeam::id)),
           (team, dorm::back_populates("coaches")))

// The databases the cases run on (tables created before a case, dropped after it).
using users_db = dorm_test::database<User, Profile, Comment>;
using authors_db = dorm_test::database<Author, Book>;
using nodes_db = dorm_test::database<Node>;
using posts_db = dorm_test::database<Post, Tag, PostTag>;
using teams_db = dorm_test::database<LdTeam, LdPlayer, LdCoach>;

/// How often `part` occurs in `s`.
inline std::size_t occurrences(const std::string& s, const std::string& part) {
    std::size_t n = 0;
    for (auto p = s.find(part); p != std::string::npos; p = s.find(part, p + part.size())) ++n;
    return n;
}

/// The number of items in the first ` IN (...)` list of a statement (0: none).
inline std::size_t in_list_size(const std::string& sql) {
    auto p = sql.find(" IN (");
    if (p == std::string::npos) return 0;
    std::size_t n = 1;
    int depth = 0;
    for (p += 5; p < sql.size(); ++p) {
        const char ch = sql[p];
        if (ch == '(')
            ++depth;
        else if (ch == ')') {
            if (depth == 0) break;
            --depth;
        } else if (ch == ',' && depth == 0)
            ++n;
    }
    return n;
}

/// The SELECT statements captured so far.
inline std::vector<std::string> selects(const dorm_test::echo_capture& echo) {
    std::vector<std::string> out;
    for (auto& s : echo.statements())
        if (s.starts_with("SELECT")) out.push_back(s);
    return out;
}

#define CHECK_NO_SQL(echo, what) BOOST_CHECK_MESSAGE((echo).statements().empty(), what " ran SQL:\n" << (echo).dump())

/// The users every loader case seeds (dorm_test::seed_users): user0..user2 with comments cIJ (two
/// each), user3 "loner" without comments; profiles p0 (user0) and p2 (user2).
inline constexpr dorm_test::users_seed loader_users{.loner = true, .profiles = true};

struct post_ids {
    int p1 = 0, p2 = 0, p3 = 0, t1 = 0, t2 = 0, t3 = 0;
};

/// p1 {t1, t2}, p2 {t2}, p3 {}; t3 has no post.
inline post_ids seed_posts(const dorm::engine& e) {
    dorm::session s(e);
    auto p1 = s.add(Post{.title = "p1"});
    auto p2 = s.add(Post{.title = "p2"});
    auto p3 = s.add(Post{.title = "p3"});
    auto t1 = s.add(Tag{.name = "t1"});
    auto t2 = s.add(Tag{.name = "t2"});
    auto t3 = s.add(Tag{.name = "t3"});
    p1->tags.push_back(t1);
    p1->tags.push_back(t2);
    p2->tags.push_back(t2);
    s.commit();
    return {p1->id, p2->id, p3->id, t1->id, t2->id, t3->id};
}

/// root {a {a1, a2}, b {}}; returns root's id.
inline int seed_nodes(const dorm::engine& e) {
    dorm::session s(e);
    auto root = s.add(Node{.name = "root"});
    auto a = std::make_shared<Node>(Node{.name = "a"});
    auto b = std::make_shared<Node>(Node{.name = "b"});
    root->children.push_back(a);
    root->children.push_back(b);
    a->children.push_back(std::make_shared<Node>(Node{.name = "a1"}));
    a->children.push_back(std::make_shared<Node>(Node{.name = "a2"}));
    s.commit();
    return root->id;
}

/// The object of `v` whose name (or nick, comment, ...) is `name`, or nullptr.
template <class T>
std::shared_ptr<T> by_name(const std::vector<std::shared_ptr<T>>& v, const std::string& name) {
    for (auto& x : v)
        if (dorm_test::name_of(*x) == name) return x;
    return nullptr;
}
