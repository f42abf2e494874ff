// expect: dorm: only == and != compare with null
#include "models.hpp"

auto cond = dorm::col(&Rating::score) < std::nullopt;
