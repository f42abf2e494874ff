// dorm::connection: its life (checkout from the engine, checkin on destruction) and running
// statements and DDL through the statement cache.
#include <dorm/engine/engine.hpp>

#include <string>
#include <utility>

#include <dorm/error.hpp>

#include "connection_guard.hpp"
#include "echo.hpp"
#include "engine_impl.hpp"

namespace dorm {

connection::connection() noexcept = default;
connection::connection(std::unique_ptr<detail::pooled_connection> impl) : impl_(impl.release()) {}

connection::connection(connection&& other) noexcept = default;

connection& connection::operator=(connection&& other) noexcept {
    if (this != &other) {
        if (impl_) {
            auto eng = impl_->engine_;
            if (eng) eng->checkin(std::unique_ptr<detail::pooled_connection>(impl_.release()));
        }
        impl_ = std::move(other.impl_);
    }
    return *this;
}

connection::~connection() {
    if (impl_) {
        auto eng = impl_->engine_;  // keeps the engine alive during checkin
        if (eng) eng->checkin(std::unique_ptr<detail::pooled_connection>(impl_.release()));
    }
}

dorm::dialect connection::dialect() const { return detail::checked(impl_).engine_->dialect(); }

void connection::execute_ddl(std::string_view sql) {
    auto& pc = detail::checked(impl_);
    if (pc.echo_) {
        const auto started = detail::engine_impl::clock::now();
        log(sql);
        std::string line = "[";
        line += detail::badge_no_key(detail::seconds_since(started));
        line += "] ";
        if (pc.engine_->options().hide_parameters)
            line += detail::hidden_parameters;
        else
            line += "()";
        log(line);
    }
    detail::guarded(pc, [&] { pc.conn_->execute(sql); });
}

statement_lease connection::run(std::string_view sql, std::span<const value> params) {
    auto& pc = detail::checked(impl_);
    auto lease = prepare(sql);
    if (pc.echo_) log_statement(sql, lease, params);
    for (std::size_t i = 0; i < params.size(); ++i) lease->bind(static_cast<int>(i), params[i]);
    return lease;
}

std::int64_t connection::execute(std::string_view sql, std::span<const value> params) {
    auto& pc = detail::checked(impl_);
    auto lease = run(sql, params);
    return detail::guarded(pc, [&] {
        while (lease->step()) {
        }
        return lease->rows_affected();
    });
}

driver::connection& connection::raw() { return *detail::checked(impl_).conn_; }

}  // namespace dorm
