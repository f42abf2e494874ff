#pragma once
/// @file dorm/engine/isolation.hpp
/// Transaction isolation levels: engine_options::isolation, session_options::isolation and
/// session.begin(level).
#include <optional>
#include <string_view>

#include <dorm/dialect/dialect.hpp>

namespace dorm {

/// How a transaction is isolated from the others, as each backend spells it:
///
/// | level             | PostgreSQL            | MariaDB                | SQLite                     |
/// |-------------------|-----------------------|------------------------|----------------------------|
/// | `read_committed`  | READ COMMITTED        | READ COMMITTED         | refused (argument_error)   |
/// | `repeatable_read` | REPEATABLE READ       | REPEATABLE READ        | refused (argument_error)   |
/// | `serializable`    | SERIALIZABLE          | SERIALIZABLE           | `BEGIN` (deferred)         |
/// | `deferred`        | refused               | refused                | `BEGIN` (deferred)         |
/// | `immediate`       | refused               | refused                | `BEGIN IMMEDIATE`          |
/// | `exclusive`       | refused               | refused                | `BEGIN EXCLUSIVE`          |
///
/// SQLite transactions are always serializable; what can be chosen there is when the write
/// lock is taken: `immediate` takes it at BEGIN (waiting up to the busy timeout), so a
/// read-then-write transaction cannot fail with SQLITE_BUSY when it starts writing.
enum class isolation : unsigned char {
    read_committed,
    repeatable_read,
    serializable,
    deferred,   ///< SQLite only
    immediate,  ///< SQLite only
    exclusive,  ///< SQLite only
};

/// "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE", "DEFERRED", "IMMEDIATE", "EXCLUSIVE".
std::string_view isolation_name(isolation level) noexcept;

/// Throws argument_error when `level` does not exist on dialect `d` (`where` starts the message,
/// e.g. "create_engine").
void check_isolation(dialect d, isolation level, std::string_view where);

}  // namespace dorm
