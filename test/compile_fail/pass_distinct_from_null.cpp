// expect: compiles
// `IS DISTINCT FROM NULL` is valid SQL (SQLAlchemy: col.is_distinct_from(None)).
#include "models.hpp"

auto cond = dorm::col(&Rating::score).is_distinct_from(std::nullopt);
