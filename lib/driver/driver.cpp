/// @file lib/driver/driver.cpp
/// The non-virtual members of driver::statement (driver::connect and check_url: backends.cpp).
#include <dorm/driver/driver.hpp>

#include <string>

#include <dorm/error.hpp>

namespace dorm::driver {

namespace {
[[noreturn]] void cannot_queue(const std::string& sql) {
    throw unsupported_error("this driver cannot queue statement executions (can_queue() is false)\n[SQL: " + sql + "]");
}
}  // namespace

void statement::queue() { cannot_queue(sql()); }
void statement::next_queued() { cannot_queue(sql()); }

void statement::bind(int i, const value& v) {
    switch (v.kind()) {
        case value_kind::null:
            bind_null(i);
            return;
        case value_kind::integer:
            bind_int(i, v.as_int());
            return;
        case value_kind::real:
            bind_double(i, v.as_double());
            return;
        case value_kind::text:
            bind_text(i, v.as_text());
            return;
        case value_kind::blob:
            bind_blob(i, v.as_blob());
            return;
    }
}

value statement::get(int c) {
    switch (column_kind(c)) {
        case value_kind::null:
            return value();
        case value_kind::integer:
            return value(get_int(c));
        case value_kind::real:
            return value(get_double(c));
        case value_kind::text:
            return value(std::string(get_text(c)));
        case value_kind::blob: {
            auto b = get_blob(c);
            return value(blob(b.begin(), b.end()));
        }
    }
    return value();
}

}  // namespace dorm::driver
