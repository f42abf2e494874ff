// The session test executable (test/session/session_*_test.cpp): the session against a real
// database (DORM_TEST_URL), one topic per file.
#define BOOST_TEST_MODULE session
#include <boost/test/unit_test.hpp>
