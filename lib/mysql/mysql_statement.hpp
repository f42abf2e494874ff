#pragma once
/// @file lib/mysql/mysql_statement.hpp
/// A MariaDB prepared statement. Its members are defined by concept: mysql_statement.cpp
/// (prepare, execute, fetch, affected rows), mysql_values.cpp (parameter and result bindings,
/// reading the current row).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/driver/driver.hpp>

#include "../driver/statement_base.hpp"
#include "mysql_session.hpp"

struct st_mysql_bind;

namespace dorm::driver::mysql {

/// One prepared statement.
class statement final : public driver::statement_base {
public:
    /// Prepares `sql` on the server. @throws programming_error for SQL the server rejects.
    statement(std::shared_ptr<session_state> state, std::string_view sql);
    ~statement() override;

    void bind_null(int i) override;
    void bind_int(int i, std::int64_t v) override;
    void bind_double(int i, double v) override;
    void bind_text(int i, std::string_view v) override;
    void bind_blob(int i, std::span<const std::byte> v) override;

    bool step() override;
    void reset() override;
    std::int64_t last_insert_id() override { return insert_id_; }

    int column_count() override { return static_cast<int>(columns_.size()); }
    std::string_view column_name(int c) override;
    std::string column_table(int c) override;
    bool is_null(int c) override;
    value_kind column_kind(int c) override;
    std::int64_t get_int(int c) override;
    double get_double(int c) override;
    std::string_view get_text(int c) override;
    std::span<const std::byte> get_blob(int c) override;

private:
    /// How a column is fetched.
    enum class fetch_as { integer, real, bytes };
    /// Storage for one parameter (the MYSQL_BIND points here).
    struct param_slot {
        std::int64_t i = 0;
        double d = 0;
        unsigned long length = 0;
    };
    /// Storage for one result column (the MYSQL_BIND points here).
    struct column_slot {
        std::string name;
        value_kind kind = value_kind::text;
        fetch_as how = fetch_as::bytes;
        bool is_unsigned = false;
        int field_type = -1;  ///< enum_field_types the binding was made for
        unsigned charsetnr = 0;
        std::int64_t i = 0;
        double d = 0;
        std::vector<char> buf;
        unsigned long length = 0;
        char is_null = 0;  // my_bool
        char error = 0;    // my_bool
        std::string text;  ///< numbers formatted for get_text
    };

    st_mysql* handle() const;
    st_mysql_bind& param(int i);
    void setup_columns();
    bool columns_match() const noexcept;
    void execute();
    bool fetch();
    std::int64_t upserted_rows(std::int64_t affected) const;
    const column_slot* current(int c) const noexcept;
    [[noreturn]] void fail();
    /// fail() for an error met while reading a result (a deadlock reported among the rows): the
    /// statement is reset first, or its next execution would wait for rows that never come.
    [[noreturn]] void fail_reading();
    /// fail() for mysql_stmt_execute: a lost connection after large values names the likely
    /// cause, the server's max_allowed_packet.
    [[noreturn]] void fail_sending();

    std::shared_ptr<session_state> state_;
    std::unique_ptr<st_mysql_stmt, stmt_deleter> stmt_;
    std::vector<st_mysql_bind> params_;
    std::vector<param_slot> param_slots_;
    std::vector<st_mysql_bind> binds_;  ///< result binds, parallel to columns_
    std::vector<column_slot> columns_;
    bool has_row_ = false;
    bool done_ = false;
    bool rebind_ = false;  ///< a buffer grew while reading a row: bind again before the next fetch
    bool upsert_ = false;  ///< INSERT ... ON DUPLICATE KEY UPDATE: rows_affected counts each row once
    std::int64_t insert_id_ = 0;
};

}  // namespace dorm::driver::mysql
