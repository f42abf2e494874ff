// expect: dorm: set(column, value): the value does not have the column's type
#include "models.hpp"

auto stmt = dorm::update<User>().set(dorm::col(&User::age), "thirty");
