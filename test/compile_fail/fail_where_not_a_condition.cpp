// expect: dorm: where() takes a condition (a bool expression)
#include "models.hpp"

auto stmt = dorm::select<User>().where(dorm::col(&User::age));
