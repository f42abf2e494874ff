// expect: dorm: col() takes a column member; a relationship (dorm::many / dorm::one) is not a column
#include "models.hpp"

auto c = dorm::col(&User::comments);
