/// @file lib/mysql/mysql_connection.cpp
/// Opening a MariaDB connection (URL parameters as Connector/C options, the session's sql_mode
/// and time zone, the statement timeout) and the connection's own commands.
#include "mysql_connection.hpp"
#include "mysql_driver.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include <mysql.h>

#include <dorm/engine/url.hpp>
#include <dorm/error.hpp>

#include "../driver/messages.hpp"
#include "../driver/numbers.hpp"
#include "../driver/timeouts.hpp"
#include "mysql_errors.hpp"
#include "mysql_statement.hpp"

namespace dorm::driver::mysql {

namespace {

/// The sql_mode of every connection: strict, so that bad data is an error, not a warning. The
/// time zone is UTC: dorm's timestamps are UTC, so CURRENT_TIMESTAMP / NOW() must be too.
constexpr const char* session_setup =
    "SET NAMES utf8mb4, SESSION sql_mode = "
    "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
    "SESSION time_zone = '+00:00'";

unsigned parse_seconds(const std::string& key, const std::string& text) {
    unsigned v = 0;
    if (!numbers::parse_whole(text, v))
        throw argument_error("mysql URL parameter '" + key + "' must be a whole number of seconds, got '" + text + "'");
    return v;
}

}  // namespace

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

// connect(): the driver's entry point

std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options) {
    auto state = std::make_shared<session_state>();
    state->conn.reset(mysql_init(nullptr));
    MYSQL* m = state->conn.get();
    if (m == nullptr) {
        throw operational_error(coded_message(operational_label, 2008, "out of memory in mysql_init", {}), 2008);
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
        std::string sqlstate = mysql_sqlstate(m);
        throw operational_error(coded_message(operational_label, code, could_not_connect(u, mysql_error(m)), {}),
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
