#pragma once
// Test support: Boost.Test preconditions on the backend under test. A case meant for some backends
// carries `* dorm_test::only_on("postgresql")` (or except_on) and shows as skipped on the others,
// instead of passing there with zero assertions.
#include <string>
#include <string_view>

#include <boost/test/unit_test.hpp>

#include "backend.hpp"

namespace dorm_test {

namespace detail {
inline boost::unit_test::precondition backend_is(std::string_view name, bool wanted) {
    return boost::unit_test::precondition([name = std::string(name), wanted](boost::unit_test::test_unit_id) {
        boost::test_tools::assertion_result r((backend() == name) == wanted);
        r.message() << (wanted ? "runs on " + name + " only" : "does not run on " + name) << "; the backend is "
                    << backend();
        return r;
    });
}
}  // namespace detail

/// The case runs on backend `name` ("sqlite", "postgresql", "mysql") only.
inline boost::unit_test::precondition only_on(std::string_view name) { return detail::backend_is(name, true); }

/// The case runs on every backend but `name`.
inline boost::unit_test::precondition except_on(std::string_view name) { return detail::backend_is(name, false); }

}  // namespace dorm_test
