// expect: name one or more columns
// A name and no column.
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Room {
    int id = 0;
    int number = 0;
};
BOOST_DESCRIBE_STRUCT(Room, (), (id, number))
DORM_TABLE(Room, "room", (table_args, dorm::index("ix_room")))

const auto& table = dorm::table_of<Room>();
