#pragma once
// Workload SCALE (issue 16, item 1): every session operation should cost O(1) amortised per
// object and every compile O(n) in its size. Each path runs at n and at 4n in the same process
// (sqlite memory, fresh database each time) and the report prints time(4n) / time(n): about 4
// for linear work, about 16 for quadratic work. Marked `!` above 8 (reported, not failed: the
// machine is shared and noisy). Building the input is not timed.
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

namespace bench {

// A self-referential chain (parent / children, back_populates) and a one-way chain.
struct ScaleNode {
    int id = 0;
    std::string name;
    std::optional<int> parent_id;
    dorm::one<ScaleNode> parent;
    dorm::many<ScaleNode> children;
};
BOOST_DESCRIBE_STRUCT(ScaleNode, (), (id, name, parent_id, parent, children))
DORM_TABLE(ScaleNode, "scale_node",
           (name, dorm::varchar(30)),
           (parent_id, dorm::foreign_key(&ScaleNode::id)),
           (parent, dorm::back_populates("children")),
           (children, dorm::back_populates("parent")))

struct ScaleLink {
    int id = 0;
    std::optional<int> next_id;
    dorm::one<ScaleLink> next;
};
BOOST_DESCRIBE_STRUCT(ScaleLink, (), (id, next_id, next))
DORM_TABLE(ScaleLink, "scale_link", (next_id, dorm::foreign_key(&ScaleLink::id)))

inline dorm::metadata<ScaleNode, ScaleLink> scale_meta;

struct ScalePath {
    const char* name;
    const char* what;
    /// Runs the path on `n` objects and returns the timed part in milliseconds.
    std::function<double(int n)> run;
};

inline double scale_ms(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

/// leaf -> ... -> root through `parent` assigned before add(); returns the leaf.
inline std::shared_ptr<ScaleNode> scale_chain(int n) {
    auto at = std::make_shared<ScaleNode>(ScaleNode{.name = "root"});
    for (int i = 1; i < n; ++i) {
        auto child = std::make_shared<ScaleNode>(ScaleNode{.name = "n"});
        child->parent = at;
        at = std::move(child);
    }
    return at;
}

inline dorm::engine scale_engine() {
    auto e = dorm::create_engine("sqlite://");
    scale_meta.create_all(e);
    return e;
}

/// A chain of n committed rows; returns the leaf's id.
inline int scale_seed_chain(const dorm::engine& e, int n) {
    dorm::session s(e);
    auto leaf = scale_chain(n);
    s.add(leaf);
    s.commit();
    return leaf->id;
}

inline std::vector<ScalePath> scale_paths() {
    using clock = std::chrono::steady_clock;
    return {
        {"add-chain", "session.add(leaf) of an n-deep chain (save-update cascade up the parents)",
         [](int n) {
             auto e = scale_engine();
             auto leaf = scale_chain(n);
             dorm::session s(e);
             const auto t0 = clock::now();
             s.add(leaf);
             return scale_ms(t0);
         }},
        {"commit-chain", "commit() of an n-deep chain added by its leaf (flush order, FK sync)",
         [](int n) {
             auto e = scale_engine();
             auto leaf = scale_chain(n);
             dorm::session s(e);
             s.add(leaf);
             const auto t0 = clock::now();
             s.commit();
             return scale_ms(t0);
         }},
        {"push-back", "n x parent->children.push_back(child), parent persistent in the session",
         [](int n) {
             auto e = scale_engine();
             dorm::session s(e);
             auto parent = s.add(ScaleNode{.name = "parent"});
             s.commit();
             std::vector<std::shared_ptr<ScaleNode>> kids;
             for (int i = 0; i < n; ++i) kids.push_back(std::make_shared<ScaleNode>(ScaleNode{.name = "c"}));
             const auto t0 = clock::now();
             for (auto& k : kids) parent->children.push_back(k);
             return scale_ms(t0);
         }},
        {"lazy-walk", "leaf->parent lazily to the root of an n-deep chain, fresh session (n lazy loads)",
         [](int n) {
             auto e = scale_engine();
             const int leaf_id = scale_seed_chain(e, n);
             dorm::session s(e);
             const auto t0 = clock::now();
             auto at = s.get<ScaleNode>(leaf_id);
             int levels = 0;
             while (at) {
                 ++levels;
                 at = at->parent.get();
             }
             const double ms = scale_ms(t0);
             if (levels != n) throw std::runtime_error("lazy-walk: " + std::to_string(levels) + " levels");
             return ms;
         }},
        {"lazy-walk-held", "the same walk after one SELECT of every row, the rows held (identity-map hits)",
         [](int n) {
             auto e = scale_engine();
             const int leaf_id = scale_seed_chain(e, n);
             dorm::session s(e);
             auto all = s.scalars(dorm::select<ScaleNode>()).all();
             const auto t0 = clock::now();
             auto at = s.get<ScaleNode>(leaf_id);
             int levels = 0;
             while (at) {
                 ++levels;
                 at = at->parent.get();
             }
             const double ms = scale_ms(t0);
             if (levels != n) throw std::runtime_error("lazy-walk-held: " + std::to_string(levels) + " levels");
             return ms;
         }},
        {"destroy-one", "release an n-deep chain held through one-way dorm::one members",
         [](int n) {
             auto head = std::make_shared<ScaleLink>();
             for (int i = 1; i < n; ++i) {
                 auto l = std::make_shared<ScaleLink>();
                 l->next = head;
                 head = std::move(l);
             }
             const auto t0 = clock::now();
             head.reset();
             return scale_ms(t0);
         }},
        // Oracle binds every value (ORed lists of 1,000); the other dialects send a long list as
        // one parameter (json_each, = ANY, JSON_TABLE), which would not exercise the per-parameter work
        {"compile-in", "dorm::compile of a SELECT with an n-value IN list (oracle dialect: n parameters)",
         [](int n) {
             std::vector<int> ids;
             for (int i = 0; i < n; ++i) ids.push_back(i);
             auto stmt = dorm::select<ScaleNode>().where(dorm::col(&ScaleNode::id).in(ids));
             const auto t0 = clock::now();
             auto c = dorm::compile(stmt, dorm::dialect::oracle);
             const double ms = scale_ms(t0);
             if (c.params.size() != static_cast<std::size_t>(n)) throw std::runtime_error("compile-in: params");
             return ms;
         }},
    };
}

/// Runs every path at n and 4n (best of `reps` each) and prints the table; false if one failed.
inline bool run_scaling(int n, int reps) {
    std::printf("\nSCALE: time at n and 4n in one run (sqlite memory, best of %d); ratio = t(4n) / t(n): ~4 linear, "
                "~16 quadratic; ! above 8\n",
                reps);
    std::printf("%-14s %8s %10s %10s %7s  %s\n", "path", "n", "ms(n)", "ms(4n)", "ratio", "what");
    bool ok = true;
    for (const auto& path : scale_paths()) {
        try {
            double t1 = 1e300, t4 = 1e300;
            for (int r = 0; r < reps; ++r) {
                t1 = std::min(t1, path.run(n));
                t4 = std::min(t4, path.run(4 * n));
            }
            const double ratio = t4 / std::max(t1, 1e-6);
            std::printf("%-14s %8d %10.2f %10.2f %6.2f%s  %s\n", path.name, n, t1, t4, ratio, ratio > 8 ? "!" : " ",
                        path.what);
        } catch (const std::exception& e) {
            ok = false;
            std::printf("%-14s %8d FAILED: %s\n", path.name, n, e.what());
        }
    }
    return ok;
}

}  // namespace bench
