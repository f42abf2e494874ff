// dorm::value accessors, Python-style repr and the echo parameter formatting (no database).
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <dorm/engine/value.hpp>
#include <dorm/error.hpp>

#include "echo.hpp"  // private: lib/engine/echo.hpp

using dorm::value;

namespace {

dorm::blob bytes(std::string_view s) {
    dorm::blob b;
    for (char c : s) b.push_back(static_cast<std::byte>(c));
    return b;
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const dorm::argument_error& e) {
        return e.what();
    }
    return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(value_accessors)

BOOST_AUTO_TEST_CASE(kinds) {
    BOOST_TEST((value().kind() == dorm::value_kind::null));
    BOOST_TEST(value(nullptr).is_null());
    BOOST_TEST(value(true).as_int() == 1);
    BOOST_TEST(value(42).as_int() == 42);
    BOOST_TEST(value(std::int64_t{-7}).as_int() == -7);
    BOOST_TEST(value(2.5).as_double() == 2.5);
    BOOST_TEST(value(3).as_double() == 3.0);  // integers convert
    BOOST_TEST(value("abc").as_text() == "abc");
    BOOST_TEST(value(std::string_view("x")).as_text() == "x");
    BOOST_TEST((value(bytes("ab")).as_blob() == bytes("ab")));
}

BOOST_AUTO_TEST_CASE(wrong_kind_says_which) {
    BOOST_TEST(message_of([] { (void)value("abc").as_int(); }) == "dorm::value::as_int: the value is text, not integer");
    BOOST_TEST(message_of([] { (void)value().as_double(); }) == "dorm::value::as_double: the value is null, not real");
    BOOST_TEST(message_of([] { (void)value(1).as_text(); }) == "dorm::value::as_text: the value is integer, not text");
    BOOST_TEST(message_of([] { (void)value(1.5).as_blob(); }) == "dorm::value::as_blob: the value is real, not blob");
    BOOST_TEST(message_of([] { (void)value(bytes("")).as_int(); }) ==
               "dorm::value::as_int: the value is blob, not integer");
    BOOST_CHECK_THROW((void)value(1.5).as_int(), dorm::argument_error);
}

// value is a tagged union with hand-written copy, move and assignment (lib/engine/value.cpp):
// every pair of kinds, then random sequences checked against a plain model, with a fixed seed.
// (Leaks and double frees show under the ASan and valgrind runs of CI.)
namespace {
struct value_model {
    dorm::value_kind kind = dorm::value_kind::null;
    std::int64_t i = 0;
    double d = 0;
    std::string s;
    dorm::blob b;
};
value make(const value_model& m) {
    switch (m.kind) {
        case dorm::value_kind::null: return value();
        case dorm::value_kind::integer: return value(m.i);
        case dorm::value_kind::real: return value(m.d);
        case dorm::value_kind::text: return value(m.s);
        case dorm::value_kind::blob: return value(m.b);
    }
    return value();
}
bool matches(const value& v, const value_model& m) {
    if (v.kind() != m.kind || v.is_null() != (m.kind == dorm::value_kind::null)) return false;
    switch (m.kind) {
        case dorm::value_kind::null: return true;
        case dorm::value_kind::integer: return v.as_int() == m.i;
        case dorm::value_kind::real: return v.as_double() == m.d;
        case dorm::value_kind::text: return v.as_text() == m.s;
        case dorm::value_kind::blob: return v.as_blob() == m.b;
    }
    return false;
}
std::vector<value_model> one_of_each_kind() {
    std::vector<value_model> out(5);
    out[1].kind = dorm::value_kind::integer, out[1].i = -42;
    out[2].kind = dorm::value_kind::real, out[2].d = 2.5;
    out[3].kind = dorm::value_kind::text, out[3].s = std::string(100, 'x');  // beyond the small-string buffer
    out[4].kind = dorm::value_kind::blob, out[4].b = bytes("\x01\x02\x03");
    return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(copy_move_and_assign_between_every_kind) {
    const auto models = one_of_each_kind();
    for (const auto& a : models) {
        const value src = make(a);
        value copied(src);
        BOOST_TEST(matches(copied, a));
        BOOST_TEST(matches(src, a));
        BOOST_TEST((copied == src));
        value moved(std::move(copied));
        BOOST_TEST(matches(moved, a));
        for (const auto& b : models) {
            value target = make(b);
            target = src;  // copy-assign over every kind
            BOOST_TEST(matches(target, a));
            BOOST_TEST((target == src));
            value target2 = make(b);
            value tmp = make(a);
            target2 = std::move(tmp);  // move-assign over every kind
            BOOST_TEST(matches(target2, a));
            BOOST_TEST(((make(a) == make(b)) == (&a == &b)));  // one model per kind: equal only to itself
        }
        value self = make(a);
        const value& alias = self;
        self = alias;  // self-assignment keeps the value
        BOOST_TEST(matches(self, a));
        value& same = self;
        self = std::move(same);  // and self-move
        BOOST_TEST(matches(self, a));
    }
}

BOOST_AUTO_TEST_CASE(boundary_values_survive_copy_move_and_assignment) {
    using lim = std::numeric_limits<std::int64_t>;
    const std::string with_nul("a\0b", 3);
    const std::vector<value> edges{value(lim::min()), value(lim::max()), value(std::int64_t{0}),
                                   value(-0.0), value(std::numeric_limits<double>::infinity()),
                                   value(-std::numeric_limits<double>::max()), value(std::numeric_limits<double>::denorm_min()),
                                   value(std::string()), value(with_nul), value(std::string(1 << 16, 'z')),
                                   value(dorm::blob{}), value(bytes(std::string("\0\xff", 2)))};
    for (const auto& e : edges) {
        value copied(e);
        BOOST_TEST((copied == e));
        value moved(std::move(copied));
        BOOST_TEST((moved == e));
        value assigned("replaced");  // text over text, then over every other kind
        assigned = e;
        BOOST_TEST((assigned == e));
        value move_assigned(42);
        value tmp(e);
        move_assigned = std::move(tmp);
        BOOST_TEST((move_assigned == e));
    }
    BOOST_TEST(edges[0].as_int() == lim::min());
    BOOST_TEST(edges[1].as_int() == lim::max());
    BOOST_TEST(std::signbit(value(edges[3]).as_double()));  // -0.0 keeps its sign through a copy
    BOOST_TEST(value(edges[8]).as_text().size() == 3u);     // an embedded NUL does not cut the text
    BOOST_TEST(value(edges[8]).as_text() == with_nul);
    BOOST_TEST(value(edges[9]).as_text().size() == std::size_t{1} << 16);
    BOOST_TEST(value(edges[10]).as_blob().empty());
    BOOST_TEST((value(edges[11]).as_blob() == bytes(std::string("\0\xff", 2))));
    // NaN: a copy is still NaN, and (as for double) it equals nothing, itself included
    const value nan(std::numeric_limits<double>::quiet_NaN());
    const value nan_copy(nan);
    BOOST_TEST(std::isnan(nan_copy.as_double()));
    BOOST_TEST(!(nan_copy == nan));
    // equality needs the same kind: 1 and 1.0 differ, "" and an empty blob differ
    BOOST_TEST(!(value(1) == value(1.0)));
    BOOST_TEST(!(value(std::string()) == value(dorm::blob{})));
    BOOST_TEST((value() == value(nullptr)));
}

BOOST_AUTO_TEST_CASE(random_sequences_match_a_plain_model) {
    std::mt19937_64 rng(20261205);
    auto random_model = [&] {
        value_model m;
        m.kind = static_cast<dorm::value_kind>(rng() % 5);
        m.i = static_cast<std::int64_t>(rng());
        m.d = static_cast<double>(rng() % 100000) / 8.0;
        m.s = std::string(rng() % 40, static_cast<char>('a' + rng() % 26));
        m.b.assign(rng() % 40, static_cast<std::byte>(rng() % 256));
        return m;
    };
    std::vector<value> values(8);
    std::vector<value_model> models(8);
    int checked = 0;
    for (int step = 0; step < 20000; ++step) {
        const std::size_t x = rng() % values.size(), y = rng() % values.size();
        switch (rng() % 5) {
            case 0: models[x] = random_model(), values[x] = make(models[x]); break;
            case 1: values[x] = values[y], models[x] = models[y]; break;
            case 2: {
                value moved(std::move(values[y]));
                values[x] = std::move(moved);
                models[x] = models[y];
                if (x != y) values[y] = make(models[y]);  // a moved-from value is only assigned to
                break;
            }
            case 3: std::swap(values[x], values[y]), std::swap(models[x], models[y]); break;
            case 4: values.push_back(values[x]), models.push_back(models[x]); break;  // may reallocate (moves)
        }
        if (values.size() > 32) values.resize(8), models.resize(8);
        for (std::size_t k = 0; k < values.size(); ++k) {
            if (!matches(values[k], models[k])) {
                BOOST_FAIL("step " << step << ": value " << k << " is " << values[k].repr());
            }
            ++checked;
        }
    }
    BOOST_TEST(checked > 100000);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(python_repr)

BOOST_AUTO_TEST_CASE(none_and_ints) {
    BOOST_TEST(value().repr() == "None");
    BOOST_TEST(value(0).repr() == "0");
    BOOST_TEST(value(-42).repr() == "-42");
    BOOST_TEST(value(true).repr() == "1");  // stored as an integer
    BOOST_TEST(value(std::numeric_limits<std::int64_t>::min()).repr() == "-9223372036854775808");
}

BOOST_AUTO_TEST_CASE(floats) {
    // expected strings are Python 3's repr()
    const std::pair<double, const char*> cases[] = {
        {1.0, "1.0"},
        {0.1, "0.1"},
        {1e100, "1e+100"},
        {1e16, "1e+16"},
        {1e15, "1000000000000000.0"},
        {0.0001, "0.0001"},
        {1e-05, "1e-05"},
        {0.001, "0.001"},
        {-0.0, "-0.0"},
        {0.0, "0.0"},
        {1.5, "1.5"},
        {-2.25, "-2.25"},
        {123456789.123, "123456789.123"},
        {2.5e-10, "2.5e-10"},
        {1.0 / 3, "0.3333333333333333"},
        {1e22, "1e+22"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {12345678901234567.0, "1.2345678901234568e+16"},
        {std::numeric_limits<double>::infinity(), "inf"},
        {-std::numeric_limits<double>::infinity(), "-inf"},
        {std::nan(""), "nan"},
    };
    for (const auto& [d, expected] : cases) {
        BOOST_TEST_INFO("expected " << expected);
        BOOST_TEST(value(d).repr() == expected);
    }
    BOOST_TEST(value(0.1f).repr() == "0.10000000149011612");  // float widens to double, as in Python
}

BOOST_AUTO_TEST_CASE(strings) {
    BOOST_TEST(value("abc").repr() == "'abc'");
    BOOST_TEST(value("").repr() == "''");
    BOOST_TEST(value("it's").repr() == R"("it's")");
    BOOST_TEST(value(R"(say "hi")").repr() == R"('say "hi"')");
    BOOST_TEST(value(R"(both ' and ")").repr() == R"('both \' and "')");
    static constexpr char raw[] = "tab\there\nnl\\ \0 \x7f \x1b \r";
    BOOST_TEST(value(std::string(raw, sizeof raw - 1)).repr() ==
               R"('tab\there\nnl\\ \x00 \x7f \x1b \r')");
    BOOST_TEST(value("héllo ✓ 😀").repr() == "'héllo ✓ 😀'");
    // non-printable code points: U+00A0, U+200B, U+E000, U+10FFFF, U+2028, U+0085
    BOOST_TEST(value("\u00a0\u200b\ue000\U0010ffff\u2028\u0085").repr() ==
               R"('\xa0\u200b\ue000\U0010ffff\u2028\x85')");
    // bytes that are not UTF-8 are shown as \x escapes
    BOOST_TEST(value(std::string("a\xff" "b")).repr() == R"('a\xffb')");
}

BOOST_AUTO_TEST_CASE(blobs) {
    BOOST_TEST(value(bytes("")).repr() == "b''");
    BOOST_TEST(value(bytes("abc")).repr() == "b'abc'");
    BOOST_TEST(value(bytes("it's")).repr() == R"(b"it's")");
    BOOST_TEST(value(bytes(std::string("\0\xff\n\\", 4))).repr() == R"(b'\x00\xff\n\\')");
    BOOST_TEST(value(bytes(R"(both ' ")")).repr() == R"(b'both \' "')");
}

BOOST_AUTO_TEST_CASE(tuples) {
    BOOST_TEST(dorm::repr(std::vector<value>{}) == "()");
    BOOST_TEST(dorm::repr(std::vector<value>{"a"}) == "('a',)");
    BOOST_TEST(dorm::repr(std::vector<value>{"a", 1}) == "('a', 1)");
    BOOST_TEST(dorm::repr(std::vector<value>{nullptr, 1.5, "x"}) == "(None, 1.5, 'x')");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(echo_format)

BOOST_AUTO_TEST_CASE(long_values_are_middle_truncated) {
    const std::string big(5000, 'x');
    // repr is 5002 characters: 150 kept at each end, 4702 dropped (SQLAlchemy's test_log_large_parameter_single)
    const std::string expected = "'" + std::string(149, 'x') + " ... (4702 characters truncated) ... " +
                                 std::string(149, 'x') + "'";
    BOOST_TEST(dorm::detail::echo_value(big) == expected);
    BOOST_TEST(dorm::detail::echo_value(std::string(298, 'y')) == "'" + std::string(298, 'y') + "'");  // 300: kept
    BOOST_TEST(dorm::detail::echo_value(std::string(299, 'y')) ==
               "'" + std::string(149, 'y') + " ... (1 characters truncated) ... " + std::string(149, 'y') + "'");
    // counted in characters, not bytes
    std::string accents;
    for (int i = 0; i < 298; ++i) accents += "é";
    BOOST_TEST(dorm::detail::echo_value(accents) == "'" + accents + "'");
    std::string accents_long = accents + "éé";
    std::string kept;
    for (int i = 0; i < 149; ++i) kept += "é";
    BOOST_TEST(dorm::detail::echo_value(accents_long) ==
               "'" + kept + " ... (2 characters truncated) ... " + kept + "'");
}

BOOST_AUTO_TEST_CASE(tuples_and_lists) {
    const std::vector<value> one{"sandy"};
    BOOST_TEST(dorm::detail::echo_params(one) == "('sandy',)");
    BOOST_TEST(dorm::detail::echo_params(std::vector<value>{}) == "()");
    BOOST_TEST(dorm::detail::echo_params(std::vector<value>{"Alice", 30}) == "('Alice', 30)");
    const std::string lp1(5000, 'a'), lp2(200, 'b'), lp3(670, 'c');
    const std::vector<std::vector<value>> sets{{lp1}, {lp2}, {lp3}};
    BOOST_TEST(dorm::detail::echo_param_sets(sets, sets.size()) ==
               "[('" + std::string(149, 'a') + " ... (4702 characters truncated) ... " + std::string(149, 'a') +
                   "',), ('" + lp2 + "',), ('" + std::string(149, 'c') + " ... (372 characters truncated) ... " +
                   std::string(149, 'c') + "',)]");
}

BOOST_AUTO_TEST_CASE(many_parameter_sets) {
    std::vector<std::vector<value>> sets;
    for (int i = 0; i < 100; ++i) sets.push_back({std::to_string(i)});
    // SQLAlchemy's test_log_large_list_of_tuple
    BOOST_TEST(dorm::detail::echo_param_sets(sets, sets.size()) ==
               "[('0',), ('1',), ('2',), ('3',), ('4',), ('5',), ('6',), ('7',)  ... displaying 10 of 100 total "
               "bound parameter sets ...  ('98',), ('99',)]");
    std::vector<std::vector<value>> ten(sets.begin(), sets.begin() + 10);
    BOOST_TEST(dorm::detail::echo_param_sets(ten, 10) ==
               "[('0',), ('1',), ('2',), ('3',), ('4',), ('5',), ('6',), ('7',), ('8',), ('9',)]");
    std::vector<std::vector<value>> two{{"A", 1}, {"B", 2}};
    BOOST_TEST(dorm::detail::echo_param_sets(two, 2) == "[('A', 1), ('B', 2)]");
}

BOOST_AUTO_TEST_CASE(many_parameters_in_one_set) {
    std::vector<value> params;
    for (int i = 0; i < 150; ++i) params.emplace_back(i);
    std::string expected = "(";
    for (int i = 0; i < 50; ++i) expected += (i ? ", " : "") + std::to_string(i);
    expected += " ... 50 parameters truncated ... ";
    for (int i = 100; i < 150; ++i) expected += (i > 100 ? ", " : "") + std::to_string(i);
    expected += ")";
    BOOST_TEST(dorm::detail::echo_params(params) == expected);
}

BOOST_AUTO_TEST_CASE(badges) {
    BOOST_TEST(dorm::detail::badge_generated(0.00012) == "generated in 0.00012s");
    BOOST_TEST(dorm::detail::badge_cached(1.23449) == "cached since 1.234s ago");
    BOOST_TEST(dorm::detail::badge_cached(0.0006) == "cached since 0.0006s ago");
    BOOST_TEST(dorm::detail::badge_no_key(0.00012) == "no key 0.00012s");
}

BOOST_AUTO_TEST_SUITE_END()
