// expect: dorm::fk_action::set_default needs a column default
// ON DELETE SET DEFAULT on a column without a default.
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Room {
    int id = 0;
};
BOOST_DESCRIBE_STRUCT(Room, (), (id))

struct Shelf {
    int id = 0;
    int room_id = 0;
};
BOOST_DESCRIBE_STRUCT(Shelf, (), (id, room_id))
DORM_TABLE(Shelf, "shelf", (room_id, dorm::foreign_key(&Room::id), dorm::on_delete(dorm::fk_action::set_default)))

const auto& table = dorm::table_of<Shelf>();
