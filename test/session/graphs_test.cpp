// Deep and wide object graphs (issue 16, items 1 and 2), on every backend:
//  - no recursion per level: a 1,000,000-deep chain (200,000 under a sanitizer) joins a session (added by its root) and is
//    destroyed, through dorm::many and through a strong one-way dorm::one; a 100,000-deep chain
//    added by its leaf is flushed, committed, read back, walked and expunged;
//  - no quadratic work per object, checked by counting it (detail::thread_work_counts, never by
//    timing): the flush order of a chain given child-first, push_back into a parent already in a
//    session, the lazy-load walk of a chain.
// A recursion per level overflows the 8 MB stack at about 21,000 levels: these depths crash
// (SIGSEGV) if one comes back.
#define BOOST_TEST_MODULE graphs
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>
#include <dorm/session/detail/work_counts.hpp>

#include "backend.hpp"
#include "fixture.hpp"

using dorm::col;

namespace graphs {
// A self-referential pair (parent / children, back_populates: the parent member is weak).
// The foreign keys are indexed: without an index SQLite checks every row's children by a full
// scan when the table is dropped with foreign keys on (O(n^2) for 100,000 rows).
struct Node {
    int id = 0;
    std::string name;
    std::optional<int> parent_id;
    dorm::one<Node> parent;
    dorm::many<Node> children;
};
BOOST_DESCRIBE_STRUCT(Node, (), (id, name, parent_id, parent, children))
DORM_TABLE(Node, "graph_node",
           (name, dorm::varchar(30)),
           (parent_id, dorm::foreign_key(&Node::id), dorm::index),
           (parent, dorm::back_populates("children")),
           (children, dorm::back_populates("parent")))

// A one-way many-to-one (no back_populates): the member owns its target (strong).
struct Link {
    int id = 0;
    std::optional<int> next_id;
    dorm::one<Link> next;
};
BOOST_DESCRIBE_STRUCT(Link, (), (id, next_id, next))
DORM_TABLE(Link, "graph_link", (next_id, dorm::foreign_key(&Link::id), dorm::index))

// A many-to-many pair through an association table.
struct Member;
struct Membership;
struct Club {
    int id = 0;
    std::string name;
    dorm::many<Member> members;
};
BOOST_DESCRIBE_STRUCT(Club, (), (id, name, members))
DORM_TABLE(Club, "graph_club", (name, dorm::varchar(30)),
           (members, dorm::secondary<Membership>, dorm::back_populates("clubs")))

struct Member {
    int id = 0;
    std::string name;
    dorm::many<Club> clubs;
};
BOOST_DESCRIBE_STRUCT(Member, (), (id, name, clubs))
DORM_TABLE(Member, "graph_member", (name, dorm::varchar(30)),
           (clubs, dorm::secondary<Membership>, dorm::back_populates("members")))

struct Membership {
    int club_id = 0;
    int member_id = 0;
};
BOOST_DESCRIBE_STRUCT(Membership, (), (club_id, member_id))
DORM_TABLE(Membership, "graph_membership", (club_id, dorm::primary_key, dorm::foreign_key(&Club::id)),
           (member_id, dorm::primary_key, dorm::foreign_key(&Member::id)))
}  // namespace graphs

using graphs::Club;
using graphs::Link;
using graphs::Member;
using graphs::Membership;
using graphs::Node;

namespace {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// sanitized builds (CI's -O0 ASan and TSan phases) run 10-20 times slower; their larger stack
// frames overflow a recursion per level well below these depths still
constexpr int longest = 200'000;
constexpr int deep = 40'000;
#else
constexpr int longest = 1'000'000;
constexpr int deep = 100'000;  // flushed and read back on every backend
#endif

dorm::detail::work_counts& counts() { return dorm::detail::thread_work_counts(); }

/// root -> ... -> deepest through Node::children (no session); returns the root.
std::shared_ptr<Node> chain_by_children(int depth, std::weak_ptr<Node>& deepest) {
    auto root = std::make_shared<Node>(Node{.name = "n0"});
    auto at = root;
    for (int i = 1; i < depth; ++i) {
        auto child = std::make_shared<Node>();
        at->children.push_back(child);
        at = std::move(child);
    }
    deepest = at;
    return root;
}

/// leaf -> ... -> root through Node::parent assigned before add() (no session); returns the leaf.
std::shared_ptr<Node> chain_by_parents(int depth) {
    auto at = std::make_shared<Node>(Node{.name = "root"});
    for (int i = 1; i < depth; ++i) {
        auto child = std::make_shared<Node>(Node{.name = "n" + std::to_string(i)});
        child->parent = at;
        at = std::move(child);
    }
    return at;
}

/// Levels from `n` up to its root through `parent` (1 for a root).
int depth_above(std::shared_ptr<Node> n) {
    int levels = 0;
    while (n) {
        ++levels;
        n = n->parent.get();
    }
    return levels;
}

using node_db = dorm_test::database<Node>;
using link_db = dorm_test::database<Link>;
using club_db = dorm_test::database<Club, Member, Membership>;
}  // namespace

BOOST_AUTO_TEST_SUITE(deep_chains)

BOOST_AUTO_TEST_CASE(a_very_deep_chain_of_one_way_scalars_is_destroyed_without_recursion) {
    std::weak_ptr<Link> first;
    auto head = std::make_shared<Link>();
    first = head;
    for (int i = 1; i < longest; ++i) {
        auto l = std::make_shared<Link>();
        l->next = head;  // l owns the chain
        head = std::move(l);
    }
    BOOST_CHECK(!first.expired());
    head.reset();  // ~one_base of every level, one at a time
    BOOST_CHECK(first.expired());
}

BOOST_FIXTURE_TEST_CASE(a_very_deep_chain_joins_a_session_by_its_root_and_leaves_it, node_db) {
    std::weak_ptr<Node> deepest, root_seen;
    {
        auto root = chain_by_children(longest, deepest);
        root_seen = root;
        dorm::session s(engine);
        s.add(root);  // save-update cascade down `longest` levels
        BOOST_CHECK_EQUAL(s.size(), std::size_t{longest});
        auto leaf = deepest.lock();
        BOOST_REQUIRE(leaf);
        BOOST_CHECK(s.contains(leaf));
        BOOST_CHECK_EQUAL(depth_above(leaf), longest);  // back_populates set every parent
        s.expunge(leaf);
        BOOST_CHECK(!s.contains(leaf));
        BOOST_CHECK_EQUAL(s.size(), std::size_t{longest - 1});
    }  // the session closes, then the chain is released
    BOOST_CHECK(root_seen.expired());
    BOOST_CHECK(deepest.expired());
}

BOOST_FIXTURE_TEST_CASE(a_deep_chain_added_by_its_leaf_is_flushed_read_back_and_expunged, node_db) {
    int leaf_id = 0;
    {
        auto leaf = chain_by_parents(deep);
        dorm::session s(engine);
        s.add(leaf);  // cascade up through the parents assigned before add()
        BOOST_CHECK_EQUAL(s.size(), std::size_t{deep});
        // the leaf came first (add order 0), the root last: every flush-order pass of a
        // position-order scan would take one record (deep^2 / 2 steps)
        const auto before = counts().order_steps;
        s.commit();
        const auto steps = counts().order_steps - before;
        BOOST_TEST_MESSAGE("order_records steps for " << deep << " rows: " << steps);
        BOOST_CHECK_LE(steps, std::uint64_t{4} * deep);
        BOOST_CHECK_GT(steps, std::uint64_t{0});
        leaf_id = leaf->id;
        BOOST_CHECK(leaf->parent_id.has_value());
        BOOST_CHECK_EQUAL(depth_above(leaf), deep);
    }
    BOOST_CHECK_EQUAL(rows("graph_node"), deep);
    dorm::session s(engine);
    auto all = s.scalars(dorm::select<Node>()).all();  // every level into the identity map
    BOOST_REQUIRE_EQUAL(all.size(), std::size_t{deep});
    auto leaf = s.get<Node>(leaf_id);
    BOOST_REQUIRE(leaf);
    echo.clear();
    const auto visits = counts().flush_visits;
    BOOST_CHECK_EQUAL(depth_above(leaf), deep);  // many-to-one loads from the identity map
    BOOST_CHECK(echo.statements().empty());
    // a load answered by the identity map needs no autoflush; one per level would look at every
    // object held in `all` (deep^2 records)
    BOOST_CHECK_LE(counts().flush_visits - visits, std::uint64_t{deep});
    auto root = all.front()->parent_id ? nullptr : all.front();
    for (auto& n : all)
        if (!n->parent_id) root = n;
    BOOST_REQUIRE(root);
    BOOST_CHECK_EQUAL(root->name, "root");
    s.expunge(leaf);
    BOOST_CHECK(!s.contains(leaf));
    all.clear();
    s.close();
    BOOST_CHECK(!s.contains(root));
}

// Each level a SELECT (nothing in the identity map): its autoflush looks only at what the user
// still holds, not at every object loaded so far.
BOOST_FIXTURE_TEST_CASE(a_lazy_walk_up_a_chain_costs_the_same_per_level, node_db) {
    constexpr int n = 20'000;
    int leaf_id = 0;
    {
        dorm::session s(engine);
        auto leaf = chain_by_parents(n);
        s.add(leaf);
        s.commit();
        leaf_id = leaf->id;
    }
    dorm::session s(engine);
    echo.clear();
    const auto visits = counts().flush_visits;
    auto at = s.get<Node>(leaf_id);
    int levels = 0;
    while (at) {
        ++levels;
        at = at->parent.get();
    }
    BOOST_CHECK_EQUAL(levels, n);
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), std::size_t{n});  // the get, then one per parent
    const auto seen = counts().flush_visits - visits;
    BOOST_TEST_MESSAGE("records looked at by the autoflushes of " << n << " lazy loads: " << seen);
    BOOST_CHECK_LE(seen, std::uint64_t{4} * n);
    BOOST_CHECK_EQUAL(s.size(), std::size_t{n});
}

// Every level already in the identity map and held by the user: no level runs SQL, so none
// autoflushes (an autoflush per level would diff all n held objects: n^2 records looked at).
// Small enough that a regression fails this check quickly instead of running for minutes.
BOOST_FIXTURE_TEST_CASE(a_lazy_walk_through_held_objects_does_not_flush_per_level, node_db) {
    constexpr int n = 3'000;
    int leaf_id = 0;
    {
        dorm::session s(engine);
        auto leaf = chain_by_parents(n);
        s.add(leaf);
        s.commit();
        leaf_id = leaf->id;
    }
    dorm::session s(engine);
    auto all = s.scalars(dorm::select<Node>()).all();
    BOOST_REQUIRE_EQUAL(all.size(), std::size_t{n});
    all.front()->name = "changed";  // a pending change: the walk must not write it either
    echo.clear();
    const auto visits = counts().flush_visits;
    BOOST_CHECK_EQUAL(depth_above(s.get<Node>(leaf_id)), n);
    const auto seen = counts().flush_visits - visits;
    BOOST_TEST_MESSAGE("records looked at by flushes during a walk through " << n << " held objects: " << seen);
    BOOST_CHECK_LE(seen, std::uint64_t{n});
    BOOST_CHECK(echo.statements().empty());  // no SELECT, no UPDATE
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), std::size_t{1});
}

BOOST_FIXTURE_TEST_CASE(a_deep_one_way_chain_joins_flushes_and_leaves_without_recursion, link_db) {
    std::weak_ptr<Link> last;
    {
        auto head = std::make_shared<Link>();
        last = head;
        for (int i = 1; i < deep; ++i) {
            auto l = std::make_shared<Link>();
            l->next = head;
            head = std::move(l);
        }
        dorm::session s(engine);
        s.add(head);  // cascade along the strong one<Link> members
        BOOST_CHECK_EQUAL(s.size(), std::size_t{deep});
        s.flush();
        BOOST_CHECK_NE(head->id, 0);
        s.rollback();  // every row leaves the session again, keys back to 0
        BOOST_CHECK_EQUAL(s.size(), std::size_t{0});
        BOOST_CHECK_EQUAL(head->id, 0);
        BOOST_CHECK_EQUAL(rows("graph_link"), 0);
        s.add(head);
        BOOST_CHECK_EQUAL(s.size(), std::size_t{deep});
        s.commit();
        auto end = last.lock();
        BOOST_REQUIRE(end);
        BOOST_CHECK(!end->next_id.has_value());
        BOOST_CHECK(head->next_id.has_value());
        BOOST_CHECK_EQUAL(*head->next_id, head->next->id);
    }
    BOOST_CHECK(last.expired());
    BOOST_CHECK_EQUAL(rows("graph_link"), deep);
}

// The walk without recursion keeps the recursive walk's order: each related object's whole
// cascade before the next one's (add order decides INSERT order among rows of one table).
BOOST_FIXTURE_TEST_CASE(the_cascade_adds_depth_first_as_before, node_db) {
    auto root = std::make_shared<Node>(Node{.name = "root"});
    auto a = std::make_shared<Node>(Node{.name = "a"});
    auto b = std::make_shared<Node>(Node{.name = "b"});
    auto a1 = std::make_shared<Node>(Node{.name = "a1"});
    auto a2 = std::make_shared<Node>(Node{.name = "a2"});
    root->children.push_back(a);
    root->children.push_back(b);
    a->children.push_back(a1);
    a->children.push_back(a2);
    dorm::session s(engine);
    s.add(root);
    s.commit();
    // depth first: root, a, a1, a2, b (breadth first would be root, a, b, a1, a2)
    BOOST_CHECK_LT(root->id, a->id);
    BOOST_CHECK_LT(a->id, a1->id);
    BOOST_CHECK_LT(a1->id, a2->id);
    BOOST_CHECK_LT(a2->id, b->id);
    BOOST_CHECK(a1->parent.get() == a && b->parent.get() == root);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(linear_work)

// push_back used to search the collection (10,000 children: 50,000,000 comparisons, twice: the
// back_populates append searched it again).
BOOST_FIXTURE_TEST_CASE(push_back_into_a_parent_in_a_session_tests_membership_in_constant_time, node_db) {
    constexpr int n = 10'000;
    dorm::session s(engine);
    auto parent = s.add(Node{.name = "parent"});
    s.commit();
    const auto before = counts().collection_steps;
    std::vector<std::shared_ptr<Node>> kids;
    for (int i = 0; i < n; ++i) {
        kids.push_back(std::make_shared<Node>(Node{.name = "c" + std::to_string(i)}));
        parent->children.push_back(kids.back());
    }
    parent->children.push_back(kids[n / 2]);  // already there: no second copy
    const auto steps = counts().collection_steps - before;
    BOOST_TEST_MESSAGE("membership steps for " << n << " push_backs: " << steps);
    BOOST_CHECK_LE(steps, std::uint64_t{10} * n);
    BOOST_CHECK_GE(steps, std::uint64_t{n});  // every push_back asked
    BOOST_CHECK_EQUAL(parent->children.size(), std::size_t{n});
    BOOST_CHECK(kids[n - 1]->parent.get() == parent);
    BOOST_CHECK(s.contains(kids[n - 1]));
    s.commit();
    BOOST_CHECK_EQUAL(rows("graph_node"), n + 1);
    BOOST_CHECK_EQUAL(*kids[n - 1]->parent_id, parent->id);
    // an edit behind the set's back (erase) is followed: the removed child can come back
    parent->children.erase(parent->children.begin());
    BOOST_CHECK_EQUAL(parent->children.size(), std::size_t{n - 1});
    parent->children.push_back(kids[0]);
    BOOST_CHECK_EQUAL(parent->children.size(), std::size_t{n});
    parent->children.push_back(kids[0]);
    BOOST_CHECK_EQUAL(parent->children.size(), std::size_t{n});
}

// erase() keeps the lookup set (it used to drop it: every push_back after an erase rebuilt the
// set of all n items).
BOOST_FIXTURE_TEST_CASE(erase_and_push_back_alternating_do_not_rebuild_the_lookup_set, node_db) {
    constexpr int n = 10'000;
    constexpr int rounds = 1'000;
    dorm::session s(engine);
    auto parent = s.add(Node{.name = "parent"});
    for (int i = 0; i < n; ++i) parent->children.push_back(std::make_shared<Node>(Node{.name = "c"}));
    s.commit();
    const auto before = counts().collection_steps;
    for (int i = 0; i < rounds; ++i) {
        auto first = parent->children[0];
        parent->children.erase(parent->children.begin());
        parent->children.push_back(first);  // back at the end
        parent->children.push_back(first);  // already there
    }
    const auto steps = counts().collection_steps - before;
    BOOST_TEST_MESSAGE("membership steps for " << rounds << " erase + 2 push_back rounds: " << steps);
    BOOST_CHECK_LE(steps, std::uint64_t{10} * rounds + n);
    BOOST_CHECK_EQUAL(parent->children.size(), std::size_t{n});
    s.commit();
    BOOST_CHECK_EQUAL(rows("graph_node"), n + 1);
}

// The association rows of a many-to-many collection are found by sets (a search of one list per
// item of the other was n * m per flush: 25,000,000 steps for 5,000 members), and the rows both
// sides report once each.
BOOST_FIXTURE_TEST_CASE(a_large_many_to_many_collection_flushes_in_linear_work, club_db) {
    constexpr int n = 5'000;
    dorm::session s(engine);
    auto club = s.add(Club{.name = "club"});
    std::vector<std::shared_ptr<Member>> people;
    for (int i = 0; i < n; ++i) {
        people.push_back(std::make_shared<Member>(Member{.name = "m" + std::to_string(i)}));
        club->members.push_back(people.back());
    }
    auto before = counts().collection_steps;
    s.commit();
    BOOST_CHECK_EQUAL(rows("graph_membership"), n);
    auto steps = counts().collection_steps - before;
    BOOST_TEST_MESSAGE("collection steps of the flush adding " << n << " association rows: " << steps);
    BOOST_CHECK_LE(steps, std::uint64_t{20} * n);
    // a quarter leave, as many join: one DELETE or INSERT each, linear work again
    for (int i = 0; i < n / 4; ++i) club->members.erase(club->members.begin());
    for (int i = 0; i < n / 4; ++i) club->members.push_back(std::make_shared<Member>(Member{.name = "new"}));
    before = counts().collection_steps;
    echo.clear();
    s.commit();
    steps = counts().collection_steps - before;
    BOOST_TEST_MESSAGE("collection steps of the flush changing " << n / 2 << " association rows: " << steps);
    BOOST_CHECK_LE(steps, std::uint64_t{20} * n);
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE FROM " + dorm_test::quoted(engine, "graph_membership")),
                      std::size_t{n / 4});
    BOOST_CHECK_EQUAL(rows("graph_membership"), n);
    BOOST_CHECK(people[0]->clubs.empty());  // back_populates took the leaver out
    BOOST_CHECK_EQUAL(people[n - 1]->clubs.size(), std::size_t{1});
}

BOOST_AUTO_TEST_SUITE_END()
