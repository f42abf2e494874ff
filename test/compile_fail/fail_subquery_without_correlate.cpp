// expect: inside a subquery that refers to the enclosing query's struct U, add .correlate<U>()
#include "models.hpp"

// a correlated EXISTS written without .correlate<User>(): the subquery's FROM has only Comment
auto stmt = dorm::select<User>().where(
    dorm::exists(dorm::select(dorm::col(&Comment::id)).where(dorm::col(&Comment::user_id) == dorm::col(&User::id))));
