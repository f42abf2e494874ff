// expect: dorm::check(expression) needs a non-empty SQL expression
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Room {
    int id = 0;
    int number = 0;
};
BOOST_DESCRIBE_STRUCT(Room, (), (id, number))
DORM_TABLE(Room, "room", (number, dorm::check("")))

const auto& table = dorm::table_of<Room>();
