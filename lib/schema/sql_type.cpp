// Parsing column types and DEFAULT expressions for the schema diff (see sql_type.hpp).
#include "schema/sql_type.hpp"

#include <cctype>
#include <cstdlib>

#include "dialect/hooks.hpp"

namespace dorm::schema {

namespace {

std::string lower_collapsed(std::string_view s) {
    std::string out;
    bool space = false;
    for (char ch : s) {
        if (std::isspace(static_cast<unsigned char>(ch))) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    return out;
}

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The first "(n" after the type word, or -1.
int first_number(std::string_view s) {
    auto open = s.find('(');
    if (open == std::string_view::npos) return -1;
    return std::atoi(std::string(s.substr(open + 1)).c_str());
}

/// The byte limit of a bounded TEXT / BLOB word (MariaDB: TINY 255, plain 65,535, MEDIUM
/// 16,777,215), 0 for an unbounded one (LONGTEXT, CLOB, BYTEA, ...).
int bounded_length(std::string_view word) {
    if (starts(word, "tiny")) return 255;
    if (starts(word, "medium")) return 16777215;
    return word == "text" || word == "blob" ? 65535 : 0;
}

}  // namespace

sql_type parse_sql_type(dialect d, std::string_view spelling) {
    const auto catalog = dorm::detail::hooks(d).catalog();
    sql_type t;
    std::string s = lower_collapsed(spelling);
    // cut the column-definition words that may follow a type in dorm's own DDL
    for (std::string_view tail : {" not null", " null", " auto_increment", " generated", " primary key", " default"})
        if (auto p = s.find(tail); p != std::string::npos) s.erase(p);
    t.text = s;
    t.known = true;
    auto integer = [&](int bytes) {
        t.family = column_type::integer;
        t.bytes = bytes;
    };
    const std::string word = s.substr(0, s.find_first_of(" (")) ;
    if (catalog.tinyint1_is_boolean && starts(s, "tinyint(1)")) {
        t.family = column_type::boolean;
    } else if (word == "boolean" || word == "bool") {
        t.family = column_type::boolean;
    } else if (word == "tinyint") {
        integer(1);
    } else if (word == "smallint" || word == "int2" || word == "smallserial") {
        integer(2);
    } else if (word == "mediumint" || word == "integer" || word == "int" || word == "int4" || word == "serial") {
        integer(4);
    } else if (word == "bigint" || word == "int8" || word == "bigserial") {
        integer(8);
    } else if (word == "real" || word == "float4" || word == "binary_float") {
        t.family = column_type::real;
        t.bytes = catalog.real_is_double && word == "real" ? 8 : 4;
    } else if (word == "float") {
        t.family = column_type::real;
        // dorm writes a double as FLOAT on SQLite (8-byte storage); MariaDB's FLOAT is 4 bytes,
        // PostgreSQL's FLOAT without precision is double precision
        t.bytes = catalog.float_precision_sets_size ? (first_number(s) > 24 ? 8 : 4) : 8;
    } else if (word == "double" || word == "float8" || word == "binary_double") {
        t.family = column_type::real;
        t.bytes = 8;
    } else if (word == "varchar" || word == "varchar2" || word == "nvarchar" || starts(s, "character varying") ||
               word == "char" || word == "character") {
        t.family = column_type::text;
        int n = first_number(s);
        t.length = n > 0 ? n : 0;
    } else if (word == "text" || word == "longtext" || word == "mediumtext" || word == "clob" || word == "nclob" ||
               word == "tinytext") {
        t.family = column_type::text;
        // MariaDB's TEXT / MEDIUMTEXT / TINYTEXT are bounded (in bytes); dorm writes LONGTEXT
        t.length = catalog.bounded_text_types ? bounded_length(word) : 0;
    } else if (word == "blob" || word == "bytea" || word == "longblob" || word == "mediumblob" || word == "tinyblob") {
        t.family = column_type::blob;
        t.length = catalog.bounded_text_types ? bounded_length(word) : 0;
    } else if (word == "timestamp" || word == "datetime") {
        t.family = column_type::timestamp;
        int n = first_number(s);
        // PostgreSQL and Oracle keep microseconds unless told otherwise; MariaDB's DATETIME keeps none
        t.length = !catalog.timestamp_precision ? 0 : n >= 0 ? n : catalog.timestamp_default_digits;
    } else if (word == "date") {
        t.family = column_type::date;
    } else if (word == "number") {
        // Oracle: NUMBER(1) is dorm's boolean, NUMBER(p) an integer of p digits
        int p = first_number(s);
        if (p == 1) t.family = column_type::boolean;
        else if (p > 0) integer(p <= 3 ? 1 : p <= 5 ? 2 : p <= 10 ? 4 : 8);
        else t.known = false;
    } else {
        t.known = false;
    }
    // SQLite does not enforce a VARCHAR length: dorm still compares it (it is the model's word)
    return t;
}

bool widens(const sql_type& from, const sql_type& to) {
    if (!from.known || !to.known || from.family != to.family) return false;
    switch (from.family) {
        case column_type::integer:
        case column_type::real: return to.bytes >= from.bytes;
        case column_type::text:
        case column_type::blob: return to.length == 0 || (from.length != 0 && to.length >= from.length);
        case column_type::timestamp: return to.length >= from.length;
        default: return from == to;
    }
}

std::optional<std::string> normalize_default(dialect d, std::optional<std::string> sql) {
    if (!sql) return std::nullopt;
    const auto catalog = dorm::detail::hooks(d).catalog();
    std::string s = *sql;
    auto trim = [&] {
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    };
    trim();
    for (bool changed = true; changed;) {
        changed = false;
        if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
            // strip only when the parentheses enclose the whole expression
            int depth = 0;
            bool encloses = true;
            for (std::size_t i = 0; i < s.size(); ++i) {
                if (s[i] == '(') ++depth;
                else if (s[i] == ')' && --depth == 0 && i + 1 != s.size()) encloses = false;
            }
            if (encloses) {
                s = s.substr(1, s.size() - 2);
                trim();
                changed = true;
            }
        }
        // (parentheses first: ('a'::text) is a cast inside them)
        // PostgreSQL: 'abc'::character varying, (-1)::integer, '2020-01-01'::date
        if (catalog.defaults_have_casts) {
            auto cast = s.rfind("::");
            if (cast != std::string::npos && s.find('\'', cast) == std::string::npos) {
                s.erase(cast);
                trim();
                changed = true;
            }
        }
    }
    // a quoted number is the number ('5' and 5 default the same integer column)
    if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') {
        std::string inner = s.substr(1, s.size() - 2);
        char* end = nullptr;
        if (!inner.empty()) {
            std::strtod(inner.c_str(), &end);
            if (end && *end == '\0') s = inner;
        }
    }
    if (s.empty() || s.front() != '\'') {
        std::string l = lower_collapsed(s);
        if (l == "null") return std::nullopt;
        if (l == "current_timestamp()" || l == "now()" || l == "current_timestamp(6)" || l == "localtimestamp")
            l = "current_timestamp";
        if (!catalog.boolean_literals && (l == "true" || l == "false")) l = l == "true" ? "1" : "0";
        // 1.50 and 1.5 are the same number
        char* end = nullptr;
        double v = std::strtod(l.c_str(), &end);
        if (!l.empty() && end && *end == '\0') {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.17g", v);
            l = buf;
        }
        return l;
    }
    // One string literal: compared by its value. MariaDB's catalog re-spells a literal with
    // backslash escapes where dorm wrote the character itself or doubled the quote ('l1\nl2' for
    // a newline; 'it\'s' for 'it''s' in a LONGTEXT column): decode both spellings to one.
    const bool backslash = dorm::detail::hooks(d).lexing().backslash_escapes;
    std::string text;
    std::size_t i = 1;
    for (; i < s.size(); ++i) {
        const char ch = s[i];
        if (ch == '\\' && backslash && i + 1 < s.size()) {
            const char e = s[++i];
            switch (e) {
                case 'n': text += '\n'; break;
                case 't': text += '\t'; break;
                case 'r': text += '\r'; break;
                case 'b': text += '\b'; break;
                case '0': text += '\0'; break;
                case 'Z': text += '\x1a'; break;
                case '%':
                case '_': text += '\\'; text += e; break;  // (MariaDB keeps these two escapes as written)
                default: text += e;
            }
        } else if (ch == '\'') {
            if (i + 1 < s.size() && s[i + 1] == '\'') {
                text += '\'';
                ++i;
            } else {
                break;  // the closing quote
            }
        } else {
            text += ch;
        }
    }
    if (i + 1 != s.size()) return s;  // not one literal (an expression that starts with one)
    std::string canonical = "'";
    for (char ch : text) {
        if (ch == '\'') canonical += '\'';
        canonical += ch;
    }
    return canonical + "'";
}

}  // namespace dorm::schema
