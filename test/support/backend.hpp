#pragma once
// Test support: the database URL a suite runs against. Every suite that touches a database takes
// its URL from DORM_TEST_URL (set per backend by test/meson.build), so one source runs everywhere.
#include <cstdlib>
#include <string>

#include <dorm/dorm.hpp>

namespace dorm_test {

/// The URL under test; `sqlite://` when DORM_TEST_URL is not set.
inline std::string url() {
    const char* u = std::getenv("DORM_TEST_URL");
    return (u && *u) ? u : "sqlite://";
}

/// The backend under test: "sqlite", "postgresql" or "mysql".
inline std::string backend() { return dorm::url::parse(url()).backend; }

/// An engine on the URL under test.
inline dorm::engine make_engine(dorm::engine_options opts = {}) { return dorm::create_engine(url(), std::move(opts)); }

}  // namespace dorm_test
