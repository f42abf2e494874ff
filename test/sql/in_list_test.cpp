// Dry tests of long IN lists (issue 16 item 3): a list past the dialect's inline length is one
// parameter (PostgreSQL array, SQLite json_each, MariaDB JSON_TABLE) or ORed lists (Oracle's
// 1000-expression limit); short lists stay inline.
#include <cstddef>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/error.hpp>
#include <dorm/query/dml.hpp>

#include "models.hpp"
#include "sql_check.hpp"

using dorm::col;
using dorm::dialect;
using namespace sqlt;

namespace {

std::vector<int> iota(int n, int from = 1) {
    std::vector<int> v;
    for (int i = 0; i < n; ++i) v.push_back(from + i);
    return v;
}
std::string joined(const std::vector<int>& v, const char* sep) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) s += sep;
        s += std::to_string(v[i]);
    }
    return s;
}
std::string placeholders(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(in_list)

BOOST_AUTO_TEST_CASE(short_lists_stay_inline_everywhere) {
    const auto v500 = iota(500);
    expect_all(dorm::select<Item>().where(col(&Item::id).in(v500)),
               item_where(R"("item"."id" IN ()" + placeholders(500) + ")"), "(" + joined(v500, ", ") + ")");
    const auto v1000 = iota(1000);
    for (auto d : {dialect::sqlite, dialect::mysql, dialect::oracle})
        expect_in(dorm::select<Item>().where(col(&Item::id).in(v1000)), d,
                  item_where(R"("item"."id" IN ()" + placeholders(1000) + ")"), "(" + joined(v1000, ", ") + ")");
}

BOOST_AUTO_TEST_CASE(postgresql_sends_one_array) {
    const auto v = iota(501);
    expect_exact(dorm::select<Item>().where(col(&Item::id).in(v)), dialect::postgresql,
                 translate(item_where(R"("item"."id" = ANY(?))"), dialect::postgresql), "('{" + joined(v, ",") + "}',)");
    expect_exact(dorm::select<Item>().where(col(&Item::id).not_in(v)), dialect::postgresql,
                 translate(item_where(R"("item"."id" <> ALL(?))"), dialect::postgresql), "('{" + joined(v, ",") + "}',)");
    // with parameters before and after it, numbered in order
    expect_exact(dorm::select<Item>().where(col(&Item::qty) > 3 && col(&Item::id).in(v) && col(&Item::name) == "x"),
                 dialect::postgresql,
                 translate(item_where(R"("item"."qty" > ? AND "item"."id" = ANY(?) AND "item"."name" = ?)"),
                           dialect::postgresql),
                 "(3, '{" + joined(v, ",") + "}', 'x')");
}

BOOST_AUTO_TEST_CASE(postgresql_array_elements_are_quoted_exactly) {
    std::vector<std::string> names(501, "p");
    names[0] = "a\"b";
    names[1] = "c\\d";
    names[2] = "";
    names[3] = "NULL";
    names[4] = "{x,y}";
    const auto c = dorm::compile(dorm::select<Item>().where(col(&Item::name).in(names)), dialect::postgresql);
    BOOST_REQUIRE_EQUAL(c.params.size(), 1u);
    std::string expected = R"({"a\"b","c\\d","","NULL","{x,y}")";
    for (int i = 5; i < 501; ++i) expected += ",\"p\"";
    expected += '}';
    BOOST_TEST(c.params[0].as_text() == expected);
    // NULLs of an optional column, blobs as \x hex, doubles exactly
    std::vector<std::optional<int>> ranks(501, 7);
    ranks[1] = std::nullopt;
    const auto r = dorm::compile(dorm::select<Item>().where(col(&Item::rank).in(ranks)), dialect::postgresql);
    BOOST_TEST(r.params[0].as_text().substr(0, 9) == "{7,NULL,7");
    std::vector<dorm::blob> blobs(501, dorm::blob{std::byte{0x00}, std::byte{0xff}});
    const auto b = dorm::compile(dorm::select<Item>().where(col(&Item::data).in(blobs)), dialect::postgresql);
    BOOST_TEST(b.params[0].as_text().substr(0, 20) == R"({"\\x00ff","\\x00ff")");
    std::vector<double> prices(501, 0.1);
    const auto p = dorm::compile(dorm::select<Item>().where(col(&Item::price).in(prices)), dialect::postgresql);
    BOOST_TEST(p.params[0].as_text().substr(0, 9) == "{0.1,0.1,");
    // text PostgreSQL cannot store is refused, naming the value
    names[7] = std::string("n\0ul", 4);
    BOOST_CHECK_EXCEPTION(dorm::compile(dorm::select<Item>().where(col(&Item::name).in(names)), dialect::postgresql),
                          dorm::data_error, [](const dorm::data_error& e) {
                              BOOST_TEST_MESSAGE(e.what());
                              return std::string(e.what()).find("NUL") != std::string::npos &&
                                     e.details().table == "item" && e.details().column == "name" &&
                                     e.details().value.find("n\\x00ul") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(sqlite_uses_json_each_where_exact) {
    const auto v = iota(1001);
    expect_in(dorm::select<Item>().where(col(&Item::id).in(v)), dialect::sqlite,
              item_where(R"("item"."id" IN (SELECT value FROM json_each(?)))"), "('[" + joined(v, ",") + "]',)");
    expect_in(dorm::select<Item>().where(col(&Item::id).not_in(v)), dialect::sqlite,
              item_where(R"("item"."id" NOT IN (SELECT value FROM json_each(?)))"), "('[" + joined(v, ",") + "]',)");
    std::vector<std::string> names(1001, "p");
    names[0] = "q\"\\\x01\xff";
    const auto c = dorm::compile(dorm::select<Item>().where(col(&Item::name).in(names)), dialect::sqlite);
    BOOST_REQUIRE_EQUAL(c.params.size(), 1u);
    BOOST_TEST(c.params[0].as_text().substr(0, 19) == "[\"q\\\"\\\\\\u0001\xff\",\"p\"");
    // a NUL byte or a blob has no exact JSON form: the list stays inline
    names[3] = std::string("n\0ul", 4);
    BOOST_TEST(dorm::compile(dorm::select<Item>().where(col(&Item::name).in(names)), dialect::sqlite).params.size() ==
               1001u);
    std::vector<dorm::blob> blobs(1001, dorm::blob{std::byte{1}});
    BOOST_TEST(dorm::compile(dorm::select<Item>().where(col(&Item::data).in(blobs)), dialect::sqlite).params.size() ==
               1001u);
}

BOOST_AUTO_TEST_CASE(mysql_uses_json_table) {
    const auto v = iota(1001);
    expect_in(dorm::select<Item>().where(col(&Item::id).in(v)), dialect::mysql,
              item_where(R"("item"."id" IN (SELECT d.v FROM (SELECT DISTINCT j.v AS v FROM JSON_TABLE(?, '$[*]' )"
                         R"(COLUMNS (v BIGINT PATH '$')) AS j) AS d))"),
              "('[" + joined(v, ",") + "]',)");
    std::vector<std::string> names(1001, "p");
    names[0] = std::string("A\0\xc3\xa9", 4);
    const auto c = dorm::compile(dorm::select<Item>().where(col(&Item::name).not_in(names)), dialect::mysql);
    BOOST_TEST(flat(c.sql) ==
               translate(item_where(R"("item"."name" NOT IN (SELECT d.v FROM (SELECT DISTINCT CONVERT(UNHEX(j.v) )"
                                    R"(USING utf8mb4) COLLATE utf8mb4_nopad_bin AS v FROM JSON_TABLE(?, '$[*]' )"
                                    R"(COLUMNS (v VARCHAR(8) CHARACTER SET ascii PATH '$')) AS j) AS d))"),
                         dialect::mysql));
    BOOST_TEST(c.params[0].as_text().substr(0, 21) == R"(["4100c3a9","70","70")");
    // text over 255 bytes: no derived table (MariaDB keys it wrongly), a LONGTEXT column
    names[1] = std::string(256, 'z');
    const auto l = dorm::compile(dorm::select<Item>().where(col(&Item::name).in(names)), dialect::mysql);
    BOOST_TEST(l.sql.find("IN (SELECT CONVERT(UNHEX(j.v) USING utf8mb4) COLLATE utf8mb4_nopad_bin FROM JSON_TABLE(?, "
                          "'$[*]' COLUMNS (v LONGTEXT PATH '$')) AS j)") != std::string::npos, l.sql);
    // invalid UTF-8 cannot be utf8mb4 text: refused, naming the value
    names[2] = "\xff";
    BOOST_CHECK_EXCEPTION(dorm::compile(dorm::select<Item>().where(col(&Item::name).in(names)), dialect::mysql),
                          dorm::data_error, [](const dorm::data_error& e) {
                              BOOST_TEST_MESSAGE(e.what());
                              return std::string(e.what()).find("UTF-8") != std::string::npos &&
                                     e.details().table == "item" && e.details().column == "name";
                          });
    std::vector<double> prices(1001, 2.5);
    const auto p = dorm::compile(dorm::select<Item>().where(col(&Item::price).in(prices)), dialect::mysql);
    BOOST_TEST(p.sql.find("v DOUBLE PATH") != std::string::npos);
    std::vector<dorm::blob> blobs(1001, dorm::blob{std::byte{1}, std::byte{2}});
    const auto b = dorm::compile(dorm::select<Item>().where(col(&Item::data).in(blobs)), dialect::mysql);
    BOOST_TEST(b.sql.find("SELECT DISTINCT UNHEX(j.v) AS v FROM JSON_TABLE(?, '$[*]' COLUMNS (v VARCHAR(4) CHARACTER "
                          "SET ascii PATH '$'))") != std::string::npos, b.sql);
}

BOOST_AUTO_TEST_CASE(oracle_splits_lists_of_1000) {
    const auto v = iota(2500);
    const std::vector<int> a(v.begin(), v.begin() + 1000), b(v.begin() + 1000, v.begin() + 2000),
        c(v.begin() + 2000, v.end());
    const std::string in = R"("item"."id" IN ()";
    expect_in(dorm::select<Item>().where(col(&Item::id).in(v)), dialect::oracle,
              item_where("(" + in + placeholders(1000) + ") OR " + in + placeholders(1000) + ") OR " + in +
                         placeholders(500) + "))"),
              "(" + joined(v, ", ") + ")");
    const std::string not_in = R"("item"."id" NOT IN ()";
    expect_in(dorm::select<Item>().where(col(&Item::id).not_in(iota(1001))), dialect::oracle,
              item_where("(" + not_in + placeholders(1000) + ") AND " + not_in + "?))"),
              "(" + joined(iota(1001), ", ") + ")");
}

BOOST_AUTO_TEST_CASE(update_and_delete_where) {
    const auto v = iota(600);
    const std::string arr = "'{" + joined(v, ",") + "}'";
    expect_exact(dorm::update<Item>().set(col(&Item::qty), 5).where(col(&Item::id).in(v)), dialect::postgresql,
                 R"(UPDATE "item" SET "qty"=$1 WHERE "item"."id" = ANY($2))", "(5, " + arr + ")");
    expect_exact(dorm::delete_from<Item>().where(col(&Item::id).not_in(v) && col(&Item::qty) < 3), dialect::postgresql,
                 R"(DELETE FROM "item" WHERE "item"."id" <> ALL($1) AND "item"."qty" < $2)", "(" + arr + ", 3)");
}

BOOST_AUTO_TEST_CASE(a_changed_list_length_never_reuses_a_cached_shape) {
    // the same statement shape compiled again with other values, and lists of other lengths
    for (int round = 0; round < 2; ++round)
        for (int n : {500, 501, 1000, 1001, 3}) {
            const auto v = iota(n, round * 10);
            for (auto d : all_dialects) {
                BOOST_TEST_CONTEXT("n " << n << " round " << round << " dialect " << dorm::dialect_name(d)) {
                    const auto c = dorm::compile(dorm::select<Item>().where(col(&Item::id).in(v) && col(&Item::qty) == n), d);
                    const bool one = (d == dialect::postgresql && n > 500) ||
                                     ((d == dialect::sqlite || d == dialect::mysql) && n > 1000);
                    BOOST_REQUIRE_EQUAL(c.params.size(), one ? 2u : static_cast<std::size_t>(n) + 1);
                    BOOST_TEST(c.params.back().as_int() == n);
                    if (one) BOOST_TEST(c.params[0].as_text().find(std::to_string(round * 10)) == 1u);
                    else BOOST_TEST(c.params[0].as_int() == round * 10);
                }
            }
        }
}

BOOST_AUTO_TEST_SUITE_END()
