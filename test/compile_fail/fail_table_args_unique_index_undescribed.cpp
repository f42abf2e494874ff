// expect: dorm: dorm::unique_index(...) in table_args must name column members of the struct
// `cache` is not listed in BOOST_DESCRIBE_STRUCT, so it is not a column.
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Room {
    int id = 0;
    int number = 0;
    int cache = 0;
};
BOOST_DESCRIBE_STRUCT(Room, (), (id, number))
DORM_TABLE(Room, "room", (table_args, dorm::unique_index("ux_room", &Room::number, &Room::cache)))

const auto& table = dorm::table_of<Room>();
