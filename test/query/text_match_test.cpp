// `==`, contains, starts_with and ends_with match exactly the rows that hold the value, byte for
// byte, on every backend (issue 16 item 4): a property test compares each with the same predicate
// evaluated in C++ over random text (fixed seed) with case pairs, accents, LIKE wildcards, the
// escape character, quotes, spaces, and NUL / invalid UTF-8 where the backend stores them.
#define BOOST_TEST_MODULE text_match
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/dorm.hpp>

#include "fixture.hpp"

using dorm::col;

namespace tm_ {

struct Word {
    int id = 0;
    std::string w;
};
BOOST_DESCRIBE_STRUCT(Word, (), (id, w))
DORM_TABLE(Word, "tm_word")

/// A column that asks for MariaDB's case- and accent-insensitive collation.
struct Loose {
    int id = 0;
    std::string w;
};
BOOST_DESCRIBE_STRUCT(Loose, (), (id, w))
DORM_TABLE(Loose, "tm_loose", (w, dorm::varchar(40), dorm::collation("utf8mb4_general_ci")))

}  // namespace tm_

using tm_::Loose;
using tm_::Word;

namespace {

/// The pieces random text is made of: what the backend can store.
std::vector<std::string> alphabet() {
    std::vector<std::string> a{"a", "A", "b", "B", "\xc3\xa9" /* é */, "\xc3\x89" /* É */, "e", "%", "_", "/",
                               "\\", "'", "\"", " "};
    if (!dorm_test::is_postgresql()) a.push_back(std::string(1, '\0'));  // PostgreSQL text cannot hold NUL
    if (dorm_test::is_sqlite()) {                                          // the servers refuse invalid UTF-8
        a.push_back("\xff");
        a.push_back("\xfe");
        a.push_back("\xc3");
    }
    return a;
}

/// xorshift: the same sequence on every platform and standard library.
struct rng {
    std::uint64_t s = 0x9e3779b97f4a7c15ull;
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

/// Random pieces of the alphabet (a text is cut only between pieces: never inside a character).
std::vector<std::string> random_pieces(rng& r, const std::vector<std::string>& a, std::size_t max_pieces) {
    std::vector<std::string> p(r.below(max_pieces + 1));
    for (auto& x : p) x = a[r.below(a.size())];
    return p;
}
std::string joined(const std::vector<std::string>& p, std::size_t from = 0, std::size_t n = std::string::npos) {
    std::string s;
    for (std::size_t i = from; i < p.size() && i - from < n; ++i) s += p[i];
    return s;
}

struct words_db : dorm_test::database<Word, Loose> {
    std::vector<std::string> words;  // index i: the row with id i + 1

    void store(const std::vector<std::string>& ws) {
        dorm::session s(engine);
        for (const auto& w : ws) {
            s.add(Word{.w = w});
            words.push_back(w);
        }
        s.commit();
    }
    /// Ids of the rows where `cond` holds, ascending.
    template <class Cond>
    std::vector<int> ids(const Cond& cond) {
        dorm::session s(engine);
        return s.execute(dorm::select(col(&Word::id)).where(cond).order_by(col(&Word::id))).all();
    }
    /// Ids of the stored words where `pred` holds, ascending.
    template <class Pred>
    std::vector<int> expected(Pred pred) const {
        std::vector<int> out;
        for (std::size_t i = 0; i < words.size(); ++i)
            if (pred(std::string_view(words[i]))) out.push_back(static_cast<int>(i) + 1);
        return out;
    }
};

std::string shown(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (c < 0x20 || c >= 0x7f) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(helpers_and_equality_agree_with_cpp_on_random_text, words_db) {
    const auto a = alphabet();
    rng r;
    std::vector<std::vector<std::string>> pieces;
    std::vector<std::string> ws;
    for (int i = 0; i < 400; ++i) {
        pieces.push_back(random_pieces(r, a, 5));
        ws.push_back(joined(pieces.back()));
    }
    store(ws);
    std::vector<std::string> needles;
    for (int i = 0; i < 60; ++i) needles.push_back(joined(random_pieces(r, a, 3)));
    for (int i = 0; i < 30; ++i) {  // parts of stored words, so that matches are not rare
        const auto& p = pieces[r.below(pieces.size())];
        const std::size_t from = r.below(p.size() + 1);
        needles.push_back(joined(p, from, r.below(p.size() - from + 1)));
    }
    const auto w = col(&Word::w);
    std::size_t matched = 0;
    for (const auto& n : needles) {
        BOOST_TEST_CONTEXT("needle '" << shown(n) << "'") {
            const auto eq = expected([&](std::string_view x) { return x == n; });
            const auto contains = expected([&](std::string_view x) { return x.find(n) != std::string_view::npos; });
            const auto starts = expected([&](std::string_view x) { return x.starts_with(n); });
            const auto ends = expected([&](std::string_view x) { return x.ends_with(n); });
            BOOST_TEST(ids(w == n) == eq, boost::test_tools::per_element());
            BOOST_TEST(ids(w.contains(n)) == contains, boost::test_tools::per_element());
            BOOST_TEST(ids(w.starts_with(n)) == starts, boost::test_tools::per_element());
            BOOST_TEST(ids(w.ends_with(n)) == ends, boost::test_tools::per_element());
            BOOST_TEST(ids(!w.contains(n)).size() == words.size() - contains.size());
            matched += contains.size();
        }
    }
    BOOST_TEST(matched > 1000u);  // the needles do match rows: the comparison is not vacuous
}

BOOST_FIXTURE_TEST_CASE(case_accents_and_trailing_spaces_count, words_db) {
    store({"abc", "ABC", "Abc", "abc ", "\xc3\xa9t\xc3\xa9", "ete", "\xc3\x89T\xc3\x89"});
    const auto w = col(&Word::w);
    BOOST_TEST(ids(w == "abc") == std::vector<int>{1}, boost::test_tools::per_element());
    BOOST_TEST(ids(w.contains("bc")) == (std::vector<int>{1, 3, 4}), boost::test_tools::per_element());
    BOOST_TEST(ids(w.starts_with("ab")) == (std::vector<int>{1, 4}), boost::test_tools::per_element());
    BOOST_TEST(ids(w.ends_with("c")) == (std::vector<int>{1, 3}), boost::test_tools::per_element());
    BOOST_TEST(ids(w == "\xc3\xa9t\xc3\xa9") == std::vector<int>{5}, boost::test_tools::per_element());
    BOOST_TEST(ids(w.contains("t\xc3\xa9")) == std::vector<int>{5}, boost::test_tools::per_element());
    // like() compares case on every backend (SQLite's own LIKE would not)
    BOOST_TEST(ids(w.like("ab%")) == (std::vector<int>{1, 4}), boost::test_tools::per_element());
    BOOST_TEST(ids(w.like("A%")) == (std::vector<int>{2, 3}), boost::test_tools::per_element());
    BOOST_TEST(ids(w.like("%C")) == std::vector<int>{2}, boost::test_tools::per_element());
    BOOST_TEST(ids(w.not_like("%c")) == (std::vector<int>{2, 4, 5, 6, 7}), boost::test_tools::per_element());
    // ilike is the case-insensitive one (ASCII case everywhere)
    BOOST_TEST(ids(w.ilike("abc")) == (std::vector<int>{1, 2, 3}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(values_of_any_length, words_db) {
    // SQLite refuses LIKE patterns over 50,000 bytes ("LIKE or GLOB pattern too complex")
    std::string big(70'000, 'x');
    big[35'000] = '%';
    store({big, big.substr(0, 60'000), "x"});
    const auto w = col(&Word::w);
    BOOST_TEST(ids(w.contains(big.substr(1, 60'000))) == std::vector<int>{1}, boost::test_tools::per_element());
    BOOST_TEST(ids(w.starts_with(big.substr(0, 60'000))) == (std::vector<int>{1, 2}), boost::test_tools::per_element());
    BOOST_TEST(ids(w.ends_with(big.substr(10'000))) == std::vector<int>{1}, boost::test_tools::per_element());
    BOOST_TEST(ids(w == big) == std::vector<int>{1}, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(a_nul_byte_is_a_character_or_a_clear_error, words_db) {
    const std::string with_nul("q\0r", 3);
    if (dorm_test::is_postgresql()) {
        // PostgreSQL text cannot hold it: refused before it is sent, naming the problem
        BOOST_CHECK_EXCEPTION(store({with_nul}), dorm::data_error, [](const dorm::data_error& e) {
            return std::string(e.what()).find("NUL") != std::string::npos;
        });
        BOOST_CHECK_EXCEPTION(ids(col(&Word::w).contains(with_nul)), dorm::data_error, [](const dorm::data_error& e) {
            return std::string(e.what()).find("NUL") != std::string::npos;
        });
        return;
    }
    store({with_nul, "q", "r", "qr"});
    const auto w = col(&Word::w);
    BOOST_TEST(ids(w.contains(std::string("\0", 1))) == std::vector<int>{1}, boost::test_tools::per_element());
    BOOST_TEST(ids(w.contains(std::string("\0q", 2))).empty());  // not every row
    BOOST_TEST(ids(w.starts_with(with_nul)) == std::vector<int>{1}, boost::test_tools::per_element());
    BOOST_TEST(ids(w.ends_with(std::string("\0r", 2))) == std::vector<int>{1}, boost::test_tools::per_element());
    BOOST_TEST(ids(w == with_nul) == std::vector<int>{1}, boost::test_tools::per_element());
    BOOST_TEST(ids(w == "q") == std::vector<int>{2}, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(a_collation_option_makes_a_column_insensitive_on_mariadb, words_db) {
    {
        dorm::session s(engine);
        s.add(Loose{.w = "Alice"});
        s.add(Loose{.w = "\xc3\xa9t\xc3\xa9"});
        s.commit();
    }
    dorm::session s(engine);
    auto count = [&](const auto& cond) {
        return s.execute(dorm::select(dorm::count()).select_from<Loose>().where(cond)).scalar_one();
    };
    const auto w = col(&Loose::w);
    // utf8mb4_general_ci on MariaDB; the other backends have no such collation and compare exactly
    const std::int64_t loose = dorm_test::is_mysql() ? 1 : 0;
    BOOST_TEST(count(w == "ALICE") == loose);
    BOOST_TEST(count(w == "ete") == loose);
    BOOST_TEST(count(w.contains("LIC")) == loose);
    BOOST_TEST(count(w == "Alice") == 1);
}
