#pragma once
/// @file lib/engine/echo.hpp
/// Private: SQLAlchemy-style echo formatting (parameter reprs, cache badges, the log line).
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/engine/value.hpp>

namespace dorm::detail {

/// Text that replaces the parameters under `hide_parameters`.
inline constexpr std::string_view hidden_parameters = "[SQL parameters hidden due to hide_parameters=True]";

/// repr() of one value, middle-truncated past 300 characters:
/// `'aaaa ... (1234 characters truncated) ... aaaa'`.
std::string echo_value(const value& v);
/// One parameter set as a tuple of echo_value()s; more than 100 values show the first and last 50.
std::string echo_params(std::span<const value> params);
/// Parameter sets as a list of tuples; more than 10 show the first 8 and the last 2 with
/// `  ... displaying 10 of <total> total bound parameter sets ...  ` between them.
std::string echo_param_sets(std::span<const std::vector<value>> sets, std::size_t total);

/// `generated in 0.00012s`
std::string badge_generated(double seconds);
/// `cached since 1.234s ago`
std::string badge_cached(double seconds);
/// `no key 0.00012s`
std::string badge_no_key(double seconds);

/// Writes one entry: to the sink as is, or to std::clog as
/// `2026-11-24 10:00:00,123 INFO dorm.engine.Engine <entry>`.
void write_echo(const std::function<void(std::string_view)>& sink, std::string_view entry);

}  // namespace dorm::detail
