#pragma once
/// @file lib/sqlite/sqlite_connection.hpp
/// A SQLite connection (one SQLite::Database, opened as the URL's parameters say).
#include <memory>
#include <string_view>

#include <dorm/driver/driver.hpp>

#include "sqlite_driver.hpp"
#include "sqlite_timer.hpp"

struct sqlite3;

namespace SQLite {
class Database;
}

namespace dorm::driver::sqlite {

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
