// The loaders test executable (test/session/loaders_*_test.cpp): selectinload / joinedload /
// raiseload (and nested .then(...)) against a real database (DORM_TEST_URL), one topic per file.
#define BOOST_TEST_MODULE loaders
#include <boost/test/unit_test.hpp>
