// expect: dorm: like() applies to string columns
#include "models.hpp"

auto cond = dorm::col(&User::age).like("1%");
