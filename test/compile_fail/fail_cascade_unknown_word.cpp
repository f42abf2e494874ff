// expect: dorm::cascade: unknown word
#include <boost/describe.hpp>

#include <dorm/reflect/table_macro.hpp>
#include <dorm/session/relationship.hpp>

struct Item;
struct Order {
    int id = 0;
    dorm::many<Item> items;
};
struct Item {
    int id = 0;
    int order_id = 0;
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, items))
BOOST_DESCRIBE_STRUCT(Item, (), (id, order_id))
DORM_TABLE(Order, "orders", (items, dorm::cascade("all, explode")))
DORM_TABLE(Item, "item", (order_id, dorm::foreign_key(&Order::id)))
