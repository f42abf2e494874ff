#pragma once
/// @file lib/sqlite/sqlite_statement.hpp
/// A prepared SQLite statement on the sqlite3 C API.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <dorm/driver/driver.hpp>

#include "../driver/statement_base.hpp"
#include "sqlite_timer.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace SQLite {
class Database;
}

namespace dorm::driver::sqlite {

/// Deletes a sqlite3_stmt (sqlite3_finalize). Never throws.
struct stmt_deleter {
    void operator()(sqlite3_stmt* s) const noexcept;
};

/// A prepared SQLite statement. Keeps its database open (shared ownership) so that it may
/// safely outlive the connection object that prepared it.
class statement final : public driver::statement_base {
public:
    /// Compiles `sql` on `db`. @throws programming_error for SQL SQLite rejects.
    statement(std::shared_ptr<SQLite::Database> db, std::string_view sql,
              std::shared_ptr<statement_timer> timer = nullptr);
    ~statement() override;

    void bind_null(int i) override;
    void bind_int(int i, std::int64_t v) override;
    void bind_double(int i, double v) override;
    void bind_text(int i, std::string_view v) override;
    void bind_blob(int i, std::span<const std::byte> v) override;

    bool step() override;
    void reset() override;
    std::int64_t last_insert_id() override;

    int column_count() override;
    std::string_view column_name(int c) override;
    std::string column_table(int c) override;
    bool is_null(int c) override;
    value_kind column_kind(int c) override;
    std::int64_t get_int(int c) override;
    double get_double(int c) override;
    std::string_view get_text(int c) override;
    std::span<const std::byte> get_blob(int c) override;

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
    bool read_only_ = false;
    bool done_ = false;     ///< the current execution has finished (SQLITE_DONE or error)
    std::int64_t total_before_ = 0;  ///< sqlite3_total_changes64 when the execution started
};

}  // namespace dorm::driver::sqlite
