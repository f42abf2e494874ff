#pragma once
/// @file dorm/dialect/dialect.hpp
/// The SQL dialects dorm can print.
#include <string_view>

namespace dorm {

/// A SQL dialect. Every dialect can be compiled to (see dorm::compile); Oracle has no driver unless built with one.
enum class dialect { sqlite, postgresql, mysql, oracle };

/// "sqlite", "postgresql", "mysql", "oracle".
std::string_view dialect_name(dialect d) noexcept;

}  // namespace dorm
