// expect: compiles
// update_stmt::set() explicitly allows std::nullopt for an optional column (its static_assert says so).
#include "models.hpp"

auto stmt = dorm::update<Rating>().set(dorm::col(&Rating::score), std::nullopt);
