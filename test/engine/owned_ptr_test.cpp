// dorm::detail::owned_ptr, the owner that dorm's public classes hold their lib-side parts by
// (instead of std::unique_ptr, for compile memory): each object is deleted exactly once.
#include <boost/test/unit_test.hpp>

#include <utility>

#include <dorm/detail/owned_ptr.hpp>

using dorm::detail::owned_ptr;

namespace {

struct counted {
    static inline int alive = 0;
    int v;
    explicit counted(int x) : v(x) { ++alive; }
    ~counted() { --alive; }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(owned_pointer)

BOOST_AUTO_TEST_CASE(owns_moves_and_deletes_once) {
    {
        owned_ptr<counted> empty;
        BOOST_TEST(!empty);
        BOOST_TEST((empty == nullptr));
        owned_ptr<counted> a(new counted(1));
        BOOST_TEST(counted::alive == 1);
        BOOST_TEST(a->v == 1);
        BOOST_TEST((*a).v == 1);
        owned_ptr<counted> b(std::move(a));  // moved: a is empty, nothing deleted
        BOOST_TEST(!a);
        BOOST_TEST(b.get()->v == 1);
        BOOST_TEST(counted::alive == 1);
        owned_ptr<counted> c(new counted(2));
        c = std::move(b);  // c's old object is deleted, b's moves in
        BOOST_TEST(counted::alive == 1);
        BOOST_TEST(c->v == 1);
        BOOST_TEST(!b);
        auto& self = c;
        c = std::move(self);  // self-move keeps the object
        BOOST_TEST(counted::alive == 1);
        BOOST_TEST(c->v == 1);
        c.reset(new counted(3));
        BOOST_TEST(counted::alive == 1);
        BOOST_TEST(c->v == 3);
        counted* raw = c.release();  // the caller owns it now
        BOOST_TEST(!c);
        BOOST_TEST(counted::alive == 1);
        delete raw;
        BOOST_TEST(counted::alive == 0);
        c.reset(new counted(4));
        c.reset();
        BOOST_TEST(counted::alive == 0);
        owned_ptr<const counted> k(new counted(5));  // a const object (session_impl's sharding rules)
        BOOST_TEST(k->v == 5);
    }
    BOOST_TEST(counted::alive == 0);  // destructors deleted what was left
}

BOOST_AUTO_TEST_SUITE_END()
