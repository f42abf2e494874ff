/// @file lib/mysql/mysql_statement.cpp
/// A MariaDB prepared statement's life: prepare, execute (affected rows, an upsert's count, the
/// insert id), store and fetch the rows (growing a buffer for a longer value), reset.
#include "mysql_statement.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include <mysql.h>

#include <dorm/error.hpp>

#include "mysql_errors.hpp"

namespace dorm::driver::mysql {

namespace {

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

}  // namespace

// the handles of mysql_session.hpp
void mysql_deleter::operator()(st_mysql* m) const noexcept { mysql_close(m); }
void stmt_deleter::operator()(st_mysql_stmt* s) const noexcept { mysql_stmt_close(s); }
void res_deleter::operator()(st_mysql_res* r) const noexcept { mysql_free_result(r); }

statement::statement(std::shared_ptr<session_state> state, std::string_view sql)
    : statement_base(sql), state_(std::move(state)) {
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

void statement::fail_sending() {
    const unsigned code = mysql_stmt_errno(stmt_.get());
    std::size_t bytes = 0;
    for (const auto& b : params_) bytes += b.buffer_length;
    // 1153 ER_NET_PACKET_TOO_LARGE; the server then closes the connection, so the client mostly
    // sees 2006 / 2013 / 2055 (gone, lost)
    if ((code == 1153 || code == 2006 || code == 2013 || code == 2055) && bytes >= (std::size_t{1} << 20)) {
        const std::string sqlstate = mysql_stmt_sqlstate(stmt_.get());
        std::string message = mysql_stmt_error(stmt_.get());
        message += " (the statement sent " + std::to_string(bytes) +
                   " bytes of values: a server closes the connection when a packet exceeds its "
                   "max_allowed_packet, 16 MB by default in MariaDB; raise it on the server, or store smaller values)";
        throw_error(code, sqlstate.c_str(), message.c_str(), sql_, state_.get());
    }
    fail();
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

void statement::execute() {
    handle();  // throws when the connection is closed
    executed_ = true;
    has_row_ = false;
    done_ = true;  // until a result set is stored: a failed execution has no rows
    affected_ = 0;
    if (nparams_ > 0 && mysql_stmt_bind_param(stmt_.get(), params_.data()) != 0) fail();
    state_->sending();
    if (mysql_stmt_execute(stmt_.get()) != 0) fail_sending();
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

}  // namespace dorm::driver::mysql
