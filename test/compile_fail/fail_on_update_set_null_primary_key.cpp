// expect: dorm::fk_action::set_null cannot apply to a primary-key column
// ON UPDATE SET NULL on a foreign key that is part of the primary key (key columns are NOT NULL,
// even when the member is dorm::nullable).
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Room {
    int id = 0;
};
BOOST_DESCRIBE_STRUCT(Room, (), (id))

struct Seat {
    int room_id = 0;
    int number = 0;
};
BOOST_DESCRIBE_STRUCT(Seat, (), (room_id, number))
DORM_TABLE(Seat, "seat",
           (room_id, dorm::primary_key, dorm::nullable, dorm::foreign_key(&Room::id),
            dorm::on_update(dorm::fk_action::set_null)),
           (number, dorm::primary_key))

const auto& table = dorm::table_of<Seat>();
