// expect: dorm::on_delete(...) and dorm::on_update(...) apply to a foreign key
// dorm::on_delete on a column that is not a foreign key.
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Shelf {
    int id = 0;
    int room_id = 0;
};
BOOST_DESCRIBE_STRUCT(Shelf, (), (id, room_id))
DORM_TABLE(Shelf, "shelf", (room_id, dorm::on_delete(dorm::fk_action::cascade)))

const auto& table = dorm::table_of<Shelf>();
