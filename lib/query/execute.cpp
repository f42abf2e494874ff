// detail::run_on / execute_on: a compiled statement run on a connection (connection::run
// prepares, binds and echoes it).
#include <dorm/query/execute.hpp>

namespace dorm::detail {

statement_lease run_on(connection& c, const std::string& sql, std::span<const value> params) {
    return c.run(sql, params);
}

statement_lease run_on(connection& c, const compiled& stmt) { return run_on(c, stmt.sql, stmt.params); }

std::int64_t execute_on(connection& c, const compiled& stmt) {
    auto lease = run_on(c, stmt);
    while (lease->step()) {
    }
    return lease->rows_affected();
}

}  // namespace dorm::detail
