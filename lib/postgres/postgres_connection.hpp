#pragma once
/// @file lib/postgres/postgres_connection.hpp
/// A libpq connection: commands without parameters, liveness, catalog lookups (its setup is
/// connect(), in postgres_connection.cpp).
#include <memory>
#include <string_view>

#include <dorm/driver/driver.hpp>

#include "../driver/session_connection.hpp"
#include "postgres_session.hpp"
#include "postgres_statement.hpp"

namespace dorm::driver::postgres {

/// A libpq connection (destroying it closes the network connection: session_connection).
class connection final : public driver::session_connection<session_state, statement> {
public:
    using session_connection::session_connection;

    dorm::dialect dialect() const override { return dorm::dialect::postgresql; }
    void execute(std::string_view sql) override;
    /// Behind a transaction-pooling proxy with a statement timeout: BEGIN and
    /// `SET LOCAL statement_timeout` in one round trip (a SET at connect would stay on whichever
    /// server connection ran it).
    void begin(std::string_view sql) override;
    bool keeps_session_state() const override;
    bool ping() override;
    bool lost() noexcept override;
    bool table_exists(std::string_view name) override;
    /// Not the protocol's 65535: what libpq can describe (max_statement_params).
    int max_params() const override { return max_statement_params; }
};

}  // namespace dorm::driver::postgres
