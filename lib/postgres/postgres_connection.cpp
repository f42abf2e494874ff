/// @file lib/postgres/postgres_connection.cpp
/// Opening a libpq connection (keywords from the URL, session settings, the statement timeout)
/// and the connection's own commands.
#include "postgres_connection.hpp"
#include "postgres_driver.hpp"

#include <string>
#include <utility>
#include <vector>

#include <libpq-fe.h>

#include <dorm/engine/url.hpp>
#include <dorm/error.hpp>

#include "../driver/messages.hpp"
#include "../driver/timeouts.hpp"
#include "postgres_errors.hpp"
#include "postgres_statement.hpp"

namespace dorm::driver::postgres {

namespace {

void ignore_notice(void*, const char*) noexcept {}

/// A yes/no URL option: true/false, 1/0, yes/no, on/off. @throws argument_error otherwise.
bool parse_flag(const url& u, const std::string& key, const std::string& val) {
    for (const char* yes : {"true", "1", "yes", "on"})
        if (val == yes) return true;
    for (const char* no : {"false", "0", "no", "off"})
        if (val == no) return false;
    throw argument_error("invalid value '" + val + "' for " + key + " in URL " + shown_url(u) +
                         " (expected true or false)");
}

/// The oldest server whose default float output is exact (extra_float_digits = 1 prints the
/// shortest text that reads back the same double): behind a transaction-pooling proxy dorm cannot
/// SET extra_float_digits = 3 for the whole connection.
constexpr int pooling_min_server = 120000;

}  // namespace

void connection::execute(std::string_view sql) {
    PGconn* conn = state_->conn.get();
    const std::string text(sql);
    if (conn == nullptr) throw_closed(text);
    state_->flush_pending();  // settles a pipeline too
    result_ptr res = state_->exec(text.c_str());
    check_result(state_->conn.get(), res.get(), text, state_->statement_timeout);
}

void connection::begin(std::string_view sql) {
    if (!state_->transaction_pooling || state_->statement_timeout <= 0) return execute(sql);
    std::string text(sql);
    text += "; SET LOCAL statement_timeout = ";
    text += std::to_string(timeouts::milliseconds(state_->statement_timeout));
    execute(text);
}

bool connection::keeps_session_state() const { return !state_->transaction_pooling; }

bool connection::ping() {
    PGconn* conn = state_->conn.get();
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) return false;
    state_->settle();
    try {
        result_ptr res = state_->exec("SELECT 1");
        return res && PQresultStatus(res.get()) == PGRES_TUPLES_OK;
    } catch (...) {
        return false;
    }
}

bool connection::lost() noexcept {
    PGconn* conn = state_->conn.get();
    return conn == nullptr || state_->lost || PQstatus(conn) == CONNECTION_BAD;
}

bool connection::table_exists(std::string_view name) {
    PGconn* conn = state_->conn.get();
    static constexpr const char* sql =
        "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
        "AND n.nspname <> 'pg_catalog' AND pg_catalog.pg_table_is_visible(c.oid)";
    if (conn == nullptr) throw_closed(sql);
    const std::string n(name);
    const char* values[1] = {n.c_str()};
    state_->settle();
    result_ptr res;
    if (state_->statement_timeout <= 0)
        res.reset(PQexecParams(conn, sql, 1, nullptr, values, nullptr, nullptr, 0));
    else if (PQsendQueryParams(conn, sql, 1, nullptr, values, nullptr, nullptr, 0) == 1)
        res = state_->collect(sql);
    check_result(state_->conn.get(), res.get(), sql, state_->statement_timeout);
    return PQntuples(res.get()) > 0;
}

// connect(): the driver's entry point

std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options) {
    std::vector<std::pair<std::string, std::string>> params;
    if (u.host && !u.host->empty()) params.emplace_back("host", *u.host);
    if (u.port) params.emplace_back("port", std::to_string(*u.port));
    if (u.username) params.emplace_back("user", *u.username);
    if (u.password) params.emplace_back("password", *u.password);
    if (u.database && !u.database->empty()) params.emplace_back("dbname", *u.database);
    params.emplace_back("connect_timeout", "10");
    params.emplace_back("fallback_application_name", "dorm");

    bool transaction_pooling = false;
    if (!u.query.empty()) {
        // Check the keywords first: libpq's own complaint would come as a connection failure.
        std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> defaults(PQconndefaults(), PQconninfoFree);
        for (const auto& [key, val] : u.query) {
            if (key == "transaction_pooling") {  // dorm's own: the server is behind PgBouncer & co.
                transaction_pooling = parse_flag(u, key, val);
                continue;
            }
            bool known = false;
            for (const PQconninfoOption* o = defaults.get(); o != nullptr && o->keyword != nullptr; ++o) {
                if (key == o->keyword) {
                    known = true;
                    break;
                }
            }
            if (!known && defaults) {
                throw argument_error("unknown PostgreSQL connection parameter '" + key + "' in URL " + shown_url(u) +
                                     " (the query string takes libpq keywords such as sslmode or connect_timeout)");
            }
            params.emplace_back(key, val);
        }
    }
    params.emplace_back("client_encoding", "UTF8");

    std::vector<const char*> keys;
    std::vector<const char*> vals;
    for (const auto& [k, v] : params) {
        keys.push_back(k.c_str());
        vals.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    vals.push_back(nullptr);

    auto state = std::make_shared<session_state>();
    state->conn.reset(PQconnectdbParams(keys.data(), vals.data(), 0));
    if (!state->conn) {
        throw operational_error(make_message(operational_label, "out of memory opening a libpq connection", {}, {}),
                                0, "08001");
    }
    if (PQstatus(state->conn.get()) != CONNECTION_OK) {
        throw operational_error(
            make_message(operational_label, could_not_connect(u, trim_message(PQerrorMessage(state->conn.get())))), 0,
            "08001");
    }
    PQsetNoticeProcessor(state->conn.get(), ignore_notice, nullptr);

    // TimeZone UTC: dorm's timestamps are UTC, so CURRENT_TIMESTAMP / now() in a default or a query
    // must be UTC too (as SQLite's CURRENT_TIMESTAMP is), whatever the server's time zone is.
    // Behind a transaction-pooling proxy only TimeZone is kept (PgBouncer replays it on every
    // server connection it hands this client); the server's defaults must do for the others.
    state->transaction_pooling = transaction_pooling;
    if (transaction_pooling && PQserverVersion(state->conn.get()) < pooling_min_server) {
        throw argument_error("transaction_pooling=true needs PostgreSQL 12 or later (the server is " +
                             std::to_string(PQserverVersion(state->conn.get())) +
                             "): older servers print floats inexactly unless each connection sets "
                             "extra_float_digits, which a transaction-pooling proxy does not keep; URL " +
                             shown_url(u));
    }
    const char* setup = transaction_pooling
                            ? "SET TIME ZONE 'UTC'"
                            : "SET extra_float_digits = 3; SET bytea_output = 'hex'; SET TIME ZONE 'UTC'";
    result_ptr res(PQexec(state->conn.get(), setup));
    check_result(state->conn.get(), res.get(), setup);
    if (options.statement_timeout > 0) {
        // the server cancels a longer statement itself (57014) and the connection stays usable;
        // nonblocking mode lets session_state::await bound every wait for a server that is gone.
        // Behind a transaction-pooling proxy it is SET LOCAL at each BEGIN instead (begin()).
        if (!transaction_pooling) {
            const std::string sql =
                "SET statement_timeout = " + std::to_string(timeouts::milliseconds(options.statement_timeout));
            result_ptr set(PQexec(state->conn.get(), sql.c_str()));
            check_result(state->conn.get(), set.get(), sql);
        }
        if (PQsetnonblocking(state->conn.get(), 1) != 0) throw_error(state->conn.get(), nullptr, "PQsetnonblocking");
        state->statement_timeout = options.statement_timeout;
    }
    return std::make_unique<connection>(std::move(state));
}

}  // namespace dorm::driver::postgres
