#pragma once
// Mapped structs shared by the dry SQL tests (no database is opened).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/describe.hpp>

#include <dorm/query/select.hpp>
#include <dorm/reflect/table_macro.hpp>
#include <dorm/schema/ddl.hpp>
#include <dorm/schema/metadata.hpp>
#include <dorm/schema/table_of.hpp>

#include "blog_models.hpp"  // test/support

namespace sqlt {

// -- the tutorial models (blog_models.hpp, in the global namespace) ----------------------------

using ::Comment;
using ::Profile;
using ::User;

// -- a table with one column of each kind, for expressions --------------------------------------

enum class Color { red, green, blue };
BOOST_DESCRIBE_ENUM(Color, red, green, blue)

struct Item {
    int id = 0;
    std::string name;
    std::optional<std::string> note;
    int qty = 0;
    double price = 0;
    std::optional<int> rank;
    bool active = false;
    Color color = Color::red;
    std::chrono::sys_seconds created{};
    std::chrono::year_month_day day{};
    dorm::blob data;
};
BOOST_DESCRIBE_STRUCT(Item, (), (id, name, note, qty, price, rank, active, color, created, day, data))
// no DORM_TABLE: table "item", primary key `id`

// -- self-reference -----------------------------------------------------------------------------

struct Node {
    int id = 0;
    std::optional<int> parent_id;
    std::string label;
};
BOOST_DESCRIBE_STRUCT(Node, (), (id, parent_id, label))
DORM_TABLE(Node, "node", (parent_id, dorm::foreign_key(&Node::id)), (label, dorm::varchar(20)))

}  // namespace sqlt

// A struct named User in another namespace: its default table name is the SQL keyword `user`.
namespace kw {
struct User {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))
}  // namespace kw
