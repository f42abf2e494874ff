// libFuzzer target: the text() placeholder scanner (detail::compile_text, lib/query/text.cpp),
// per dialect. The first byte picks the dialect, the rest is the SQL. An independent lexer written
// from each database's documented lexical rules says where the `:name` parameters are (outside
// string literals, quoted identifiers and comments); compile_text must find exactly those, in
// order, replace each with the dialect's placeholder and leave every other byte as it was.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dorm/error.hpp>
#include <dorm/query/text.hpp>

#include "fuzz_check.hpp"

namespace {

using dorm::dialect;

bool ident_start(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
}
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }
bool ascii_name_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool ascii_name_char(char c) { return ascii_name_start(c) || (c >= '0' && c <= '9'); }

/// One past a quoted span opening at `i` with `q`: a doubled quote stays inside; with
/// `backslash`, a backslash takes the next byte. Unterminated: the end.
std::size_t quoted(std::string_view s, std::size_t i, char q, bool backslash) {
    for (std::size_t j = i + 1; j < s.size(); ++j) {
        if (backslash && s[j] == '\\') {
            ++j;
            continue;
        }
        if (s[j] == q) {
            if (j + 1 < s.size() && s[j + 1] == q) {
                ++j;
                continue;
            }
            return j + 1;
        }
    }
    return s.size();
}

std::size_t line_end(std::string_view s, std::size_t i) {
    const auto n = s.find('\n', i);
    return n == std::string_view::npos ? s.size() : n;
}

/// The parameters (position of the ':', name) as the database's own lexer sees the SQL.
std::vector<std::pair<std::size_t, std::string>> reference_params(std::string_view s, dialect d) {
    const bool pg = d == dialect::postgresql, my = d == dialect::mysql, lite = d == dialect::sqlite;
    std::vector<std::pair<std::size_t, std::string>> out;
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        const char n = i + 1 < s.size() ? s[i + 1] : '\0';
        if (c == '\'') {
            // PostgreSQL E'...' (the E a token of its own): backslash escapes; MariaDB: always
            const bool e_string = pg && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') && (i == 1 || !ident_char(s[i - 2]));
            i = quoted(s, i, '\'', my || e_string);
        } else if (c == '"') {
            i = quoted(s, i, '"', my);  // MariaDB: a string (no ANSI_QUOTES); elsewhere an identifier
        } else if (c == '`') {
            i = quoted(s, i, '`', false);
        } else if (c == '[' && lite) {  // SQLite: [identifier] (no escapes)
            const auto e = s.find(']', i + 1);
            i = e == std::string_view::npos ? s.size() : e + 1;
        } else if (c == '-' && n == '-') {
            // MariaDB: "--" starts a comment only when a space or control character follows
            // ("--- " is an operator '-' and then a comment)
            if (my && !(i + 2 >= s.size() || static_cast<unsigned char>(s[i + 2]) <= ' ')) {
                ++i;
                continue;
            }
            i = line_end(s, i);
        } else if (c == '#' && my) {
            i = line_end(s, i);
        } else if (c == '/' && n == '*') {
            // MariaDB: /*! ... */ and /*M! ... */ are executed (their text is SQL)
            if (my && i + 2 < s.size() && (s[i + 2] == '!' || (s[i + 2] == 'M' && i + 3 < s.size() && s[i + 3] == '!'))) {
                i += s[i + 2] == '!' ? 3 : 4;
                continue;
            }
            int depth = 1;
            std::size_t j = i + 2;
            while (j < s.size() && depth > 0) {
                if (pg && s.substr(j, 2) == "/*") {
                    ++depth;
                    j += 2;
                } else if (s.substr(j, 2) == "*/") {
                    --depth;
                    j += 2;
                } else {
                    ++j;
                }
            }
            i = depth == 0 ? j : s.size();
        } else if (c == '$' && pg && (i == 0 || !ident_char(s[i - 1]))) {
            // $tag$ ... $tag$ (tag empty or an identifier without '$'); $1 is a positional parameter
            std::size_t j = i + 1;
            if (j < s.size() && ident_start(s[j])) {
                ++j;
                while (j < s.size() && ident_char(s[j]) && s[j] != '$') ++j;
            }
            if (j < s.size() && s[j] == '$') {
                const std::string_view tag = s.substr(i, j + 1 - i);
                const auto close = s.find(tag, j + 1);
                i = close == std::string_view::npos ? s.size() : close + tag.size();
            } else {
                ++i;
            }
        } else if (c == ':' && n == ':') {
            i += 2;
        } else if (c == ':' && ascii_name_start(n) && (i == 0 || s[i - 1] != ':')) {
            std::size_t j = i + 1;
            while (j < s.size() && ascii_name_char(s[j])) ++j;
            out.emplace_back(i, std::string(s.substr(i + 1, j - i - 1)));
            i = j;
        } else {
            ++i;
        }
    }
    return out;
}

std::string placeholder(dialect d, int n) {
    switch (d) {
        case dialect::postgresql: return "$" + std::to_string(n);
        case dialect::oracle: return ":" + std::to_string(n);
        default: return "?";
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static constexpr dialect dialects[] = {dialect::sqlite, dialect::postgresql, dialect::mysql, dialect::oracle};
    const dialect d = dialects[data[0] % 4];
    const std::string sql(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto expected = reference_params(sql, d);

    // every name the reference sees has a value (its index); no others
    dorm::text_params params;
    for (const auto& [pos, name] : expected) {
        bool known = false;
        for (const auto& p : params) known = known || p.first == name;
        if (!known) params.emplace_back(name, static_cast<std::int64_t>(params.size()));
    }
    dorm::compiled got;
    try {
        got = dorm::detail::compile_text(sql, params, d);
    } catch (const dorm::argument_error& e) {
        dorm_fuzz::broken("compile_text found a parameter the database's lexer does not see", e.what());
    }

    // the expected text: each parameter replaced by the placeholder, every other byte kept
    std::string want;
    std::vector<std::int64_t> want_values;
    std::size_t at = 0;
    for (const auto& [pos, name] : expected) {
        want.append(sql, at, pos - at);
        want_values.push_back(0);
        for (const auto& p : params)
            if (p.first == name) want_values.back() = p.second.as_int();
        want += placeholder(d, static_cast<int>(want_values.size()));
        at = pos + 1 + name.size();
    }
    want.append(sql, at);
    FUZZ_CHECK(got.params.size() == want_values.size(), sql);
    for (std::size_t k = 0; k < want_values.size(); ++k) FUZZ_CHECK(got.params[k].as_int() == want_values[k], sql);
    FUZZ_CHECK(got.sql == want, sql);
    return 0;
}
