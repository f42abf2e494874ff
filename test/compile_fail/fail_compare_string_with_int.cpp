// expect: dorm: comparing a column with a value of a different type
#include "models.hpp"

auto cond = dorm::col(&User::name) == 42;
