// expect: dorm: dorm::index(...) in table_args must name column members of the struct
// A relationship member is not a column: it cannot be indexed.
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>
#include <dorm/session/relationship.hpp>

struct Shelf;
struct Room {
    int id = 0;
    int floor = 0;
    dorm::many<Shelf> shelves;
};
BOOST_DESCRIBE_STRUCT(Room, (), (id, floor, shelves))
DORM_TABLE(Room, "room", (shelves, dorm::back_populates("room")), (table_args, dorm::index(&Room::floor, &Room::shelves)))

struct Shelf {
    int id = 0;
    int room_id = 0;
    dorm::one<Room> room;
};
BOOST_DESCRIBE_STRUCT(Shelf, (), (id, room_id, room))
DORM_TABLE(Shelf, "shelf", (room_id, dorm::foreign_key(&Room::id)), (room, dorm::back_populates("shelves")))

const auto& table = dorm::table_of<Room>();
