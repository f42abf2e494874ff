// expect: dorm: this struct is not described: add BOOST_DESCRIBE_STRUCT
// A struct without BOOST_DESCRIBE_STRUCT used with table_of.
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Plain {
    int id = 0;
};

const auto& table = dorm::table_of<Plain>();
