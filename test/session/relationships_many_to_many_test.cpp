// Many-to-many against a real database: association rows written, loaded lazily from both sides,
// and deleted alone when an item leaves a collection or either side is deleted.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "relation_checks.hpp"
#include "relationships_fixtures.hpp"
#include "seeds.hpp"

using dorm::col;
using dorm_test::has;
using dorm_test::q;
using dorm_test::seed_post_with_tags;

BOOST_AUTO_TEST_SUITE(many_to_many)

BOOST_FIXTURE_TEST_CASE(append_sets_the_other_side_and_inserts_association_rows, posts_db) {
    dorm::session s(engine);
    auto p = s.add(Post{.title = "hello"});
    auto t1 = std::make_shared<Tag>(Tag{.name = "cpp"});
    auto t2 = std::make_shared<Tag>(Tag{.name = "orm"});
    p->tags.push_back(t1);
    p->tags.push_back(t2);
    BOOST_CHECK(has(t1->posts, p));  // back_populates
    BOOST_CHECK(has(t2->posts, p));
    BOOST_CHECK(s.contains(t1));     // save-update cascade
    BOOST_CHECK(s.contains(t2));
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 2);
    BOOST_CHECK_EQUAL(rows("tag"), 2);
    const int post_insert = echo.find_statement("INSERT INTO " + q("post") + " ");
    const int tag_insert = echo.find_statement("INSERT INTO " + q("tag") + " ");
    const int assoc_insert = echo.find_statement("INSERT INTO " + q("post_tag"));
    BOOST_REQUIRE(assoc_insert >= 0);
    BOOST_CHECK(post_insert < assoc_insert);
    BOOST_CHECK(tag_insert < assoc_insert);
}

BOOST_FIXTURE_TEST_CASE(appending_on_either_side_writes_one_row, posts_db) {
    dorm::session s(engine);
    auto p = s.add(Post{.title = "p"});
    auto t = s.add(Tag{.name = "t"});
    t->posts.push_back(p);
    BOOST_CHECK(has(p->tags, t));
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    // appending the same pair again changes nothing
    p->tags.push_back(t);
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    BOOST_CHECK_EQUAL(echo.count_statements("INSERT"), 0u);
}

BOOST_FIXTURE_TEST_CASE(collections_load_lazily_in_both_directions, posts_db) {
    int p1_id = 0, t2_id = 0;
    {
        dorm::session s(engine);
        auto p1 = s.add(Post{.title = "p1"});
        auto p2 = s.add(Post{.title = "p2"});
        auto t1 = std::make_shared<Tag>(Tag{.name = "t1"});
        auto t2 = std::make_shared<Tag>(Tag{.name = "t2"});
        p1->tags.push_back(t1);
        p1->tags.push_back(t2);
        p2->tags.push_back(t2);
        s.commit();
        p1_id = p1->id;
        t2_id = t2->id;
    }
    dorm::session s(engine);
    auto p1 = s.get<Post>(p1_id);
    CHECK_NAMES(p1->tags, "t1", "t2");
    auto t2 = s.get<Tag>(t2_id);
    CHECK_NAMES(t2->posts, "p1", "p2");
    BOOST_CHECK(has(t2->posts, p1));  // the same object through the identity map
}

BOOST_FIXTURE_TEST_CASE(removing_from_the_collection_deletes_only_the_association_row, posts_db) {
    const int p_id = seed_post_with_tags(engine);
    dorm::session s(engine);
    auto p = s.get<Post>(p_id);
    auto it = std::find_if(p->tags.begin(), p->tags.end(), [](auto& t) { return t->name == "t1"; });
    BOOST_REQUIRE(it != p->tags.end());
    auto t1 = *it;
    BOOST_CHECK(has(t1->posts, p));
    p->tags.erase(it);
    BOOST_CHECK(!has(t1->posts, p));  // back_populates on removal
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    BOOST_CHECK_EQUAL(rows("tag"), 2);  // the tag itself stays
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE FROM " + q("post_tag")), 1u);
    BOOST_CHECK_EQUAL(echo.count_statements("DELETE FROM " + q("tag")), 0u);
    dorm::session check(engine);
    CHECK_NAMES(check.get<Post>(p_id)->tags, "t2");
}

BOOST_FIXTURE_TEST_CASE(deleting_a_post_deletes_only_its_association_rows, posts_db) {
    int p1_id = 0, p2_id = 0;
    {
        dorm::session s(engine);
        auto p1 = s.add(Post{.title = "p1"});
        auto p2 = s.add(Post{.title = "p2"});
        auto t1 = std::make_shared<Tag>(Tag{.name = "t1"});
        auto t2 = std::make_shared<Tag>(Tag{.name = "t2"});
        p1->tags.push_back(t1);
        p1->tags.push_back(t2);
        p2->tags.push_back(t2);
        s.commit();
        p1_id = p1->id;
        p2_id = p2->id;
    }
    dorm::session s(engine);
    s.remove(s.get<Post>(p1_id));
    echo.clear();
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(rows("post"), 1);
    BOOST_CHECK_EQUAL(rows("tag"), 2);
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    const int assoc_delete = echo.find_statement("DELETE FROM " + q("post_tag"));
    const int post_delete = echo.find_statement("DELETE FROM " + q("post") + " ");
    BOOST_REQUIRE(assoc_delete >= 0);
    BOOST_REQUIRE(post_delete >= 0);
    BOOST_CHECK(assoc_delete < post_delete);
    dorm::session check(engine);
    CHECK_NAMES(check.get<Post>(p2_id)->tags, "t2");
}

BOOST_FIXTURE_TEST_CASE(deleting_a_tag_deletes_only_its_association_rows, posts_db) {
    int t1_id = 0;
    {
        dorm::session s(engine);
        auto p1 = s.add(Post{.title = "p1"});
        auto p2 = s.add(Post{.title = "p2"});
        auto t1 = std::make_shared<Tag>(Tag{.name = "t1"});
        auto t2 = std::make_shared<Tag>(Tag{.name = "t2"});
        p1->tags.push_back(t1);
        p1->tags.push_back(t2);
        p2->tags.push_back(t1);
        s.commit();
        t1_id = t1->id;
    }
    dorm::session s(engine);
    s.remove(s.get<Tag>(t1_id));
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(rows("tag"), 1);
    BOOST_CHECK_EQUAL(rows("post"), 2);
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    dorm::session check(engine);
    auto p1 = check.execute(dorm::select<Post>().where(col(&Post::title) == "p1")).scalar_one();
    CHECK_NAMES(p1->tags, "t2");
}

BOOST_FIXTURE_TEST_CASE(clearing_and_refilling_a_collection, posts_db) {
    dorm::session s(engine);
    auto p = s.add(Post{.title = "p"});
    auto t1 = std::make_shared<Tag>(Tag{.name = "t1"});
    auto t2 = std::make_shared<Tag>(Tag{.name = "t2"});
    p->tags.push_back(t1);
    s.commit();
    p->tags.clear();
    p->tags.push_back(t2);
    s.commit();
    BOOST_CHECK_EQUAL(rows("post_tag"), 1);
    dorm::session check(engine);
    CHECK_NAMES(check.get<Post>(p->id)->tags, "t2");
}

BOOST_AUTO_TEST_SUITE_END()

