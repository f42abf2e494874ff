// expect: compiles
// `std::nullopt == col(...)` is `col(...) == std::nullopt` (IS NULL), as `None == col` is in SQLAlchemy.
#include "models.hpp"

auto cond = std::nullopt == dorm::col(&Rating::score);
