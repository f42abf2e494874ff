// Joins against a real database: the ON clause inferred from the foreign key or given, outer joins
// whose columns become optional, an aliased self-join.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"
#include "models.hpp"
#include "query_fixtures.hpp"
#include "show_rows.hpp"

using dorm::col;
using dorm_test::q;

BOOST_AUTO_TEST_SUITE(joins)

BOOST_FIXTURE_TEST_CASE(join_infers_the_on_clause_from_the_foreign_key, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    // parent -> child
    auto users = all_of(s, dorm::select<User>().join<Comment>().where(col(&Comment::comment) == "Alice")
                               .order_by(col(&User::name)));
    BOOST_TEST(show(users) == "[Alice, Bob]");
    // child -> parent
    auto comments = all_of(s, dorm::select<Comment>().join<User>().where(col(&User::name) == "Dave")
                                  .order_by(col(&Comment::id)));
    BOOST_TEST(show(comments) == "[x, yo, Dave]");
    // two joins: the second finds its path through the first
    auto with_profile = all_of(s, dorm::select<Comment>().join<User>().join<Profile>().order_by(col(&Comment::id)));
    BOOST_TEST(show(with_profile) == "[hi, Alice, hi, Alice]");
    // select_from + join
    auto n = s.execute(dorm::select(dorm::count()).select_from<Comment>().join<User>().where(col(&User::name) == "Bob"))
                 .scalar_one();
    BOOST_CHECK_EQUAL(n, 2);
    auto names = all_of(s, dorm::select(col(&User::name)).select_from<Comment>().join<User>()
                               .where(col(&Comment::comment) == "hi").order_by(col(&User::name)));
    BOOST_TEST(show(names) == "[Alice, Bob]");
}

BOOST_FIXTURE_TEST_CASE(join_with_an_explicit_on_clause, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto rows_ = all_of(s, dorm::select(col(&User::name), col(&Comment::comment))
                               .join<Comment>(col(&Comment::user_id) == col(&User::id) && col(&Comment::comment) != "hi")
                               .order_by(col(&Comment::id)));
    BOOST_TEST(show(rows_) == "[(Alice, Alice), (Bob, Alice), (Dave, x), (Dave, yo), (Dave, Dave)]");
    // an ON that is not a foreign key: comments equal to some user's name
    auto named = all_of(s, dorm::select(col(&User::name), dorm::count())
                               .join<Comment>(col(&Comment::comment) == col(&User::name))
                               .group_by(col(&User::name))
                               .order_by(col(&User::name)));
    BOOST_TEST(show(named) == "[(Alice, 2), (Dave, 1)]");
    // ON parameters come before WHERE parameters
    auto mixed = all_of(s, dorm::select(col(&Comment::comment))
                               .select_from<User>()
                               .join<Comment>(col(&Comment::user_id) == col(&User::id) && col(&Comment::comment) != "x")
                               .where(col(&User::age) > 50)
                               .order_by(col(&Comment::id)));
    BOOST_TEST(show(mixed) == "[yo, Dave]");
}

BOOST_FIXTURE_TEST_CASE(outer_join_columns_are_optional, users_db) {
    seed_people(engine);
    dorm::session s(engine);
    auto rows_ = all_of(s, dorm::select(col(&User::name), col(&Profile::profile)).outer_join<Profile>()
                               .order_by(col(&User::name)));
    static_assert(std::is_same_v<decltype(rows_), std::vector<std::tuple<std::string, std::optional<std::string>>>>);
    BOOST_TEST(show(rows_) == "[(Alice, a-profile), (Bob, b-profile), (Carol, null), (Dave, null)]");
    BOOST_CHECK(!std::get<1>(rows_[2]).has_value());

    // an explicit ON; a non-null int column of the outer table becomes optional too
    auto ids = all_of(s, dorm::select(col(&User::name), col(&Comment::id))
                             .outer_join<Comment>(col(&Comment::user_id) == col(&User::id) && col(&Comment::comment) == "hi")
                             .order_by(col(&User::name)));
    static_assert(std::is_same_v<decltype(ids), std::vector<std::tuple<std::string, std::optional<int>>>>);
    BOOST_REQUIRE_EQUAL(ids.size(), 4u);
    BOOST_CHECK(std::get<1>(ids[0]).has_value());
    BOOST_CHECK(std::get<1>(ids[1]).has_value());
    BOOST_CHECK(!std::get<1>(ids[2]).has_value());
    BOOST_CHECK(!std::get<1>(ids[3]).has_value());

    // users without comments: outer join + IS NULL
    auto lonely = all_of(s, dorm::select<User>().outer_join<Comment>().where(col(&Comment::id) == std::nullopt));
    BOOST_TEST(show(lonely) == "[Carol]");
    // counts including zero
    auto counts = all_of(s, dorm::select(col(&User::name), dorm::count(col(&Comment::id)))
                                .outer_join<Comment>()
                                .group_by(col(&User::name))
                                .order_by(col(&User::name)));
    BOOST_TEST(show(counts) == "[(Alice, 2), (Bob, 2), (Carol, 0), (Dave, 3)]");
    // an inner join after which an outer join: only the outer table's columns are optional
    auto mixed = all_of(s, dorm::select(col(&Comment::comment), col(&User::name), col(&Profile::profile))
                               .join<User>(col(&Comment::user_id) == col(&User::id))
                               .outer_join<Profile>(col(&Profile::user_id) == col(&User::id))
                               .where(col(&Comment::comment) == "yo"));
    static_assert(std::is_same_v<decltype(mixed),
                                 std::vector<std::tuple<std::string, std::string, std::optional<std::string>>>>);
    BOOST_TEST(show(mixed) == "[(yo, Dave, null)]");
}

BOOST_FIXTURE_TEST_CASE(aliased_self_join, node_db) {
    seed_nodes(engine);
    dorm::session s(engine);
    auto parent = dorm::aliased<Node>("parent");
    auto pairs = all_of(s, dorm::select(col(&Node::name), parent.col(&Node::name))
                               .join(parent, col(&Node::parent_id) == parent.col(&Node::id))
                               .order_by(col(&Node::id)));
    static_assert(std::is_same_v<decltype(pairs), std::vector<std::tuple<std::string, std::string>>>);
    BOOST_TEST(show(pairs) == "[(a, root), (b, root), (a1, a)]");
    BOOST_CHECK_EQUAL(echo.count_containing(q("node") + " AS " + q("parent")), 1u);

    // outer: the root has no parent
    auto all_pairs = all_of(s, dorm::select(col(&Node::name), parent.col(&Node::name))
                                   .outer_join(parent, col(&Node::parent_id) == parent.col(&Node::id))
                                   .order_by(col(&Node::id)));
    static_assert(std::is_same_v<decltype(all_pairs), std::vector<std::tuple<std::string, std::optional<std::string>>>>);
    BOOST_TEST(show(all_pairs) == "[(root, null), (a, root), (b, root), (a1, a)]");

    // entities filtered by their parent's columns
    auto children = all_of(s, dorm::select<Node>()
                                  .join(parent, col(&Node::parent_id) == parent.col(&Node::id))
                                  .where(parent.col(&Node::name) == "root")
                                  .order_by(col(&Node::id)));
    static_assert(std::is_same_v<decltype(children), std::vector<std::shared_ptr<Node>>>);
    BOOST_TEST(show(children) == "[a, b]");

    // two aliases: grandparents
    auto grand = dorm::aliased<Node>("grand");
    auto three = all_of(s, dorm::select(col(&Node::name), parent.col(&Node::name), grand.col(&Node::name))
                               .join(parent, col(&Node::parent_id) == parent.col(&Node::id))
                               .join(grand, parent.col(&Node::parent_id) == grand.col(&Node::id)));
    BOOST_TEST(show(three) == "[(a1, a, root)]");

    // children per node, leaves included (count over an outer self-join)
    auto child = dorm::aliased<Node>("child");
    auto fanout = all_of(s, dorm::select(col(&Node::name), dorm::count(child.col(&Node::id)))
                                .outer_join(child, child.col(&Node::parent_id) == col(&Node::id))
                                .group_by(col(&Node::id), col(&Node::name))
                                .order_by(col(&Node::id)));
    BOOST_TEST(show(fanout) == "[(root, 2), (a, 1), (b, 0), (a1, 0)]");
}

BOOST_AUTO_TEST_SUITE_END()

