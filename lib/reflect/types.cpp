// Out-of-line helpers of the column type mapping (error messages; dates and times are in time_points.cpp).
#include <dorm/reflect/column_traits.hpp>
#include <dorm/detail/data_errors.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>


namespace dorm::detail {

void throw_null_into_non_optional() {
    throw_bad_read("NULL", "cannot be read into a member that is not std::optional (make the member std::optional<T>, "
                           "mark it dorm::nullable, or make the column NOT NULL)");
}
void throw_out_of_range(std::int64_t v, std::string_view type) {
    throw_bad_read(std::to_string(v), "does not fit in " + std::string(type));
}
void throw_not_boolean(std::int64_t v) { throw_bad_read(std::to_string(v), "is not a boolean (0 or 1)"); }
void throw_unknown_enumerator(std::string_view name, std::string_view enum_name) {
    throw_bad_read(quote_value(name), "is not an enumerator of " + std::string(enum_name));
}
void throw_bad_enum_value(long long v, std::string_view enum_name) {
    throw_bad_write(std::to_string(v), "is not a described enumerator of " + std::string(enum_name) +
                                           ", so it has no name to store");
}
void throw_unsigned_too_large(unsigned long long v) {
    throw_bad_write(std::to_string(v), "is above 9223372036854775807: SQL integers are signed 64-bit");
}
void rethrow_in_result_column(const data_error& e, driver::statement& s, int c, std::string_view cpp) {
    std::string table, column;
    try {
        column = std::string(s.column_name(c));
        table = s.column_table(c);  // (empty for an expression)
    } catch (...) {  // the statement is gone: the message names what it can
    }
    if (column.empty()) column = "#" + std::to_string(c + 1);
    rethrow_in_column(e, table, column, cpp);
}

}  // namespace dorm::detail
