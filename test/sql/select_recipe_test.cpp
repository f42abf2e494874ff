// A select<T>() with at most one `col(&T::c) <op> value` is kept as a recipe (no tree) until a
// tree is needed (dorm/query/lazy_select.hpp), and its SQL is looked up by the recipe. These tests
// check that the recipe's SQL and parameters are exactly those of the tree it stands for, for
// every operator, column type and dialect, in a random order (so that a cache keyed by too
// little gives one statement the SQL of another); that every other statement shape is a tree
// with all of its clauses; and that a const recipe statement shared by threads makes its tree
// once. SQLAlchemy keeps no recipe: its statements are trees with a cache key
// (test/sql/test_compare.py CacheKeyTest); here the recipe IS the cache key.
#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "models.hpp"
#include "sql_check.hpp"

using dorm::col;
using dorm::dialect;
using namespace sqlt;

namespace {

/// The SQL and parameters of `stmt` as executing it compiles them (the recipe path while it is
/// a recipe), then of its tree (made from the recipe by ast()).
template <class Stmt>
std::pair<dorm::compiled, dorm::compiled> both_ways(const Stmt& stmt, dialect d) {
    dorm::compiled lazy;
    lazy.sql = dorm::detail::compile_select_sql(stmt.lazy_ast(), d, lazy.params);
    const dorm::ast::select tree = stmt.ast();  // a copy: its own memo
    return {std::move(lazy), dorm::detail::compile_select(tree, d)};
}

using item_select = dorm::select_stmt<dorm::entity<Item>, boost::mp11::mp_list<Item>>;

/// One random `col(&Item::c) <op> value` statement; `what` describes it for messages.
item_select random_condition(std::mt19937& rng, std::string& what) {
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    auto s = dorm::select<Item>();
    auto text = [&] {
        static const std::vector<std::string> texts{"", "a", "Alice", "50%_off", "it's", std::string(40, 'x'),
                                                    std::string("nul\0in", 6), "\xc3\xa9t\xc3\xa9"};
        return texts[static_cast<std::size_t>(pick(static_cast<int>(texts.size())))];
    };
    const std::int64_t big[] = {0, 1, -1, INT32_MAX, INT32_MIN, 42};
    const int column = pick(9);
    const int op = pick(6);
    what = "column " + std::to_string(column) + " op " + std::to_string(op);
    auto compare = [&](auto c, auto v) {
        switch (op) {
            case 0: return std::move(s).where(c == v);
            case 1: return std::move(s).where(c != v);
            case 2: return std::move(s).where(c < v);
            case 3: return std::move(s).where(c <= v);
            case 4: return std::move(s).where(c > v);
            default: return std::move(s).where(c >= v);
        }
    };
    switch (column) {
        case 0: return compare(col(&Item::id), static_cast<int>(big[pick(6)]));
        case 1: {
            auto c = col(&Item::name);
            switch (pick(4)) {
                case 0: return std::move(s).where(c.like(text()));
                case 1: return std::move(s).where(c.not_like(text()));
                case 2: return std::move(s).where(c.ilike(text()));
                default: return compare(c, text());
            }
        }
        case 2: return pick(2) ? compare(col(&Item::note), std::optional<std::string>(text()))
                               : std::move(s).where(col(&Item::note).is_distinct_from(text()));
        case 3: return compare(col(&Item::qty), static_cast<long long>(big[pick(6)]));
        case 4: return compare(col(&Item::price), pick(2) ? 1.5 : -1e300);
        case 5: return pick(2) ? compare(col(&Item::rank), std::optional<int>(pick(100)))
                               : std::move(s).where(col(&Item::rank).is_not_distinct_from(std::optional<int>(3)));
        case 6: return std::move(s).where(pick(2) ? col(&Item::active) == true : col(&Item::active) != false);
        case 7: return compare(col(&Item::color), pick(2) ? Color::green : Color::blue);
        default:
            return compare(col(&Item::created),
                           std::chrono::sys_seconds(std::chrono::seconds(pick(2) ? 0 : 253402300799)));  // 9999-12-31
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(select_recipes)

BOOST_AUTO_TEST_CASE(recipe_sql_is_the_sql_of_its_tree) {
    std::mt19937 rng(20261206);
    int recipes = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string what;
        const item_select s = random_condition(rng, what);
        BOOST_TEST_REQUIRE(s.lazy_ast().recipe() != nullptr, what);  // each of these stays a recipe
        ++recipes;
        const dialect d = all_dialects[rng() % all_dialects.size()];
        const auto [lazy, tree] = both_ways(s, d);
        BOOST_TEST(lazy.sql == tree.sql, what);
        BOOST_TEST(params_of(lazy) == params_of(tree), what);
        BOOST_TEST(lazy.params.size() == 1u, what);
    }
    BOOST_TEST(recipes == 3000);
}

BOOST_AUTO_TEST_CASE(a_recipe_without_a_condition) {
    for (dialect d : all_dialects) {
        const auto s = dorm::select<Item>();
        BOOST_TEST_REQUIRE(s.lazy_ast().recipe() != nullptr);
        const auto [lazy, tree] = both_ways(s, d);
        BOOST_TEST(lazy.sql == tree.sql);
        BOOST_TEST(lazy.params.empty());
    }
    expect_all(dorm::select<User>(), user_from, "()");
}

BOOST_AUTO_TEST_CASE(other_shapes_are_trees_with_every_clause) {
    // a second condition, a column compared with a column or a bindparam, a value on the left, IS
    // NULL, a modifier after the condition: the recipe gives way to a tree that keeps the first
    // condition
    const auto two = dorm::select<Item>().where(col(&Item::qty) == 1).where(col(&Item::name) == "b");
    BOOST_TEST(!two.lazy_ast().recipe());
    expect_all(two, item_where(R"("item"."qty" = ? AND "item"."name" = ?)"), "(1, 'b')");

    const auto limited = dorm::select<Item>().where(col(&Item::qty) > 1).limit(5);
    BOOST_TEST(!limited.lazy_ast().recipe());
    BOOST_TEST(flat(dorm::compile(limited, dialect::sqlite).sql).find(R"(WHERE "item"."qty" > ? LIMIT ?)") !=
               std::string::npos);

    const auto columns = dorm::select<Item>().where(col(&Item::qty) == col(&Item::rank));
    BOOST_TEST(!columns.lazy_ast().recipe());
    const auto bound = dorm::select<Item>().where(col(&Item::qty) == dorm::bindparam<int>("q"));
    BOOST_TEST(!bound.lazy_ast().recipe());
    const auto left = dorm::select<Item>().where(3 < col(&Item::qty));
    BOOST_TEST(!left.lazy_ast().recipe());
    expect_all(left, item_where(R"(? < "item"."qty")"), "(3,)");
    const auto null = dorm::select<Item>().where(col(&Item::rank) == std::nullopt);
    BOOST_TEST(!null.lazy_ast().recipe());
    expect_all(null, item_where(R"("item"."rank" IS NULL)"), "()");
    const auto empty_optional = dorm::select<Item>().where(col(&Item::rank) != std::optional<int>());
    BOOST_TEST(!empty_optional.lazy_ast().recipe());
    expect_all(empty_optional, item_where(R"("item"."rank" IS NOT NULL)"), "()");
    const auto ordered = dorm::select<Item>().order_by(col(&Item::qty)).where(col(&Item::qty) == 2);
    BOOST_TEST(!ordered.lazy_ast().recipe());
    BOOST_TEST(flat(dorm::compile(ordered, dialect::sqlite).sql).find(R"(WHERE "item"."qty" = ? ORDER BY)") !=
               std::string::npos);
    const auto anded = dorm::select<Item>().where(col(&Item::qty) == 1 && col(&Item::id) < 9);
    BOOST_TEST(!anded.lazy_ast().recipe());
    expect_all(anded, item_where(R"("item"."qty" = ? AND "item"."id" < ?)"), "(1, 9)");
}

BOOST_AUTO_TEST_CASE(flat_expressions_work_everywhere_a_node_does) {
    // a flat column or comparison used inside other expressions, as a selected column, an ORDER
    // BY item, a label, a HAVING condition, an UPDATE value: node() makes its tree there
    const auto cond = col(&Item::qty) == 2;
    expect_all(dorm::select(col(&Item::name), cond.label("two")).where(!cond).order_by(col(&Item::qty).desc()),
               R"(SELECT "item"."name", "item"."qty" = ? AS "two" FROM "item" WHERE NOT "item"."qty" = ? )"
               R"(ORDER BY "item"."qty" DESC)",
               "(2, 2)");
    expect_all(dorm::select<Item>().where(cond || cond), item_where(R"("item"."qty" = ? OR "item"."qty" = ?)"),
               "(2, 2)");
    expect_all(dorm::select(col(&Item::qty), dorm::count()).group_by(col(&Item::qty)).having(dorm::count() > 1),
               R"(SELECT "item"."qty", count(*) FROM "item" GROUP BY "item"."qty" HAVING count(*) > ?)", "(1,)");
}

BOOST_AUTO_TEST_CASE(copies_and_the_tree_made_later) {
    auto s = dorm::select<Item>().where(col(&Item::name) == std::string(40, 'n'));
    const auto copy = s;
    BOOST_TEST(copy.lazy_ast().recipe() != nullptr);
    const auto before = dorm::compile(copy, dialect::postgresql);  // copy's tree made
    BOOST_TEST(!copy.lazy_ast().recipe());
    BOOST_TEST(s.lazy_ast().recipe() != nullptr);  // the original is still a recipe
    const auto after = std::move(s).limit(2);
    BOOST_TEST(params_of(before) == "('" + std::string(40, 'n') + "',)");
    BOOST_TEST(params_of(dorm::compile(after, dialect::postgresql)) == "('" + std::string(40, 'n') + "', 2)");
    auto assigned = dorm::select<Item>();
    assigned = copy;  // a tree copied over a recipe
    BOOST_TEST(dorm::compile(assigned, dialect::postgresql).sql == before.sql);
}

BOOST_AUTO_TEST_CASE(threads_sharing_a_const_recipe_make_one_tree) {
    // A const statement kept by the application and executed by several threads: the first
    // ast() makes the tree, the others see that one (run under TSan in CI).
    for (int round = 0; round < 50; ++round) {
        const auto shared = dorm::select<Item>().where(col(&Item::qty) >= round);
        std::vector<const dorm::ast::select*> seen(4, nullptr);
        std::vector<std::string> sql(4);
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                std::vector<dorm::value> params;
                sql[t] = dorm::detail::compile_select_sql(shared.lazy_ast(), dialect::sqlite, params);
                seen[t] = &shared.ast();
                const auto copy = shared;  // while others make the tree
                sql[t] += dorm::compile(copy, dialect::sqlite).sql;
            });
        for (auto& t : threads) t.join();
        for (std::size_t t = 0; t < 4; ++t) {
            BOOST_TEST(seen[t] == seen[0]);
            BOOST_TEST(sql[t] == sql[0]);
        }
        BOOST_TEST(flat(sql[0]).find(R"(WHERE "item"."qty" >= ?)") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(double_values_beside_integers)

BOOST_AUTO_TEST_CASE(postgresql_types_the_parameter) {
    // PostgreSQL takes an untyped parameter beside an integer column for an integer, so `qty > 2.5`
    // failed there ("invalid input syntax for type integer") while SQLite and MariaDB compared
    // numerically; the parameter is typed instead (and such a statement is a tree, not a recipe)
    const auto gt = dorm::select<Item>().where(col(&Item::qty) > 2.5);
    BOOST_TEST(!gt.lazy_ast().recipe());
    expect_exact(gt, dialect::sqlite, item_where(R"("item"."qty" > ?)"), "(2.5,)");
    expect_exact(gt, dialect::mysql, translate(item_where(R"("item"."qty" > ?)"), dialect::mysql), "(2.5,)");
    expect_exact(gt, dialect::postgresql, translate(item_where(R"("item"."qty" > $1::float8)"), dialect::postgresql),
                 "(2.5,)");
    expect_in(dorm::select<Item>().where(2.5 < col(&Item::rank)), dialect::postgresql,
              item_where(R"($1::float8 < "item"."rank")"), "(2.5,)");
    expect_in(dorm::select<Item>().where(col(&Item::qty).between(1.5, 2.5) || col(&Item::id).in({1.0, 2.5})),
              dialect::postgresql,
              item_where(R"("item"."qty" BETWEEN $1::float8 AND $2::float8 OR "item"."id" IN ($3::float8, $4::float8))"),
              "(1.5, 2.5, 1.0, 2.5)");
    expect_in(dorm::select(col(&Item::qty) + 0.5, 3.5 * col(&Item::qty)), dialect::postgresql,
              R"(SELECT "item"."qty" + $1::float8, $2::float8 * "item"."qty" FROM "item")", "(0.5, 3.5)");
    // an integer value, or a floating-point column, needs no type
    const auto whole = dorm::select<Item>().where(col(&Item::qty) > 2);
    BOOST_TEST(whole.lazy_ast().recipe() != nullptr);
    expect_in(whole, dialect::postgresql, item_where(R"("item"."qty" > $1)"), "(2,)");
    expect_in(dorm::select<Item>().where(col(&Item::price) > 2.5), dialect::postgresql,
              item_where(R"("item"."price" > $1)"), "(2.5,)");
    expect_in(dorm::select(col(&Item::price) + 1), dialect::postgresql, R"(SELECT "item"."price" + $1 FROM "item")",
              "(1.0,)");
}

BOOST_AUTO_TEST_CASE(the_typed_parameter_is_part_of_the_shape) {
    // statements that differ only in that parameter's type must not share their compiled SQL
    for (int round = 0; round < 3; ++round) {
        const auto typed = dorm::compile(dorm::select<Item>().where(col(&Item::qty) > 2.5).limit(1), dialect::postgresql);
        const auto plain = dorm::compile(dorm::select<Item>().where(col(&Item::qty) > 2).limit(1), dialect::postgresql);
        BOOST_TEST(flat(typed.sql).find("$1::float8") != std::string::npos);
        BOOST_TEST(flat(plain.sql).find("::float8") == std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
