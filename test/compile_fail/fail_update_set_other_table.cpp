// expect: dorm: set() takes a column of the updated struct
#include "models.hpp"

auto stmt = dorm::update<User>().set(dorm::col(&Comment::comment), "x");
