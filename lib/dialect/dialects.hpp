#pragma once
// The four dialects' hooks (one class per file: lib/dialect/sqlite.cpp, postgresql.cpp, mysql.cpp,
// oracle.cpp), looked up by detail::hooks(dialect) in dialect.cpp.
#include <string>

#include "dialect/hooks.hpp"

namespace dorm::detail {

const dialect_hooks& sqlite_dialect();
const dialect_hooks& postgresql_dialect();
const dialect_hooks& mysql_dialect();
const dialect_hooks& oracle_dialect();

/// The integer type of `bytes` bytes, from the dialect's names for 1, 2, 4 and 8 bytes.
inline std::string int_type(int bytes, const char* b1, const char* b2, const char* b4, const char* b8) {
    return bytes <= 1 ? b1 : bytes == 2 ? b2 : bytes == 4 ? b4 : b8;
}

}  // namespace dorm::detail
