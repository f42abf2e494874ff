/// @file lib/mysql/mysql_driver.cpp
/// MySQL / MariaDB driver on MariaDB Connector/C (binary protocol prepared statements).
#include "mysql_driver.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>
#include <utility>

#include <mysql.h>

#include <dorm/detail/data_errors.hpp>
#include <dorm/engine/url.hpp>
#include <dorm/error.hpp>

#include "../dialect/list_param.hpp"
#include "../driver/numbers.hpp"
#include "../driver/timeouts.hpp"

namespace dorm::driver::mysql {

namespace {

constexpr std::string_view integrity_label = "mysql.IntegrityError";
constexpr std::string_view operational_label = "mysql.OperationalError";
constexpr std::string_view programming_label = "mysql.ProgrammingError";
constexpr std::string_view data_label = "mysql.DataError";

/// The charset number of `binary` (BINARY, VARBINARY and BLOB columns).
constexpr unsigned binary_charset = 63;

/// The sql_mode of every connection: strict, so that bad data is an error, not a warning. The
/// time zone is UTC: dorm's timestamps are UTC, so CURRENT_TIMESTAMP / NOW() must be too.
constexpr const char* session_setup =
    "SET NAMES utf8mb4, SESSION sql_mode = "
    "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
    "SESSION time_zone = '+00:00'";

/// `(mysql.IntegrityError) (1062, "Duplicate entry 'a' for key 'name'")\n[SQL: ...]`.
std::string make_message(std::string_view label, unsigned code, std::string_view what, std::string_view sql) {
    std::string m;
    m.reserve(label.size() + what.size() + sql.size() + 32);
    m += '(';
    m += label;
    m += ") (";
    m += std::to_string(code);
    m += ", \"";
    m += what;
    m += "\")";
    if (!sql.empty()) {
        m += "\n[SQL: ";
        m += sql;
        m += ']';
    }
    return m;
}

/// Throws the dorm error for a MariaDB error. `session` (when known) is marked lost for the
/// client errors that mean the connection is gone, and gives the statement timeout that
/// explains a cancelled statement or a read that timed out.
[[noreturn]] void throw_error(unsigned code, const char* state, const char* msg, std::string_view sql,
                              session_state* session = nullptr) {
    std::string sqlstate = state != nullptr ? state : "";
    const std::string_view what = (msg != nullptr && *msg != '\0') ? std::string_view(msg) : "unknown error";
    const int c = static_cast<int>(code);
    const double timeout = session != nullptr ? session->statement_timeout : 0.0;
    if (session != nullptr && (code == 2006 || code == 2013 || code == 2055 || code == 5013 || code == 5014))
        session->lost = true;
    if (timeout > 0) {
        if (code == 1969 || code == 3024) {  // ER_STATEMENT_TIMEOUT (MariaDB), ER_QUERY_TIMEOUT (MySQL)
            throw timeout_error(
                make_message(operational_label, code, std::string(what) + ": " + timeouts::cancelled(timeout), sql), c,
                std::move(sqlstate));
        }
        const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - session->sent).count();
        if ((code == 2013 || code == 5013 || code == 5014) && session->read_wait != 0 &&
            waited >= session->read_wait - 0.25) {  // lost / CR_ERR_NET_READ / _WRITE after the read timeout
            std::string m(what);
            m += ": no answer from the server within " + timeouts::format(session->read_wait) +
                 " (the statement timeout of " + timeouts::format(timeout) +
                 " and its grace, in whole seconds): the connection was closed";
            throw timeout_error(make_message(operational_label, code, m, sql), c, std::move(sqlstate));
        }
    }
    switch (code) {
        case 1062:  // ER_DUP_ENTRY
        case 1169:  // ER_DUP_UNIQUE
        case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
            throw unique_violation(make_message(integrity_label, code, what, sql), c, std::move(sqlstate));
        case 1216:  // ER_NO_REFERENCED_ROW
        case 1217:  // ER_ROW_IS_REFERENCED
        case 1451:  // ER_ROW_IS_REFERENCED_2
        case 1452:  // ER_NO_REFERENCED_ROW_2
            throw foreign_key_violation(make_message(integrity_label, code, what, sql), c, std::move(sqlstate));
        case 1048:  // ER_BAD_NULL_ERROR
        case 1364:  // ER_NO_DEFAULT_FOR_FIELD
        case 1263:  // ER_WARN_NULL_TO_NOTNULL
            throw not_null_violation(make_message(integrity_label, code, what, sql), c, std::move(sqlstate));
        case 3819:  // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
        case 4025:  // ER_CONSTRAINT_FAILED (MariaDB)
            throw check_violation(make_message(integrity_label, code, what, sql), c, std::move(sqlstate));
        case 1022:  // ER_DUP_KEY
        case 1557:  // ER_FOREIGN_DUPLICATE_KEY
        case 1761:  // ER_FOREIGN_DUPLICATE_KEY_WITH_CHILD_INFO
        case 1762:  // ER_FOREIGN_DUPLICATE_KEY_WITHOUT_CHILD_INFO
            throw integrity_error(make_message(integrity_label, code, what, sql), c, std::move(sqlstate));
        case 2002:  // CR_CONNECTION_ERROR
        case 2003:  // CR_CONN_HOST_ERROR
        case 2006:  // CR_SERVER_GONE_ERROR
        case 2013:  // CR_SERVER_LOST
        case 2055:  // CR_SERVER_LOST_EXTENDED
        case 1053:  // ER_SERVER_SHUTDOWN
        case 1927:  // ER_CONNECTION_KILLED
            throw operational_error(make_message(operational_label, code, what, sql), c, std::move(sqlstate));
        case 1406:  // ER_DATA_TOO_LONG
        case 1264:  // ER_WARN_DATA_OUT_OF_RANGE
        case 1292:  // ER_TRUNCATED_WRONG_VALUE (incorrect datetime value)
        case 1366:  // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD (incorrect integer/string value)
        case 1265:  // WARN_DATA_TRUNCATED (sqlstate 01000, an error in strict mode)
        case 1367:  // ER_ILLEGAL_VALUE_FOR_TYPE
        case 1365:  // ER_DIVISION_BY_ZERO
            throw data_error(make_message(data_label, code, what, sql), c, std::move(sqlstate));
        case 1064:  // ER_PARSE_ERROR
        case 1146:  // ER_NO_SUCH_TABLE
        case 1054:  // ER_BAD_FIELD_ERROR
            throw programming_error(make_message(programming_label, code, what, sql), c, std::move(sqlstate));
        default:
            break;
    }
    if (sqlstate.starts_with("23")) {
        throw integrity_error(make_message(integrity_label, code, what, sql), c, std::move(sqlstate));
    }
    if (sqlstate.starts_with("08")) {
        throw operational_error(make_message(operational_label, code, what, sql), c, std::move(sqlstate));
    }
    if (sqlstate.starts_with("42")) {
        throw programming_error(make_message(programming_label, code, what, sql), c, std::move(sqlstate));
    }
    if (sqlstate.starts_with("22")) {  // data exception
        throw data_error(make_message(data_label, code, what, sql), c, std::move(sqlstate));
    }
    throw operational_error(make_message(operational_label, code, what, sql), c, std::move(sqlstate));
}

[[noreturn]] void throw_conn_error(MYSQL* m, std::string_view sql, session_state* session = nullptr) {
    throw_error(mysql_errno(m), mysql_sqlstate(m), mysql_error(m), sql, session);
}

[[noreturn]] void throw_closed(std::string_view sql) {
    throw operational_error(make_message(operational_label, 2006, "the connection is closed", sql), 2006, "08003");
}

unsigned parse_seconds(const std::string& key, const std::string& text) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size()) {
        throw argument_error("mysql URL parameter '" + key + "' must be a whole number of seconds, got '" + text + "'");
    }
    return v;
}

/// `mysql://user:***@host:port/db` for messages.
std::string describe(const url& u) {
    std::string s = "mysql://";
    if (u.username) {
        s += *u.username;
        if (u.password) s += ":***";
        s += '@';
    }
    if (u.host) s += *u.host;
    if (u.port) s += ':' + std::to_string(*u.port);
    if (u.database) s += '/' + *u.database;
    return s;
}

std::string scrub(std::string msg, const std::optional<std::string>& password) {
    if (password && !password->empty()) {
        for (auto pos = msg.find(*password); pos != std::string::npos; pos = msg.find(*password, pos + 3)) {
            msg.replace(pos, password->size(), "***");
        }
    }
    return msg;
}

/// Whether `sql` is an INSERT ... ON DUPLICATE KEY UPDATE (what the mysql dialect prints for
/// on_conflict().do_update(); user SQL in any letter case).
bool is_upsert(std::string_view sql) {
    constexpr std::string_view key = "on duplicate key update";
    if (sql.size() < key.size()) return false;
    for (std::size_t i = 0; i + key.size() <= sql.size(); ++i) {
        std::size_t k = 0;
        while (k < key.size() && std::tolower(static_cast<unsigned char>(sql[i + k])) == key[k]) ++k;
        if (k == key.size()) return true;
    }
    return false;
}

/// The number after `label` in mysql_info()'s "Records: 2  Duplicates: 1  Warnings: 0".
bool info_number(std::string_view info, std::string_view label, std::int64_t& out) {
    const auto pos = info.find(label);
    if (pos == std::string_view::npos) return false;
    std::string_view rest = info.substr(pos + label.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), out);
    return ec == std::errc{} && p != rest.data();
}

/// A non-null buffer for empty strings and blobs.
char empty_buffer[1] = {0};

}  // namespace

void mysql_deleter::operator()(st_mysql* m) const noexcept { mysql_close(m); }
void stmt_deleter::operator()(st_mysql_stmt* s) const noexcept { mysql_stmt_close(s); }
void res_deleter::operator()(st_mysql_res* r) const noexcept { mysql_free_result(r); }

// ---------------------------------------------------------------------------------------------
// statement

statement::statement(std::shared_ptr<session_state> state, std::string_view sql)
    : state_(std::move(state)), sql_(sql) {
    MYSQL* m = handle();
    stmt_.reset(mysql_stmt_init(m));
    if (!stmt_) throw_conn_error(m, sql_, state_.get());
    state_->sending();
    if (mysql_stmt_prepare(stmt_.get(), sql_.data(), static_cast<unsigned long>(sql_.size())) != 0) fail();
    nparams_ = static_cast<int>(mysql_stmt_param_count(stmt_.get()));
    upsert_ = is_upsert(sql_);
    params_.resize(static_cast<std::size_t>(nparams_));
    param_slots_.resize(static_cast<std::size_t>(nparams_));
    for (auto& b : params_) {
        std::memset(&b, 0, sizeof b);
        b.buffer_type = MYSQL_TYPE_NULL;
    }
    setup_columns();
}

statement::~statement() {
    stmt_.reset();  // before state_: the statement is closed while its connection is still open
}

MYSQL* statement::handle() const {
    MYSQL* m = state_->conn.get();
    if (m == nullptr) throw_closed(sql_);
    return m;
}

void statement::fail() {
    throw_error(mysql_stmt_errno(stmt_.get()), mysql_stmt_sqlstate(stmt_.get()), mysql_stmt_error(stmt_.get()), sql_,
                state_.get());
}

void statement::fail_reading() {
    // Connector/C leaves a statement whose rows failed to arrive (mysql_stmt_store_result or
    // mysql_stmt_fetch returned an error: e.g. InnoDB's deadlock 1213 found while the rows were
    // read) in a state where mysql_stmt_free_result and the next mysql_stmt_execute try to
    // "flush" rows the server will never send: the thread then waits forever on the socket.
    // mysql_stmt_reset puts it back to "prepared" (one COM_STMT_RESET round trip).
    const unsigned code = mysql_stmt_errno(stmt_.get());
    const std::string sqlstate = mysql_stmt_sqlstate(stmt_.get());
    const std::string message = mysql_stmt_error(stmt_.get());
    mysql_stmt_reset(stmt_.get());
    executed_ = false;
    done_ = true;
    has_row_ = false;
    throw_error(code, sqlstate.c_str(), message.c_str(), sql_, state_.get());
}

namespace {

/// The result columns' metadata through the public API (mysql_stmt_result_metadata): the fields
/// of MYSQL_STMT are not part of the documented interface. The MYSQL_RES only points at the
/// statement's own field array (valid until the next execution); freeing it frees no field.
struct result_fields {
    std::unique_ptr<st_mysql_res, res_deleter> res;
    const MYSQL_FIELD* fields = nullptr;
    unsigned count = 0;
    explicit result_fields(MYSQL_STMT* st) : res(mysql_stmt_result_metadata(st)) {
        if (res) {
            fields = mysql_fetch_fields(res.get());
            count = fields != nullptr ? mysql_num_fields(res.get()) : 0;
        }
    }
};

}  // namespace

bool statement::columns_match() const noexcept {
    const result_fields meta(stmt_.get());
    if (meta.count != columns_.size()) return false;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        const MYSQL_FIELD& f = meta.fields[c];
        const column_slot& col = columns_[c];
        if (static_cast<int>(f.type) != col.field_type || f.charsetnr != col.charsetnr ||
            ((f.flags & UNSIGNED_FLAG) != 0) != col.is_unsigned) {
            return false;
        }
    }
    return true;
}

void statement::setup_columns() {
    binds_.clear();
    columns_.clear();
    // The statement's own metadata: from the prepare, and refreshed by every execution (a
    // column's type can depend on the parameters, as in `SELECT ?`).
    const result_fields meta(stmt_.get());
    const unsigned n = meta.count;
    columns_.resize(n);
    binds_.resize(n);
    rebind_ = false;
    for (unsigned c = 0; c < n; ++c) {
        const MYSQL_FIELD& f = meta.fields[c];
        column_slot& col = columns_[c];
        MYSQL_BIND& b = binds_[c];
        std::memset(&b, 0, sizeof b);
        col.name.assign(f.name, f.name_length);
        col.field_type = static_cast<int>(f.type);
        col.charsetnr = f.charsetnr;
        col.is_unsigned = (f.flags & UNSIGNED_FLAG) != 0;
        switch (f.type) {
            case MYSQL_TYPE_TINY:
            case MYSQL_TYPE_SHORT:
            case MYSQL_TYPE_LONG:
            case MYSQL_TYPE_INT24:
            case MYSQL_TYPE_LONGLONG:
            case MYSQL_TYPE_YEAR:
                col.kind = value_kind::integer;
                col.how = fetch_as::integer;
                break;
            case MYSQL_TYPE_FLOAT:
            case MYSQL_TYPE_DOUBLE:
                col.kind = value_kind::real;
                col.how = fetch_as::real;
                break;
            case MYSQL_TYPE_DECIMAL:
            case MYSQL_TYPE_NEWDECIMAL:
                col.kind = value_kind::real;
                col.how = fetch_as::bytes;
                break;
            case MYSQL_TYPE_TINY_BLOB:
            case MYSQL_TYPE_MEDIUM_BLOB:
            case MYSQL_TYPE_LONG_BLOB:
            case MYSQL_TYPE_BLOB:
            case MYSQL_TYPE_STRING:
            case MYSQL_TYPE_VAR_STRING:
            case MYSQL_TYPE_VARCHAR:
                col.kind = f.charsetnr == binary_charset ? value_kind::blob : value_kind::text;
                col.how = fetch_as::bytes;
                break;
            case MYSQL_TYPE_BIT:
            case MYSQL_TYPE_GEOMETRY:
                col.kind = value_kind::blob;
                col.how = fetch_as::bytes;
                break;
            default:  // dates and times (as text), JSON, ENUM, SET, NULL
                col.kind = value_kind::text;
                col.how = fetch_as::bytes;
                break;
        }
        b.is_null = &col.is_null;
        b.error = &col.error;
        b.length = &col.length;
        switch (col.how) {
            case fetch_as::integer:
                b.buffer_type = MYSQL_TYPE_LONGLONG;
                b.buffer = &col.i;
                b.is_unsigned = col.is_unsigned ? 1 : 0;
                break;
            case fetch_as::real:
                b.buffer_type = MYSQL_TYPE_DOUBLE;
                b.buffer = &col.d;
                break;
            case fetch_as::bytes: {
                // Start small; a longer value is re-fetched into a grown buffer (see fetch()).
                const unsigned long want = std::clamp<unsigned long>(f.length, 16, 1024);
                col.buf.resize(want);
                b.buffer_type = col.kind == value_kind::blob ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
                b.buffer = col.buf.data();
                b.buffer_length = static_cast<unsigned long>(col.buf.size());
                break;
            }
        }
    }
}

MYSQL_BIND& statement::param(int i) {
    if (i < 0 || i >= nparams_) {
        throw argument_error("parameter index " + std::to_string(i) + " is out of range: the statement has " +
                             std::to_string(nparams_) + " parameter(s)\n[SQL: " + sql_ + "]");
    }
    if (executed_) reset();
    return params_[static_cast<std::size_t>(i)];
}

void statement::bind_null(int i) {
    MYSQL_BIND& b = param(i);
    b.buffer_type = MYSQL_TYPE_NULL;
    b.buffer = nullptr;
    b.length = nullptr;
}

void statement::bind_int(int i, std::int64_t v) {
    MYSQL_BIND& b = param(i);
    param_slot& s = param_slots_[static_cast<std::size_t>(i)];
    s.i = v;
    b.buffer_type = MYSQL_TYPE_LONGLONG;
    b.buffer = &s.i;
    b.is_unsigned = 0;
    b.length = nullptr;
}

void statement::bind_double(int i, double v) {
    // MariaDB has no NaN or infinity in DOUBLE (strict mode: error 1264 "Out of range value"):
    // refused before the statement runs, where the value is still known.
    if (!std::isfinite(v)) {
        detail::throw_bad_write(std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity",
                                "cannot be stored by MariaDB/MySQL (DOUBLE has no NaN or infinity)");
    }
    MYSQL_BIND& b = param(i);
    param_slot& s = param_slots_[static_cast<std::size_t>(i)];
    s.d = v;
    b.buffer_type = MYSQL_TYPE_DOUBLE;
    b.buffer = &s.d;
    b.length = nullptr;
}

void statement::bind_text(int i, std::string_view v) {
    // invalid UTF-8 is refused before sending (the server's error would not say which column)
    detail::check_text_storable(v, dorm::dialect::mysql);
    MYSQL_BIND& b = param(i);
    param_slot& s = param_slots_[static_cast<std::size_t>(i)];
    s.length = static_cast<unsigned long>(v.size());
    b.buffer_type = MYSQL_TYPE_STRING;
    b.buffer = v.empty() ? empty_buffer : const_cast<char*>(v.data());
    b.buffer_length = s.length;
    b.length = &s.length;
}

void statement::bind_blob(int i, std::span<const std::byte> v) {
    MYSQL_BIND& b = param(i);
    param_slot& s = param_slots_[static_cast<std::size_t>(i)];
    s.length = static_cast<unsigned long>(v.size());
    b.buffer_type = MYSQL_TYPE_BLOB;  // sent with the binary charset: no conversion
    b.buffer = v.empty() ? static_cast<void*>(empty_buffer) : const_cast<std::byte*>(v.data());
    b.buffer_length = s.length;
    b.length = &s.length;
}

void statement::execute() {
    handle();  // throws when the connection is closed
    executed_ = true;
    has_row_ = false;
    done_ = true;  // until a result set is stored: a failed execution has no rows
    affected_ = 0;
    if (nparams_ > 0 && mysql_stmt_bind_param(stmt_.get(), params_.data()) != 0) fail();
    state_->sending();
    if (mysql_stmt_execute(stmt_.get()) != 0) fail();
    affected_ = static_cast<std::int64_t>(mysql_stmt_affected_rows(stmt_.get()));
    if (upsert_) affected_ = upserted_rows(affected_);
    insert_id_ = static_cast<std::int64_t>(mysql_stmt_insert_id(stmt_.get()));
    if (mysql_stmt_field_count(stmt_.get()) == 0) return;
    if (!columns_match()) setup_columns();  // types can follow the parameters, or a schema change
    if (mysql_stmt_bind_result(stmt_.get(), binds_.data()) != 0) fail();
    rebind_ = false;
    if (mysql_stmt_store_result(stmt_.get()) != 0) fail_reading();
    affected_ = static_cast<std::int64_t>(mysql_stmt_num_rows(stmt_.get()));
    done_ = false;
}

std::int64_t statement::upserted_rows(std::int64_t affected) const {
    // MySQL counts 1 per inserted row and 2 per updated one (1 when the update changed nothing,
    // with CLIENT_FOUND_ROWS); SQLite and PostgreSQL count every row inserted or updated once.
    // A multi-row INSERT reports "Records: R  Duplicates: D" (D: rows that hit an existing key,
    // changed or not, with CLIENT_FOUND_ROWS) in mysql_info(), also after mysql_stmt_execute:
    // R - D rows were inserted and D updated. A single-row INSERT has no info: it inserted or
    // updated one row when anything was affected.
    const char* info = mysql_info(state_->conn.get());
    std::int64_t records = 0;
    std::int64_t duplicates = 0;
    if (info != nullptr && info_number(info, "Records:", records) && info_number(info, "Duplicates:", duplicates)) {
        return (records - duplicates) + duplicates;  // inserted + updated: every row once
    }
    return affected > 0 ? 1 : 0;
}

bool statement::fetch() {
    // Buffers grown for the previous row are bound now, before the fetch: mysql_stmt_bind_result
    // resets the bound length variables (Connector/C 3.3.19 zeroes them for every column), so
    // calling it while a row is being read would empty that row's text, blob and date values.
    // The documented contract is only that new bindings take effect at the next fetch.
    if (rebind_) {
        if (mysql_stmt_bind_result(stmt_.get(), binds_.data()) != 0) fail();
        rebind_ = false;
    }
    const int rc = mysql_stmt_fetch(stmt_.get());
    if (rc == MYSQL_NO_DATA) return false;
    if (rc == 1) fail_reading();
    if (rc == MYSQL_DATA_TRUNCATED) {
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            column_slot& col = columns_[c];
            if (col.error == 0 || col.how != fetch_as::bytes || col.is_null != 0) continue;
            // col.length holds the full length: grow the buffer and read the column again.
            col.buf.resize(std::max<std::size_t>(col.length, col.buf.size() * 2));
            MYSQL_BIND& b = binds_[c];
            b.buffer = col.buf.data();
            b.buffer_length = static_cast<unsigned long>(col.buf.size());
            if (mysql_stmt_fetch_column(stmt_.get(), &b, static_cast<unsigned>(c), 0) != 0) fail();
            col.error = 0;
            rebind_ = true;  // later rows go straight into the grown buffers
        }
    }
    for (auto& col : columns_) col.text.clear();
    return true;
}

bool statement::step() {
    if (!executed_) execute();
    if (done_) return false;
    has_row_ = fetch();
    if (!has_row_) done_ = true;
    return has_row_;
}

void statement::reset() {
    if (executed_ && stmt_) mysql_stmt_free_result(stmt_.get());
    executed_ = false;
    has_row_ = false;
    done_ = false;
}

const statement::column_slot* statement::current(int c) const noexcept {
    if (!has_row_ || c < 0 || static_cast<std::size_t>(c) >= columns_.size()) return nullptr;
    return &columns_[static_cast<std::size_t>(c)];
}

std::string_view statement::column_name(int c) {
    if (c < 0 || static_cast<std::size_t>(c) >= columns_.size()) return {};
    return columns_[static_cast<std::size_t>(c)].name;
}

bool statement::is_null(int c) {
    const column_slot* col = current(c);
    return col == nullptr || col->is_null != 0;
}

value_kind statement::column_kind(int c) {
    const column_slot* col = current(c);
    if (col == nullptr || col->is_null != 0) return value_kind::null;
    return col->kind;
}

// Integers and doubles are fetched in binary; everything else as bytes, read by the rules of
// lib/driver/numbers.hpp: DECIMAL (kind real) by the real rule, exactly; texts, dates and the
// like must be integer literals; BLOB and BIT are refused. NULL reads as 0.
std::int64_t statement::get_int(int c) {
    const column_slot* col = current(c);
    if (col == nullptr || col->is_null != 0) return 0;
    switch (col->how) {
        case fetch_as::integer:
            if (col->is_unsigned && col->i < 0) return numbers::unsigned_to_int(static_cast<std::uint64_t>(col->i));
            return col->i;
        case fetch_as::real:
            return numbers::real_to_int(col->d);
        case fetch_as::bytes:
            break;
    }
    const std::string_view s(col->buf.data(), col->length);
    switch (col->kind) {
        case value_kind::real:
            return numbers::decimal_to_int(s);
        case value_kind::blob:
            numbers::blob_is_not_a_number({reinterpret_cast<const std::byte*>(s.data()), s.size()}, true);
        default:
            return numbers::text_to_int(s);
    }
}

double statement::get_double(int c) {
    const column_slot* col = current(c);
    if (col == nullptr || col->is_null != 0) return 0.0;
    switch (col->how) {
        case fetch_as::integer:
            return col->is_unsigned ? numbers::unsigned_to_double(static_cast<std::uint64_t>(col->i))
                                    : numbers::int_to_double(col->i);
        case fetch_as::real:
            return col->d;
        case fetch_as::bytes:
            break;
    }
    const std::string_view s(col->buf.data(), col->length);
    if (col->kind == value_kind::blob) {
        numbers::blob_is_not_a_number({reinterpret_cast<const std::byte*>(s.data()), s.size()}, false);
    }
    return numbers::text_to_double(s);  // DECIMAL, and texts that are whole numbers
}

std::string_view statement::get_text(int c) {
    if (current(c) == nullptr) return {};
    column_slot& col = columns_[static_cast<std::size_t>(c)];
    if (col.is_null != 0) return {};
    switch (col.how) {
        case fetch_as::bytes:
            return {col.buf.data(), col.length};
        case fetch_as::integer:
            if (col.text.empty()) {
                col.text = col.is_unsigned ? std::to_string(static_cast<std::uint64_t>(col.i)) : std::to_string(col.i);
            }
            return col.text;
        case fetch_as::real:
            if (col.text.empty()) {
                char buf[32];
                auto [p, ec] = std::to_chars(buf, buf + sizeof buf, col.d);
                (void)ec;
                col.text.assign(buf, p);
            }
            return col.text;
    }
    return {};
}

std::span<const std::byte> statement::get_blob(int c) {
    const std::string_view s = get_text(c);
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// ---------------------------------------------------------------------------------------------
// connection

connection::connection(std::shared_ptr<session_state> state) : state_(std::move(state)) {}

connection::~connection() { state_->conn.reset(); }

std::unique_ptr<driver::statement> connection::prepare(std::string_view sql) {
    return std::make_unique<statement>(state_, sql);
}

void connection::execute(std::string_view sql) {
    MYSQL* m = state_->conn.get();
    if (m == nullptr) throw_closed(sql);
    state_->sending();
    if (mysql_real_query(m, sql.data(), static_cast<unsigned long>(sql.size())) != 0)
        throw_conn_error(m, sql, state_.get());
    // Discard any rows (SHOW, SELECT) so the connection is ready for the next command.
    std::unique_ptr<st_mysql_res, res_deleter> res(mysql_store_result(m));
    if (!res && mysql_field_count(m) != 0) throw_conn_error(m, sql, state_.get());
}

bool connection::ping() {
    MYSQL* m = state_->conn.get();
    return m != nullptr && mysql_ping(m) == 0;
}

bool connection::lost() noexcept {
    // libmariadb closes its socket when it finds the server gone (CR_SERVER_LOST / GONE_ERROR)
    MYSQL* m = state_->conn.get();
    return m == nullptr || state_->lost || mysql_get_socket(m) == MARIADB_INVALID_SOCKET;
}

bool connection::table_exists(std::string_view name) {
    statement s(state_,
                "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?");
    s.bind_text(0, name);
    return s.step();
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options) {
    auto state = std::make_shared<session_state>();
    state->conn.reset(mysql_init(nullptr));
    MYSQL* m = state->conn.get();
    if (m == nullptr) {
        throw operational_error(make_message(operational_label, 2008, "out of memory in mysql_init", {}), 2008);
    }

    unsigned connect_timeout = 10;
    std::optional<std::string> unix_socket;
    bool read_timeout_given = false;
    bool write_timeout_given = false;
    for (const auto& [key, val] : u.query) {
        if (key == "unix_socket") {
            unix_socket = val;
        } else if (key == "connect_timeout") {
            connect_timeout = parse_seconds(key, val);
        } else if (key == "read_timeout") {
            read_timeout_given = true;
            const unsigned t = parse_seconds(key, val);
            mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &t);
        } else if (key == "write_timeout") {
            write_timeout_given = true;
            const unsigned t = parse_seconds(key, val);
            mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &t);
        } else if (key == "charset") {
            if (val != "utf8mb4" && val != "utf8") {
                throw argument_error("mysql URL parameter charset=" + val +
                                     " is not supported: dorm always talks utf8mb4");
            }
        } else if (key == "ssl_ca") {
            mysql_optionsv(m, MYSQL_OPT_SSL_CA, val.c_str());
        } else if (key == "ssl_capath") {
            mysql_optionsv(m, MYSQL_OPT_SSL_CAPATH, val.c_str());
        } else if (key == "ssl_cert") {
            mysql_optionsv(m, MYSQL_OPT_SSL_CERT, val.c_str());
        } else if (key == "ssl_key") {
            mysql_optionsv(m, MYSQL_OPT_SSL_KEY, val.c_str());
        } else if (key == "ssl_cipher") {
            mysql_optionsv(m, MYSQL_OPT_SSL_CIPHER, val.c_str());
        } else {
            throw argument_error("unknown mysql URL parameter '" + key +
                                 "' (supported: unix_socket, connect_timeout, read_timeout, write_timeout, charset, "
                                 "ssl_ca, ssl_capath, ssl_cert, ssl_key, ssl_cipher)");
        }
    }
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    if (options.statement_timeout > 0) {
        // a server that stops answering (a stopped process, a dead host) would block a read
        // forever: give up after the timeout and its grace (whole seconds for Connector/C), unless
        // the URL says otherwise
        state->statement_timeout = options.statement_timeout;
        const auto wait = static_cast<unsigned>(std::ceil(timeouts::client_wait(options.statement_timeout)));
        if (!read_timeout_given) {
            mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &wait);
            state->read_wait = wait;
        }
        if (!write_timeout_given) mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &wait);
    }
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const my_bool on = 1;
    const my_bool off = 0;
    mysql_optionsv(m, MYSQL_REPORT_DATA_TRUNCATION, &on);
    mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off);  // a lost connection is an error, never a silent new session

    // libmariadb reads host "localhost" as "use the unix socket": with a port and no socket, the
    // URL means TCP, as it does for every other client.
    std::string host = u.host.value_or(std::string());
    if (host == "localhost" && !unix_socket && u.port) host = "127.0.0.1";

    const char* host_arg = host.empty() ? nullptr : host.c_str();
    const char* user_arg = u.username ? u.username->c_str() : nullptr;
    const char* pw_arg = u.password ? u.password->c_str() : nullptr;
    const char* db_arg = (u.database && !u.database->empty()) ? u.database->c_str() : nullptr;
    const unsigned port = u.port ? static_cast<unsigned>(*u.port) : 0;
    const char* socket_arg = unix_socket ? unix_socket->c_str() : nullptr;
    // CLIENT_FOUND_ROWS: UPDATE reports the rows it matched (as SQLite and PostgreSQL do), not only
    // the rows whose values changed.
    if (mysql_real_connect(m, host_arg, user_arg, pw_arg, db_arg, port, socket_arg, CLIENT_FOUND_ROWS) == nullptr) {
        const unsigned code = mysql_errno(m);
        const std::string msg = scrub(mysql_error(m), u.password);
        std::string sqlstate = mysql_sqlstate(m);
        throw operational_error(
            make_message(operational_label, code, "could not connect to " + describe(u) + ": " + msg, {}),
            static_cast<int>(code), std::move(sqlstate));
    }
    if (mysql_real_query(m, session_setup, static_cast<unsigned long>(std::strlen(session_setup))) != 0) {
        throw_conn_error(m, session_setup);
    }
    if (options.statement_timeout > 0) {
        // the server cancels a statement that runs longer (error 1969); the connection stays usable
        char sql[96];
        std::snprintf(sql, sizeof sql, "SET SESSION max_statement_time = %.6f", options.statement_timeout);
        if (mysql_real_query(m, sql, static_cast<unsigned long>(std::strlen(sql))) != 0) throw_conn_error(m, sql);
    }
    return std::make_unique<connection>(std::move(state));
}

}  // namespace dorm::driver::mysql
