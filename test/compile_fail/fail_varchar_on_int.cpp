// expect: dorm::varchar(n) applies to string members only
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Box {
    int id = 0;
    int size = 0;
};
BOOST_DESCRIBE_STRUCT(Box, (), (id, size))
DORM_TABLE(Box, "box", (size, dorm::varchar(10)))

const auto& table = dorm::table_of<Box>();
