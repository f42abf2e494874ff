// Injection fuzz (issue 16 item 9): a few thousand hostile strings (fixed seed) go through every
// way a value reaches SQL — a session's INSERT, a bulk INSERT and UPDATE, ==, in(), contains /
// starts_with / ends_with, a text() named parameter — on every backend. Each is read back byte
// for byte, each predicate matches exactly the rows the same predicate matches in C++, and the
// tables and their row counts are intact afterwards: no value was ever executed as SQL. A value a
// backend cannot store (PostgreSQL: NUL, invalid UTF-8; MariaDB: invalid UTF-8) is a
// dorm::data_error naming the column, never a silent change.
#define BOOST_TEST_MODULE injection
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"

using dorm::col;

namespace inj {

struct Victim {
    int id = 0;
    std::string s;
};
BOOST_DESCRIBE_STRUCT(Victim, (), (id, s))
DORM_TABLE(Victim, "inj_victim")

/// A table the payloads name (DROP TABLE inj_canary, DELETE FROM inj_canary): it must survive.
struct Canary {
    int id = 0;
    std::string note;
};
BOOST_DESCRIBE_STRUCT(Canary, (), (id, note))
DORM_TABLE(Canary, "inj_canary")

}  // namespace inj

using inj::Canary;
using inj::Victim;

namespace {

/// xorshift: the same sequence on every platform and standard library.
struct rng {
    std::uint64_t s = 0x2545f4914f6cdd1dull;
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

std::string operator""_b(const char* p, std::size_t n) { return std::string(p, n); }  // keeps NUL bytes

/// Pieces hostile strings are made of.
const std::vector<std::string>& pieces() {
    static const std::vector<std::string> p = {
        // quotes of every kind, doubled and escaped
        "'", "''", "\"", "\"\"", "`", "``", "\\'", "\\\"", "\\`", "'\\''", "\xc2\xb4" /* ´ */,
        "\xe2\x80\x99" /* ’ */, "\xe2\x80\x9c" /* “ */, "\xef\xbc\x87" /* ＇ fullwidth */, "\xca\xbc" /* ʼ */,
        // backslashes
        "\\", "\\\\", "\\0", "\\n", "\\x27", "\\u0027", "\\%", "\\_", "\\\\'",
        // comments and statement ends
        "--", "-- ", "#", "/*", "*/", "/*!", "/*! DROP TABLE inj_canary */", "*/ ;", ";", "; ", ";\n",
        // dollar quotes, placeholders of every dialect, casts
        "$$", "$q$", "$1", "$2", "$0", "$", "?", "??", ":name", ":v", ":1", "::", "::text", "@x", "@@version",
        "%s", "%d", "%n", "%x", "%%", "{}", "{0}", "${x}", "%(v)s",
        // LIKE wildcards and JSON / array syntax the long-list encodings use
        "%", "_", "[", "]", "[a-z]", "{", "}", ",", "\\\",\"", "\"]", "{\"a\",\"b\"}", "NULL",
        // SQL
        "SELECT", "DROP TABLE inj_canary", "DELETE FROM inj_victim", " OR 1=1", " OR ''='", "UNION SELECT 1",
        "' OR '1'='1", "'; DROP TABLE inj_canary; --", "'); DELETE FROM inj_canary; --", "\"; DROP TABLE inj_canary; --",
        "`; DROP TABLE inj_canary; #", "'||'", "CHAR(39)", "x'27'", "E'\\''", "0x27", "; SELECT pg_sleep(10)--",
        "' AND SLEEP(10)#", "\\'; DROP TABLE inj_canary; -- ", "' /*", "*/ OR 1=1 --",
        // control characters, NUL, MariaDB's ^Z
        "\n", "\r", "\r\n", "\t", "\b", "\x1a", "\x7f", "\0"_b, "a\0b"_b, "\0'"_b, "\\\0"_b,
        // invalid UTF-8: stray continuation, truncated sequences, overlong, surrogate, beyond U+10FFFF
        "\x80", "\xbf", "\xc3", "\xc3\x28", "\xe2\x82", "\xf0\x9f\x98", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
        "\xf4\x90\x80\x80", "\xff", "\xfe", "\xc3'",
        // unicode: accents, other scripts, emoji, joiners, directions, BOM, separators, combining marks
        "\xc3\xa9", "\xc3\x89", "e\xcc\x81", "\xce\xa9", "\xd0\x96", "\xe4\xb8\xad\xe6\x96\x87", "\xf0\x9f\x98\x80",
        "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", "\xe2\x80\x8b", "\xe2\x80\xae", "\xef\xbb\xbf", "\xe2\x80\xa8",
        "\xf4\x8f\xbf\xbf", "\xef\xbf\xbf", "\xc2\xa0",
        // ordinary text, so that the strings share substrings
        "a", "A", "b", "x", " ", "  ", "name", "1", "0", "-1"};
    return p;
}

/// Strict UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
        if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return false;
        i += n + 1;
    }
    return true;
}

/// Whether the backend under test stores `s` in a text column exactly.
bool storable(std::string_view s) {
    if (dorm_test::is_sqlite()) return true;
    if (dorm_test::is_postgresql() && s.find('\0') != std::string_view::npos) return false;
    return valid_utf8(s);
}

std::string shown(std::string_view s) {
    std::string out;
    const std::size_t n = std::min<std::size_t>(s.size(), 120);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c >= 0x7f) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (n < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
    return out;
}

/// `count` hostile strings: classic payloads whole, then random concatenations of pieces, some
/// with random bytes; the empty string too.
std::vector<std::string> hostile_strings(rng& r, std::size_t count) {
    const auto& p = pieces();
    std::vector<std::string> out = {"", "'", "\\", "'; DROP TABLE inj_canary; --", "\\'; DROP TABLE inj_canary; --",
                                    "' OR '1'='1", "$$; DROP TABLE inj_canary; $$", "/* :v */ ?", "\0"_b};
    while (out.size() < count) {
        std::string s;
        const std::size_t k = 1 + r.below(8);
        for (std::size_t i = 0; i < k; ++i) s += p[r.below(p.size())];
        if (r.below(10) == 0)
            for (std::size_t i = r.below(6); i > 0; --i) s += static_cast<char>(r.next());
        if (r.below(50) == 0) s = std::string(200 + r.below(3000), s.empty() ? 'q' : s[0]) + s;  // medium length
        out.push_back(std::move(s));
    }
    return out;
}

struct injection_db {
    dorm::engine engine = dorm_test::make_engine();
    dorm::metadata<Victim, Canary> meta;
    std::vector<std::string> stored;  // index i: the row with id i + 1
    static constexpr std::string_view canary_note = "still here";

    injection_db() {
        meta.drop_all(engine);
        meta.create_all(engine);
        dorm::session s(engine);
        s.add(Canary{.note = std::string(canary_note)});
        s.commit();
    }
    ~injection_db() {
        try {
            meta.drop_all(engine);
        } catch (...) {
        }
    }
    injection_db(const injection_db&) = delete;
    injection_db& operator=(const injection_db&) = delete;

    /// Both tables exist with the rows they should have; the canary is unchanged.
    void intact() {
        auto c = engine.connect();
        const auto victims = dorm::execute(c, dorm::select(dorm::count()).select_from<Victim>()).scalar_one();
        BOOST_TEST(victims == static_cast<std::int64_t>(stored.size()));
        const auto canaries = dorm::execute(c, dorm::select<Canary>()).all();
        BOOST_TEST_REQUIRE(canaries.size() == 1u);
        BOOST_TEST(canaries[0].note == canary_note);
    }

    /// Every row read back equals what was stored, byte for byte.
    void read_back() {
        auto c = engine.connect();
        const auto rows = dorm::execute(c, dorm::select<Victim>().order_by(col(&Victim::id))).all();
        BOOST_TEST_REQUIRE(rows.size() == stored.size());
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (rows[i].id == static_cast<int>(i) + 1 && rows[i].s == stored[i]) continue;
            if (++wrong <= 5)
                BOOST_ERROR("row " << rows[i].id << ": stored '" << shown(stored[i]) << "', read '" << shown(rows[i].s)
                                   << "'");
        }
        BOOST_TEST(wrong == 0u);
    }

    /// Ids of the stored rows where `pred` holds.
    template <class Pred>
    std::vector<int> expected(Pred pred) const {
        std::vector<int> out;
        for (std::size_t i = 0; i < stored.size(); ++i)
            if (pred(std::string_view(stored[i]))) out.push_back(static_cast<int>(i) + 1);
        return out;
    }
};

/// The data_error a value the backend cannot store must raise: it names the table and column.
bool names_the_column(const dorm::data_error& e) {
    return e.table() == "inj_victim" && e.column() == "s";
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(hostile_strings_are_values_everywhere, injection_db) {
    const auto started = std::chrono::steady_clock::now();
    rng r;
    const auto all = hostile_strings(r, 3500);
    std::vector<std::string> good, bad;
    for (const auto& s : all) (storable(s) ? good : bad).push_back(s);
    BOOST_TEST_MESSAGE(dorm_test::backend() << ": " << good.size() << " storable, " << bad.size() << " not");
    BOOST_TEST(good.size() > 1800u);
    if (!dorm_test::is_sqlite()) BOOST_TEST(bad.size() > 100u);  // the refusals are exercised

    // 1. stored: the first half through a session's flush, the rest through one bulk INSERT
    const std::size_t half = good.size() / 2;
    {
        dorm::session s(engine);
        for (std::size_t i = 0; i < half; ++i) s.add(Victim{.s = good[i]});
        s.commit();
        stored.insert(stored.end(), good.begin(), good.begin() + static_cast<std::ptrdiff_t>(half));
    }
    {
        std::vector<Victim> rows;
        for (std::size_t i = half; i < good.size(); ++i) rows.push_back(Victim{.s = good[i]});
        dorm::session s(engine);
        BOOST_TEST(s.execute(dorm::insert<Victim>().values(rows)).rowcount() == static_cast<std::int64_t>(rows.size()));
        s.commit();
        stored.insert(stored.end(), good.begin() + static_cast<std::ptrdiff_t>(half), good.end());
    }
    read_back();
    intact();

    // 2. changed: a bulk UPDATE per row (the value in SET, the old value in WHERE) and a session's
    //    UPDATE of a loaded object
    {
        dorm::session s(engine);
        for (std::size_t k = 0; k < 200; ++k) {
            const std::size_t i = r.below(stored.size());
            const std::string& v = good[r.below(good.size())];
            const auto n = s.execute(dorm::update<Victim>()
                                         .set(col(&Victim::s), v)
                                         .where(col(&Victim::id) == static_cast<int>(i) + 1 && col(&Victim::s) == stored[i]))
                               .rowcount();
            BOOST_TEST(n == 1, "bulk UPDATE of row " << i + 1 << " to '" << shown(v) << "'");
            stored[i] = v;
        }
        s.commit();
        for (std::size_t k = 0; k < 200; ++k) {
            const std::size_t i = r.below(stored.size());
            auto obj = s.get<Victim>(static_cast<int>(i) + 1);
            BOOST_TEST_REQUIRE(obj);
            obj->s = good[r.below(good.size())];
            stored[i] = obj->s;
        }
        s.commit();
    }
    read_back();
    intact();

    // 3. where values: each predicate matches exactly the rows C++ says
    std::vector<std::string> needles;
    for (std::size_t k = 0; k < 1000; ++k) needles.push_back(stored[r.below(stored.size())]);
    for (std::size_t k = 0; k < 400; ++k) {  // parts of stored values, cut between pieces or not at all
        const auto& v = stored[r.below(stored.size())];
        const std::size_t from = r.below(v.size() + 1);
        std::string part = v.substr(from, r.below(v.size() - from + 1));
        if (storable(part)) needles.push_back(std::move(part));
    }
    for (std::size_t k = 0; k < 200; ++k) needles.push_back(good[r.below(good.size())] + pieces()[r.below(pieces().size())]);
    std::erase_if(needles, [](const std::string& n) { return !storable(n); });
    auto c = engine.connect();
    const auto w = col(&Victim::s);
    const auto id = col(&Victim::id);
    auto ids = [&](const auto& cond) { return dorm::execute(c, dorm::select(id).where(cond).order_by(id)).all(); };
    const std::string by_text = "SELECT id FROM " + dorm_test::q("inj_victim") + " WHERE s = :v ORDER BY id";
    std::size_t matched = 0, failures = 0;
    for (std::size_t k = 0; k < needles.size() && failures < 20; ++k) {
        const auto& n = needles[k];
        const auto& other = needles[(k * 7 + 3) % needles.size()];
        const auto eq = expected([&](std::string_view x) { return x == n; });
        const auto in = expected([&](std::string_view x) { return x == n || x == other; });
        const auto contains = expected([&](std::string_view x) { return x.find(n) != std::string_view::npos; });
        const auto starts = expected([&](std::string_view x) { return x.starts_with(n); });
        const auto ends = expected([&](std::string_view x) { return x.ends_with(n); });
        const bool ok = ids(w == n) == eq && ids(w.in({n, other})) == in && ids(w.contains(n)) == contains &&
                        ids(w.starts_with(n)) == starts && ids(w.ends_with(n)) == ends &&
                        dorm::execute(c, dorm::text<int>(by_text, {{"v", n}})).all() == eq;
        if (!ok) {
            ++failures;
            BOOST_ERROR("needle '" << shown(n) << "' (and in() with '" << shown(other)
                                   << "'): a predicate matched other rows than C++");
        }
        matched += contains.size();
    }
    BOOST_TEST(failures == 0u);
    BOOST_TEST(matched > 2000u);  // the needles do match rows: the comparison is not vacuous
    intact();

    // 4. what the backend cannot store: a data_error naming the column, from a session's flush,
    //    a bulk INSERT and a bulk UPDATE alike; nothing is written
    std::size_t refused = 0, wrong = 0;
    for (const auto& v : bad) {
        const auto kind = refused % 3;
        dorm::session s(engine);
        bool right = false;
        std::string what = "nothing";
        try {
            if (kind == 0) {
                s.add(Victim{.s = v});
                s.commit();
            } else if (kind == 1) {
                s.execute(dorm::insert<Victim>().values({Victim{.s = "before"}, Victim{.s = v}}));
            } else {
                s.execute(dorm::update<Victim>().set(col(&Victim::s), v).where(col(&Victim::id) == 1));
            }
        } catch (const dorm::data_error& e) {
            right = names_the_column(e);
            what = e.what();
        } catch (const std::exception& e) {
            what = std::string("not a data_error: ") + e.what();
        }
        s.rollback();
        // as a where value or a text() parameter it is refused too (before any SQL is sent)
        if (right) {
            auto c = engine.connect();
            const auto said_why = [](const dorm::data_error& e) {
                const std::string m = e.what();
                return m.find("NUL") != std::string::npos || m.find("UTF-8") != std::string::npos;
            };
            try {
                if (kind == 0)
                    dorm::execute(c, dorm::select(col(&Victim::id)).where(col(&Victim::s) == v)).all();
                else if (kind == 1)
                    dorm::execute(c, dorm::select(col(&Victim::id)).where(col(&Victim::s).contains(v))).all();
                else
                    dorm::execute(c, dorm::text<int>("SELECT id FROM " + dorm_test::q("inj_victim") + " WHERE s = :v",
                                                     {{"v", v}}))
                        .all();
                right = false;
                what = "no error as a where value";
            } catch (const dorm::data_error& e) {
                right = said_why(e);
                what = e.what();
            } catch (const std::exception& e) {
                right = false;
                what = std::string("as a where value, not a data_error: ") + e.what();
            }
        }
        if (!right && ++wrong <= 20)
            BOOST_ERROR("storing '" << shown(v) << "' (" << (kind == 0 ? "session" : kind == 1 ? "bulk insert" : "bulk update")
                                    << "): expected a data_error naming inj_victim.s, got " << what);
        ++refused;
    }
    BOOST_TEST(wrong == 0u);
    read_back();
    intact();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    BOOST_TEST_MESSAGE(dorm_test::backend() << ": " << needles.size() << " needles, " << refused << " refusals, "
                                            << seconds << " s");
}

/// The bytes of `s` from `from`, `n` of them, both ends moved back to the start of a UTF-8
/// character (a cut inside one would make invalid UTF-8, which the servers refuse).
std::string part(const std::string& s, std::size_t from, std::size_t n = std::string::npos) {
    auto start_of = [&](std::size_t i) {
        while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) --i;
        return i;
    };
    const std::size_t b = start_of(from);
    const std::size_t e = n == std::string::npos ? s.size() : start_of(std::min(s.size(), from + n));
    return s.substr(b, e - b);
}

BOOST_FIXTURE_TEST_CASE(megabyte_values_round_trip_and_match, injection_db) {
    rng r;
    const auto& p = pieces();
    std::vector<std::string> longs;
    for (const std::size_t size : {std::size_t{65'536}, std::size_t{1'000'000}, std::size_t{3'000'000}}) {
        std::string s;
        while (s.size() < size) {
            const auto& piece = p[r.below(p.size())];
            if (storable(piece)) s += piece;
        }
        longs.push_back(std::move(s));
    }
    longs.push_back(part(longs[2], 0, 2'500'000));  // a prefix of another row
    {
        dorm::session s(engine);
        s.add(Victim{.s = longs[0]});
        s.add(Victim{.s = longs[1]});
        s.commit();
        s.execute(dorm::insert<Victim>().values({Victim{.s = longs[2]}, Victim{.s = longs[3]}}));
        s.commit();
        stored = longs;
    }
    read_back();
    const auto w = col(&Victim::s);
    const auto id = col(&Victim::id);
    auto c = engine.connect();
    auto ids = [&](const auto& cond) { return dorm::execute(c, dorm::select(id).where(cond).order_by(id)).all(); };
    for (const auto& n : {longs[2], longs[3], part(longs[2], 0, 1'000'000), part(longs[2], 1'000'000, 200'000),
                          part(longs[2], 2'000'000), part(longs[1], 500'000, 100)}) {
        BOOST_TEST_CONTEXT("needle of " << n.size() << " bytes") {
            BOOST_TEST(ids(w == n) == expected([&](std::string_view x) { return x == n; }));
            BOOST_TEST(ids(w.in({n, longs[0]})) == expected([&](std::string_view x) { return x == n || x == longs[0]; }));
            BOOST_TEST(ids(w.contains(n)) == expected([&](std::string_view x) { return x.find(n) != x.npos; }));
            BOOST_TEST(ids(w.starts_with(n)) == expected([&](std::string_view x) { return x.starts_with(n); }));
            BOOST_TEST(ids(w.ends_with(n)) == expected([&](std::string_view x) { return x.ends_with(n); }));
        }
    }
    intact();
}
