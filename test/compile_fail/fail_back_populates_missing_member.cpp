// expect: names no described member of the related struct
#include <boost/describe.hpp>

#include <dorm/session/session.hpp>

struct Item;
struct Order {
    int id = 0;
    dorm::many<Item> items;
};
struct Item {
    int id = 0;
    int order_id = 0;
    dorm::one<Order> order;
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, items))
BOOST_DESCRIBE_STRUCT(Item, (), (id, order_id, order))
DORM_TABLE(Order, "orders", (items, dorm::back_populates("orderr")))
DORM_TABLE(Item, "item", (order_id, dorm::foreign_key(&Order::id)), (order, dorm::back_populates("items")))

void use(dorm::session& s) { s.add(Order{}); }
