/// @file lib/driver/driver.cpp
/// driver::connect (dispatch on the URL's backend) and the non-virtual helpers of driver::statement.
#include <dorm/driver/driver.hpp>

#include <string>

#include <dorm/engine/url.hpp>
#include <dorm/error.hpp>

#include "../sqlite/sqlite_driver.hpp"
#ifdef DORM_HAVE_POSTGRESQL
#include "../postgres/postgres_driver.hpp"
#endif
#ifdef DORM_HAVE_MYSQL
#include "../mysql/mysql_driver.hpp"
#endif

namespace dorm::driver {

void statement::queue() {
    throw unsupported_error("this driver cannot queue statement executions (can_queue() is false)\n[SQL: " + sql() + "]");
}
void statement::next_queued() {
    throw unsupported_error("this driver cannot queue statement executions (can_queue() is false)\n[SQL: " + sql() + "]");
}

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

std::unique_ptr<connection> connect(const url& u, const connect_options& options) {
    const std::string& b = u.backend;
    if (b == "sqlite") return sqlite::connect(u, options);
    if (b == "postgresql") {
#ifdef DORM_HAVE_POSTGRESQL
        return postgres::connect(u, options);
#else
        throw unsupported_error(
            "the postgresql backend is not available: dorm was built without libpq (install libpq-dev and "
            "reconfigure with -Dpostgresql=enabled)");
#endif
    }
    if (b == "mysql" || b == "mariadb") {
#ifdef DORM_HAVE_MYSQL
        return mysql::connect(u, options);
#else
        throw unsupported_error(
            "the mysql backend is not available: dorm was built without MariaDB Connector/C (install "
            "libmariadb-dev and reconfigure with -Dmysql=enabled)");
#endif
    }
    if (b == "oracle") {
        throw unsupported_error(
            "the oracle dialect has no driver in this build: it needs the Oracle client library (OCI), which "
            "dorm does not link; dorm::compile(stmt, dorm::dialect::oracle) still prints Oracle SQL");
    }
    throw argument_error("unknown database backend '" + b +
                         "' (expected sqlite, postgresql, mysql, mariadb or oracle)");
}

void check_url(const url& u) {
    if (u.backend == "sqlite") (void)sqlite::parse_url(u);
}

}  // namespace dorm::driver
