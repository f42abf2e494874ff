// expect: dorm::on_delete, dorm::on_update, dorm::check and dorm::server_default apply to column members
// ON DELETE belongs to the foreign-key column, not to the dorm::one member.
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>
#include <dorm/session/relationship.hpp>

struct Shelf;
struct Room {
    int id = 0;
    dorm::many<Shelf> shelves;
};
BOOST_DESCRIBE_STRUCT(Room, (), (id, shelves))
DORM_TABLE(Room, "room", (shelves, dorm::back_populates("room")))

struct Shelf {
    int id = 0;
    int room_id = 0;
    dorm::one<Room> room;
};
BOOST_DESCRIBE_STRUCT(Shelf, (), (id, room_id, room))
DORM_TABLE(Shelf, "shelf",
           (room_id, dorm::foreign_key(&Room::id)),
           (room, dorm::back_populates("shelves"), dorm::on_delete(dorm::fk_action::cascade)))

const auto& table = dorm::table_of<Shelf>();
