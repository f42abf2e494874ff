/// @file lib/postgres/postgres_errors.cpp
/// libpq's failures as dorm errors (see postgres_errors.hpp).
#include "postgres_errors.hpp"

#include <string>
#include <utility>

#include <libpq-fe.h>

#include <dorm/error.hpp>

#include "../driver/messages.hpp"
#include "../driver/retry_hints.hpp"
#include "../driver/timeouts.hpp"

namespace dorm::driver::postgres {

std::string trim_message(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
    return std::string(s);
}

bool is_stale_plan(const pg_result* res) noexcept {
    if (res == nullptr) return false;
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char* where = PQresultErrorField(res, PG_DIAG_SOURCE_FUNCTION);
    const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (state == nullptr || std::string_view(state) != "0A000") return false;
    return (where != nullptr && std::string_view(where) == "RevalidateCachedQuery") ||
           (primary != nullptr && std::string_view(primary) == "cached plan must not change result type");
}

[[noreturn]] void throw_error(PGconn* conn, const PGresult* res, std::string_view sql, double timeout) {
    const char* state_field = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state_field != nullptr ? state_field : "";
    const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string what;
    if (primary != nullptr) {
        what = primary;
    } else if (res != nullptr && *PQresultErrorMessage(res) != '\0') {
        what = trim_message(PQresultErrorMessage(res));
    } else if (conn != nullptr) {
        what = trim_message(PQerrorMessage(conn));
    }
    if (what.empty()) what = "the command failed without a message from libpq";
    const char* detail_field = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : nullptr;
    const std::string_view detail = detail_field != nullptr ? detail_field : "";

    const bool connection_lost = conn == nullptr || PQstatus(conn) == CONNECTION_BAD;
    if (connection_lost || sqlstate.starts_with("08")) {
        if (sqlstate.empty()) sqlstate = "08006";
        throw operational_error(make_message(operational_label, what, detail, sql), 0, std::move(sqlstate));
    }
    if (sqlstate.starts_with("23")) {
        std::string m = make_message(integrity_label, what, detail, sql);
        if (sqlstate == "23505") throw unique_violation(m, 0, std::move(sqlstate));
        if (sqlstate == "23503") throw foreign_key_violation(m, 0, std::move(sqlstate));
        if (sqlstate == "23502") throw not_null_violation(m, 0, std::move(sqlstate));
        if (sqlstate == "23514") throw check_violation(m, 0, std::move(sqlstate));
        throw integrity_error(m, 0, std::move(sqlstate));
    }
    if (sqlstate.starts_with("42")) {
        throw programming_error(make_message(programming_label, what, detail, sql), 0, std::move(sqlstate));
    }
    if (sqlstate.starts_with("22")) {  // data exception: value too long, out of range, bad date, ...
        throw data_error(make_message(data_label, what, detail, sql), 0, std::move(sqlstate));
    }
    if (sqlstate == "57014" && timeout > 0) {  // query_canceled: by statement_timeout (or a cancel request)
        what += ": ";
        what += timeouts::cancelled(timeout);
        throw timeout_error(make_message(operational_label, what, detail, sql), 0, std::move(sqlstate));
    }
    if (is_stale_plan(res)) {
        // the statement is prepared again at its next use; dorm::is_retryable recognises this
        what += " (";
        what += driver::stale_plan_hint;
        what += ")";
    }
    throw operational_error(make_message(operational_label, what, detail, sql), 0, std::move(sqlstate));
}

void check_result(PGconn* conn, const PGresult* res, std::string_view sql, double timeout) {
    if (res != nullptr) {
        switch (PQresultStatus(res)) {
            case PGRES_COMMAND_OK:
            case PGRES_TUPLES_OK:
            case PGRES_EMPTY_QUERY:
                return;
            case PGRES_COPY_IN:
            case PGRES_COPY_OUT:
            case PGRES_COPY_BOTH:
                throw programming_error(
                    make_message(programming_label, "COPY is not supported through dorm", {}, sql), 0);
            default:
                break;
        }
    }
    throw_error(conn, res, sql, timeout);
}

[[noreturn]] void throw_closed(std::string_view sql) {
    throw operational_error(make_message(operational_label, "the connection is closed", {}, sql), 0, "08003");
}

}  // namespace dorm::driver::postgres
