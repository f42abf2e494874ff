#pragma once
// Test support: more databases of the backend under test, for suites that need several engines
// (binds, shards). SQLite: another file next to DORM_TEST_URL's (or another memory database);
// PostgreSQL / MariaDB: a database `<db>_<suffix>` on the same server, created when missing.
#include <cstdint>
#include <string>

#include <dorm/dorm.hpp>

#include "backend.hpp"

namespace dorm_test {

inline std::string other_database_url(const std::string& suffix) {
    auto u = dorm::url::parse(url());
    if (u.backend == "sqlite") return u.is_memory() ? "sqlite://" : url() + "." + suffix + ".db";
    const std::string db = u.database.value_or("postgres") + "_" + suffix;
    auto main = dorm::create_engine(url());
    auto c = main.connect();
    if (u.backend == "postgresql") {
        const auto n = dorm::execute(c, dorm::text<std::int64_t>("SELECT count(*) FROM pg_database WHERE datname = '" +
                                                                  db + "'"))
                           .scalar_one();
        c.rollback();
        if (n == 0) c.execute_ddl("CREATE DATABASE " + db);
    } else {
        c.execute_ddl("CREATE DATABASE IF NOT EXISTS " + db);
    }
    u.database = db;
    return u.render(false);
}

}  // namespace dorm_test
