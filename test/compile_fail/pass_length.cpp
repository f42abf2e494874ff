// expect: compiles
// dorm::length() is part of the DSL (expression.hpp) and must be usable.
#include "models.hpp"

auto cond = dorm::length(dorm::col(&User::name)) > 3;
auto sql = dorm::compile(dorm::select<User>().where(cond), dorm::dialect::sqlite);
