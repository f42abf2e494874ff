// expect: dorm: scalar_subquery() needs a select of exactly one expression
#include "models.hpp"

auto e = dorm::select(dorm::col(&User::id), dorm::col(&User::name)).scalar_subquery();
