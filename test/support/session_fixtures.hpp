#pragma once
// Test support for the session suite (test/session/session_*_test.cpp): the databases its cases run
// on, many seeded members, and a check of the nicks of a result.
#include <memory>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "models.hpp"

// The databases the cases run on (tables created before a case, dropped after it).
using member_db = dorm_test::database<Member>;
using users_db = dorm_test::database<User, Profile, Comment>;

/// The nicks of a result, in order; CHECK_NICKS(result, "a", "b") compares them.
inline std::vector<std::string> nicks(const std::vector<std::shared_ptr<Member>>& ms) {
    std::vector<std::string> out;
    for (auto& m : ms) out.push_back(m->nick);
    return out;
}

#define CHECK_NICKS(result, ...)                                                              \
    do {                                                                                      \
        const std::vector<std::string> expected_{__VA_ARGS__};                                \
        const auto got_ = nicks(result);                                                      \
        BOOST_CHECK_EQUAL_COLLECTIONS(got_.begin(), got_.end(), expected_.begin(), expected_.end()); \
    } while (0)

/// Members m0..m<n-1> committed in their own session (more rows than one pipelined batch).
inline std::vector<int> seed_many_members(const dorm::engine& e, int n) {
    std::vector<Member> ms;
    for (int i = 0; i < n; ++i)
        ms.push_back({.email = "m" + std::to_string(i) + "@x", .nick = "n" + std::to_string(i), .score = i});
    return dorm_test::seed(e, std::move(ms));
}
