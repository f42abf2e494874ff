// The dry SQL test executable: generated SQL text and DDL, no database.
#define BOOST_TEST_MODULE sql
#include <boost/test/unit_test.hpp>
