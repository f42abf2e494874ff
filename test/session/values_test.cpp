// Values round-trip exactly or fail loudly, on every backend (issue 13).
//  - A property test: for every supported member type, a few thousand random and boundary values
//    (fixed seed) go through INSERT (a bulk insert, and the session's flush) and come back through
//    SELECT (the session's objects, and column rows on a connection), compared exactly. What a
//    backend cannot store is a dorm::data_error at the write, and the session stays usable after
//    rollback() (README, "Types and backends", lists each case).
//  - Values dorm cannot store on any backend (invalid dates, years outside 0001..9999, a fraction
//    below a microsecond, VARCHAR(n) overflows, unsigned 64-bit above INT64_MAX) are refused at
//    flush before any SQL.
//  - Text that is not a value of the member's type (a table whose columns are TEXT, mapped onto
//    int / double / bool / date members) is a data_error naming table, column, value and C++ type.
#define BOOST_TEST_MODULE values
#include <boost/test/unit_test.hpp>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"

using dorm::col;
using dorm_test::is_mysql;
using dorm_test::is_postgresql;
using dorm_test::is_sqlite;
using dorm_test::q;
namespace chr = std::chrono;

// The header's integer range (it does without <limits>) is numeric_limits' for every width.
template <class I>
constexpr bool same_range =
    dorm::detail::integer_min<I> == std::numeric_limits<I>::min() && dorm::detail::integer_max<I> == std::numeric_limits<I>::max();
static_assert(same_range<signed char> && same_range<unsigned char> && same_range<char> && same_range<char8_t>);
static_assert(same_range<short> && same_range<unsigned short> && same_range<int> && same_range<unsigned>);
static_assert(same_range<long> && same_range<unsigned long> && same_range<long long> && same_range<unsigned long long>);
static_assert(same_range<std::int8_t> && same_range<std::uint32_t> && same_range<std::int64_t> && same_range<std::uint64_t>);

namespace vt {

enum class Color { red, green, blue, ultraviolet };
BOOST_DESCRIBE_ENUM(Color, red, green, blue, ultraviolet)

// One table per member type: an integer key and the value.
#define VALUE_MODEL(Name, Type)    \
    struct Name {                  \
        int id = 0;                \
        Type v{};                  \
    };                             \
    BOOST_DESCRIBE_STRUCT(Name, (), (id, v))

VALUE_MODEL(VBool, bool)
VALUE_MODEL(VInt8, std::int8_t)
VALUE_MODEL(VInt16, std::int16_t)
VALUE_MODEL(VInt32, std::int32_t)
VALUE_MODEL(VInt64, std::int64_t)
VALUE_MODEL(VUint8, std::uint8_t)
VALUE_MODEL(VUint16, std::uint16_t)
VALUE_MODEL(VUint32, std::uint32_t)
VALUE_MODEL(VUint64, std::uint64_t)
VALUE_MODEL(VFloat, float)
VALUE_MODEL(VDouble, double)
VALUE_MODEL(VText, std::string)
VALUE_MODEL(VBlob, dorm::blob)
VALUE_MODEL(VSeconds, chr::sys_seconds)
VALUE_MODEL(VMillis, chr::sys_time<chr::milliseconds>)
VALUE_MODEL(VMicros, chr::sys_time<chr::microseconds>)
VALUE_MODEL(VNanos, chr::sys_time<chr::nanoseconds>)
VALUE_MODEL(VDays, chr::sys_days)
VALUE_MODEL(VDate, chr::year_month_day)
VALUE_MODEL(VColor, Color)
VALUE_MODEL(VOptInt, std::optional<int>)
VALUE_MODEL(VOptText, std::optional<std::string>)
VALUE_MODEL(VOptDouble, std::optional<double>)
VALUE_MODEL(VOptDate, std::optional<chr::year_month_day>)

struct VShort {
    int id = 0;
    std::string v;
};
BOOST_DESCRIBE_STRUCT(VShort, (), (id, v))
DORM_TABLE(VShort, "v_short", (v, dorm::varchar(10)))

// A table created with TEXT columns (raw DDL) and mapped onto typed members: what a schema that
// drifted from its model, or another program's writes, can leave behind.
struct LooseRow {
    int id = 0;
    int n = 0;
    double f = 0;
    bool b = false;
    chr::year_month_day d{};
    std::optional<int> o;
    chr::sys_seconds t{};
};
BOOST_DESCRIBE_STRUCT(LooseRow, (), (id, n, f, b, d, o, t))
DORM_TABLE(LooseRow, "loose_row", (id, dorm::primary_key))

}  // namespace vt

using namespace vt;

namespace {

constexpr std::uint64_t seed = 20261204;
constexpr int values_per_type = 2000;

/// printable form of a value, for failure messages
template <class V>
std::string show(const V& v) {
    try {
        return dorm::detail::column_traits<V>::to_value(v).repr();
    } catch (const std::exception& e) {
        return std::string("<unprintable: ") + e.what() + ">";
    }
}

template <class V>
bool exactly(const V& a, const V& b) {
    if constexpr (std::is_floating_point_v<V>) {
        // SQLite and MariaDB store -0.0 as 0 (README): the only difference allowed
        if (a == 0 && b == 0 && !is_postgresql()) return true;
        return std::memcmp(&a, &b, sizeof(V)) == 0 || (std::isnan(a) && std::isnan(b));
    } else if constexpr (requires { a.has_value(); }) {
        if (a.has_value() != b.has_value()) return false;
        return !a || exactly(*a, *b);
    } else {
        return a == b;
    }
}

/// Inserts `good` (bulk and through the session), reads them back two ways and compares; then
/// checks that each of `bad` is a data_error at commit and leaves the session usable.
template <class M, class V = decltype(M::v)>
void round_trip(const std::vector<V>& good, const std::vector<V>& bad = {}) {
    dorm_test::database<M> db;
    BOOST_TEST_CONTEXT("table " << dorm::table_of<M>().name << " on " << dorm_test::backend()) {
        // 1. bulk INSERT (multi-row VALUES), read back as objects and as column rows
        {
            std::vector<M> rows;
            rows.reserve(good.size());
            for (const auto& v : good) rows.push_back(M{.v = v});
            dorm::session s(db.engine);
            s.execute(dorm::insert<M>().values(rows));
            s.commit();
        }
        {
            dorm::session s(db.engine);
            auto back = s.execute(dorm::select<M>().order_by(col(&M::id))).all();
            BOOST_REQUIRE_EQUAL(back.size(), good.size());
            std::size_t wrong = 0;
            for (std::size_t i = 0; i < good.size(); ++i) {
                if (exactly<V>(back[i]->v, good[i])) continue;
                if (++wrong <= 5)
                    BOOST_ERROR("value " << i << ": wrote " << show<V>(good[i]) << ", read " << show(back[i]->v));
            }
            BOOST_CHECK_EQUAL(wrong, 0u);
            auto conn = db.engine.connect();
            auto column = dorm::execute(conn, dorm::select(col(&M::v)).order_by(col(&M::id))).all();
            BOOST_REQUIRE_EQUAL(column.size(), good.size());
            wrong = 0;
            for (std::size_t i = 0; i < good.size(); ++i)
                if (!exactly<V>(column[i], good[i]) && ++wrong <= 5)
                    BOOST_ERROR("column row " << i << ": wrote " << show<V>(good[i]) << ", read " << show<V>(column[i]));
            BOOST_CHECK_EQUAL(wrong, 0u);
        }
        // 2. the session's flush (bound member by member), read back by primary key
        {
            const std::size_t n = std::min<std::size_t>(good.size(), 100);
            std::vector<int> ids;
            {
                dorm::session s(db.engine);
                std::vector<std::shared_ptr<M>> added;
                for (std::size_t i = 0; i < n; ++i) added.push_back(s.add(M{.v = good[i]}));
                s.commit();
                for (auto& a : added) ids.push_back(a->id);
            }
            dorm::session s(db.engine);
            for (std::size_t i = 0; i < n; ++i) {
                auto obj = s.get<M>(ids[i]);
                BOOST_REQUIRE(obj);
                BOOST_CHECK_MESSAGE(exactly<V>(obj->v, good[i]),
                                    "flushed value " << i << ": wrote " << show<V>(good[i]) << ", read " << show(obj->v));
            }
        }
        // 3. what cannot be stored is a data_error at the write; the session goes on after rollback()
        const auto before = db.rows(dorm::table_of<M>().name);
        for (const auto& v : bad) {
            dorm::session s(db.engine);
            s.add(M{.v = v});
            bool raised = false;
            try {
                s.commit();
            } catch (const dorm::data_error& e) {
                raised = true;
                BOOST_CHECK_MESSAGE(e.column() == "v" || std::string(e.what()).find("v") != std::string::npos,
                                    "the message names the column: " << e.what());
            } catch (const std::exception& e) {
                BOOST_ERROR("storing " << show(v) << " raised something else than data_error: " << e.what());
                raised = true;
            }
            BOOST_CHECK_MESSAGE(raised, "storing " << show(v) << " did not raise data_error");
            s.rollback();
            if (!good.empty()) {
                s.add(M{.v = good[0]});
                BOOST_CHECK_NO_THROW(s.commit());
            }
        }
        BOOST_CHECK_EQUAL(db.rows(dorm::table_of<M>().name), before + static_cast<std::int64_t>(good.empty() ? 0 : bad.size()));
    }
}

template <class I>
std::vector<I> integer_values(std::mt19937_64& rng, I lo = std::numeric_limits<I>::min(),
                              I hi = std::numeric_limits<I>::max()) {
    std::vector<I> out = {lo, hi, I{0}, I{1}, static_cast<I>(lo + 1), static_cast<I>(hi - 1)};
    if constexpr (std::is_signed_v<I>) out.push_back(I{-1});
    std::uniform_int_distribution<I> any(lo, hi);
    while (out.size() < values_per_type) out.push_back(any(rng));
    return out;
}

template <class F>
std::vector<F> floating_values(std::mt19937_64& rng, bool with_infinities) {
    using lim = std::numeric_limits<F>;
    std::vector<F> out = {F(0), F(-0.0), F(1), F(-1), F(0.1), F(1) / F(3), lim::max(), lim::lowest(),
                          lim::min(), -lim::min(), lim::denorm_min(), -lim::denorm_min(), lim::epsilon(),
                          F(9007199254740993.0), F(1e300 * 0 + 123456.789)};
    if (with_infinities) {
        out.push_back(lim::infinity());
        out.push_back(-lim::infinity());
    }
    using U = std::conditional_t<sizeof(F) == 4, std::uint32_t, std::uint64_t>;
    while (out.size() < values_per_type) {
        const F f = std::bit_cast<F>(static_cast<U>(rng()));
        if (std::isfinite(f)) out.push_back(f);
    }
    return out;
}

void append_utf8(std::string& s, char32_t c) {
    if (c < 0x80) {
        s += static_cast<char>(c);
    } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (c >> 18));
        s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    }
}

/// Random valid UTF-8 (no NUL): ASCII, Latin-1, Greek, CJK, emoji, of `chars` characters.
std::string random_text(std::mt19937_64& rng, std::size_t chars) {
    static constexpr char32_t ranges[][2] = {{0x20, 0x7E}, {0xA0, 0xFF}, {0x391, 0x3C9}, {0x4E00, 0x9FFF},
                                             {0x1F300, 0x1F64F}, {0x01, 0x1F}};
    std::uniform_int_distribution<int> which(0, 5);
    std::string s;
    for (std::size_t i = 0; i < chars; ++i) {
        const auto& r = ranges[which(rng)];
        std::uniform_int_distribution<std::uint32_t> cp(r[0], r[1]);
        append_utf8(s, static_cast<char32_t>(cp(rng)));
    }
    return s;
}

std::vector<std::string> text_values(std::mt19937_64& rng) {
    std::vector<std::string> out = {"", "a", " ", "  padded  ", "'quoted' \"double\" \\back", "%_like_",
                                    "line\nbreak\ttab", "é", "中文", "😀", std::string(5000, 'x'),
                                    random_text(rng, 3000)};
    std::uniform_int_distribution<std::size_t> len(0, 40);
    while (out.size() < values_per_type) out.push_back(random_text(rng, len(rng)));
    return out;
}

constexpr std::int64_t min_second = -62135596800;  // 0001-01-01 00:00:00
constexpr std::int64_t max_second = 253402300799;  // 9999-12-31 23:59:59

template <class D>
std::vector<chr::sys_time<D>> time_values(std::mt19937_64& rng) {
    using T = chr::sys_time<D>;
    const auto lo = chr::ceil<D>(chr::sys_seconds(chr::seconds(min_second)));
    const auto hi = chr::floor<D>(chr::sys_seconds(chr::seconds(max_second)) + chr::seconds(1) - chr::microseconds(1));
    std::vector<T> out = {lo, hi, T{}, T(D(1)), T(D(-1)),
                          chr::floor<D>(chr::sys_days(chr::year(2262) / 4 / 12)),      // past the 64-bit ns range
                          chr::floor<D>(chr::sys_days(chr::year(1600) / 1 / 1)),
                          chr::floor<D>(chr::sys_days(chr::year(9999) / 12 / 31)),     // the usual "never"
                          chr::floor<D>(chr::sys_days(chr::year(2000) / 2 / 29) + chr::hours(23) + chr::minutes(59))};
    std::uniform_int_distribution<std::int64_t> any(lo.time_since_epoch().count(), hi.time_since_epoch().count());
    while (out.size() < values_per_type) {
        auto t = T(D(any(rng)));
        if constexpr (std::ratio_less_v<typename D::period, std::micro>) t = chr::floor<chr::microseconds>(t);
        out.push_back(t);
    }
    return out;
}

std::vector<chr::year_month_day> date_values(std::mt19937_64& rng) {
    std::vector<chr::year_month_day> out = {chr::year(1) / 1 / 1, chr::year(9999) / 12 / 31, chr::year(1970) / 1 / 1,
                                            chr::year(2000) / 2 / 29, chr::year(1600) / 1 / 1,
                                            chr::year(2262) / 4 / 12, chr::year(1677) / 9 / 21};
    const auto lo = chr::sys_days(chr::year(1) / 1 / 1).time_since_epoch().count();
    const auto hi = chr::sys_days(chr::year(9999) / 12 / 31).time_since_epoch().count();
    std::uniform_int_distribution<long> any(lo, hi);
    while (out.size() < values_per_type) out.push_back(chr::year_month_day(chr::sys_days(chr::days(any(rng)))));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(round_trips)

BOOST_AUTO_TEST_CASE(booleans) { round_trip<VBool>({true, false, false, true}); }

BOOST_AUTO_TEST_CASE(integers) {
    std::mt19937_64 rng(seed);
    round_trip<VInt8>(integer_values<std::int8_t>(rng));
    round_trip<VInt16>(integer_values<std::int16_t>(rng));
    round_trip<VInt32>(integer_values<std::int32_t>(rng));
    round_trip<VInt64>(integer_values<std::int64_t>(rng));
    round_trip<VUint8>(integer_values<std::uint8_t>(rng));
    round_trip<VUint16>(integer_values<std::uint16_t>(rng));
    round_trip<VUint32>(integer_values<std::uint32_t>(rng));
    // SQL integers are signed 64-bit: an unsigned value above INT64_MAX cannot be stored
    const auto top = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    round_trip<VUint64>(integer_values<std::uint64_t>(rng, 0, top),
                        {top + 1, std::numeric_limits<std::uint64_t>::max()});
}

BOOST_AUTO_TEST_CASE(floating_point) {
    std::mt19937_64 rng(seed + 1);
    // MariaDB's FLOAT/DOUBLE hold no infinity and no NaN; SQLite stores NaN as NULL (so dorm refuses it)
    const bool infinities = !is_mysql();
    std::vector<double> bad_double;
    std::vector<float> bad_float;
    if (!is_postgresql()) {
        bad_double.push_back(std::numeric_limits<double>::quiet_NaN());
        bad_float.push_back(std::numeric_limits<float>::quiet_NaN());
    }
    if (is_mysql()) {
        bad_double.push_back(std::numeric_limits<double>::infinity());
        bad_double.push_back(-std::numeric_limits<double>::infinity());
        bad_float.push_back(std::numeric_limits<float>::infinity());
    }
    auto doubles = floating_values<double>(rng, infinities);
    auto floats = floating_values<float>(rng, infinities);
    if (is_postgresql()) {
        doubles.push_back(std::numeric_limits<double>::quiet_NaN());
        floats.push_back(std::numeric_limits<float>::quiet_NaN());
    }
    round_trip<VDouble>(doubles, bad_double);
    round_trip<VFloat>(floats, bad_float);
}

BOOST_AUTO_TEST_CASE(text) {
    std::mt19937_64 rng(seed + 2);
    std::vector<std::string> good = text_values(rng);
    std::vector<std::string> bad;
    const std::string with_nul("a\0b", 3);
    const std::string invalid_utf8 = "\xC3\x28 \xFF";
    // PostgreSQL text holds no NUL byte; PostgreSQL and MariaDB (utf8mb4) refuse invalid UTF-8;
    // SQLite keeps the bytes as they are
    if (is_postgresql()) {
        bad.push_back(with_nul);
        bad.push_back(invalid_utf8);
    } else if (is_mysql()) {
        good.push_back(with_nul);
        bad.push_back(invalid_utf8);
    } else {
        good.push_back(with_nul);
        good.push_back(invalid_utf8);
    }
    round_trip<VText>(good, bad);
}

BOOST_AUTO_TEST_CASE(varchar_lengths_count_characters_on_every_backend) {
    // VARCHAR(10): ten characters of any width fit, an eleventh does not (SQLite included)
    round_trip<VShort>({"", "0123456789", "ééééééééé€", "😀😀😀😀😀😀😀😀😀😀"},
                       {"0123456789a", "ééééééééééé", "😀😀😀😀😀😀😀😀😀😀😀"});
}

BOOST_AUTO_TEST_CASE(blobs) {
    std::mt19937_64 rng(seed + 3);
    std::vector<dorm::blob> good = {{}, {std::byte{0}}, {std::byte{0xff}, std::byte{0}, std::byte{0x27}}};
    std::uniform_int_distribution<std::size_t> len(0, 64);
    while (good.size() < values_per_type / 4) {
        dorm::blob b(good.size() % 50 == 0 ? 4096 : len(rng));
        for (auto& x : b) x = static_cast<std::byte>(rng());
        good.push_back(std::move(b));
    }
    round_trip<VBlob>(good);
}

BOOST_AUTO_TEST_CASE(time_points_and_dates) {
    std::mt19937_64 rng(seed + 4);
    const auto outside = [](auto days) { return chr::sys_days(days); };
    round_trip<VSeconds>(time_values<chr::seconds>(rng),
                         {chr::sys_seconds(chr::seconds(max_second + 1)), chr::sys_seconds(chr::seconds(min_second - 1))});
    round_trip<VMillis>(time_values<chr::milliseconds>(rng),
                        {chr::time_point_cast<chr::milliseconds>(outside(chr::year(10000) / 1 / 1))});
    round_trip<VMicros>(time_values<chr::microseconds>(rng),
                        {chr::time_point_cast<chr::microseconds>(outside(chr::year(0) / 12 / 31))});
    // nanoseconds: the storable ones are whole microseconds (1677..2262 is all a 64-bit count holds)
    {
        std::vector<chr::sys_time<chr::nanoseconds>> good = {
            chr::sys_time<chr::nanoseconds>{}, chr::floor<chr::microseconds>(chr::sys_time<chr::nanoseconds>::max()),
            chr::ceil<chr::microseconds>(chr::sys_time<chr::nanoseconds>::min())};
        std::uniform_int_distribution<std::int64_t> any(std::numeric_limits<std::int64_t>::min() / 1000,
                                                        std::numeric_limits<std::int64_t>::max() / 1000);
        while (good.size() < values_per_type / 4) good.emplace_back(chr::microseconds(any(rng)));
        round_trip<VNanos>(good, {chr::sys_time<chr::nanoseconds>(chr::nanoseconds(1)),
                                  chr::sys_time<chr::nanoseconds>(chr::nanoseconds(-999))});
    }
    std::vector<chr::sys_days> days;
    for (const auto& d : date_values(rng)) days.push_back(chr::sys_days(d));
    round_trip<VDays>(days, {outside(chr::year(10000) / 1 / 1), outside(chr::year(-5) / 3 / 1)});
    round_trip<VDate>(date_values(rng), {chr::year(2025) / 2 / 30, chr::year(10000) / 1 / 1, chr::year(-5) / 3 / 1,
                                         chr::year(0) / 6 / 15, chr::year(2023) / 13 / 1});
}

BOOST_AUTO_TEST_CASE(enums_and_optionals) {
    std::mt19937_64 rng(seed + 5);
    round_trip<VColor>({Color::red, Color::green, Color::blue, Color::ultraviolet}, {static_cast<Color>(42)});
    std::vector<std::optional<int>> ints = {std::nullopt, 0, std::numeric_limits<int>::min()};
    std::vector<std::optional<std::string>> texts = {std::nullopt, std::string(), std::string("x")};
    std::vector<std::optional<double>> doubles = {std::nullopt, 0.0, 1.5};
    std::vector<std::optional<chr::year_month_day>> dates = {std::nullopt, chr::year(9999) / 12 / 31};
    std::bernoulli_distribution null(0.2);
    auto ivals = integer_values<int>(rng);
    auto tvals = text_values(rng);
    auto dvals = floating_values<double>(rng, !is_mysql());
    auto yvals = date_values(rng);
    for (std::size_t i = 0; i < 500; ++i) {
        ints.push_back(null(rng) ? std::nullopt : std::optional<int>(ivals[i]));
        texts.push_back(null(rng) ? std::nullopt : std::optional<std::string>(tvals[i]));
        doubles.push_back(null(rng) ? std::nullopt : std::optional<double>(dvals[i]));
        dates.push_back(null(rng) ? std::nullopt : std::optional<chr::year_month_day>(yvals[i]));
    }
    round_trip<VOptInt>(ints);
    round_trip<VOptText>(texts);
    round_trip<VOptDouble>(doubles);
    round_trip<VOptDate>(dates, {chr::year(2025) / 2 / 30});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(refused_before_any_sql)

BOOST_AUTO_TEST_CASE(an_invalid_date_is_a_data_error_at_flush_before_any_sql) {
    dorm_test::database<VDate> db;
    dorm::session s(db.engine);
    s.add(VDate{.v = chr::year(2024) / 1 / 1});
    s.add(VDate{.v = chr::year(2025) / 2 / 30});
    db.echo.clear();
    try {
        s.commit();
        BOOST_ERROR("2025-02-30 was stored");
    } catch (const dorm::data_error& e) {
        BOOST_CHECK_EQUAL(e.table(), "v_date");
        BOOST_CHECK_EQUAL(e.column(), "v");
        BOOST_CHECK_EQUAL(e.cpp_type(), "std::chrono::year_month_day");
        BOOST_CHECK_EQUAL(e.value(), "2025-02-30");
        const std::string what = e.what();
        for (const char* part : {"v_date.v", "2025-02-30", "year_month_day", "not a valid date"})
            BOOST_CHECK_MESSAGE(what.find(part) != std::string::npos, what << "\n  lacks: " << part);
    }
    BOOST_CHECK_MESSAGE(db.echo.count_statements("INSERT") == 0, "SQL was sent:\n" << db.echo.dump());
    BOOST_CHECK_THROW(s.execute(dorm::select<VDate>()).all(), dorm::pending_rollback_error);
    s.rollback();
    s.add(VDate{.v = chr::year(2025) / 2 / 28});
    s.commit();
    BOOST_CHECK_EQUAL(db.rows("v_date"), 1);
}

BOOST_AUTO_TEST_CASE(a_changed_value_is_checked_too) {
    dorm_test::database<VShort> db;
    dorm::session s(db.engine);
    auto row = s.add(VShort{.v = "short"});
    s.commit();
    row->v = "much too long for ten";
    db.echo.clear();
    try {
        s.commit();
        BOOST_ERROR("an 21-character value was stored in VARCHAR(10)");
    } catch (const dorm::data_error& e) {
        BOOST_CHECK_EQUAL(e.table(), "v_short");
        BOOST_CHECK_EQUAL(e.column(), "v");
        BOOST_CHECK_EQUAL(e.value(), "'much too long for ten'");
        BOOST_CHECK_MESSAGE(std::string(e.what()).find("VARCHAR(10)") != std::string::npos, e.what());
    }
    BOOST_CHECK_EQUAL(db.echo.count_statements("UPDATE"), 0u);
    s.rollback();
    BOOST_CHECK_EQUAL(row->v, "short");  // the committed value is back
}

BOOST_AUTO_TEST_CASE(a_long_value_is_shortened_on_a_character_boundary) {
    dorm_test::database<VShort> db;
    dorm::session s(db.engine);
    std::string long_text;
    for (int i = 0; i < 100; ++i) long_text += "€";  // three bytes each: 60 bytes is a boundary, 61 is not
    long_text = "x" + long_text;
    s.add(VShort{.v = long_text});
    try {
        s.commit();
        BOOST_ERROR("stored");
    } catch (const dorm::data_error& e) {
        const std::string v = e.value();
        BOOST_CHECK_MESSAGE(v.find("... (301 bytes)") != std::string::npos, v);
        // every € shown is whole
        const auto body = v.substr(2, v.find("'...") - 2);
        BOOST_CHECK_EQUAL(body.size() % 3, 0u);
        BOOST_CHECK_LT(body.size(), 70u);
    }
}

BOOST_AUTO_TEST_CASE(bulk_insert_of_an_invalid_value_names_the_column) {
    dorm_test::database<VDate> db;
    dorm::session s(db.engine);
    std::vector<VDate> rows = {{.v = chr::year(2024) / 1 / 1}, {.v = chr::year(2024) / 4 / 31}};
    try {
        s.execute(dorm::insert<VDate>().values(rows));
        BOOST_ERROR("stored 2024-04-31");
    } catch (const dorm::data_error& e) {
        BOOST_CHECK_EQUAL(e.table(), "v_date");
        BOOST_CHECK_EQUAL(e.column(), "v");
    }
    s.rollback();
    BOOST_CHECK_EQUAL(db.rows("v_date"), 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(malformed_values_read_back)

struct loose_db {
    dorm::engine engine = dorm_test::make_engine();
    loose_db() {
        auto c = engine.connect();
        c.execute("DROP TABLE IF EXISTS " + q("loose_row"));
        c.execute("CREATE TABLE " + q("loose_row") + " (" + q("id") + " INTEGER PRIMARY KEY, " + q("n") + " TEXT, " +
                  q("f") + " TEXT, " + q("b") + " TEXT, " + q("d") + " TEXT, " + q("o") + " TEXT, " + q("t") + " TEXT)");
        c.execute("INSERT INTO " + q("loose_row") + " VALUES (1, '12', '1.5', '1', '2023-01-05', NULL, '2023-01-05 10:00:00')");
    }
    ~loose_db() {
        try {
            engine.connect().execute("DROP TABLE IF EXISTS " + q("loose_row"));
        } catch (...) {
        }
    }
    void set(const char* column, const std::string& literal) {
        engine.connect().execute("UPDATE " + q("loose_row") + " SET " + q(column) + " = " + literal);
    }
    /// Reading the row must fail with a data_error naming table, column, value and C++ type.
    void expect_error(const char* column, const std::string& shown, const char* cpp) {
        BOOST_TEST_CONTEXT("column " << column << " holding " << shown) {
            for (int path = 0; path < 2; ++path) {
                try {
                    if (path == 0) {
                        dorm::session s(engine);
                        auto rows = s.execute(dorm::select<LooseRow>()).all();
                        BOOST_ERROR("the session read it: " << rows.size() << " row(s)");
                    } else {
                        auto c = engine.connect();
                        auto rows = dorm::execute(c, dorm::select<LooseRow>()).all();
                        BOOST_ERROR("the connection read it: n = " << (rows.empty() ? 0 : rows[0].n));
                    }
                } catch (const dorm::data_error& e) {
                    BOOST_CHECK_EQUAL(e.table(), "loose_row");
                    BOOST_CHECK_EQUAL(e.column(), column);
                    BOOST_CHECK_EQUAL(e.cpp_type(), cpp);
                    BOOST_CHECK_MESSAGE(e.value() == shown, "value shown: " << e.value() << " (" << e.what() << ")");
                    const std::string what = e.what();
                    BOOST_CHECK_MESSAGE(what.find(std::string("loose_row.") + column) != std::string::npos, what);
                }
            }
        }
    }
};

BOOST_FIXTURE_TEST_CASE(well_formed_text_reads_exactly, loose_db) {
    dorm::session s(engine);
    auto row = s.execute(dorm::select<LooseRow>()).scalar_one();
    BOOST_CHECK_EQUAL(row->n, 12);
    BOOST_CHECK_EQUAL(row->f, 1.5);
    BOOST_CHECK(row->b);
    BOOST_CHECK(row->d == chr::year(2023) / 1 / 5);
    BOOST_CHECK(!row->o);
}

BOOST_FIXTURE_TEST_CASE(text_that_is_not_an_integer, loose_db) {
    for (const char* bad : {"abc", "12abc", "3.7", "1e30", "", " 12", "99999999999999999999"}) {
        set("n", std::string("'") + bad + "'");
        expect_error("n", std::string("'") + bad + "'", "int");
    }
    set("n", "'4294967296'");  // an integer, but not an int
    expect_error("n", "4294967296", "int");
}

BOOST_FIXTURE_TEST_CASE(text_that_is_not_a_number, loose_db) {
    for (const char* bad : {"abc", "1.5x", ""}) {
        set("f", std::string("'") + bad + "'");
        expect_error("f", std::string("'") + bad + "'", "double");
    }
}

BOOST_FIXTURE_TEST_CASE(text_that_is_not_a_boolean, loose_db) {
    set("b", "'yes'");
    expect_error("b", "'yes'", "bool");
    set("b", "'2'");
    expect_error("b", "2", "bool");
}

BOOST_FIXTURE_TEST_CASE(text_that_is_not_a_date, loose_db) {
    for (const char* bad : {"2023-01-05junk", "2023-02-30", "10000-01-01", "05/01/2023"}) {
        set("d", std::string("'") + bad + "'");
        expect_error("d", std::string("'") + bad + "'", "std::chrono::year_month_day");
    }
}

BOOST_FIXTURE_TEST_CASE(text_that_is_not_a_timestamp_of_the_members_precision, loose_db) {
    for (const char* bad : {"2023-01-05 25:00:00", "2023-02-30 10:00:00", "2023-01-05T10:00:00+02:00", "yesterday",
                            "2023-01-05 10:00:00.5"}) {
        set("t", std::string("'") + bad + "'");
        expect_error("t", std::string("'") + bad + "'", "std::chrono::sys_seconds");
    }
    set("t", "'2023-01-05T10:00:00Z'");  // UTC spelled out reads exactly
    dorm::session s(engine);
    BOOST_CHECK(s.execute(dorm::select<LooseRow>()).scalar_one()->t ==
                chr::sys_days(chr::year(2023) / 1 / 5) + chr::hours(10));
}

BOOST_FIXTURE_TEST_CASE(text_in_an_optional_integer, loose_db) {
    set("o", "'zz'");
    expect_error("o", "'zz'", "std::optional<int>");
}

BOOST_FIXTURE_TEST_CASE(null_in_a_plain_member, loose_db) {
    set("n", "NULL");
    expect_error("n", "NULL", "int");
}

BOOST_FIXTURE_TEST_CASE(value_rows_name_the_result_column, loose_db) {
    set("n", "'abc'");
    auto c = engine.connect();
    try {
        dorm::execute(c, dorm::text<std::tuple<int, int>>("SELECT " + q("id") + ", " + q("n") + " FROM " +
                                                          q("loose_row")))
            .all();
        BOOST_ERROR("read 'abc' as an int");
    } catch (const dorm::data_error& e) {
        BOOST_CHECK_EQUAL(e.column(), "n");
        BOOST_CHECK_EQUAL(e.cpp_type(), "int");
        BOOST_CHECK_EQUAL(e.value(), "'abc'");
    }
}

BOOST_AUTO_TEST_SUITE_END()
