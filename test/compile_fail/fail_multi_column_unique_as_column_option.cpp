// expect: go in a (table_args, ...) entry
// A multi-column dorm::unique(...) written as a column option.
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Room {
    int id = 0;
    int floor = 0;
    int number = 0;
};
BOOST_DESCRIBE_STRUCT(Room, (), (id, floor, number))
DORM_TABLE(Room, "room", (number, dorm::unique(&Room::floor, &Room::number)))

const auto& table = dorm::table_of<Room>();
