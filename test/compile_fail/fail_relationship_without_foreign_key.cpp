// expect: dorm: this relationship has no foreign key to follow
#include <boost/describe.hpp>

#include <dorm/session/session.hpp>

struct Item;
struct Order {
    int id = 0;
    dorm::many<Item> items;
};
struct Item {
    int id = 0;
    int order_id = 0;  // not declared as a foreign key
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, items))
BOOST_DESCRIBE_STRUCT(Item, (), (id, order_id))

void use(dorm::session& s) { s.add(Order{}); }
