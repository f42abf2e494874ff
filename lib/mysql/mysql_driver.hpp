#pragma once
/// @file lib/mysql/mysql_driver.hpp
/// The MySQL / MariaDB driver (MariaDB Connector/C): server-side prepared statements on the
/// binary protocol; results are buffered on the client (mysql_stmt_store_result) so that other
/// statements can run on the connection while rows are being read.
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/driver/driver.hpp>

struct st_mysql;
struct st_mysql_stmt;
struct st_mysql_res;
struct st_mysql_bind;

namespace dorm {
struct url;
}

namespace dorm::driver::mysql {

/// Opens a connection for a `mysql://user:password@host:port/db` URL (also `mariadb://`).
/// Query parameters: unix_socket, connect_timeout, read_timeout, write_timeout, charset
/// (utf8mb4 only), ssl_ca, ssl_capath, ssl_cert, ssl_key, ssl_cipher.
/// `localhost` with a port and no unix_socket connects over TCP to 127.0.0.1.
/// @throws argument_error for an unknown parameter, operational_error when the server cannot be reached.
std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options);

/// Closes a MYSQL handle (mysql_close). Never throws.
struct mysql_deleter {
    void operator()(st_mysql* m) const noexcept;
};
/// Closes a MYSQL_STMT (mysql_stmt_close). Never throws.
struct stmt_deleter {
    void operator()(st_mysql_stmt* s) const noexcept;
};
/// Frees a MYSQL_RES (mysql_free_result). Never throws.
struct res_deleter {
    void operator()(st_mysql_res* r) const noexcept;
};

/// The handle a connection and its statements share; reset when the connection is destroyed.
struct session_state {
    std::unique_ptr<st_mysql, mysql_deleter> conn;
    double statement_timeout = 0;  ///< engine_options::statement_timeout (0: none)
    unsigned read_wait = 0;        ///< MYSQL_OPT_READ_TIMEOUT set for it (whole seconds; 0: none)
    /// When the current command was sent (kept only with a read_wait): a lost connection after
    /// read_wait seconds is the read timeout, not a server that went away.
    std::chrono::steady_clock::time_point sent{};
    bool lost = false;             ///< a call failed with "server gone / lost": the connection is dead
    /// Notes the time a command is sent (with a read timeout only).
    void sending() noexcept {
        if (read_wait != 0) sent = std::chrono::steady_clock::now();
    }
};

/// One prepared statement.
class statement final : public driver::statement {
public:
    /// Prepares `sql` on the server. @throws programming_error for SQL the server rejects.
    statement(std::shared_ptr<session_state> state, std::string_view sql);
    ~statement() override;

    int param_count() const override { return nparams_; }
    void bind_null(int i) override;
    void bind_int(int i, std::int64_t v) override;
    void bind_double(int i, double v) override;
    void bind_text(int i, std::string_view v) override;
    void bind_blob(int i, std::span<const std::byte> v) override;

    bool step() override;
    void reset() override;
    std::int64_t rows_affected() override { return affected_; }
    std::int64_t last_insert_id() override { return insert_id_; }

    int column_count() override { return static_cast<int>(columns_.size()); }
    std::string_view column_name(int c) override;
    bool is_null(int c) override;
    value_kind column_kind(int c) override;
    std::int64_t get_int(int c) override;
    double get_double(int c) override;
    std::string_view get_text(int c) override;
    std::span<const std::byte> get_blob(int c) override;

    const std::string& sql() const override { return sql_; }

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

    std::shared_ptr<session_state> state_;
    std::unique_ptr<st_mysql_stmt, stmt_deleter> stmt_;
    std::string sql_;
    int nparams_ = 0;
    std::vector<st_mysql_bind> params_;
    std::vector<param_slot> param_slots_;
    std::vector<st_mysql_bind> binds_;  ///< result binds, parallel to columns_
    std::vector<column_slot> columns_;
    bool executed_ = false;
    bool has_row_ = false;
    bool done_ = false;
    bool rebind_ = false;
    bool upsert_ = false;  ///< INSERT ... ON DUPLICATE KEY UPDATE: rows_affected counts each row once  ///< a buffer grew while reading a row: bind again before the next fetch
    std::int64_t affected_ = 0;
    std::int64_t insert_id_ = 0;
};

/// A MariaDB Connector/C connection.
class connection final : public driver::connection {
public:
    explicit connection(std::shared_ptr<session_state> state);
    ~connection() override;

    dorm::dialect dialect() const override { return dorm::dialect::mysql; }
    std::unique_ptr<driver::statement> prepare(std::string_view sql) override;
    void execute(std::string_view sql) override;
    bool ping() override;
    bool lost() noexcept override;
    bool table_exists(std::string_view name) override;
    int max_params() const override { return 65535; }

private:
    std::shared_ptr<session_state> state_;
};

}  // namespace dorm::driver::mysql
