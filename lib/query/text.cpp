// dorm::text(): the `:name` parameter scanner (detail::compile_text), which skips literals,
// quoted identifiers and comments as the dialect lexes them, and text()'s row errors.
#include <dorm/query/text.hpp>

#include <algorithm>

#include <dorm/error.hpp>

#include "dialect/hooks.hpp"

namespace dorm::detail {

void throw_missing_text_column(const char* member) {
    throw invalid_request_error(std::string("dorm: the statement returned no column named '") + member +
                     "' for the row struct's member of that name");
}

void throw_text_row_width(std::size_t expected, int got) {
    throw invalid_request_error("dorm: the statement returns " + std::to_string(got) + " column" +
                                (got == 1 ? "" : "s") + " per row, but the row type of text<...> reads " +
                                std::to_string(expected) + (expected == 1 ? " value" : " values") +
                                " by position: select as many columns as the std::tuple has elements");
}

namespace {

bool is_name_char(char c, bool first) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9') ||
           (!first && c == '$') || static_cast<unsigned char>(c) >= 0x80;
}

/// The end (one past) of a quoted literal or identifier that opens at `i` with `quote`: a doubled
/// quote stays inside; with `backslash`, `\x` escapes any character (MariaDB strings, PostgreSQL
/// E'...'). An unterminated literal runs to the end (the database reports it).
std::size_t quoted_end(const std::string& sql, std::size_t i, char quote, bool backslash) {
    std::size_t j = i + 1;
    while (j < sql.size()) {
        if (backslash && sql[j] == '\\') {
            j += 2;
            continue;
        }
        if (sql[j] == quote) {
            if (j + 1 < sql.size() && sql[j + 1] == quote) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        ++j;
    }
    return sql.size();
}

/// PostgreSQL dollar quoting at `i` (`$$...$$`, `$tag$...$tag$`): the end (one past) of the
/// literal, or npos when `i` does not open one (`$1` is a positional parameter).
std::size_t dollar_quoted_end(const std::string& sql, std::size_t i) {
    std::size_t j = i + 1;
    if (j < sql.size() && sql[j] != '$' && !is_name_char(sql[j], true)) return std::string::npos;
    while (j < sql.size() && sql[j] != '$') {
        if (!is_name_char(sql[j], false) || sql[j] == '$') return std::string::npos;
        ++j;
    }
    if (j >= sql.size()) return std::string::npos;
    const std::string tag = sql.substr(i, j + 1 - i);  // "$tag$"
    const std::size_t close = sql.find(tag, j + 1);
    return close == std::string::npos ? sql.size() : close + tag.size();
}

/// The end (one past) of a block comment opening at `i`; PostgreSQL nests them.
std::size_t block_comment_end(const std::string& sql, std::size_t i, bool nested) {
    int depth = 1;
    std::size_t j = i + 2;
    while (j < sql.size()) {
        if (nested && sql.compare(j, 2, "/*") == 0) {
            ++depth;
            j += 2;
        } else if (sql.compare(j, 2, "*/") == 0) {
            j += 2;
            if (--depth == 0) return j;
        } else {
            ++j;
        }
    }
    return sql.size();
}

}  // namespace

compiled compile_text(const std::string& sql, const text_params& params, dialect d) {
    // :name outside literals, quoted identifiers and comments is a parameter. What a literal or a
    // comment is depends on the dialect (dialect_hooks::sql_lexing); `::` is PostgreSQL's cast
    // everywhere.
    const auto& h = hooks(d);
    const dialect_hooks::sql_lexing lx = h.lexing();
    compiled out;
    out.sql.reserve(sql.size());
    for (std::size_t i = 0; i < sql.size();) {
        const char c = sql[i];
        std::size_t end = std::string::npos;  // a span copied as it is
        if (c == '\'' || c == '"' || c == '`') {
            const bool escape_prefix = lx.escape_string_prefix && c == '\'' && i > 0 &&
                                       (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                                       (i == 1 || !is_name_char(sql[i - 2], false));
            end = quoted_end(sql, i, c, (lx.backslash_escapes && c != '`') || escape_prefix);
        } else if (c == '[' && lx.bracket_identifiers) {
            end = sql.find(']', i + 1);
            end = end == std::string::npos ? sql.size() : end + 1;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-' &&
                   (!lx.dash_comment_needs_space || i + 2 >= sql.size() ||
                    static_cast<unsigned char>(sql[i + 2]) <= ' ')) {
            end = sql.find('\n', i);
            if (end == std::string::npos) end = sql.size();
        } else if (c == '#' && lx.hash_comments) {
            end = sql.find('\n', i);
            if (end == std::string::npos) end = sql.size();
        } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
            // the text of an executable comment is SQL: only its opening is skipped
            if (lx.executable_comments && sql.compare(i + 2, 1, "!") == 0)
                end = i + 3;
            else if (lx.executable_comments && sql.compare(i + 2, 2, "M!") == 0)
                end = i + 4;
            else
                end = block_comment_end(sql, i, lx.nested_comments);
        } else if (c == '$' && lx.dollar_quoting && (i == 0 || !is_name_char(sql[i - 1], false))) {
            end = dollar_quoted_end(sql, i);
        }
        if (end != std::string::npos) {
            out.sql.append(sql, i, end - i);
            i = end;
        } else if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {
            out.sql += "::";
            i += 2;
        } else if (c == ':' && i + 1 < sql.size() && is_name_char(sql[i + 1], true) &&
                   static_cast<unsigned char>(sql[i + 1]) < 0x80 && (i == 0 || sql[i - 1] != ':')) {
            std::size_t j = i + 1;
            while (j < sql.size() && is_name_char(sql[j], false) && sql[j] != '$' &&
                   static_cast<unsigned char>(sql[j]) < 0x80)
                ++j;
            const std::string name = sql.substr(i + 1, j - i - 1);
            auto it = std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
            if (it == params.end())
                throw argument_error("dorm: text(): no value for the parameter :" + name);
            out.params.push_back(it->second);
            h.placeholder(out.sql, static_cast<int>(out.params.size()));
            i = j;
        } else {
            out.sql += c;
            ++i;
        }
    }
    return out;
}

}  // namespace dorm::detail
