// expect: dorm: join<U>() found no foreign key between U and the selected structs
#include "models.hpp"

auto stmt = dorm::select<User>().join<Tag>();
