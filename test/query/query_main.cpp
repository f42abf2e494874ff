// The query test executable (test/query/query_*_test.cpp): every construct of the DSL runs real SQL
// on real rows (DORM_TEST_URL), and the rows are checked.
#define BOOST_TEST_MODULE query
#include <boost/test/unit_test.hpp>
