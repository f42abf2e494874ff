#pragma once
/// @file lib/mysql/mysql_session.hpp
/// The MYSQL handle a MariaDB connection and its statements share, what its statement timeout
/// needs to know, and the deleters of Connector/C's handles.
#include <chrono>
#include <memory>

struct st_mysql;
struct st_mysql_stmt;
struct st_mysql_res;

namespace dorm::driver::mysql {

/// Closes a MYSQL handle (mysql_close). Never throws.
struct mysql_deleter {
    void operator()(st_mysql* m) const noexcept;
};
/// Closes a MYSQL_STMT (mysql_stmt_close). Never throws.
struct stmt_deleter {
    void operator()(st_mysql_stmt* s) const noexcept;
};
/// Frees a MYSQL_RES (mysql_free_result). Never throws.
struct res_deleter {
    void operator()(st_mysql_res* r) const noexcept;
};

/// The handle a connection and its statements share; reset when the connection is destroyed.
struct session_state {
    std::unique_ptr<st_mysql, mysql_deleter> conn;
    double statement_timeout = 0;  ///< engine_options::statement_timeout (0: none)
    unsigned read_wait = 0;        ///< MYSQL_OPT_READ_TIMEOUT set for it (whole seconds; 0: none)
    /// When the current command was sent (kept only with a read_wait): a lost connection after
    /// read_wait seconds is the read timeout, not a server that went away.
    std::chrono::steady_clock::time_point sent{};
    bool lost = false;             ///< a call failed with "server gone / lost": the connection is dead
    /// Notes the time a command is sent (with a read timeout only).
    void sending() noexcept {
        if (read_wait != 0) sent = std::chrono::steady_clock::now();
    }
};

}  // namespace dorm::driver::mysql
