// Dry tests of the expression DSL: operators, null, LIKE family, IN, BETWEEN, IS DISTINCT FROM,
// arithmetic, functions and bound parameters, in every dialect (SQLAlchemy:
// test/sql/test_operators.py, test/sql/test_compiler.py).
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "models.hpp"
#include "sql_check.hpp"

using dorm::col;
using dorm::dialect;
using namespace sqlt;

BOOST_AUTO_TEST_SUITE(expressions)

BOOST_AUTO_TEST_CASE(comparison_operators) {
    auto age = col(&User::age);
    expect_all(dorm::select<User>().where(age == 30), user_where(R"("user_table"."age" = ?)"), "(30,)");
    expect_all(dorm::select<User>().where(age != 30), user_where(R"("user_table"."age" != ?)"), "(30,)");
    expect_all(dorm::select<User>().where(age < 30), user_where(R"("user_table"."age" < ?)"), "(30,)");
    expect_all(dorm::select<User>().where(age <= 30), user_where(R"("user_table"."age" <= ?)"), "(30,)");
    expect_all(dorm::select<User>().where(age > 30), user_where(R"("user_table"."age" > ?)"), "(30,)");
    expect_all(dorm::select<User>().where(age >= 30), user_where(R"("user_table"."age" >= ?)"), "(30,)");
    expect_all(dorm::select<User>().where(col(&User::name) == "Alice"), user_where(R"("user_table"."name" = ?)"),
               "('Alice',)");
    expect_all(dorm::select<User>().where(col(&User::name) == std::string("Bob")),
               user_where(R"("user_table"."name" = ?)"), "('Bob',)");
}

BOOST_AUTO_TEST_CASE(value_on_the_left) {
    expect_all(dorm::select<User>().where(30 < col(&User::age)), user_where(R"(? < "user_table"."age")"), "(30,)");
    expect_all(dorm::select<User>().where("Alice" == col(&User::name)), user_where(R"(? = "user_table"."name")"),
               "('Alice',)");
}

BOOST_AUTO_TEST_CASE(column_with_column) {
    expect_all(dorm::select<Item>().where(col(&Item::qty) < col(&Item::rank)), item_where(R"("item"."qty" < "item"."rank")"),
               "()");
    expect_all(dorm::select<User>().where(col(&User::id) == col(&User::age)),
               user_where(R"("user_table"."id" = "user_table"."age")"), "()");
}

BOOST_AUTO_TEST_CASE(and_or_not_parenthesisation) {
    auto a = col(&User::name) == "a";
    auto b = col(&User::age) > 1;
    auto c = col(&User::age) < 9;
    expect_all(dorm::select<User>().where(a && b),
               user_where(R"("user_table"."name" = ? AND "user_table"."age" > ?)"), "('a', 1)");
    expect_all(dorm::select<User>().where(a || b),
               user_where(R"("user_table"."name" = ? OR "user_table"."age" > ?)"), "('a', 1)");
    // an OR inside an AND is parenthesised, on either side
    expect_all(dorm::select<User>().where(a && (b || c)),
               user_where(R"("user_table"."name" = ? AND ("user_table"."age" > ? OR "user_table"."age" < ?))"),
               "('a', 1, 9)");
    expect_all(dorm::select<User>().where((b || c) && a),
               user_where(R"(("user_table"."age" > ? OR "user_table"."age" < ?) AND "user_table"."name" = ?)"),
               "(1, 9, 'a')");
    // an AND inside an OR needs none
    expect_all(dorm::select<User>().where(a || (b && c)),
               user_where(R"("user_table"."name" = ? OR "user_table"."age" > ? AND "user_table"."age" < ?)"),
               "('a', 1, 9)");
    expect_all(dorm::select<User>().where((a && b) || c),
               user_where(R"("user_table"."name" = ? AND "user_table"."age" > ? OR "user_table"."age" < ?)"),
               "('a', 1, 9)");
    // NOT binds tighter than AND / OR but looser than comparisons
    expect_all(dorm::select<User>().where(!a), user_where(R"(NOT "user_table"."name" = ?)"), "('a',)");
    expect_all(dorm::select<User>().where(!(a || b)),
               user_where(R"(NOT ("user_table"."name" = ? OR "user_table"."age" > ?))"), "('a', 1)");
    expect_all(dorm::select<User>().where(!(a && b)),
               user_where(R"(NOT ("user_table"."name" = ? AND "user_table"."age" > ?))"), "('a', 1)");
    expect_all(dorm::select<User>().where(!a && b),
               user_where(R"(NOT "user_table"."name" = ? AND "user_table"."age" > ?)"), "('a', 1)");
    expect_all(dorm::select<User>().where(!!a), user_where(R"(NOT (NOT "user_table"."name" = ?))"), "('a',)");
}

BOOST_AUTO_TEST_CASE(bool_column_as_condition) {
    for (auto d : {dialect::sqlite, dialect::postgresql, dialect::mysql}) {
        expect_in(dorm::select<Item>().where(col(&Item::active)), d, item_where(R"("item"."active")"), "()");
        expect_in(dorm::select<Item>().where(!col(&Item::active)), d, item_where(R"(NOT "item"."active")"), "()");
        expect_in(dorm::select<Item>().where(col(&Item::active) && col(&Item::qty) > 0), d,
                  item_where(R"("item"."active" AND "item"."qty" > ?)"), "(0,)");
    }
    expect_all(dorm::select<Item>().where(col(&Item::active) == true), item_where(R"("item"."active" = ?)"), "(1,)");
}

// Oracle has no boolean type in SQL (bool is NUMBER(1)): a bare column is not a condition there.
// SQLAlchemy's Oracle dialect prints `flag = 1` and, negated, `flag = 0`.
BOOST_AUTO_TEST_CASE(bool_column_as_condition_oracle) {
    const auto d = dialect::oracle;
    expect_in(dorm::select<Item>().where(col(&Item::active)), d, item_where(R"("item"."active" = 1)"), "()");
    expect_in(dorm::select<Item>().where(!col(&Item::active)), d, item_where(R"("item"."active" = 0)"), "()");
    expect_in(dorm::select<Item>().where(col(&Item::active) && col(&Item::qty) > 0), d,
              item_where(R"("item"."active" = 1 AND "item"."qty" > ?)"), "(0,)");
}

BOOST_AUTO_TEST_CASE(comparison_with_null) {
    expect_all(dorm::select<Item>().where(col(&Item::note) == std::nullopt), item_where(R"("item"."note" IS NULL)"), "()");
    expect_all(dorm::select<Item>().where(col(&Item::note) != std::nullopt), item_where(R"("item"."note" IS NOT NULL)"),
               "()");
    expect_all(dorm::select<Item>().where(col(&Item::rank) == nullptr), item_where(R"("item"."rank" IS NULL)"), "()");
    expect_all(dorm::select<Item>().where(col(&Item::rank).is_null()), item_where(R"("item"."rank" IS NULL)"), "()");
    expect_all(dorm::select<Item>().where(col(&Item::rank).is_not_null()), item_where(R"("item"."rank" IS NOT NULL)"),
               "()");
    // IS NULL inside OR inside AND
    expect_all(dorm::select<Item>().where(col(&Item::qty) > 0 && (col(&Item::note) == std::nullopt ||
                                                                   col(&Item::note).not_like("x%"))),
               item_where(R"("item"."qty" > ? AND ("item"."note" IS NULL OR "item"."note" NOT LIKE ?))"), "(0, 'x%')");
    // an engaged optional is a plain bound value
    expect_all(dorm::select<Item>().where(col(&Item::rank) == std::optional<int>(3)), item_where(R"("item"."rank" = ?)"),
               "(3,)");
}

// SQLAlchemy: `col == None` is `IS NULL` whether None is a literal or a variable; `= NULL` is never
// true. An empty std::optional is dorm's None.
BOOST_AUTO_TEST_CASE(comparison_with_empty_optional_is_null) {
    const std::optional<int> none;
    expect_all(dorm::select<Item>().where(col(&Item::rank) == none), item_where(R"("item"."rank" IS NULL)"), "()");
    expect_all(dorm::select<Item>().where(col(&Item::rank) != none), item_where(R"("item"."rank" IS NOT NULL)"), "()");
}

BOOST_AUTO_TEST_CASE(like_family) {
    auto name = col(&Item::name);
    expect_all(dorm::select<Item>().where(name.like("a%")), item_where(R"("item"."name" LIKE ?)"), "('a%',)");
    expect_all(dorm::select<Item>().where(name.not_like("a%")), item_where(R"("item"."name" NOT LIKE ?)"), "('a%',)");
    expect_all(dorm::select<Item>().where(!name.like("a%")), item_where(R"(NOT "item"."name" LIKE ?)"), "('a%',)");
    expect_all(dorm::select<Item>().where(col(&Item::note).like(std::string("n_"))), item_where(R"("item"."note" LIKE ?)"),
               "('n_',)");
}

BOOST_AUTO_TEST_CASE(ilike_per_dialect) {
    auto stmt = dorm::select<Item>().where(col(&Item::name).ilike("ab%"));
    expect_in(stmt, dialect::postgresql, item_where(R"("item"."name" ILIKE ?)"), "('ab%',)");
    for (auto d : {dialect::sqlite, dialect::mysql, dialect::oracle})
        expect_in(stmt, d, item_where(R"(lower("item"."name") LIKE lower(?))"), "('ab%',)");
    // inside AND / OR
    auto stmt2 = dorm::select<Item>().where(col(&Item::qty) > 1 && (col(&Item::name).ilike("a") || col(&Item::qty) < 0));
    expect_in(stmt2, dialect::postgresql, item_where(R"("item"."qty" > ? AND ("item"."name" ILIKE ? OR "item"."qty" < ?))"),
              "(1, 'a', 0)");
    expect_in(stmt2, dialect::sqlite,
              item_where(R"("item"."qty" > ? AND (lower("item"."name") LIKE lower(?) OR "item"."qty" < ?))"), "(1, 'a', 0)");
}

BOOST_AUTO_TEST_CASE(starts_ends_contains_escape_wildcards) {
    // LIKE with the wildcards escaped where LIKE is exact (every dialect but SQLite)
    auto name = col(&Item::name);
    const std::string cond = R"("item"."name" LIKE ? ESCAPE '/')";
    for (auto d : {dialect::postgresql, dialect::mysql, dialect::oracle}) {
        expect_in(dorm::select<Item>().where(name.starts_with("ab")), d, item_where(cond), "('ab%',)");
        expect_in(dorm::select<Item>().where(name.ends_with("ab")), d, item_where(cond), "('%ab',)");
        expect_in(dorm::select<Item>().where(name.contains("ab")), d, item_where(cond), "('%ab%',)");
        // %, _ and the escape character itself are matched literally
        expect_in(dorm::select<Item>().where(name.starts_with("50%_a/b")), d, item_where(cond), "('50/%/_a//b%',)");
        expect_in(dorm::select<Item>().where(name.contains("100%")), d, item_where(cond), "('%100/%%',)");
        expect_in(dorm::select<Item>().where(name.ends_with("_")), d, item_where(cond), "('%/_',)");
        // combined: the ESCAPE clause stays with its LIKE
        expect_in(dorm::select<Item>().where(name.contains("x") || name.starts_with("y")), d,
                  item_where(R"("item"."name" LIKE ? ESCAPE '/' OR "item"."name" LIKE ? ESCAPE '/')"), "('%x%', 'y%')");
    }
}

BOOST_AUTO_TEST_CASE(starts_ends_contains_compare_bytes_on_sqlite) {
    // SQLite's LIKE ignores case, stops at NUL and caps the pattern length: bytes are compared
    auto name = col(&Item::name);
    const std::string x = R"(CAST("item"."name" AS BLOB))";
    expect_in(dorm::select<Item>().where(name.contains("5%_")), dialect::sqlite,
              item_where("instr(" + x + ", CAST(? AS BLOB)) > 0"), "('5%_',)");
    expect_in(dorm::select<Item>().where(name.starts_with("ab")), dialect::sqlite,
              item_where("instr(" + x + ", CAST(? AS BLOB)) = 1"), "('ab',)");
    expect_in(dorm::select<Item>().where(name.ends_with("ab")), dialect::sqlite,
              item_where(R"(substr(CAST("item"."name" || x'00' AS BLOB), length()" + x +
                         R"() - length(CAST(? AS BLOB)) + 1) = CAST(? || x'00' AS BLOB))"),
              "('ab', 'ab')");
    expect_in(dorm::select<Item>().where(!name.contains("a") && col(&Item::qty) == 2), dialect::sqlite,
              item_where("NOT instr(" + x + R"(, CAST(? AS BLOB)) > 0 AND "item"."qty" = ?)"), "('a', 2)");
    const std::string nul("a\0b", 3);
    const auto c = dorm::compile(dorm::select<Item>().where(name.contains(nul)), dialect::sqlite);
    BOOST_REQUIRE_EQUAL(c.params.size(), 1u);
    BOOST_TEST((c.params[0] == dorm::value(nul)));
}

BOOST_AUTO_TEST_CASE(in_and_not_in) {
    auto qty = col(&Item::qty);
    expect_all(dorm::select<Item>().where(qty.in({1, 2, 3})), item_where(R"("item"."qty" IN (?, ?, ?))"), "(1, 2, 3)");
    expect_all(dorm::select<Item>().where(qty.in({7})), item_where(R"("item"."qty" IN (?))"), "(7,)");
    expect_all(dorm::select<Item>().where(qty.not_in({1, 2})), item_where(R"("item"."qty" NOT IN (?, ?))"), "(1, 2)");
    expect_all(dorm::select<Item>().where(qty.in(std::vector<int>{4, 5})), item_where(R"("item"."qty" IN (?, ?))"),
               "(4, 5)");
    expect_all(dorm::select<Item>().where(qty.not_in(std::set<int>{6})), item_where(R"("item"."qty" NOT IN (?))"), "(6,)");
    expect_all(dorm::select<Item>().where(col(&Item::name).in({"a", "b"})), item_where(R"("item"."name" IN (?, ?))"),
               "('a', 'b')");
    expect_all(dorm::select<Item>().where(col(&Item::name).in(std::vector<std::string>{"x"})),
               item_where(R"("item"."name" IN (?))"), "('x',)");
    // IN combined with other conditions keeps the parameter order
    expect_all(dorm::select<Item>().where(col(&Item::price) > 1.5 && qty.in({8, 9}) && col(&Item::name) == "z"),
               item_where(R"("item"."price" > ? AND "item"."qty" IN (?, ?) AND "item"."name" = ?)"), "(1.5, 8, 9, 'z')");
}

BOOST_AUTO_TEST_CASE(in_empty_list) {
    auto qty = col(&Item::qty);
    const std::vector<int> none;
    // an empty IN is always false, an empty NOT IN always true; no parameters, valid SQL everywhere
    expect_all(dorm::select<Item>().where(qty.in(none)), item_where("1 != 1"), "()");
    expect_all(dorm::select<Item>().where(qty.not_in(none)), item_where("1 = 1"), "()");
    expect_all(dorm::select<Item>().where(qty.in(std::initializer_list<int>{})), item_where("1 != 1"), "()");
    expect_all(dorm::select<Item>().where(qty.in(none) || qty == 3), item_where(R"(1 != 1 OR "item"."qty" = ?)"), "(3,)");
    expect_all(dorm::select<Item>().where(!qty.in(none)), item_where("NOT 1 != 1"), "()");
}

BOOST_AUTO_TEST_CASE(between) {
    expect_all(dorm::select<Item>().where(col(&Item::qty).between(1, 10)),
               item_where(R"("item"."qty" BETWEEN ? AND ?)"), "(1, 10)");
    expect_all(dorm::select<Item>().where(col(&Item::price).between(1.5, 9.0)),
               item_where(R"("item"."price" BETWEEN ? AND ?)"), "(1.5, 9.0)");
    expect_all(dorm::select<Item>().where(col(&Item::name).between("a", "m") && col(&Item::qty) == 2),
               item_where(R"("item"."name" BETWEEN ? AND ? AND "item"."qty" = ?)"), "('a', 'm', 2)");
    using namespace std::chrono;
    expect_all(dorm::select<Item>().where(col(&Item::day).between(year{2024} / 1 / 1, year{2024} / 12 / 31)),
               item_where(R"("item"."day" BETWEEN ? AND ?)"), "('2024-01-01', '2024-12-31')");
}

BOOST_AUTO_TEST_CASE(is_distinct_from_per_dialect) {
    auto stmt = dorm::select<Item>().where(col(&Item::rank).is_distinct_from(3));
    expect_in(stmt, dialect::sqlite, item_where(R"("item"."rank" IS DISTINCT FROM ?)"), "(3,)");
    expect_in(stmt, dialect::postgresql, item_where(R"("item"."rank" IS DISTINCT FROM ?)"), "(3,)");
    expect_in(stmt, dialect::mysql, item_where(R"(NOT ("item"."rank" <=> ?))"), "(3,)");
    expect_in(stmt, dialect::oracle, item_where(R"(DECODE("item"."rank", ?, 1, 0) = 0)"), "(3,)");

    auto not_stmt = dorm::select<Item>().where(col(&Item::rank).is_not_distinct_from(col(&Item::qty)));
    expect_in(not_stmt, dialect::sqlite, item_where(R"("item"."rank" IS NOT DISTINCT FROM "item"."qty")"), "()");
    expect_in(not_stmt, dialect::postgresql, item_where(R"("item"."rank" IS NOT DISTINCT FROM "item"."qty")"), "()");
    expect_in(not_stmt, dialect::mysql, item_where(R"("item"."rank" <=> "item"."qty")"), "()");
    expect_in(not_stmt, dialect::oracle, item_where(R"(DECODE("item"."rank", "item"."qty", 1, 0) = 1)"), "()");

    // inside OR inside AND
    auto nested = dorm::select<Item>().where(col(&Item::qty) > 0 && (col(&Item::rank).is_distinct_from(1) || col(&Item::active)));
    expect_in(nested, dialect::mysql, item_where(R"("item"."qty" > ? AND (NOT ("item"."rank" <=> ?) OR "item"."active"))"),
              "(0, 1)");
    expect_in(nested, dialect::postgresql,
              item_where(R"("item"."qty" > ? AND ("item"."rank" IS DISTINCT FROM ? OR "item"."active"))"), "(0, 1)");
}

BOOST_AUTO_TEST_CASE(arithmetic) {
    auto qty = col(&Item::qty);
    auto rank = col(&Item::rank);
    expect_all(dorm::select<Item>().where(qty + 1 > rank), item_where(R"("item"."qty" + ? > "item"."rank")"), "(1,)");
    expect_all(dorm::select<Item>().where(qty - 1 >= 0), item_where(R"("item"."qty" - ? >= ?)"), "(1, 0)");
    expect_all(dorm::select<Item>().where(qty * 2 == rank), item_where(R"("item"."qty" * ? = "item"."rank")"), "(2,)");
    expect_all(dorm::select<Item>().where(2 * qty < 3), item_where(R"(? * "item"."qty" < ?)"), "(2, 3)");
    expect_all(dorm::select<Item>().where(col(&Item::price) * 1.5 > 10),
               item_where(R"("item"."price" * ? > ?)"), "(1.5, 10.0)");
    // grouping follows precedence and left associativity
    expect_all(dorm::select<Item>().where((qty + rank) * 2 > 0), item_where(R"(("item"."qty" + "item"."rank") * ? > ?)"),
               "(2, 0)");
    expect_all(dorm::select<Item>().where(qty + rank * 2 > 0), item_where(R"("item"."qty" + "item"."rank" * ? > ?)"),
               "(2, 0)");
    expect_all(dorm::select<Item>().where(qty - rank - 1 > 0), item_where(R"("item"."qty" - "item"."rank" - ? > ?)"),
               "(1, 0)");
    expect_all(dorm::select<Item>().where(qty - (rank - 1) > 0), item_where(R"("item"."qty" - ("item"."rank" - ?) > ?)"),
               "(1, 0)");
    expect_all(dorm::select<Item>().where(-qty > 0), item_where(R"(-"item"."qty" > ?)"), "(0,)");
    expect_all(dorm::select<Item>().where(-(qty + 1) > 0), item_where(R"(-("item"."qty" + ?) > ?)"), "(1, 0)");
}

// `/` of two integers is integer division, as in C++: MySQL's `/` of integers is exact (5 / 2 is
// 2.5000), so it prints DIV there, and Oracle's NUMBER division is exact too: TRUNC(a / b).
// Division with a floating-point operand is `/` everywhere.
BOOST_AUTO_TEST_CASE(integer_division_per_dialect) {
    auto qty = col(&Item::qty);
    auto rank = col(&Item::rank);
    auto stmt = dorm::select<Item>().where(qty / 2 < 3);
    for (auto d : {dialect::sqlite, dialect::postgresql}) expect_in(stmt, d, item_where(R"("item"."qty" / ? < ?)"), "(2, 3)");
    expect_in(stmt, dialect::mysql, item_where(R"("item"."qty" DIV ? < ?)"), "(2, 3)");
    expect_in(stmt, dialect::oracle, item_where(R"(TRUNC("item"."qty" / ?) < ?)"), "(2, 3)");

    auto nested = dorm::select<Item>().where(qty / (rank * 2) > 0);
    for (auto d : {dialect::sqlite, dialect::postgresql})
        expect_in(nested, d, item_where(R"("item"."qty" / ("item"."rank" * ?) > ?)"), "(2, 0)");
    expect_in(nested, dialect::mysql, item_where(R"("item"."qty" DIV ("item"."rank" * ?) > ?)"), "(2, 0)");
    expect_in(nested, dialect::oracle, item_where(R"(TRUNC("item"."qty" / ("item"."rank" * ?)) > ?)"), "(2, 0)");

    // left-associative: (qty / rank) / 2 needs no parentheses, qty / (rank / 2) does
    expect_in(dorm::select<Item>().where(qty / rank / 2 > 0), dialect::mysql,
              item_where(R"("item"."qty" DIV "item"."rank" DIV ? > ?)"), "(2, 0)");
    expect_in(dorm::select<Item>().where(qty / (rank / 2) > 0), dialect::mysql,
              item_where(R"("item"."qty" DIV ("item"."rank" DIV ?) > ?)"), "(2, 0)");

    // a floating-point operand: exact division everywhere (PostgreSQL would take an untyped 2.0
    // beside an integer column for an integer, and divide as integers: the parameter is typed)
    for (auto d : {dialect::sqlite, dialect::mysql, dialect::oracle})
        expect_in(dorm::select<Item>().where(qty / 2.0 < 3), d, item_where(R"("item"."qty" / ? < ?)"), "(2.0, 3.0)");
    expect_in(dorm::select<Item>().where(qty / 2.0 < 3), dialect::postgresql,
              item_where(R"("item"."qty" / $1::float8 < $2)"), "(2.0, 3.0)");
    expect_all(dorm::select<Item>().where(col(&Item::price) / qty < 3), item_where(R"("item"."price" / "item"."qty" < ?)"),
               "(3.0,)");
}

// `--` starts an SQL comment: a double negation must not print two adjacent minus signs.
BOOST_AUTO_TEST_CASE(double_negation_is_not_a_comment) {
    auto qty = col(&Item::qty);
    for (auto d : all_dialects) {
        BOOST_TEST_CONTEXT("dialect " << dorm::dialect_name(d)) {
            const auto c = dorm::compile(dorm::select<Item>().where(-(-qty) > 0), d);
            BOOST_TEST(c.sql.find("--") == std::string::npos, "SQL: " << c.sql);
        }
    }
    expect_in(dorm::select<Item>().where(-(-qty) > 0), dialect::sqlite, item_where(R"(-(-"item"."qty") > ?)"), "(0,)");
}

BOOST_AUTO_TEST_CASE(modulo_per_dialect) {
    auto stmt = dorm::select<Item>().where(col(&Item::qty) % 2 == 0);
    for (auto d : {dialect::sqlite, dialect::postgresql, dialect::mysql})
        expect_in(stmt, d, item_where(R"("item"."qty" % ? = ?)"), "(2, 0)");
    // Oracle has no % operator: MOD(a, b)
    expect_in(stmt, dialect::oracle, item_where(R"(MOD("item"."qty", ?) = ?)"), "(2, 0)");
}

// Comparison operators do not associate in SQL (PostgreSQL rejects `a < b = c`): a comparison
// that is an operand of another comparison is parenthesised on both sides.
BOOST_AUTO_TEST_CASE(comparison_of_comparisons) {
    auto stmt = dorm::select<Item>().where((col(&Item::qty) < 3) == (col(&Item::rank) > 2));
    expect_all(stmt, item_where(R"(("item"."qty" < ?) = ("item"."rank" > ?))"), "(3, 2)");
}

BOOST_AUTO_TEST_CASE(string_functions_and_coalesce) {
    expect_all(dorm::select<Item>().where(dorm::lower(col(&Item::name)) == "abc"),
               item_where(R"(lower("item"."name") = ?)"), "('abc',)");
    expect_all(dorm::select<Item>().where(dorm::upper(col(&Item::name)).like("A%")),
               item_where(R"(upper("item"."name") LIKE ?)"), "('A%',)");
    expect_all(dorm::select<Item>().where(dorm::coalesce(col(&Item::note), "none") == "x"),
               item_where(R"(coalesce("item"."note", ?) = ?)"), "('none', 'x')");
    expect_all(dorm::select<Item>().where(dorm::coalesce(col(&Item::rank), col(&Item::qty)) > 1),
               item_where(R"(coalesce("item"."rank", "item"."qty") > ?)"), "(1,)");
    // dorm::length(): see test/compile_fail/pass_length.cpp (it must compile)
}

BOOST_AUTO_TEST_CASE(every_value_type_is_a_parameter) {
    using namespace std::chrono;
    expect_all(dorm::select<Item>().where(col(&Item::color) == Color::green), item_where(R"("item"."color" = ?)"),
               "('green',)");
    expect_all(dorm::select<Item>().where(col(&Item::color).in({Color::red, Color::blue})),
               item_where(R"("item"."color" IN (?, ?))"), "('red', 'blue')");
    expect_all(dorm::select<Item>().where(col(&Item::created) >= sys_days{year{2024} / 1 / 2} + hours{3} + minutes{4} +
                                                                       seconds{5}),
               item_where(R"("item"."created" >= ?)"), "('2024-01-02 03:04:05',)");
    expect_all(dorm::select<Item>().where(col(&Item::day) == year{2024} / 2 / 29), item_where(R"("item"."day" = ?)"),
               "('2024-02-29',)");
    expect_all(dorm::select<Item>().where(col(&Item::price) < 2.5), item_where(R"("item"."price" < ?)"), "(2.5,)");
    expect_all(dorm::select<Item>().where(col(&Item::price) < 2), item_where(R"("item"."price" < ?)"), "(2.0,)");
    expect_all(dorm::select<Item>().where(col(&Item::active) != false), item_where(R"("item"."active" != ?)"), "(0,)");
    const dorm::blob bytes{std::byte{1}, std::byte{0xff}};
    const auto c = dorm::compile(dorm::select<Item>().where(col(&Item::data) == bytes), dialect::sqlite);
    BOOST_TEST(flat(c.sql) == item_where(R"("item"."data" = ?)"));
    BOOST_REQUIRE(c.params.size() == 1u);
    BOOST_TEST((c.params[0] == dorm::value(bytes)));
}

BOOST_AUTO_TEST_CASE(sql_injection_stays_a_parameter) {
    const std::string evil = "x'; DROP TABLE user_table; --";
    for (auto d : all_dialects) {
        BOOST_TEST_CONTEXT("dialect " << dorm::dialect_name(d)) {
            const auto c = dorm::compile(dorm::select<User>().where(col(&User::name) == evil || col(&User::name).like(evil)), d);
            BOOST_TEST(flat(c.sql) == translate(user_where(R"("user_table"."name" = ? OR "user_table"."name" LIKE ?)"), d));
            BOOST_TEST(c.sql.find("DROP") == std::string::npos);
            BOOST_REQUIRE(c.params.size() == 2u);
            BOOST_TEST((c.params[0] == dorm::value(evil)));
            BOOST_TEST((c.params[1] == dorm::value(evil)));
        }
    }
    // a quote in a LIKE helper's value is escaped nowhere but stays in the parameter
    const auto c = dorm::compile(dorm::select<User>().where(col(&User::name).contains("O'Brien")), dialect::postgresql);
    BOOST_TEST(c.sql.find("Brien") == std::string::npos);
    BOOST_REQUIRE(c.params.size() == 1u);
    BOOST_TEST((c.params[0] == dorm::value("%O'Brien%")));
}

BOOST_AUTO_TEST_CASE(placeholders_are_numbered_in_order) {
    auto stmt = dorm::select<User>().where(col(&User::name) == "a" && col(&User::age).between(1, 2) &&
                                           col(&User::id).in({3, 4}));
    const std::string sqlite_form =
        user_where(R"("user_table"."name" = ? AND "user_table"."age" BETWEEN ? AND ? AND "user_table"."id" IN (?, ?))");
    expect_exact(stmt, dialect::sqlite, sqlite_form, "('a', 1, 2, 3, 4)");
    expect_exact(stmt, dialect::postgresql,
                 user_where(R"("user_table"."name" = $1 AND "user_table"."age" BETWEEN $2 AND $3 AND )"
                            R"("user_table"."id" IN ($4, $5))"),
                 "('a', 1, 2, 3, 4)");
    expect_exact(stmt, dialect::oracle,
                 user_where(R"("user_table"."name" = :1 AND "user_table"."age" BETWEEN :2 AND :3 AND )"
                            R"("user_table"."id" IN (:4, :5))"),
                 "('a', 1, 2, 3, 4)");
    expect_exact(stmt, dialect::mysql,
                 "SELECT `user_table`.`id`, `user_table`.`name`, `user_table`.`age` FROM `user_table` WHERE "
                 "`user_table`.`name` = ? AND `user_table`.`age` BETWEEN ? AND ? AND `user_table`.`id` IN (?, ?)",
                 "('a', 1, 2, 3, 4)");
}

BOOST_AUTO_TEST_SUITE_END()
