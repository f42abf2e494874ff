/// @file lib/sqlite/sqlite_statement.cpp
/// A SQLite statement: prepare (one statement only), bind, step (changes counted per execution),
/// and reading columns by their storage class (lib/driver/numbers.hpp rules off the fast path).
#include "sqlite_statement.hpp"

#include <cmath>
#include <string>
#include <utility>

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <dorm/detail/data_errors.hpp>
#include <dorm/error.hpp>

#include "../driver/messages.hpp"
#include "../driver/numbers.hpp"
#include "sqlite_errors.hpp"

namespace dorm::driver::sqlite {

void stmt_deleter::operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }

statement::statement(std::shared_ptr<SQLite::Database> db, std::string_view sql, std::shared_ptr<statement_timer> timer)
    : statement_base(sql), db_owner_(std::move(db)), db_(db_owner_->getHandle()), timer_(std::move(timer)) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql_.data(), static_cast<int>(sql_.size()), SQLITE_PREPARE_PERSISTENT,
                                      &raw, &tail);
    stmt_.reset(raw);
    if (rc != SQLITE_OK) throw_error(db_, rc, sql_, true);
    if (!stmt_) {
        throw programming_error(make_message(programming, "the SQL text holds no statement", {}, sql_), SQLITE_MISUSE);
    }
    // Anything after the first statement would be silently ignored: refuse it, as Python's sqlite3 does.
    if (tail != nullptr) {
        const char* end = sql_.data() + sql_.size();
        sqlite3_stmt* rest_raw = nullptr;
        const int rc2 = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &rest_raw, nullptr);
        std::unique_ptr<sqlite3_stmt, stmt_deleter> rest(rest_raw);
        if (rc2 != SQLITE_OK || rest) {
            throw programming_error(make_message(programming, "you can only prepare one statement at a time", {}, sql_),
                                    SQLITE_MISUSE);
        }
    }
    read_only_ = sqlite3_stmt_readonly(stmt_.get()) != 0;
    nparams_ = sqlite3_bind_parameter_count(stmt_.get());
}

statement::~statement() = default;

void statement::check_bind(int rc, int i) {
    if (rc == SQLITE_OK) return;
    if (rc == SQLITE_RANGE) throw_bad_parameter_index(i, nparams_, sql_);
    throw_error(db_, rc, sql_, false);
}

void statement::bind_null(int i) {
    if (executed_) reset();
    check_bind(sqlite3_bind_null(stmt_.get(), i + 1), i);
}

void statement::bind_int(int i, std::int64_t v) {
    if (executed_) reset();
    check_bind(sqlite3_bind_int64(stmt_.get(), i + 1, v), i);
}

void statement::bind_double(int i, double v) {
    // SQLite stores NaN as NULL: it would read back as NULL (or 0), not as what was stored.
    if (std::isnan(v)) detail::throw_bad_write("NaN", "cannot be stored by SQLite (it would read back as NULL)");
    if (executed_) reset();
    check_bind(sqlite3_bind_double(stmt_.get(), i + 1, v), i);
}

void statement::bind_text(int i, std::string_view v) {
    if (executed_) reset();
    // A null data pointer would bind SQL NULL: an empty string must stay an empty string.
    const char* data = v.data() != nullptr ? v.data() : "";
    check_bind(sqlite3_bind_text64(stmt_.get(), i + 1, data, v.size(), SQLITE_STATIC, SQLITE_UTF8), i);
}

void statement::bind_blob(int i, std::span<const std::byte> v) {
    if (executed_) reset();
    if (v.empty()) {
        check_bind(sqlite3_bind_zeroblob(stmt_.get(), i + 1, 0), i);
    } else {
        check_bind(sqlite3_bind_blob64(stmt_.get(), i + 1, v.data(), v.size(), SQLITE_STATIC), i);
    }
}

bool statement::step() {
    if (done_) return false;
    if (!executed_) {
        executed_ = true;
        total_before_ = sqlite3_total_changes64(db_);
    }
    if (timer_) timer_->arm();
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    done_ = true;
    if (rc == SQLITE_DONE) {
        record_changes();
        return false;
    }
    affected_ = 0;
    if (timer_) timer_->check(rc, sql_);
    throw_error(db_, rc, sql_, false);
}

void statement::record_changes() noexcept {
    // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE; a statement that changed
    // nothing (SELECT, DDL) must not report a stale count.
    affected_ = (!read_only_ && sqlite3_total_changes64(db_) != total_before_) ? sqlite3_changes64(db_) : 0;
}

void statement::reset() {
    if (!executed_) return;
    sqlite3_reset(stmt_.get());  // the error of a failed step was already thrown
    if (!done_) record_changes();
    executed_ = false;
    done_ = false;
}

std::int64_t statement::last_insert_id() { return sqlite3_last_insert_rowid(db_); }

int statement::column_count() { return sqlite3_column_count(stmt_.get()); }

std::string_view statement::column_name(int c) {
    const char* n = sqlite3_column_name(stmt_.get(), c);
    return n != nullptr ? std::string_view(n) : std::string_view();
}

std::string statement::column_table(int c) {
    // (Debian's libsqlite3 is built with SQLITE_ENABLE_COLUMN_METADATA)
    const char* t = sqlite3_column_table_name(stmt_.get(), c);
    return t != nullptr ? std::string(t) : std::string();
}

bool statement::is_null(int c) { return sqlite3_column_type(stmt_.get(), c) == SQLITE_NULL; }

value_kind statement::column_kind(int c) {
    switch (sqlite3_column_type(stmt_.get(), c)) {
        case SQLITE_INTEGER:
            return value_kind::integer;
        case SQLITE_FLOAT:
            return value_kind::real;
        case SQLITE_TEXT:
            return value_kind::text;
        case SQLITE_BLOB:
            return value_kind::blob;
        default:
            return value_kind::null;
    }
}

// The storage class is checked first; only an INTEGER (or NULL) is read without further checks:
// sqlite3_column_int64 would silently turn 'abc' into 0, '12abc' into 12, 3.7 into 3 and 1e30
// into INT64_MAX. One sqlite3_column_value call gives both the class and the value: each
// sqlite3_column_* call costs ~55 instructions (column lookup, mutex, malloc-failure check),
// the sqlite3_value_* accessors a few. (The value is "unprotected": SQLite documents its use by
// sqlite3_value_* as not thread-safe only; a connection is used by one thread at a time.)
std::int64_t statement::get_int(int c) {
    sqlite3_value* v = sqlite3_column_value(stmt_.get(), c);
    const int type = sqlite3_value_type(v);
    if (type == SQLITE_INTEGER) return sqlite3_value_int64(v);
    if (type == SQLITE_NULL) return 0;
    return int_slow(type, c);
}

double statement::get_double(int c) {
    sqlite3_value* v = sqlite3_column_value(stmt_.get(), c);
    const int type = sqlite3_value_type(v);
    if (type == SQLITE_FLOAT) return sqlite3_value_double(v);
    if (type == SQLITE_NULL) return 0.0;
    return double_slow(type, c);
}

std::int64_t statement::int_slow(int type, int c) {
    switch (type) {
        case SQLITE_FLOAT:
            return numbers::real_to_int(sqlite3_column_double(stmt_.get(), c));
        case SQLITE_TEXT:
            return numbers::text_to_int(get_text(c));
        default:
            numbers::blob_is_not_a_number(get_blob(c), true);
    }
}

double statement::double_slow(int type, int c) {
    switch (type) {
        case SQLITE_INTEGER:
            return numbers::int_to_double(sqlite3_column_int64(stmt_.get(), c));
        case SQLITE_TEXT:
            return numbers::text_to_double(get_text(c));
        default:
            numbers::blob_is_not_a_number(get_blob(c), false);
    }
}

std::string_view statement::get_text(int c) {
    const unsigned char* p = sqlite3_column_text(stmt_.get(), c);
    if (p == nullptr) return {};
    const int n = sqlite3_column_bytes(stmt_.get(), c);
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

std::span<const std::byte> statement::get_blob(int c) {
    const void* p = sqlite3_column_blob(stmt_.get(), c);
    if (p == nullptr) return {};
    const int n = sqlite3_column_bytes(stmt_.get(), c);
    return {static_cast<const std::byte*>(p), static_cast<std::size_t>(n)};
}

}  // namespace dorm::driver::sqlite
