#pragma once
/// @file lib/driver/session_connection.hpp
/// A server connection whose network session its statements share (PostgreSQL, MariaDB). The
/// statements hold the session state too, so that they may outlive the connection object; the
/// connection's destruction still closes the network connection (`State::conn`), and statements
/// left behind see a closed connection.
#include <memory>
#include <string_view>
#include <utility>

#include <dorm/driver/driver.hpp>

namespace dorm::driver {

/// `State` has a `conn` handle (a unique_ptr); `Statement` is constructed from
/// (std::shared_ptr<State>, std::string_view sql).
template <class State, class Statement>
class session_connection : public driver::connection {
public:
    explicit session_connection(std::shared_ptr<State> state) : state_(std::move(state)) {}
    ~session_connection() override { state_->conn.reset(); }

    std::unique_ptr<driver::statement> prepare(std::string_view sql) override {
        return std::make_unique<Statement>(state_, sql);
    }

protected:
    std::shared_ptr<State> state_;
};

}  // namespace dorm::driver
