// Transactions on a dorm::connection: BEGIN at an isolation level, the SQLite write lock,
// COMMIT and ROLLBACK.
#include <dorm/engine/engine.hpp>

#include <optional>
#include <string>
#include <vector>

#include "connection_guard.hpp"
#include "dialect/hooks.hpp"
#include "engine_impl.hpp"

namespace dorm {

namespace detail {
namespace {

/// Begins a transaction on pc at `level` (none: the backend's default, or the engine's level set
/// on the connection when it was opened).
void begin_transaction(pooled_connection& pc, const std::optional<isolation>& level, const connection& log_to) {
    const dialect_hooks& h = hooks(pc.engine_->dialect());
    std::vector<std::string> statements;
    std::optional<isolation> session_level = pc.session_level_;
    if (level == pc.session_level_) {
        statements.emplace_back("BEGIN");  // the connection has the level already
    } else if (!level) {
        // a transaction at the server's default after one that set the connection's level
        statements.push_back(h.connection_isolation_reset_sql());
        statements.emplace_back("BEGIN");
        session_level.reset();
    } else {
        check_isolation(pc.engine_->dialect(), *level, "dorm::connection::begin");
        if (!h.begin_statements(*level, statements)) {
            statements.push_back(h.connection_isolation_sql(*level));
            statements.emplace_back("BEGIN");
            session_level = level;
        }
    }
    for (std::size_t i = 0; i < statements.size(); ++i) {
        if (statements[i].empty()) continue;
        const bool last = i + 1 == statements.size();
        if (pc.echo_) log_to.log(last ? statements[i] + " (implicit)" : statements[i]);
        guarded(pc, [&] {
            if (last)
                pc.conn_->begin(statements[i]);
            else
                pc.conn_->execute(statements[i]);
        });
        if (!last) pc.session_level_ = session_level;
    }
    pc.in_transaction_ = true;
    pc.write_locked_ = level && (*level == isolation::immediate || *level == isolation::exclusive);
}

}  // namespace
}  // namespace detail

void connection::begin() {
    auto& pc = detail::checked(impl_);
    if (pc.in_transaction_) return;
    detail::begin_transaction(pc, pc.engine_->options().isolation, *this);
}

void connection::begin(dorm::isolation level) {
    auto& pc = detail::checked(impl_);
    if (pc.in_transaction_) return;
    detail::begin_transaction(pc, level, *this);
}

void connection::begin_write(std::optional<dorm::isolation> level) {
    auto& pc = detail::checked(impl_);
    if (!level) level = pc.engine_->options().isolation;
    if (detail::hooks(pc.engine_->dialect()).locking().rows) {
        if (!pc.in_transaction_) detail::begin_transaction(pc, level, *this);  // the SELECT locks the rows
        return;
    }
    if (pc.in_transaction_) {
        if (pc.write_locked_) return;
        const auto state = pc.conn_->transaction();
        if (state == driver::connection::transaction_state::write) {
            pc.write_locked_ = true;
            return;
        }
        // It has read at most: end it, and take the write lock at BEGIN (a deferred transaction
        // that reads and then writes fails with SQLITE_BUSY instead of waiting for the lock).
        if (pc.echo_) log("ROLLBACK (nothing was written: the transaction begins again holding the write lock)");
        detail::guarded(pc, [&] { pc.conn_->execute("ROLLBACK"); });
        pc.in_transaction_ = false;
    }
    detail::begin_transaction(pc, level == isolation::exclusive ? isolation::exclusive : isolation::immediate, *this);
}

void connection::commit() {
    auto& pc = detail::checked(impl_);
    if (!pc.in_transaction_) return;
    if (pc.echo_) log("COMMIT");
    pc.conn_->execute("COMMIT");  // on failure the transaction stays open (rolled back later)
    pc.in_transaction_ = false;
    pc.write_locked_ = false;
}

void connection::rollback() noexcept {
    if (!impl_ || !impl_->in_transaction_) return;
    auto& pc = *impl_;
    if (pc.echo_) {
        try {
            log("ROLLBACK");
        } catch (...) {
        }
    }
    try {
        pc.conn_->execute("ROLLBACK");
    } catch (...) {
        pc.invalid_ = true;  // a connection that cannot roll back is not reused
    }
    pc.in_transaction_ = false;
    pc.write_locked_ = false;
}

namespace {

std::string two_phase_statement(const detail::pooled_connection& pc, detail::dialect_hooks::two_phase_step step,
                                std::string_view gid) {
    const detail::dialect_hooks& h = detail::hooks(pc.engine_->dialect());
    std::string sql = h.two_phase_sql(step, gid);
    if (sql.empty())
        throw argument_error("dorm::connection: " + std::string(h.name()) +
                             " has no two-phase commit dorm can use (PostgreSQL's PREPARE TRANSACTION)");
    return sql;
}

}  // namespace

void connection::prepare_transaction(std::string_view gid) {
    auto& pc = detail::checked(impl_);
    const std::string sql = two_phase_statement(pc, detail::dialect_hooks::two_phase_step::prepare, gid);
    if (!pc.in_transaction_) throw argument_error("dorm::connection::prepare_transaction: no transaction is open");
    if (pc.echo_) log(sql);
    detail::guarded(pc, [&] { pc.conn_->execute(sql); });
    pc.in_transaction_ = false;  // the server keeps it under gid; the connection is free
    pc.write_locked_ = false;
}

void connection::commit_prepared(std::string_view gid) {
    auto& pc = detail::checked(impl_);
    const std::string sql = two_phase_statement(pc, detail::dialect_hooks::two_phase_step::commit, gid);
    if (pc.echo_) log(sql);
    detail::guarded(pc, [&] { pc.conn_->execute(sql); });
}

void connection::rollback_prepared(std::string_view gid) {
    auto& pc = detail::checked(impl_);
    const std::string sql = two_phase_statement(pc, detail::dialect_hooks::two_phase_step::rollback, gid);
    if (pc.echo_) log(sql);
    detail::guarded(pc, [&] { pc.conn_->execute(sql); });
}

bool connection::in_transaction() const noexcept { return impl_ && impl_->in_transaction_; }

}  // namespace dorm
