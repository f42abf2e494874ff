// IN lists of any length on a real database (issue 16 item 3): 200,000 values in a select's
// WHERE, in bulk UPDATE / DELETE, next to other parameters and other lists, for every column
// type, NOT IN alike, on every backend (DORM_TEST_URL). The dry SQL is in test/sql/in_list_test.cpp.
#define BOOST_TEST_MODULE long_in
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"

using dorm::col;

namespace lt {

enum class Mood { calm, grumpy, happy };
BOOST_DESCRIBE_ENUM(Mood, calm, grumpy, happy)

struct Row {
    int id = 0;
    std::int64_t n = 0;
    std::string s;
    dorm::blob b;
    double x = 0;
    std::optional<int> opt;
    bool flag = false;
    Mood mood = Mood::calm;
    std::chrono::year_month_day day{};
};
BOOST_DESCRIBE_STRUCT(Row, (), (id, n, s, b, x, opt, flag, mood, day))
DORM_TABLE(Row, "long_in_row", (s, dorm::varchar(40)))

}  // namespace lt

using lt::Row;

namespace {

constexpr int rows_n = 2000;       // rows in the table
constexpr int list_n = 200'000;    // values in each list

/// Text that an array literal, JSON or SQL quoting could get wrong.
std::string text_of(int i) {
    static const char* const tricky[] = {"\"", "\\", "'", "{", "}", ",", "NULL", " ", "é", "\\x00", "[", "]"};
    return "s" + std::to_string(i) + tricky[i % 12];
}
dorm::blob blob_of(int i) {
    return {std::byte{0}, static_cast<std::byte>(i & 0xff), static_cast<std::byte>((i >> 8) & 0xff), std::byte{0xff}};
}
double real_of(int i) { return i * 0.1 + 1e-9; }  // no exact decimal form
std::chrono::year_month_day day_of(int i) {
    return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{i}}};
}

struct long_in_db : dorm_test::database<Row> {
    long_in_db() {
        std::vector<Row> rows;
        for (int i = 0; i < rows_n; ++i)
            rows.push_back(Row{.n = i, .s = text_of(i), .b = blob_of(i), .x = real_of(i),
                               .opt = i % 3 == 0 ? std::nullopt : std::optional<int>(i), .flag = i % 2 == 0,
                               .mood = static_cast<lt::Mood>(i % 3), .day = day_of(i)});
        dorm::session s(engine);
        s.execute(dorm::insert<Row>().values(rows));
        s.commit();
    }
    template <class Cond>
    std::int64_t count(const Cond& cond) {
        dorm::session s(engine);
        return s.execute(dorm::select(dorm::count()).select_from<Row>().where(cond)).scalar_one();
    }
};

/// The even numbers of [0, 2 * list_n): every even row matches, odd ones do not.
std::vector<std::int64_t> evens() {
    std::vector<std::int64_t> v;
    for (int i = 0; i < list_n; ++i) v.push_back(2 * i);
    return v;
}
template <class F>
auto list_of(F f) {
    std::vector<decltype(f(0))> v;
    v.reserve(list_n);
    for (int i = 0; i < list_n; ++i) v.push_back(f(2 * i));  // evens; most are not in the table
    return v;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(integers_in_and_not_in_a_select, long_in_db) {
    const auto list = evens();
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(count(col(&Row::n).in(list)) == rows_n / 2);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    BOOST_TEST_MESSAGE(dorm_test::backend() << ": count where n IN (200,000 values): " << ms.count() << " ms");
    BOOST_TEST(count(col(&Row::n).not_in(list)) == rows_n / 2);
    // the rows themselves, next to parameters before and after the list
    dorm::session s(engine);
    auto found = s.scalars(dorm::select<Row>()
                               .where(col(&Row::x) > 0.5 && col(&Row::n).in(list) && col(&Row::s) != text_of(10))
                               .order_by(col(&Row::n))
                               .limit(3))
                     .all();
    BOOST_REQUIRE_EQUAL(found.size(), 3u);
    BOOST_TEST(found[0]->n == 6);  // 0 fails x > 0.5, 2 and 4 too (0.2, 0.4); 10 is excluded by name
    BOOST_TEST(found[1]->n == 8);
    BOOST_TEST(found[2]->n == 12);
}

BOOST_FIXTURE_TEST_CASE(two_long_lists_and_a_short_one_in_one_statement, long_in_db) {
    const auto list = evens();
    std::vector<std::int64_t> multiples_of_3;
    for (int i = 0; i < list_n; ++i) multiples_of_3.push_back(3 * i);
    // even, a multiple of 3, not 0 or 6: 6k for k in 2..333
    BOOST_TEST(count(col(&Row::n).in(list) && col(&Row::id).in(std::vector<int>{}) ) == 0);
    BOOST_TEST(count(col(&Row::n).in(list) && col(&Row::n).in(multiples_of_3) && col(&Row::n).not_in({0, 6})) ==
               (rows_n - 1) / 6 + 1 - 2);
    BOOST_TEST(count(col(&Row::n).in(list) || col(&Row::n).in(multiples_of_3)) ==
               rows_n / 2 + (rows_n - 1) / 3 + 1 - ((rows_n - 1) / 6 + 1));
}

BOOST_FIXTURE_TEST_CASE(every_column_type_in_a_long_list, long_in_db) {
    BOOST_TEST(count(col(&Row::s).in(list_of(text_of))) == rows_n / 2);
    BOOST_TEST(count(col(&Row::s).not_in(list_of(text_of))) == rows_n / 2);
    BOOST_TEST(count(col(&Row::b).in(list_of(blob_of))) == rows_n / 2);
    BOOST_TEST(count(col(&Row::x).in(list_of(real_of))) == rows_n / 2);
    BOOST_TEST(count(col(&Row::day).in(list_of(day_of))) == rows_n / 2);
    // repeated values: every mood but happy; every flag value true
    BOOST_TEST(count(col(&Row::mood).in(list_of([](int i) { return i % 4 == 0 ? lt::Mood::calm : lt::Mood::grumpy; }))) ==
               (rows_n + 2) / 3 + (rows_n + 1) / 3);
    BOOST_TEST(count(col(&Row::flag).not_in(list_of([](int) { return true; }))) == rows_n / 2);
    // a text that differs from a stored one in case only, or by a trailing space, matches nothing
    auto near = list_of([](int i) { return text_of(i) + " "; });
    near[0] = "S0\"";
    near[1] = std::string(255, 'x');  // the longest text MariaDB's keyed form takes
    BOOST_TEST(count(col(&Row::s).in(near)) == 0);
}

BOOST_FIXTURE_TEST_CASE(floating_point_values_in_a_long_list_for_an_integer_column, long_in_db) {
    // whole values match, fractions do not: PostgreSQL's array parameter is read as doubles,
    // not as the integer column's type ("invalid input syntax for type integer" before)
    const auto list = list_of([](int i) { return i % 4 == 0 ? static_cast<double>(i) : i + 0.5; });
    BOOST_TEST(count(col(&Row::n).in(list)) == rows_n / 4);
    BOOST_TEST(count(col(&Row::n).not_in(list)) == rows_n - rows_n / 4);
    BOOST_TEST(count(col(&Row::opt).in(list)) == 500 - 167);  // multiples of 4 less those of 12 (NULL)
    BOOST_TEST(count((col(&Row::n) + 1).in(list)) == rows_n / 4);  // an integer expression: n = 3, 7, 11...
    const auto halves = list_of([](int i) { return i + 0.5; });
    BOOST_TEST(count(col(&Row::n).in(halves)) == 0);
    BOOST_TEST(count(col(&Row::n).not_in(halves)) == rows_n);
    // boundaries: -0.0 is 0; values far outside any integer column (past INT64_MAX, +-1e300)
    // match nothing and are no error
    auto edges = list;
    edges[0] = -0.0;  // was 0.0: row 0 now matches through -0.0
    edges[1] = 1e300;
    edges[3] = -1e300;
    edges[5] = 1e19;
    edges[7] = -1e19;
    BOOST_TEST(count(col(&Row::n).in(edges)) == rows_n / 4);
    BOOST_TEST(count(col(&Row::n).not_in(edges)) == rows_n - rows_n / 4);
}

BOOST_FIXTURE_TEST_CASE(nulls_in_a_long_list_follow_sql, long_in_db) {
    auto list = list_of([](int i) { return std::optional<int>(i); });
    list[1] = std::nullopt;
    // IN: the rows whose opt is one of the values (NULL matches nothing): the 1,000 even rows but
    // the 334 multiples of 6 (opt NULL) and 2 (not in the list)
    BOOST_TEST(count(col(&Row::opt).in(list)) == 1000 - 334 - 1);
    // NOT IN a list holding NULL is never true
    BOOST_TEST(count(col(&Row::opt).not_in(list)) == 0);
    list[1] = 1;
    // 1,333 rows have an opt (667 multiples of 3 do not); 665 evens and 1 are in the list
    BOOST_TEST(count(col(&Row::opt).not_in(list)) == 1333 - 665 - 1);
}

BOOST_FIXTURE_TEST_CASE(bulk_update_and_delete_where_a_long_list, long_in_db) {
    const auto list = evens();
    dorm::session s(engine);
    BOOST_TEST(s.execute(dorm::update<Row>().set(col(&Row::x), -1.0).where(col(&Row::n).in(list) && col(&Row::n) < 100))
                   .rowcount() == 50);
    BOOST_TEST(s.execute(dorm::delete_from<Row>().where(col(&Row::n).not_in(list))).rowcount() == rows_n / 2);
    s.commit();
    BOOST_TEST(rows("long_in_row") == rows_n / 2);
    BOOST_TEST(count(col(&Row::x) == -1.0) == 50);
}

BOOST_FIXTURE_TEST_CASE(text_only_sqlite_stores_in_a_long_list, long_in_db) {
    // a NUL byte, invalid UTF-8: SQLite stores them; the server backends refuse them clearly
    std::vector<std::string> odd = list_of([](int i) { return text_of(i); });
    odd[0] = std::string("n\0ul", 4);
    odd[1] = "\xff\xfe";
    if (dorm_test::is_sqlite()) {
        dorm::session s(engine);
        s.add(Row{.n = -1, .s = std::string("n\0ul", 4), .day = day_of(0)});
        s.add(Row{.n = -2, .s = "\xff\xfe", .day = day_of(0)});
        s.commit();
        BOOST_TEST(count(col(&Row::s).in(odd)) == rows_n / 2 - 2 + 2);  // text_of(0), text_of(2) replaced, two added
        BOOST_TEST(count(col(&Row::s).in(std::vector<std::string>(list_n, std::string("n", 1)))) == 0);
    } else {
        BOOST_CHECK_THROW(count(col(&Row::s).in(odd)), dorm::data_error);
    }
}

BOOST_FIXTURE_TEST_CASE(one_statement_object_runs_again_with_a_long_list, long_in_db) {
    // the second run of a statement object may use its compiled memo: the one-parameter form is
    // never memoised, so the list is read afresh
    const auto stmt = dorm::select(dorm::count()).select_from<Row>().where(col(&Row::n).in(evens()) && col(&Row::n) < 10);
    dorm::session s(engine);
    for (int run = 0; run < 3; ++run) BOOST_TEST(s.execute(stmt).scalar_one() == 5);
}

BOOST_FIXTURE_TEST_CASE(many_lists_past_the_parameter_limit, long_in_db) {
    // sixteen lists of 500 values: 8,000 parameters, inline on every backend (PostgreSQL keeps
    // lists of 500 inline). SQLite and MariaDB take them; PostgreSQL (7,498 through libpq) says so
    // clearly instead of losing the connection, and the connection keeps working.
    auto cond = col(&Row::n) >= 0;
    for (int k = 0; k < 16; ++k) {
        std::vector<std::int64_t> v;
        for (int i = 0; i < 500; ++i) v.push_back(k * 500 + i);
        cond = cond && col(&Row::n).not_in(v);
    }
    if (dorm_test::is_postgresql()) {
        BOOST_CHECK_EXCEPTION(count(cond), dorm::argument_error, [](const dorm::argument_error& e) {
            return std::string(e.what()).find("8001 parameters") != std::string::npos;
        });
        BOOST_TEST(count(col(&Row::n) < 10) == 10);
    } else {
        BOOST_TEST(count(cond) == 0);  // every row's n is below 8,000
    }
}
