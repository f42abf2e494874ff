#pragma once
// Test support: the database URL a suite runs against, and which backend that is. Every suite that
// touches a database takes its URL from DORM_TEST_URL (set per backend by test/meson.build), so one
// source runs everywhere.
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

#include <dorm/engine/engine.hpp>
#include <dorm/engine/url.hpp>

namespace dorm_test {

/// The URL under test; `sqlite://` when DORM_TEST_URL is not set.
inline std::string url() {
    const char* u = std::getenv("DORM_TEST_URL");
    return (u && *u) ? u : "sqlite://";
}

/// The backend under test: "sqlite", "postgresql" or "mysql" (test/support/preconditions.hpp makes
/// a case skip the others).
inline std::string backend() { return dorm::url::parse(url()).backend; }
inline bool is_sqlite() { return backend() == "sqlite"; }
inline bool is_postgresql() { return backend() == "postgresql"; }
inline bool is_mysql() { return backend() == "mysql"; }

/// An engine on the URL under test. DORM_TEST_STATEMENT_TIMEOUT=<seconds> gives engines without
/// a statement timeout of their own one (to run a suite through the drivers' timed paths).
inline dorm::engine make_engine(dorm::engine_options opts = {}) {
    if (const char* t = std::getenv("DORM_TEST_STATEMENT_TIMEOUT"); t && *t && opts.statement_timeout == 0)
        opts.statement_timeout = std::strtod(t, nullptr);
    return dorm::create_engine(url(), std::move(opts));
}

/// `name` quoted as an identifier of the engine's backend (backquotes on MariaDB).
inline std::string quoted(const dorm::engine& e, std::string_view name) {
    const char q = e.dialect() == dorm::dialect::mysql ? '`' : '"';
    return q + std::string(name) + q;
}

/// DROP TABLE IF EXISTS for each table, in the order given (children first).
inline void drop_tables(const dorm::engine& e, std::initializer_list<std::string_view> tables) {
    auto c = e.connect();
    for (auto t : tables) c.execute_ddl("DROP TABLE IF EXISTS " + quoted(e, t));
}

}  // namespace dorm_test
