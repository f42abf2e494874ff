// expect: dorm: only == and != compare with null
#include "models.hpp"

auto cond = dorm::col(&Comment::score) < std::nullopt;
