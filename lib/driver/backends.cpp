/// @file lib/driver/backends.cpp
/// The backends dorm knows and which of them this build has: the one place that asks
/// DORM_HAVE_POSTGRESQL / DORM_HAVE_MYSQL (set by lib/meson.build when libpq / MariaDB
/// Connector/C were found). driver::connect and driver::check_url dispatch through it;
/// create_engine calls check_url, so a backend that is not built in fails there already.
#include <dorm/driver/driver.hpp>

#include <string>
#include <string_view>

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

namespace {

using connect_fn = std::unique_ptr<connection> (*)(const url&, const connect_options&);

/// One backend: its driver's entry points, or (null connect) why this build has none.
struct backend {
    connect_fn connect = nullptr;
    void (*check)(const url&) = nullptr;  ///< checks the URL's parameters without connecting
    std::string_view missing;             ///< unsupported_error's text when connect is null
};

void check_sqlite_url(const url& u) { (void)sqlite::parse_url(u); }

constexpr backend sqlite_backend{sqlite::connect, check_sqlite_url, {}};
#ifdef DORM_HAVE_POSTGRESQL
constexpr backend postgresql_backend{postgres::connect, nullptr, {}};
#else
constexpr backend postgresql_backend{
    nullptr, nullptr,
    "Can't load dialect 'postgresql': dorm was built without libpq (install libpq-dev and reconfigure with "
    "-Dpostgresql=enabled)"};
#endif
#ifdef DORM_HAVE_MYSQL
constexpr backend mysql_backend{mysql::connect, nullptr, {}};
#else
constexpr backend mysql_backend{
    nullptr, nullptr,
    "Can't load dialect 'mysql': dorm was built without MariaDB Connector/C (install libmariadb-dev and "
    "reconfigure with -Dmysql=enabled)"};
#endif
constexpr backend oracle_backend{
    nullptr, nullptr,
    "Can't load dialect 'oracle': dorm has no Oracle driver in this build: it needs the Oracle client library "
    "(OCI), which dorm does not link; dorm::compile(stmt, dorm::dialect::oracle) still prints Oracle SQL"};

/// The backend a URL names, with a driver built in. @throws argument_error for an unknown
/// name, unsupported_error for a backend this build has no driver for.
const backend& available(const url& u) {
    const std::string& b = u.backend;
    const backend* found = b == "sqlite"                      ? &sqlite_backend
                           : b == "postgresql"                ? &postgresql_backend
                           : b == "mysql" || b == "mariadb"   ? &mysql_backend
                           : b == "oracle"                    ? &oracle_backend
                                                              : nullptr;
    if (found == nullptr)
        throw argument_error("unknown database backend '" + b +
                             "' (expected sqlite, postgresql, mysql, mariadb or oracle)");
    if (found->connect == nullptr) throw unsupported_error(std::string(found->missing));
    return *found;
}

}  // namespace

std::unique_ptr<connection> connect(const url& u, const connect_options& options) {
    return available(u).connect(u, options);
}

void check_url(const url& u) {
    const backend& b = available(u);
    if (b.check != nullptr) b.check(u);
}

}  // namespace dorm::driver
