// expect: dorm: this struct is not described: add BOOST_DESCRIBE_STRUCT
// A struct without BOOST_DESCRIBE_STRUCT used in a select.
#include <dorm/query/select.hpp>

struct Plain {
    int id = 0;
};

auto stmt = dorm::select<Plain>();
