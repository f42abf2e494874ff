#pragma once
/// @file lib/sqlite/sqlite_driver.hpp
/// The SQLite driver: connections through SQLiteCpp, statements on the raw sqlite3 C API
/// (the ORM's hot path: no allocation per bind, step or column read).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <dorm/driver/driver.hpp>

struct sqlite3;
struct sqlite3_stmt;

namespace SQLite {
class Database;
}

namespace dorm {
struct url;
}

namespace dorm::driver::sqlite {

/// How to open a SQLite database: the URL's path and query parameters.
struct open_options {
    std::string filename;
    int busy_timeout_ms = 5000;  ///< `timeout=<seconds>` (default 5 s)
    std::string journal_mode;    ///< `journal_mode=wal|delete|...` (lower case), empty: the file's own
    int synchronous = -1;        ///< `synchronous=off|normal|full|extra` as 0-3, -1: SQLite's default
    bool read_only = false;      ///< `mode=ro`
    bool create = true;          ///< `mode=rwc` (default); `mode=rw`: the file must exist
};
/// The options of a `sqlite://...` URL.
/// @throws argument_error for an unknown parameter or a bad value (naming it and the valid ones).
open_options parse_url(const url& u);

/// Opens a SQLite connection for a `sqlite://...` URL.
/// `url.database` absent, empty or `:memory:` is a private in-memory database; a name starting
/// with `file:` is opened as a URI (the engine's shared in-memory databases use `?vfs=memdb`).
/// Query parameters: see parse_url(); each takes effect on every connection opened.
/// @throws operational_error when the database cannot be opened, argument_error for a bad parameter.
std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options);

/// Throws the dorm error for SQLite result code `rc` on `db` (extended code taken from `db`).
/// `at_prepare` marks errors raised while compiling SQL (SQLITE_ERROR there is a programming_error).
[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view sql, bool at_prepare);

/// engine_options::statement_timeout on one SQLite connection: a progress handler interrupts a
/// statement whose current call into SQLite (a step, an execute) has run longer than `seconds`.
/// Shared by the connection and its statements (they may outlive it).
struct statement_timer {
    double seconds = 0;
    std::int64_t deadline_ns = 0;  ///< steady clock; set by arm() before each call into SQLite
    bool fired = false;            ///< the handler interrupted the current call
    /// Starts the clock of one call.
    void arm() noexcept;
    /// Throws timeout_error if the call that returned `rc` was interrupted by this timer.
    void check(int rc, std::string_view sql) const;
};

/// Deletes a sqlite3_stmt (sqlite3_finalize). Never throws.
struct stmt_deleter {
    void operator()(sqlite3_stmt* s) const noexcept;
};

/// A prepared SQLite statement. Keeps its database open (shared ownership) so that it may
/// safely outlive the connection object that prepared it.
class statement final : public driver::statement {
public:
    /// Compiles `sql` on `db`. @throws programming_error for SQL SQLite rejects.
    statement(std::shared_ptr<SQLite::Database> db, std::string_view sql,
              std::shared_ptr<statement_timer> timer = nullptr);
    ~statement() override;

    int param_count() const override;
    void bind_null(int i) override;
    void bind_int(int i, std::int64_t v) override;
    void bind_double(int i, double v) override;
    void bind_text(int i, std::string_view v) override;
    void bind_blob(int i, std::span<const std::byte> v) override;

    bool step() override;
    void reset() override;
    std::int64_t rows_affected() override;
    std::int64_t last_insert_id() override;

    int column_count() override;
    std::string_view column_name(int c) override;
    bool is_null(int c) override;
    value_kind column_kind(int c) override;
    std::int64_t get_int(int c) override;
    double get_double(int c) override;
    std::string_view get_text(int c) override;
    std::span<const std::byte> get_blob(int c) override;

    const std::string& sql() const override { return sql_; }

private:
    void check_bind(int rc, int i);
    void record_changes() noexcept;
    /// get_int / get_double of a value that is not stored as that type (lib/driver/numbers.hpp rules).
    [[gnu::cold]] std::int64_t int_slow(int type, int c);
    [[gnu::cold]] double double_slow(int type, int c);

    std::shared_ptr<SQLite::Database> db_owner_;  ///< keeps the handle below alive
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, stmt_deleter> stmt_;
    std::shared_ptr<statement_timer> timer_;  ///< null without a statement timeout
    std::string sql_;
    bool read_only_ = false;
    bool running_ = false;  ///< stepped since the last reset
    bool done_ = false;     ///< the current execution has finished (SQLITE_DONE or error)
    std::int64_t changes_ = 0;
    std::int64_t total_before_ = 0;  ///< sqlite3_total_changes64 when the execution started
};

/// A SQLite connection (one SQLite::Database).
class connection final : public driver::connection {
public:
    /// Opens the database as the URL's parameters say (see parse_url()).
    explicit connection(const open_options& o, const driver::connect_options& c = {});
    ~connection() override;

    dorm::dialect dialect() const override { return dorm::dialect::sqlite; }
    std::unique_ptr<driver::statement> prepare(std::string_view sql) override;
    void execute(std::string_view sql) override;
    bool ping() override;
    bool table_exists(std::string_view name) override;
    int max_params() const override;
    transaction_state transaction() override;

private:
    std::shared_ptr<SQLite::Database> db_;
    sqlite3* handle_;
    std::shared_ptr<statement_timer> timer_;  ///< null without a statement timeout
};

}  // namespace dorm::driver::sqlite
