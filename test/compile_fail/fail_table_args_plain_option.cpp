// expect: a (table_args, ...) entry of DORM_TABLE takes dorm::unique(&T::a, ...)
// A column option (here an uncalled dorm::unique) in the table_args entry.
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Room {
    int id = 0;
    int number = 0;
};
BOOST_DESCRIBE_STRUCT(Room, (), (id, number))
DORM_TABLE(Room, "room", (table_args, dorm::unique))

const auto& table = dorm::table_of<Room>();
