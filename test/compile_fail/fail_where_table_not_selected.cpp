// expect: dorm: the condition uses a column of a struct that is not in this select's FROM/JOIN list
#include "models.hpp"

auto stmt = dorm::select<User>().where(dorm::col(&Comment::id) == 1);
