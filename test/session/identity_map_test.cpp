// The session's identity map (dorm/session/detail/identity_map.hpp) against a plain std::map, in
// seeded random sequences of finds, hinted and plain inserts and erases over a few tables: the
// flat open-addressing table must agree with the model after every step, whatever its erases
// (which shift later entries back into the hole) and rebuilds did (no database).
#define BOOST_TEST_MODULE identity_map
#include <cstdint>
#include <iterator>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/schema/table.hpp>
#include <dorm/session/detail/identity_map.hpp>
#include <dorm/session/detail/work_counts.hpp>

namespace {

using dorm::detail::identity_key;
using dorm::detail::identity_map;
using dorm::detail::record_base;

/// Distinct fake record addresses (the map never dereferences a record).
record_base* fake_record(std::size_t n) {
    static std::vector<std::uint64_t> storage(1 << 16);
    return reinterpret_cast<record_base*>(&storage[n % storage.size()]);
}

struct model_check {
    identity_map map;
    std::map<std::pair<const dorm::schema::table*, std::int64_t>, record_base*> model;
    int wrong = 0;

    void expect_all(const std::vector<dorm::schema::table>& tables, std::int64_t key_range) {
        for (const auto& t : tables)
            for (std::int64_t k = 0; k < key_range; ++k) {
                const auto it = model.find({&t, k});
                record_base* want = it == model.end() ? nullptr : it->second;
                if (map.find(identity_key{&t, k, {}, 0}) != want) ++wrong;
            }
        if (map.size() != model.size()) ++wrong;
        for (const auto& t : tables) {
            bool any = false;
            for (const auto& [key, rec] : model) any = any || key.first == &t;
            if (map.contains_table(&t) != any) ++wrong;
        }
    }
};

void run(std::uint32_t seed, std::int64_t key_range, int steps, int erase_weight) {
    std::mt19937 rng(seed);
    std::vector<dorm::schema::table> tables(3);
    model_check c;
    std::size_t next_record = 1;
    for (int step = 0; step < steps; ++step) {
        const auto& t = tables[rng() % tables.size()];
        const std::int64_t k = static_cast<std::int64_t>(rng() % static_cast<std::uint32_t>(key_range)) - key_range / 4;
        const identity_key key{&t, k, {}, 0};
        const auto mk = std::make_pair(&t, k);
        const int what = static_cast<int>(rng() % (4 + erase_weight));
        if (what == 0) {  // a row read: the hinted lookup and insert
            identity_map::insert_hint hint;
            record_base* found = c.map.find(key, hint);
            const auto it = c.model.find(mk);
            if (found != (it == c.model.end() ? nullptr : it->second)) ++c.wrong;
            if (!found) {
                // reading the row may let go of another object first (its record's destructor
                // erases it): the hint must not survive that
                if (!c.model.empty() && rng() % 3 == 0) {
                    auto victim = c.model.begin();
                    std::advance(victim, static_cast<long>(rng() % c.model.size()));
                    c.map.erase(identity_key{victim->first.first, victim->first.second, {}, 0}, victim->second);
                    c.model.erase(victim);
                }
                record_base* r = fake_record(next_record++);
                if (c.map.emplace(key, r, hint) != r) ++c.wrong;
                c.model[mk] = r;
            }
        } else if (what == 1) {  // a plain insert (returns what is stored under the key)
            record_base* r = fake_record(next_record++);
            const auto [it, inserted] = c.model.emplace(mk, r);
            if (c.map.emplace(key, r) != it->second) ++c.wrong;
        } else if (what == 2) {  // an erase of a record that is not the one stored: no effect
            c.map.erase(key, fake_record(0));
        } else if (what == 3) {
            if (rng() % 50 == 0) {
                c.map.reserve(c.model.size() + rng() % 200);
            } else {
                const auto it = c.model.find(mk);
                if (c.map.find(key) != (it == c.model.end() ? nullptr : it->second)) ++c.wrong;
            }
        } else {  // an object the session lets go of
            const auto it = c.model.find(mk);
            c.map.erase(key, it == c.model.end() ? nullptr : it->second);
            if (it != c.model.end()) c.model.erase(it);
        }
        if (step % 97 == 0) c.expect_all(tables, key_range);
    }
    c.expect_all(tables, key_range);
    BOOST_TEST(c.wrong == 0, "seed " << seed << " range " << key_range << ": " << c.wrong << " disagreements");
}

}  // namespace

BOOST_AUTO_TEST_CASE(agrees_with_a_plain_map_in_random_sequences) {
    // small key ranges keep the map small and full of reused slots; the erase weight makes
    // sequences that mostly grow, stay level or mostly shrink
    for (std::uint32_t seed = 1; seed <= 12; ++seed)
        for (std::int64_t range : {8, 40, 300, 5000})
            run(20261206 + seed, range, 6000, static_cast<int>(seed % 4) * 2);
}

BOOST_AUTO_TEST_CASE(loading_and_letting_go_one_object_at_a_time_needs_no_rebuild) {
    // A session reading one row after another and dropping each object: each erase leaves an
    // empty slot behind, not a tombstone, so the table is never rebuilt to clear them (with
    // tombstones, a 64-slot table was rebuilt every ~47 objects). Then the same while it holds
    // objects whose slots lie between the churned ones: the erases shift entries back instead of
    // leaving tombstones before them (which stayed until a rebuild, one per ~138 objects), so
    // there is still no rebuild, and every held object stays found.
    identity_map map;
    dorm::schema::table t;
    int wrong = 0;
    auto churn = [&](std::int64_t from, std::int64_t to) {
        for (std::int64_t k = from; k < to; ++k) {
            identity_map::insert_hint hint;
            const identity_key key{&t, k, {}, 0};
            if (map.find(key, hint) != nullptr) ++wrong;
            map.emplace(key, fake_record(static_cast<std::size_t>(k) + 100), hint);
            if (map.find(key) != fake_record(static_cast<std::size_t>(k) + 100)) ++wrong;
            map.erase(key);
            if (map.find(key) != nullptr) ++wrong;
        }
    };
    churn(0, 1);  // the table's first allocation
    const auto rebuilt_before = dorm::detail::thread_work_counts().identity_rebuild_slots;
    churn(1, 100000);
    BOOST_TEST(dorm::detail::thread_work_counts().identity_rebuild_slots == rebuilt_before);
    std::vector<std::int64_t> held;
    for (std::int64_t k = 0; k < 20; ++k) {
        held.push_back(1000000 + k * 7919);
        map.emplace(identity_key{&t, held.back(), {}, 0}, fake_record(static_cast<std::size_t>(k) + 1));
    }
    const auto rebuilt_with_held = dorm::detail::thread_work_counts().identity_rebuild_slots;
    churn(100000, 200000);
    BOOST_TEST(dorm::detail::thread_work_counts().identity_rebuild_slots == rebuilt_with_held);
    for (std::size_t i = 0; i < held.size(); ++i)
        if (map.find(identity_key{&t, held[i], {}, 0}) != fake_record(i + 1)) ++wrong;
    BOOST_TEST(wrong == 0);
    BOOST_TEST(map.size() == held.size());
}
