// The echo log of an engine and its connections: entries, statement lines with their cache badge
// and parameters.
#include <dorm/engine/engine.hpp>

#include <mutex>
#include <string>

#include "echo.hpp"
#include "engine_impl.hpp"

namespace dorm {

namespace detail {

namespace {

/// SQL texts remembered per engine for the `cached since` badge (echo only).
constexpr std::size_t seen_statements_limit = 100000;

}  // namespace

void engine_impl::echo(std::string_view entry) const {
    std::lock_guard lock(echo_mutex_);
    write_echo(options_.echo_sink, entry);
}

statement_badge_info engine_impl::statement_badge(std::string_view sql, clock::time_point started) {
    const auto now = clock::now();
    std::lock_guard lock(seen_mutex_);
    if (auto it = seen_.find(sql); it != seen_.end())
        return {statement_badge_info::kind::cached, std::chrono::duration<double>(now - it->second).count()};
    if (seen_.size() >= seen_statements_limit) seen_.clear();
    seen_.emplace(std::string(sql), started);
    return {statement_badge_info::kind::generated, std::chrono::duration<double>(now - started).count()};
}

}  // namespace detail

bool connection::echo() const noexcept { return impl_ && impl_->echo_; }

void connection::log(std::string_view entry) const {
    if (!impl_ || !impl_->echo_ || !impl_->engine_) return;
    impl_->engine_->echo(entry);
}

namespace {

/// `[badge] params`, the line after the SQL; `params` formats the parameters when they are shown.
template <class Format>
std::string badge_line(const statement_lease& lease, bool hide_parameters, Format&& params) {
    std::string line = "[";
    const std::string badge = lease.badge();
    line += badge.empty() ? std::string_view("raw sql") : std::string_view(badge);
    line += "] ";
    if (hide_parameters)
        line += detail::hidden_parameters;
    else
        line += params();
    return line;
}

}  // namespace

void connection::log_statement(std::string_view sql, const statement_lease& lease,
                               std::span<const value> params) const {
    if (!echo()) return;
    log(sql);
    log(badge_line(lease, impl_->engine_->options().hide_parameters, [&] { return detail::echo_params(params); }));
}

void connection::log_statement_many(std::string_view sql, const statement_lease& lease,
                                    std::span<const std::vector<value>> param_sets, std::size_t total) const {
    if (!echo()) return;
    log(sql);
    log(badge_line(lease, impl_->engine_->options().hide_parameters,
                   [&] { return detail::echo_param_sets(param_sets, total); }));
}

}  // namespace dorm
