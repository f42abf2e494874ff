// expect: the association struct of dorm::secondary<Assoc> cannot have a dorm::version column
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Shelf;
struct ShelfItem;

struct Item {
    int id = 0;
    std::string name;
    dorm::many<Shelf> shelves;
};
BOOST_DESCRIBE_STRUCT(Item, (), (id, name, shelves))
DORM_TABLE(Item, "item", (shelves, dorm::secondary<ShelfItem>, dorm::back_populates("items")))

struct Shelf {
    int id = 0;
    dorm::many<Item> items;
};
BOOST_DESCRIBE_STRUCT(Shelf, (), (id, items))
DORM_TABLE(Shelf, "shelf", (items, dorm::secondary<ShelfItem>, dorm::back_populates("shelves")))

struct ShelfItem {
    int shelf_id = 0;
    int item_id = 0;
    int version = 0;
};
BOOST_DESCRIBE_STRUCT(ShelfItem, (), (shelf_id, item_id, version))
DORM_TABLE(ShelfItem, "shelf_item",
           (shelf_id, dorm::primary_key, dorm::foreign_key(&Shelf::id)),
           (item_id, dorm::primary_key, dorm::foreign_key(&Item::id)),
           (version, dorm::version))

const auto& table = dorm::table_of<Item>();
