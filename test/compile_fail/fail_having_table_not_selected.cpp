// expect: not in this select's FROM/JOIN list
// having() must be checked like where() and group_by() are.
#include "models.hpp"

auto stmt = dorm::select(dorm::col(&User::name))
                .group_by(dorm::col(&User::name))
                .having(dorm::count(dorm::col(&Comment::id)) > 1);
