#pragma once
// Test support: the rows most suites start from (users with comments, members, an invoice with
// lines, a post with tags), committed in a session of their own. A suite's own rows live next to its models (e.g. query_fixtures.hpp).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "models.hpp"

namespace dorm_test {

/// What seed_users adds besides user0..user2 and their comments.
struct users_seed {
    bool loner = false;     ///< user3 "loner" (age 23) without comments
    bool profiles = false;  ///< profiles p0 (user0) and p2 (user2)
};

/// user0..user2 (ages 20..22) with comments cIJ (two each), plus what `extra` asks for.
/// Returns the users' ids in that order.
inline std::vector<int> seed_users(const dorm::engine& e, users_seed extra = {}) {
    std::vector<User> users;
    const int n = extra.loner ? 4 : 3;
    for (int i = 0; i < n; ++i) {
        User u{.name = i < 3 ? "user" + std::to_string(i) : "loner", .age = 20 + i};
        if (i < 3)
            for (int j = 0; j < 2; ++j)
                u.comments.push_back(
                    std::make_shared<Comment>(Comment{.comment = "c" + std::to_string(i) + std::to_string(j)}));
        if (extra.profiles && (i == 0 || i == 2))
            u.profile = std::make_shared<Profile>(Profile{.profile = "p" + std::to_string(i)});
        users.push_back(std::move(u));
    }
    return seed(e, std::move(users));
}

/// The first `n` (at most five) of: alice 30, bob NULL, carol 50, dave 20, "100% eve_" 10, with
/// emails <name>@example.com. Returns their ids in that order.
inline std::vector<int> seed_members(const dorm::engine& e, std::size_t n = 5) {
    std::vector<Member> all{
        {.email = "alice@example.com", .nick = "alice", .score = 30},
        {.email = "bob@example.com", .nick = "bob", .score = std::nullopt},
        {.email = "carol@example.com", .nick = "carol", .score = 50},
        {.email = "dave@example.com", .nick = "dave", .score = 20},
        {.email = "eve@example.com", .nick = "100% eve_", .score = 10},
    };
    all.resize(n);
    return seed(e, std::move(all));
}

/// Invoice "INV-1" with the lines "a" and "b" (cascade "all, delete-orphan"). Returns its id.
inline int seed_invoice(const dorm::engine& e) {
    Invoice inv{.number = "INV-1"};
    for (const char* item : {"a", "b"}) inv.lines.push_back(std::make_shared<InvoiceLine>(InvoiceLine{.item = item}));
    return seed(e, std::vector<Invoice>{std::move(inv)})[0];
}

/// Post "p" with the new tags "t1" and "t2" (two association rows). Returns the post's id.
inline int seed_post_with_tags(const dorm::engine& e) {
    Post p{.title = "p"};
    for (const char* name : {"t1", "t2"}) p.tags.push_back(std::make_shared<Tag>(Tag{.name = name}));
    return seed(e, std::vector<Post>{std::move(p)})[0];
}

}  // namespace dorm_test
