/// @file lib/mysql/mysql_errors.cpp
/// MariaDB / MySQL error numbers as dorm errors (see mysql_errors.hpp).
#include "mysql_errors.hpp"

#include <chrono>
#include <string>
#include <utility>

#include <mysql.h>

#include <dorm/error.hpp>

#include "../driver/messages.hpp"
#include "../driver/timeouts.hpp"
#include "mysql_session.hpp"

namespace dorm::driver::mysql {

std::string coded_message(std::string_view label, unsigned code, std::string_view what, std::string_view sql) {
    std::string coded = "(" + std::to_string(code) + ", \"";
    coded += what;
    coded += "\")";
    return make_message(label, coded, {}, sql);
}

[[noreturn]] void throw_error(unsigned code, const char* state, const char* msg, std::string_view sql,
                              session_state* session) {
    std::string sqlstate = state != nullptr ? state : "";
    const std::string_view what = (msg != nullptr && *msg != '\0') ? std::string_view(msg) : "unknown error";
    const int c = static_cast<int>(code);
    const double timeout = session != nullptr ? session->statement_timeout : 0.0;
    if (session != nullptr && (code == 2006 || code == 2013 || code == 2055 || code == 5013 || code == 5014))
        session->lost = true;
    if (timeout > 0) {
        if (code == 1969 || code == 3024) {  // ER_STATEMENT_TIMEOUT (MariaDB), ER_QUERY_TIMEOUT (MySQL)
            throw timeout_error(
                coded_message(operational_label, code, std::string(what) + ": " + timeouts::cancelled(timeout), sql), c,
                std::move(sqlstate));
        }
        const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - session->sent).count();
        if ((code == 2013 || code == 5013 || code == 5014) && session->read_wait != 0 &&
            waited >= session->read_wait - 0.25) {  // lost / CR_ERR_NET_READ / _WRITE after the read timeout
            std::string m(what);
            m += ": no answer from the server within " + timeouts::format(session->read_wait) +
                 " (the statement timeout of " + timeouts::format(timeout) +
                 " and its grace, in whole seconds): the connection was closed";
            throw timeout_error(coded_message(operational_label, code, m, sql), c, std::move(sqlstate));
        }
    }
    switch (code) {
        case 1062:  // ER_DUP_ENTRY
        case 1169:  // ER_DUP_UNIQUE
        case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
            throw unique_violation(coded_message(integrity_label, code, what, sql), c, std::move(sqlstate));
        case 1216:  // ER_NO_REFERENCED_ROW
        case 1217:  // ER_ROW_IS_REFERENCED
        case 1451:  // ER_ROW_IS_REFERENCED_2
        case 1452:  // ER_NO_REFERENCED_ROW_2
            throw foreign_key_violation(coded_message(integrity_label, code, what, sql), c, std::move(sqlstate));
        case 1048:  // ER_BAD_NULL_ERROR
        case 1364:  // ER_NO_DEFAULT_FOR_FIELD
        case 1263:  // ER_WARN_NULL_TO_NOTNULL
            throw not_null_violation(coded_message(integrity_label, code, what, sql), c, std::move(sqlstate));
        case 3819:  // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
        case 4025:  // ER_CONSTRAINT_FAILED (MariaDB)
            throw check_violation(coded_message(integrity_label, code, what, sql), c, std::move(sqlstate));
        case 1022:  // ER_DUP_KEY
        case 1557:  // ER_FOREIGN_DUPLICATE_KEY
        case 1761:  // ER_FOREIGN_DUPLICATE_KEY_WITH_CHILD_INFO
        case 1762:  // ER_FOREIGN_DUPLICATE_KEY_WITHOUT_CHILD_INFO
            throw integrity_error(coded_message(integrity_label, code, what, sql), c, std::move(sqlstate));
        case 2002:  // CR_CONNECTION_ERROR
        case 2003:  // CR_CONN_HOST_ERROR
        case 2006:  // CR_SERVER_GONE_ERROR
        case 2013:  // CR_SERVER_LOST
        case 2055:  // CR_SERVER_LOST_EXTENDED
        case 1053:  // ER_SERVER_SHUTDOWN
        case 1927:  // ER_CONNECTION_KILLED
            throw operational_error(coded_message(operational_label, code, what, sql), c, std::move(sqlstate));
        case 1406:  // ER_DATA_TOO_LONG
        case 1264:  // ER_WARN_DATA_OUT_OF_RANGE
        case 1292:  // ER_TRUNCATED_WRONG_VALUE (incorrect datetime value)
        case 1366:  // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD (incorrect integer/string value)
        case 1265:  // WARN_DATA_TRUNCATED (sqlstate 01000, an error in strict mode)
        case 1367:  // ER_ILLEGAL_VALUE_FOR_TYPE
        case 1365:  // ER_DIVISION_BY_ZERO
            throw data_error(coded_message(data_label, code, what, sql), c, std::move(sqlstate));
        case 1064:  // ER_PARSE_ERROR
        case 1146:  // ER_NO_SUCH_TABLE
        case 1054:  // ER_BAD_FIELD_ERROR
            throw programming_error(coded_message(programming_label, code, what, sql), c, std::move(sqlstate));
        default:
            break;
    }
    if (sqlstate.starts_with("23")) {
        throw integrity_error(coded_message(integrity_label, code, what, sql), c, std::move(sqlstate));
    }
    if (sqlstate.starts_with("08")) {
        throw operational_error(coded_message(operational_label, code, what, sql), c, std::move(sqlstate));
    }
    if (sqlstate.starts_with("42")) {
        throw programming_error(coded_message(programming_label, code, what, sql), c, std::move(sqlstate));
    }
    if (sqlstate.starts_with("22")) {  // data exception
        throw data_error(coded_message(data_label, code, what, sql), c, std::move(sqlstate));
    }
    throw operational_error(coded_message(operational_label, code, what, sql), c, std::move(sqlstate));
}

[[noreturn]] void throw_conn_error(MYSQL* m, std::string_view sql, session_state* session) {
    throw_error(mysql_errno(m), mysql_sqlstate(m), mysql_error(m), sql, session);
}

[[noreturn]] void throw_closed(std::string_view sql) {
    throw operational_error(coded_message(operational_label, 2006, "the connection is closed", sql), 2006, "08003");
}

}  // namespace dorm::driver::mysql
