#pragma once
/// @file dorm/error.hpp
/// The exception hierarchy. Every error dorm raises derives from dorm::error.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dorm {

namespace detail {
/// What an exception carries besides its message (the table, the column, the value...): made and
/// read in lib/, immutable, and shared by the exception's copies, so copying never throws. (A
/// std::shared_ptr of each payload type cost every translation unit ~0.7 MB to instantiate.)
class exception_payload {
public:
    struct block;  // lib/error_payload.hpp
    exception_payload() noexcept = default;
    explicit exception_payload(block* b) noexcept : block_(b) {}
    exception_payload(const exception_payload& other) noexcept;
    exception_payload& operator=(const exception_payload& other) noexcept;
    ~exception_payload();
    const block* get() const noexcept { return block_; }

private:
    block* block_ = nullptr;
};
}  // namespace detail

/// Base of every exception dorm throws.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A bad argument: malformed URL, unknown dialect, bad option, misuse of an API.
class argument_error : public error {
public:
    using error::error;
};


/// `one()` / `scalar_one()` found no row.
class no_result_found : public error {
public:
    using error::error;
};

/// `one()` / `one_or_none()` found more than one row.
class multiple_results_found : public error {
public:
    using error::error;
};

/// Any error reported by the database itself (base of integrity and operational errors).
class database_error : public error {
public:
    database_error(const std::string& message, int code = 0, std::string sqlstate = {})
        : error(message), code_(code), sqlstate_(std::move(sqlstate)) {}
    /// The backend's numeric code (SQLite extended result code, MariaDB error number, 0 for PostgreSQL).
    int code() const noexcept { return code_; }
    /// The SQLSTATE where the backend reports one (PostgreSQL, MariaDB), empty otherwise.
    const std::string& sqlstate() const noexcept { return sqlstate_; }

private:
    int code_;
    std::string sqlstate_;
};

/// What a data_error is about, as far as the code that raised it knows (empty when unknown).
struct data_error_details {
    std::string table;     ///< the table of the column
    std::string column;    ///< the column (or the result column's label)
    std::string value;     ///< the offending value as text, shortened on a character boundary
    std::string cpp_type;  ///< the C++ type of the member or result the value was going to / coming from
    std::string problem;   ///< what is wrong with it, e.g. "is not an integer"
    bool writing = false;  ///< the value was being stored (else: read back)
};

/// A value that cannot be stored or read back exactly (SQLAlchemy's DataError): malformed text
/// in a numeric column, a fraction into an integer, an out-of-range or non-existent date, a value
/// too long for its column, NULL into a member that is not std::optional. Raised by dorm before
/// any SQL for a value it knows cannot be stored, while reading a row, or by the database
/// (SQLSTATE class 22, MariaDB 1264/1292/1366/1406): then code() and sqlstate() are the backend's.
/// The message names the table, the column, the value and the C++ type wherever they are known.
class data_error : public database_error {
public:
    /// An error the database reported (message as the driver formats it).
    explicit data_error(const std::string& message, int code = 0, std::string sqlstate = {});
    /// An error dorm found; the message is built from the details.
    explicit data_error(data_error_details details, int code = 0, std::string sqlstate = {});
    /// The details with a message of the caller's (e.g. a prefix saying where the error surfaced).
    data_error(const std::string& message, data_error_details details, int code, std::string sqlstate);

    const std::string& table() const noexcept;
    const std::string& column() const noexcept;
    /// The offending value as text (quoted for text, shortened on a character boundary).
    const std::string& value() const noexcept;
    const std::string& cpp_type() const noexcept;
    const data_error_details& details() const noexcept;

private:
    detail::exception_payload details_;
};

/// A constraint violation. The subclasses name which constraint.
class integrity_error : public database_error {
public:
    using database_error::database_error;
};
class unique_violation : public integrity_error {
public:
    using integrity_error::integrity_error;
};
class foreign_key_violation : public integrity_error {
public:
    using integrity_error::integrity_error;
};
class not_null_violation : public integrity_error {
public:
    using integrity_error::integrity_error;
};
class check_violation : public integrity_error {
public:
    using integrity_error::integrity_error;
};

/// Connection lost, database locked, server gone, SQL the backend rejects, ...
class operational_error : public database_error {
public:
    using database_error::database_error;
};

/// A statement ran longer than engine_options::statement_timeout and was cancelled (PostgreSQL
/// SQLSTATE 57014, MariaDB 1969, SQLite's interrupt), or the server did not answer within the
/// timeout and its grace (then the connection was closed). Not retryable by
/// dorm::is_retryable: the same statement would most likely run as long again.
class timeout_error : public operational_error {
public:
    using operational_error::operational_error;
};

/// SQL the backend could not compile or run (syntax error, unknown table, ...).
class programming_error : public database_error {
public:
    using database_error::database_error;
};

/// The session's transaction was rolled back by a failed flush; call `rollback()` first.
class pending_rollback_error : public error {
public:
    using error::error;
};

/// What a stale_data_error is about (empty / no version when raised without them).
struct stale_data_details {
    std::string table;                    ///< the table of the row
    std::string key;                      ///< its primary key as text, e.g. `id=5` or `owner='ann', slug='x'`
    std::optional<std::int64_t> version;  ///< the dorm::version the flush expected the row to have
};

/// A flush found a row changed or deleted behind the session's back: an UPDATE or DELETE matched
/// no row (SQLAlchemy's StaleDataError). With a dorm::version column this is the lost race of
/// optimistic concurrency. The message names the table, the key and the version.
class stale_data_error : public error {
public:
    using error::error;
    stale_data_error(const std::string& message, stale_data_details details);

    /// The table of the stale row (empty when unknown).
    const std::string& table() const noexcept;
    /// The primary key of the stale row as text (empty when unknown).
    const std::string& key() const noexcept;
    /// The version the flush expected (tables with a dorm::version column).
    std::optional<std::int64_t> version() const noexcept;
    stale_data_details details() const;

private:
    detail::exception_payload details_;
};

/// An unloaded relationship was read after its object's session was gone.
class detached_instance_error : public error {
public:
    using error::error;
};

/// Misuse of the session's state machine (adding an object owned by another session, removing a transient object, ...).
class invalid_request_error : public error {
public:
    using error::error;
};

/// What a migration_error refused, one entry per operation.
struct refused_operation {
    std::string table;   ///< the table it concerns
    std::string column;  ///< the column, index or constraint (empty for a whole table)
    std::string what;    ///< the operation, e.g. "drop column book.isbn"
    std::string why;     ///< why it was refused, e.g. "its 3 values would be lost"
};

/// A schema change that dorm refused because it could lose data (dropping a column or a table,
/// narrowing a type, making a column that holds NULLs NOT NULL without a default), or a
/// versioned migration that cannot be applied (an applied file whose checksum changed, a step
/// that failed). Nothing was changed when it is raised by `metadata.upgrade()`; `refused()`
/// lists every operation it refused and why.
class migration_error : public error {
public:
    // (two constructors, not a default argument: a `= {}` would compile the vector in every
    // translation unit that includes <dorm/dorm.hpp>)
    explicit migration_error(const std::string& message);
    explicit migration_error(const std::string& message, std::vector<refused_operation> refused);
    const std::vector<refused_operation>& refused() const noexcept;

private:
    detail::exception_payload refused_;
};

/// A dialect or feature that this build does not support (e.g. Oracle without its client library).
class unsupported_error : public error {
public:
    using error::error;
};

}  // namespace dorm
