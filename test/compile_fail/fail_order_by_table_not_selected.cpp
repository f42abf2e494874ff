// expect: not in this select's FROM/JOIN list
// .desc() / .asc() orderings must be checked like plain expressions are.
#include "models.hpp"

auto stmt = dorm::select<User>().order_by(dorm::col(&Comment::id).desc());
