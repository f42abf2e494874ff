/// @file lib/postgres/postgres_session.cpp
/// The state a PostgreSQL connection shares with its statements, and every wait for the server
/// (see postgres_session.hpp): bounded by poll() on the socket under a statement timeout.
#include "postgres_session.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>

#include <libpq-fe.h>
#include <poll.h>

#include <dorm/error.hpp>

#include "../driver/messages.hpp"
#include "../driver/timeouts.hpp"
#include "postgres_errors.hpp"
#include "postgres_statement.hpp"

namespace dorm::driver::postgres {

void conn_deleter::operator()(pg_conn* c) const noexcept { PQfinish(c); }
void result_deleter::operator()(pg_result* r) const noexcept { PQclear(r); }

bool session_state::usable() const noexcept {
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) return false;
    const auto ts = PQtransactionStatus(conn.get());
    return ts == PQTRANS_IDLE || ts == PQTRANS_INTRANS;
}

void session_state::settle() noexcept {
    if (pipeline != nullptr) pipeline->abandon_queue();
}

void session_state::flush_pending() noexcept {
    settle();
    while (!pending_deallocate.empty() && usable()) {
        try {
            const std::string sql = "DEALLOCATE " + pending_deallocate.back();
            exec(sql.c_str());
        } catch (...) {  // the server did not answer (the connection is closed now), or no memory
        }
        pending_deallocate.pop_back();
    }
}

void session_state::await(std::string_view sql) {
    PGconn* c = conn.get();
    if (statement_timeout <= 0 || c == nullptr) return;
    using clock = std::chrono::steady_clock;
    const auto deadline =
        clock::now() + std::chrono::duration_cast<clock::duration>(
                           std::chrono::duration<double>(timeouts::client_wait(statement_timeout)));
    for (;;) {
        const int unsent = PQflush(c);  // 0: all sent, 1: more to send, -1: failed (reported by PQgetResult)
        if (unsent < 0 || (unsent == 0 && PQisBusy(c) == 0)) return;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) {
            // a live server would have cancelled the statement by now: it is stopped, or gone
            // with its host; the socket is closed without waiting for anything more
            if (pipeline != nullptr) pipeline = nullptr;
            lost = true;
            conn.reset();
            throw timeout_error(make_message(operational_label, timeouts::no_answer(statement_timeout), {}, sql), 0,
                                "08006");
        }
        pollfd p{PQsocket(c), static_cast<short>(POLLIN | (unsent == 1 ? POLLOUT : 0)), 0};
        const int ready = poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
        if (ready < 0 && errno != EINTR) return;  // PQgetResult reports the broken socket
        if (ready > 0 && (p.revents & (POLLIN | POLLERR | POLLHUP)) != 0 && PQconsumeInput(c) == 0) return;
    }
}

result_ptr session_state::collect(std::string_view sql) {
    result_ptr kept;
    bool kept_failed = false;
    for (;;) {
        await(sql);
        result_ptr r(PQgetResult(conn.get()));
        if (!r) break;
        if (!kept_failed) {  // the last result, or the first failure
            const auto status = PQresultStatus(r.get());
            kept_failed = status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY;
            kept = std::move(r);
        }
        if (PQstatus(conn.get()) == CONNECTION_BAD) break;
    }
    return kept;
}

result_ptr session_state::exec(const char* sql) {
    PGconn* c = conn.get();
    if (statement_timeout <= 0 || c == nullptr) return result_ptr(PQexec(c, sql));
    if (PQsendQuery(c, sql) != 1) return nullptr;
    return collect(sql);
}

result_ptr session_state::describe_unnamed(const std::string& sql) {
    settle();
    PGconn* c = conn.get();
    if (c == nullptr || PQenterPipelineMode(c) != 1) return nullptr;
    if (PQsendPrepare(c, "", sql.c_str(), 0, nullptr) != 1 || PQsendDescribePrepared(c, "") != 1 ||
        PQpipelineSync(c) != 1) {
        return nullptr;  // the connection failed (PQerrorMessage says why); it is not reused
    }
    result_ptr described, failed;
    for (;;) {  // Parse's result, NULL, Describe's result, NULL, the sync
        await(sql);
        result_ptr r(PQgetResult(conn.get()));
        if (!r) {
            if (PQstatus(conn.get()) != CONNECTION_OK) return nullptr;
            continue;
        }
        const auto status = PQresultStatus(r.get());
        if (status == PGRES_PIPELINE_SYNC) break;
        if (status == PGRES_COMMAND_OK)
            described = std::move(r);  // the last one is Describe's
        else if (!failed && status != PGRES_PIPELINE_ABORTED)
            failed = std::move(r);
    }
    PQexitPipelineMode(conn.get());
    return failed ? std::move(failed) : std::move(described);
}

}  // namespace dorm::driver::postgres
