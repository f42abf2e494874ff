// dorm::migrations::split_statements: a SQL script cut into statements. A migration file is
// one script; the drivers run one statement per call (MariaDB without CLIENT_MULTI_STATEMENTS,
// PostgreSQL prepared statements), and the MariaDB runner must know which statement failed.
#include <dorm/schema/migrations.hpp>

#include <optional>
#include <string>

#include <dorm/error.hpp>

#include "dialect/hooks.hpp"

namespace dorm::migrations {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_word_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_word_char(char c) { return is_word_start(c) || (c >= '0' && c <= '9') || c == '$'; }

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

/// The dialect's lexing (the one-argument split_statements uses the standard's): the splitter
/// reads backslash escapes, # comments, executable comments and nested comments from it, and
/// knows E'...' and dollar quoting everywhere.
using lexing = dorm::detail::dialect_hooks::sql_lexing;

class splitter {
public:
    splitter(std::string_view s, lexing lx) : s_(s), lx_(lx) {}

    std::vector<std::string> run() {
        while (i_ < s_.size()) step();
        if (code_begin_) emit(s_.size());
        return std::move(out_);
    }

private:
    void step() {
        const char c = s_[i_];
        const char next = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
        if (is_space(c)) {
            ++i_;
        } else if (c == '-' && next == '-') {
            skip_line();
        } else if (c == '#' && lx_.hash_comments) {
            skip_line();
        } else if (c == '/' && next == '*') {
            const bool code = lx_.executable_comments && i_ + 2 < s_.size() && s_[i_ + 2] == '!';
            if (code) mark_code();
            skip_block_comment();
        } else if (c == '\'') {
            mark_code();
            const bool e_string = i_ >= 1 && (s_[i_ - 1] == 'E' || s_[i_ - 1] == 'e') &&
                                  (i_ < 2 || !is_word_char(s_[i_ - 2]));  // PostgreSQL E'..\'..'
            skip_quoted('\'', lx_.backslash_escapes || e_string, "string");
        } else if (c == '"') {
            mark_code();
            skip_quoted('"', lx_.backslash_escapes, "quoted identifier");
        } else if (c == '`') {
            mark_code();
            skip_quoted('`', false, "quoted identifier");
        } else if (c == '$' && dollar_quote()) {
            // skipped by dollar_quote()
        } else if (c == ';') {
            if (depth_ == 0) {
                if (code_begin_) emit(i_);
            } else {
                mark_code();
            }
            ++i_;
        } else if (is_word_start(c)) {
            mark_code();
            word();
        } else {
            mark_code();
            ++i_;
        }
    }

    void mark_code() {
        if (!code_begin_) code_begin_ = i_;
    }

    /// The statement from its first code character up to `end`, without trailing blanks.
    void emit(std::size_t end) {
        std::size_t b = *code_begin_;
        while (end > b && is_space(s_[end - 1])) --end;
        out_.emplace_back(s_.substr(b, end - b));
        code_begin_.reset();
        words_ = 0;
        compound_ = false;
        depth_ = 0;
    }

    std::size_t line_of(std::size_t pos) const {
        std::size_t line = 1;
        for (std::size_t k = 0; k < pos && k < s_.size(); ++k)
            if (s_[k] == '\n') ++line;
        return line;
    }
    [[noreturn]] void unterminated(std::string_view what, std::size_t from) const {
        // Not left to the database: an unterminated comment would swallow the statements after it
        // silently (a comment-only piece is dropped), and a quote would glue them to one statement.
        throw migration_error("dorm: unterminated " + std::string(what) + " starting on line " +
                              std::to_string(line_of(from)) + " of the script");
    }

    void skip_line() {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
    }

    void skip_block_comment() {
        const std::size_t from = i_;
        int nesting = 1;
        i_ += 2;
        while (i_ < s_.size()) {
            if (s_[i_] == '*' && i_ + 1 < s_.size() && s_[i_ + 1] == '/') {
                i_ += 2;
                if (--nesting == 0) return;
            } else if (lx_.nested_comments && s_[i_] == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '*') {
                i_ += 2;
                ++nesting;
            } else {
                ++i_;
            }
        }
        unterminated("/* comment", from);
    }

    /// Skips a quoted run; the quote character doubled stands for itself.
    void skip_quoted(char q, bool backslash, std::string_view what) {
        const std::size_t from = i_;
        ++i_;
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (backslash && c == '\\') {
                i_ += 2;
            } else if (c == q) {
                if (i_ + 1 < s_.size() && s_[i_ + 1] == q) {
                    i_ += 2;
                } else {
                    ++i_;
                    return;
                }
            } else {
                ++i_;
            }
        }
        unterminated(what, from);
    }

    /// At a '$': skips a PostgreSQL dollar-quoted string ($$..$$, $tag$..$tag$) and returns true,
    /// or returns false when the '$' starts none ($1 parameters, a '$' inside an identifier).
    bool dollar_quote() {
        if (i_ > 0 && is_word_char(s_[i_ - 1])) return false;
        std::size_t j = i_ + 1;
        if (j < s_.size() && s_[j] != '$') {
            if (!is_word_start(s_[j])) return false;
            while (j < s_.size() && is_word_char(s_[j]) && s_[j] != '$') ++j;
            if (j >= s_.size() || s_[j] != '$') return false;
        }
        if (j >= s_.size()) return false;
        const std::string_view tag = s_.substr(i_, j + 1 - i_);
        const std::size_t close = s_.find(tag, j + 1);
        mark_code();
        if (close == std::string_view::npos) unterminated("dollar-quoted string " + std::string(tag), i_);
        i_ = close + tag.size();
        return true;
    }

    /// A bare word. Inside CREATE TRIGGER / FUNCTION / PROCEDURE / EVENT, BEGIN ... END bodies
    /// (SQLite triggers, MariaDB compound statements, PostgreSQL BEGIN ATOMIC) hold semicolons
    /// that do not end the statement: count BEGIN and CASE against END there.
    void word() {
        const std::size_t b = i_;
        while (i_ < s_.size() && is_word_char(s_[i_])) ++i_;
        const std::string w = upper(s_.substr(b, i_ - b));
        ++words_;
        if (words_ == 1) {
            create_ = w == "CREATE";
            return;
        }
        if (create_ && !compound_ && words_ <= 8 &&
            (w == "TRIGGER" || w == "FUNCTION" || w == "PROCEDURE" || w == "EVENT"))
            compound_ = true;
        if (!compound_) return;
        if (w == "BEGIN" || w == "CASE") {
            ++depth_;
        } else if (w == "END" && depth_ > 0) {
            // MariaDB's END IF / END LOOP / END WHILE / END REPEAT close openers not counted here
            std::size_t j = i_;
            while (j < s_.size() && is_space(s_[j])) ++j;
            std::size_t k = j;
            while (k < s_.size() && is_word_char(s_[k])) ++k;
            const std::string after = upper(s_.substr(j, k - j));
            if (after != "IF" && after != "LOOP" && after != "WHILE" && after != "REPEAT") --depth_;
        }
    }

    std::string_view s_;
    lexing lx_;
    std::size_t i_ = 0;
    std::optional<std::size_t> code_begin_;  // where the current statement's first code character is
    int words_ = 0;          // bare words seen in the current statement
    bool create_ = false;    // it starts with CREATE
    bool compound_ = false;  // ... TRIGGER / FUNCTION / PROCEDURE / EVENT: it may have a BEGIN ... END body
    int depth_ = 0;          // open BEGIN / CASE in such a body
    std::vector<std::string> out_;
};

}  // namespace

std::vector<std::string> split_statements(std::string_view script) { return splitter(script, {}).run(); }

std::vector<std::string> split_statements(std::string_view script, dialect d) {
    return splitter(script, dorm::detail::hooks(d).lexing()).run();
}

}  // namespace dorm::migrations
