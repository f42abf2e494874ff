#pragma once
/// @file dorm/detail/data_errors.hpp
/// Raising dorm::data_error with what the raising code knows, and adding the rest (table, column,
/// C++ type) where it is known: a driver says "'abc' is not an integer", the row reader that
/// called it adds "user_table.age (int)". Compiled in lib/reflect/data_errors.cpp.
#include <cstdint>
#include <string>
#include <string_view>

#include <dorm/error.hpp>

namespace dorm {
class value;
}

namespace dorm::detail {

/// `text` as it appears in a message: quoted, control characters escaped, shortened to about
/// 60 characters on a UTF-8 character boundary (never in the middle of one).
std::string quote_value(std::string_view text);

/// Throws a data_error for a value read from the database: `shown` is the value as it should
/// appear (already quoted: use quote_value for text), `problem` what is wrong with it
/// ("is not an integer").
[[noreturn]] void throw_bad_read(std::string shown, std::string_view problem);
/// Throws a data_error for a value that cannot be stored (`shown` and `problem` as above).
[[noreturn]] void throw_bad_write(std::string shown, std::string_view problem);

/// Throws a data_error when `text` has more than `n` characters (UTF-8 code points): a VARCHAR(n)
/// holds n characters (MariaDB and PostgreSQL count characters, SQLite would keep any length).
void check_text_length(std::string_view text, std::uint32_t n);

/// A dorm::type_adapter<T> conversion threw `what`, an exception that is not a dorm::error
/// (from_db while reading the value `read`; to_db while writing when `read` is nullptr): a
/// data_error naming the C++ type, the value read and the adapter's message (the row reader adds
/// the table and the column). `what` is nullptr for an exception not derived from std::exception.
[[noreturn]] void throw_adapter_failed(std::string_view cpp_type, const value* read, const char* what);

/// Rethrows `e` with the table, column and C++ type filled in where it did not name them yet.
[[noreturn]] void rethrow_in_column(const data_error& e, std::string_view table, std::string_view column,
                                    std::string_view cpp_type);

}  // namespace dorm::detail
