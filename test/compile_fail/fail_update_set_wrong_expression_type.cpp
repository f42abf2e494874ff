// expect: dorm: set(column, expression): the expression's type does not match the column's
#include "models.hpp"

auto stmt = dorm::update<User>().set(dorm::col(&User::age), dorm::col(&User::name));
