// expect: dorm: && combines conditions (bool expressions)
#include "models.hpp"

auto cond = dorm::col(&User::age) && dorm::col(&User::id);
