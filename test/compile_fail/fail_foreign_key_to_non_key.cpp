// expect: must name Other's (single-column) primary key
// foreign_key() to a column that is not the other struct's primary key.
#include "models.hpp"

struct Badge {
    int id = 0;
    int user_age = 0;
};
BOOST_DESCRIBE_STRUCT(Badge, (), (id, user_age))
DORM_TABLE(Badge, "badge", (user_age, dorm::foreign_key(&User::age)))

const auto& table = dorm::table_of<Badge>();
