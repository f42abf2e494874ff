// The driver test executable (test/driver/driver_*_test.cpp): the driver layer (dorm::driver) run
// against SQLite (memory and file), PostgreSQL and MariaDB. The URL comes from DORM_TEST_URL.
#define BOOST_TEST_MODULE dorm_driver
#include <boost/test/unit_test.hpp>
