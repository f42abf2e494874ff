// expect: compiles
// `IS DISTINCT FROM NULL` is valid SQL (SQLAlchemy: col.is_distinct_from(None)).
#include "models.hpp"

auto cond = dorm::col(&Comment::score).is_distinct_from(std::nullopt);
