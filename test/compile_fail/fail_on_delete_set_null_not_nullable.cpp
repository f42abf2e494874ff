// expect: dorm::fk_action::set_null needs a nullable column
// ON DELETE SET NULL on a NOT NULL foreign key (a plain int member).
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
DORM_TABLE(Shelf, "shelf", (room_id, dorm::foreign_key(&Room::id), dorm::on_delete(dorm::fk_action::set_null)))

const auto& table = dorm::table_of<Shelf>();
