// Values read exactly or refused, through the driver layer: integers and doubles never read as a
// silent 0, doubles a backend cannot store refused, decimals, values the database refuses are
// data_errors, booleans bound as integers.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <dorm/error.hpp>

#include "driver_helpers.hpp"

namespace {

/// What get_int / get_double throw for a value that is not that number: a data_error naming the
/// value and the problem (the row readers above add table, column and C++ type).
template <class F>
std::string data_error_problem(F&& read) {
    try {
        read();
    } catch (const dorm::data_error& e) {
        BOOST_TEST(!e.details().writing);
        return e.details().value + " " + e.details().problem;
    } catch (const std::exception& e) {
        return std::string("wrong exception: ") + e.what();
    }
    return "no exception";
}

/// One value in a fresh row of drv_strict (columns t text, r double, i integer, b blob), read back by `check`.
struct strict_table {
    dorm::driver::connection& c;
    std::unique_ptr<dorm::driver::statement> ins, sel;
    int next = 0;
    explicit strict_table(dorm::driver::connection& conn) : c(conn) {
        drop(c, "drv_strict");
        c.execute("CREATE TABLE drv_strict (id " + t_int() + " PRIMARY KEY, t " + t_text() + ", r " + t_double() +
                  ", i " + t_int() + ", b " + t_blob() + ")" + opts());
        ins = c.prepare(ph("INSERT INTO drv_strict (id, t, r, i, b) VALUES (?, ?, ?, ?, ?)"));
        sel = c.prepare(ph("SELECT t, r, i, b FROM drv_strict WHERE id = ?"));
    }
    ~strict_table() { drop(c, "drv_strict"); }
    /// Stores `v` in column `col` (0 t, 1 r, 2 i, 3 b; the others NULL) and leaves `sel` on its row.
    dorm::driver::statement& row(int col, const value& v) {
        sel->reset();
        ins->bind_int(0, ++next);
        for (int k = 0; k < 4; ++k) {
            if (k == col) {
                ins->bind(k + 1, v);
            } else {
                ins->bind_null(k + 1);
            }
        }
        ins->step();
        ins->reset();
        sel->bind_int(0, next);
        BOOST_REQUIRE(sel->step());
        return *sel;
    }
};

}  // namespace

// Nothing is ever read as a silent 0: get_int / get_double return a value only when it is that
// number exactly, the same rules on every backend (lib/driver/numbers.hpp).
BOOST_AUTO_TEST_CASE(numbers_are_read_exactly_or_not_at_all) {
    auto c = open();
    strict_table tb(*c);
    constexpr int T = 0, R = 1, I = 2, B = 3;

    // texts that are not integers
    for (const char* text : {"abc", "12abc", "", " 12", "12 ", "+12", "3.7", "3.0", "1e30", "0x10", "yes"}) {
        auto& st = tb.row(T, value(text));
        BOOST_TEST_CONTEXT("text '" << text << "'") {
            BOOST_TEST(!st.is_null(T));
            const auto p = data_error_problem([&] { st.get_int(T); });
            BOOST_TEST(p.find("is not an integer") != std::string::npos, p);
        }
    }
    BOOST_TEST(data_error_problem([&] { tb.row(T, value("abc")).get_int(T); }) == "'abc' is not an integer");
    BOOST_TEST(data_error_problem([&] { tb.row(T, value("9223372036854775808")).get_int(T); }) ==
               "'9223372036854775808' is out of range for a 64-bit integer");
    // texts that are not numbers
    for (const char* text : {"abc", "12abc", "", " 12", "1.5x", "1,5"}) {
        auto& st = tb.row(T, value(text));
        BOOST_TEST_CONTEXT("text '" << text << "'") {
            const auto p = data_error_problem([&] { st.get_double(T); });
            BOOST_TEST(p.find("is not a number") != std::string::npos, p);
        }
    }
    // texts that are
    BOOST_TEST(tb.row(T, value("12")).get_int(T) == 12);
    BOOST_TEST(tb.row(T, value("-9223372036854775808")).get_int(T) == std::numeric_limits<std::int64_t>::min());
    BOOST_TEST(tb.row(T, value("3.7")).get_double(T) == 3.7);
    BOOST_TEST(tb.row(T, value("-1e30")).get_double(T) == -1e30);
    BOOST_TEST(tb.row(T, value("12")).get_double(T) == 12.0);

    // reals into integers: only integral values within int64
    BOOST_TEST(data_error_problem([&] { tb.row(R, value(3.7)).get_int(R); }) == "3.7 has a fractional part");
    BOOST_TEST(data_error_problem([&] { tb.row(R, value(-0.5)).get_int(R); }) == "-0.5 has a fractional part");
    BOOST_TEST(data_error_problem([&] { tb.row(R, value(1e30)).get_int(R); }) ==
               "1e+30 is out of range for a 64-bit integer");
    BOOST_TEST(data_error_problem([&] { tb.row(R, value(9223372036854775808.0)).get_int(R); }) ==
               "9223372036854775808 is out of range for a 64-bit integer");
    BOOST_TEST(tb.row(R, value(4.0)).get_int(R) == 4);
    BOOST_TEST(tb.row(R, value(-0.0)).get_int(R) == 0);
    BOOST_TEST(tb.row(R, value(9007199254740992.0)).get_int(R) == 9007199254740992);
    BOOST_TEST(tb.row(R, value(-9223372036854775808.0)).get_int(R) == std::numeric_limits<std::int64_t>::min());
    // reals as doubles: as they are
    for (double d : {3.7, -0.0, 1e30, std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min(),
                     -std::numeric_limits<double>::max()}) {
        auto& st = tb.row(R, value(d));
        BOOST_TEST(st.get_double(R) == d);
        if (is_postgresql()) BOOST_TEST(std::signbit(st.get_double(R)) == std::signbit(d));
    }

    // integers: as they are; as doubles only up to 2^53
    for (auto i : {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(), std::int64_t{0}}) {
        BOOST_TEST(tb.row(I, value(i)).get_int(I) == i);
    }
    BOOST_TEST(tb.row(I, value(std::int64_t{1} << 53)).get_double(I) == 9007199254740992.0);
    BOOST_TEST(tb.row(I, value(-(std::int64_t{1} << 53))).get_double(I) == -9007199254740992.0);
    BOOST_TEST(data_error_problem([&] { tb.row(I, value((std::int64_t{1} << 53) + 1)).get_double(I); }) ==
               "9007199254740993 is too large to be read as a double exactly (beyond 2^53)");
    BOOST_TEST(data_error_problem([&] { tb.row(I, value(std::numeric_limits<std::int64_t>::max())).get_double(I); })
                   .find("too large") != std::string::npos);

    // blobs are not numbers
    BOOST_TEST(data_error_problem([&] { tb.row(B, value(bytes({0x31, 0x32}))).get_int(B); }) ==
               "x'3132' is a blob, not an integer");
    BOOST_TEST(data_error_problem([&] { tb.row(B, value(bytes({0x31}))).get_double(B); }) ==
               "x'31' is a blob, not a number");

    // NULL still reads as 0 (callers ask is_null when they get 0)
    auto& nul = tb.row(T, value());
    BOOST_TEST(nul.is_null(T));
    BOOST_TEST(nul.get_int(T) == 0);
    BOOST_TEST(nul.get_double(R) == 0.0);
    BOOST_TEST(nul.get_int(B) == 0);
    tb.sel->reset();
}

// Values a backend cannot store exactly are refused before the statement runs; the others
// round-trip (infinities where the backend has them).
BOOST_AUTO_TEST_CASE(doubles_a_backend_cannot_store_are_refused) {
    auto c = open();
    strict_table tb(*c);
    constexpr double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto refused = [&](double d) {
        try {
            tb.ins->bind_double(2, d);
        } catch (const dorm::data_error& e) {
            BOOST_TEST(e.details().writing);
            return e.details().value;
        }
        return std::string("accepted");
    };
    if (is_postgresql()) {
        for (double d : {inf, -inf, nan}) {
            BOOST_TEST(refused(d) == "accepted");
            auto& st = tb.row(1, value(d));
            BOOST_TEST((std::isnan(d) ? std::isnan(st.get_double(1)) : st.get_double(1) == d));
            BOOST_TEST(data_error_problem([&] { st.get_int(1); }).find(std::isnan(d) ? "is not a number" : "out of range") !=
                       std::string::npos);
        }
    } else if (is_sqlite()) {
        BOOST_TEST(refused(nan) == "NaN");  // SQLite would store NULL
        for (double d : {inf, -inf}) {
            BOOST_TEST(refused(d) == "accepted");
            auto& st = tb.row(1, value(d));
            BOOST_TEST(st.get_double(1) == d);
            BOOST_TEST(data_error_problem([&] { st.get_int(1); }).find("out of range") != std::string::npos);
        }
    } else {
        BOOST_TEST(refused(nan) == "NaN");  // MariaDB: 1264 "Out of range value" in strict mode
        BOOST_TEST(refused(inf) == "Infinity");
        BOOST_TEST(refused(-inf) == "-Infinity");
        BOOST_TEST(refused(1e308) == "accepted");
    }
    // the statement is still usable after a refused bind
    BOOST_TEST(tb.row(1, value(2.5)).get_double(1) == 2.5);
    tb.sel->reset();
}

// Reals a backend sends as decimal text (PostgreSQL numeric, MariaDB DECIMAL) are read exactly.
BOOST_AUTO_TEST_CASE(decimals_read_as_integers_only_when_integral) {
    auto c = open();
    if (is_sqlite()) {  // no decimal type: a REAL literal goes through the real rule
        auto st = c->prepare("SELECT 3.0, 3.5, 1e30");
        BOOST_REQUIRE(st->step());
        BOOST_TEST(st->get_int(0) == 3);
        BOOST_TEST(data_error_problem([&] { st->get_int(1); }) == "3.5 has a fractional part");
        BOOST_TEST(data_error_problem([&] { st->get_int(2); }).find("out of range") != std::string::npos);
        return;
    }
    auto st = c->prepare(is_postgresql() ? "SELECT 3.00::numeric, 3.50::numeric, 12345678901234567890::numeric, "
                                   "-9223372036854775808.000::numeric, 'Infinity'::float8"
                                 : "SELECT CAST(3.00 AS DECIMAL(10,2)), CAST(3.50 AS DECIMAL(10,2)), "
                                   "CAST(12345678901234567890 AS DECIMAL(30,0)), "
                                   "CAST(-9223372036854775808 AS DECIMAL(30,3)), 1e308");
    BOOST_REQUIRE(st->step());
    BOOST_TEST(st->get_int(0) == 3);
    BOOST_TEST(st->get_double(0) == 3.0);
    BOOST_TEST(data_error_problem([&] { st->get_int(1); }).find("has a fractional part") != std::string::npos);
    BOOST_TEST(st->get_double(1) == 3.5);
    BOOST_TEST(data_error_problem([&] { st->get_int(2); }).find("out of range") != std::string::npos);
    BOOST_TEST(st->get_int(3) == std::numeric_limits<std::int64_t>::min());
    BOOST_TEST(data_error_problem([&] { st->get_int(4); }).find("out of range") != std::string::npos);
    st->reset();
    if (is_mysql()) {  // BIGINT UNSIGNED beyond int64
        auto u = c->prepare("SELECT CAST(18446744073709551615 AS UNSIGNED), CAST(7 AS UNSIGNED)");
        BOOST_REQUIRE(u->step());
        BOOST_TEST(data_error_problem([&] { u->get_int(0); }) ==
                   "18446744073709551615 is out of range for a 64-bit integer");
        BOOST_TEST(u->get_int(1) == 7);
        BOOST_TEST(u->get_double(1) == 7.0);
        u->reset();
    }
    if (is_postgresql()) {  // booleans stay 1/0
        auto b = c->prepare("SELECT true, false");
        BOOST_REQUIRE(b->step());
        BOOST_TEST(b->get_int(0) == 1);
        BOOST_TEST(b->get_int(1) == 0);
        b->reset();
    }
}

// Values the database refuses (SQLSTATE class 22, MariaDB 1406/1264/1292/1366/1265) are
// data_errors with the backend's code and sqlstate; SQLite stores what it is given (it has no
// length or date checks: the ORM checks lengths before flushing) and refuses only too big values.
BOOST_AUTO_TEST_CASE(values_the_database_refuses_are_data_errors) {
    auto c = open();
    drop(*c, "drv_data");
    c->execute("CREATE TABLE drv_data (id " + t_int() + " PRIMARY KEY, s VARCHAR(3), n " +
               (is_sqlite() ? "NUMERIC(3,1)" : is_postgresql() ? "NUMERIC(3,1)" : "DECIMAL(3,1)") + ", i INTEGER, d DATE)" +
               opts());
    struct refused {
        const char* column;
        value v;
        const char* pg_state;
        int mysql_code;
    };
    const std::vector<refused> cases = {
        {"s", value("abcdefghij"), "22001", 1406},          // value too long
        {"n", value(1000.5), "22003", 1264},                 // numeric out of range
        {"i", value(std::int64_t{1} << 40), "22003", 1264},  // integer out of range
        {"d", value("2024-02-30"), "22008", 1292},           // no such date
        {"d", value("not a date"), "22007", 1292},           // not a date at all
        {"i", value("12abc"), "22P02", 1265},                // not an integer (MariaDB: data truncated)
        {"i", value("abc"), "22P02", 1366},                  // not an integer at all
    };
    int id = 0;
    for (const auto& k : cases) {
        BOOST_TEST_CONTEXT("column " << k.column << ", value " << k.v.repr()) {
            const std::string sql = std::string("INSERT INTO drv_data (id, ") + k.column + ") VALUES (?, ?)";
            if (is_sqlite()) {
                BOOST_TEST(run(*c, sql, {++id, k.v}) == 1);  // stored as given
                continue;
            }
            try {
                run(*c, sql, {++id, k.v});
                BOOST_ERROR("no error");
            } catch (const dorm::data_error& e) {
                const std::string what = e.what();
                if (is_postgresql()) {
                    BOOST_TEST(e.sqlstate() == k.pg_state, what);
                    BOOST_TEST(what.starts_with("(postgresql.DataError) "), what);
                } else {
                    BOOST_TEST(e.code() == k.mysql_code, what);
                    BOOST_TEST(what.starts_with("(mysql.DataError) (" + std::to_string(k.mysql_code) + ", "), what);
                    // 1265 is a warning code (01000) that strict mode makes an error
                    const bool state_ok = k.mysql_code == 1265 ? e.sqlstate() == "01000" : e.sqlstate().starts_with("22");
                    BOOST_TEST(state_ok, e.sqlstate());
                }
                BOOST_TEST(what.find("[SQL: INSERT INTO drv_data") != std::string::npos, what);
            } catch (const std::exception& e) {
                BOOST_ERROR("not a data_error: " << e.what());
            }
        }
    }
    if (is_sqlite()) {
        BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_data") == static_cast<std::int64_t>(cases.size()));
        auto st = c->prepare("SELECT s FROM drv_data WHERE id = 1");
        BOOST_REQUIRE(st->step());
        BOOST_TEST(st->get_text(0) == "abcdefghij");  // VARCHAR(3) is not enforced
        st->reset();
        // only a value beyond SQLITE_LIMIT_LENGTH is refused, with SQLITE_TOOBIG
        try {
            scalar_int(*c, "SELECT length(zeroblob(?))", {value(std::int64_t{3000000000})});
            BOOST_ERROR("no error");
        } catch (const dorm::data_error& e) {
            BOOST_TEST(e.code() == 18, e.what());  // SQLITE_TOOBIG
            BOOST_TEST(std::string(e.what()).starts_with("(sqlite3.DataError) "), e.what());
        }
    } else {
        BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_data") == 0);
        // a date the server computes from a bad literal
        if (is_postgresql()) {
            BOOST_CHECK_THROW(scalar_int(*c, "SELECT CAST(CAST(? AS TEXT) AS DATE) IS NULL", {"2024-13-01"}),
                              dorm::data_error);
        }
    }
    // the connection is still usable
    BOOST_TEST(scalar_int(*c, "SELECT 1") == 1);
    drop(*c, "drv_data");
}

BOOST_AUTO_TEST_CASE(booleans_bound_as_integers) {
    // The ORM binds bool as 0/1: a BOOLEAN column must accept it on every backend (PostgreSQL too).
    auto c = open();
    drop(*c, "drv_flags");
    c->execute("CREATE TABLE drv_flags (id " + t_int() + " PRIMARY KEY, flag BOOLEAN NOT NULL, n INTEGER)" + opts());
    run(*c, "INSERT INTO drv_flags (id, flag, n) VALUES (?, ?, ?)", {1, 1, 10});
    run(*c, "INSERT INTO drv_flags (id, flag, n) VALUES (?, ?, ?)", {2, 0, 20});
    run(*c, "INSERT INTO drv_flags (id, flag, n) VALUES (?, ?, ?)", {3, true, 30});
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_flags WHERE flag = ?", {1}) == 2);
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_flags WHERE flag = ?", {0}) == 1);
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_flags WHERE ? = n", {20}) == 1);
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_flags WHERE n > ?", {15}) == 2);
    auto st = c->prepare(ph("SELECT flag FROM drv_flags WHERE id = ?"));
    st->bind_int(0, 1);
    BOOST_REQUIRE(st->step());
    BOOST_TEST(st->get_int(0) == 1);
    BOOST_TEST((st->get(0) == value(1)));
    st->reset();
    st->bind_int(0, 2);
    BOOST_REQUIRE(st->step());
    BOOST_TEST(st->get_int(0) == 0);
    st->reset();
    BOOST_TEST(run(*c, "UPDATE drv_flags SET flag = ? WHERE id = ?", {0, 3}) == 1);
    BOOST_TEST(scalar_int(*c, "SELECT COUNT(*) FROM drv_flags WHERE flag = ?", {false}) == 2);
    drop(*c, "drv_flags");
}

