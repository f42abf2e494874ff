// expect: dorm: arithmetic needs numeric operands
#include "models.hpp"

auto e = dorm::col(&User::name) + 1;
