#pragma once
/// @file lib/mysql/mysql_connection.hpp
/// A MariaDB Connector/C connection: commands without parameters, liveness, catalog lookups (its
/// setup is connect(), in mysql_connection.cpp).
#include <memory>
#include <string_view>

#include <dorm/driver/driver.hpp>

#include "../driver/session_connection.hpp"
#include "mysql_session.hpp"
#include "mysql_statement.hpp"

namespace dorm::driver::mysql {

/// A MariaDB Connector/C connection (destroying it closes the network connection: session_connection).
class connection final : public driver::session_connection<session_state, statement> {
public:
    using session_connection::session_connection;

    dorm::dialect dialect() const override { return dorm::dialect::mysql; }
    void execute(std::string_view sql) override;
    bool ping() override;
    bool lost() noexcept override;
    bool table_exists(std::string_view name) override;
    int max_params() const override { return 65535; }
};

}  // namespace dorm::driver::mysql
