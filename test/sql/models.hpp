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

namespace sqlt {

// -- the DESIGN.md tutorial models --------------------------------------------------------------

struct Profile;
struct Comment;

struct User {
    int id = 0;
    std::string name;
    int age = 0;
    dorm::many<Comment> comments;
    dorm::one<Profile> profile;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, age, comments, profile))
DORM_TABLE(User, "user_table",
           (id, dorm::primary_key),
           (name, dorm::varchar(30)),
           (comments, dorm::back_populates("user")),
           (profile, dorm::back_populates("user")))

struct Profile {
    int id = 0;
    std::string profile;
    int user_id = 0;
    dorm::one<User> user;
};
BOOST_DESCRIBE_STRUCT(Profile, (), (id, profile, user_id, user))
DORM_TABLE(Profile, "profile_table",
           (id, dorm::primary_key),
           (profile, dorm::varchar(30)),
           (user_id, dorm::foreign_key(&User::id)),
           (user, dorm::back_populates("profile")))

struct Comment {
    int id = 0;
    std::string comment;
    int user_id = 0;
    dorm::one<User> user;
};
BOOST_DESCRIBE_STRUCT(Comment, (), (id, comment, user_id, user))
DORM_TABLE(Comment, "comment_table",
           (id, dorm::primary_key),
           (comment, dorm::varchar(30)),
           (user_id, dorm::foreign_key(&User::id)),
           (user, dorm::back_populates("comments")))

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
