// expect: take data member pointers (&T::member), optionally after a name string
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Room {
    int id = 0;
    int number = 0;
};
BOOST_DESCRIBE_STRUCT(Room, (), (id, number))
DORM_TABLE(Room, "room", (table_args, dorm::unique("uq_room", &Room::number, 2)))

const auto& table = dorm::table_of<Room>();
