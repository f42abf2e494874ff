// The memory behind the session's objects: each object lives in one block with the session's
// bookkeeping and the shared_ptr control block (lib/session/record_block.cpp). Checked as an
// application sees it: an over-aligned struct keeps its alignment, an object handed out outlives
// its session and is destroyed exactly once, a weak_ptr to it outlives the object, and a struct
// whose move throws inside add() leaves nothing behind (the CI's ASan phase checks for leaks).
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"

namespace {

/// Counts the live objects of the structs below (a member dorm does not map).
struct lifetime_probe {
    static inline int live = 0;
    static inline bool throw_on_move = false;
    lifetime_probe() noexcept { ++live; }
    lifetime_probe(const lifetime_probe&) noexcept { ++live; }
    lifetime_probe(lifetime_probe&&) {
        if (throw_on_move) throw std::runtime_error("probe: move refused");
        ++live;
    }
    lifetime_probe& operator=(const lifetime_probe&) = default;
    lifetime_probe& operator=(lifetime_probe&&) = default;
    ~lifetime_probe() { --live; }
};

struct Sensor {
    std::int64_t id = 0;
    std::string label;
    alignas(64) double reading = 0;  // the struct is aligned to 64 bytes, more than operator new gives
};
BOOST_DESCRIBE_STRUCT(Sensor, (), (id, label, reading))

struct Ticket {
    int id = 0;
    std::string title;
    lifetime_probe probe;  // not a column
};
BOOST_DESCRIBE_STRUCT(Ticket, (), (id, title))

using memory_db = dorm_test::database<Sensor, Ticket>;

bool aligned_64(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }

}  // namespace

BOOST_AUTO_TEST_SUITE(record_memory)

BOOST_FIXTURE_TEST_CASE(an_over_aligned_struct_keeps_its_alignment_when_added_and_loaded, memory_db) {
    static_assert(alignof(Sensor) == 64);
    std::vector<std::int64_t> ids;
    {
        dorm::session s(engine);
        std::vector<std::shared_ptr<Sensor>> added;
        for (int i = 0; i < 20; ++i) {
            added.push_back(s.add(Sensor{.label = "s" + std::to_string(i), .reading = i * 0.5}));
            BOOST_CHECK(aligned_64(added.back().get()));
        }
        s.commit();
        for (auto& a : added) ids.push_back(a->id);
    }
    dorm::session s(engine);
    auto all = s.execute(dorm::select<Sensor>().order_by(dorm::col(&Sensor::id))).scalars().all();
    BOOST_REQUIRE_EQUAL(all.size(), 20u);
    for (std::size_t i = 0; i < all.size(); ++i) {
        BOOST_CHECK(aligned_64(all[i].get()));
        BOOST_CHECK_EQUAL(all[i]->id, ids[i]);
        BOOST_CHECK_EQUAL(all[i]->label, "s" + std::to_string(i));
        BOOST_CHECK_EQUAL(all[i]->reading, static_cast<double>(i) * 0.5);
    }
    auto one = s.get<Sensor>(ids[7]);
    BOOST_REQUIRE(one);
    BOOST_CHECK(one.get() == all[7].get());
}

BOOST_FIXTURE_TEST_CASE(an_object_outlives_its_session_and_is_destroyed_once, memory_db) {
    const int before = lifetime_probe::live;
    std::shared_ptr<Ticket> kept;
    std::weak_ptr<Ticket> watched;
    {
        dorm::session s(engine);
        kept = s.add(Ticket{.title = "kept"});
        auto dropped = s.add(Ticket{.title = "dropped"});
        watched = dropped;
        s.commit();
        BOOST_CHECK_EQUAL(lifetime_probe::live, before + 2);  // the temporaries are gone, the objects live
    }
    // the session is closed: the object nobody holds went with it, the held one did not
    BOOST_CHECK(watched.expired());
    BOOST_CHECK_EQUAL(lifetime_probe::live, before + 1);
    BOOST_CHECK_EQUAL(kept->title, "kept");
    {
        dorm::session s(engine);  // loaded objects: the same, read from rows
        auto loaded = s.execute(dorm::select<Ticket>().order_by(dorm::col(&Ticket::id))).scalars().all();
        BOOST_REQUIRE_EQUAL(loaded.size(), 2u);
        BOOST_CHECK_EQUAL(lifetime_probe::live, before + 3);
        watched = loaded[1];
        kept = loaded[0];  // the first object goes here
        BOOST_CHECK_EQUAL(lifetime_probe::live, before + 2);
    }
    BOOST_CHECK(watched.expired());
    BOOST_CHECK_EQUAL(lifetime_probe::live, before + 1);
    BOOST_CHECK_EQUAL(kept->title, "kept");
    kept.reset();
    BOOST_CHECK_EQUAL(lifetime_probe::live, before);
}

BOOST_FIXTURE_TEST_CASE(a_struct_whose_move_throws_in_add_leaves_the_session_usable, memory_db) {
    const int before = lifetime_probe::live;
    dorm::session s(engine);
    {
        Ticket t{.title = "refused"};
        lifetime_probe::throw_on_move = true;
        BOOST_CHECK_THROW(s.add(std::move(t)), std::runtime_error);
        lifetime_probe::throw_on_move = false;
    }
    BOOST_CHECK_EQUAL(lifetime_probe::live, before);
    auto ok = s.add(Ticket{.title = "accepted"});
    s.commit();
    BOOST_CHECK(ok->id != 0);
    BOOST_CHECK_EQUAL(rows("ticket"), 1);
}

BOOST_AUTO_TEST_SUITE_END()
