// The relationships test executable (test/session/relationships_*_test.cpp): relationships against
// a real database (DORM_TEST_URL), one topic per file.
#define BOOST_TEST_MODULE relationships
#include <boost/test/unit_test.hpp>
