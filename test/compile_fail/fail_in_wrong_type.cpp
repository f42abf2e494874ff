// expect: dorm: in() values must have the column's type
#include "models.hpp"

auto cond = dorm::col(&User::age).in({"a", "b"});
