// expect: dorm: a bindparam value must be a value a column can hold
#include <dorm/dorm.hpp>

#include "models.hpp"

struct Point {
    int x = 0, y = 0;
};

void run(dorm::session& s) {
    const auto by_name = dorm::select<User>().where(dorm::col(&User::name) == dorm::bindparam<std::string>("name"));
    s.execute(by_name, {{"name", Point{}}}).all();
}
