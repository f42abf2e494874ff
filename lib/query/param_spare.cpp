// The parameter list of a SELECT's execution, which dorm::result keeps while its rows are read
// (see take_params() in dorm/query/result.hpp): spare lists per thread (vector_spares.hpp), so
// that a query built and run per call reuses the buffer of the previous one instead of a malloc
// and a free.
#include <dorm/query/result.hpp>

#include "query/vector_spares.hpp"

namespace dorm::detail {

/// A list kept only while its buffer is small (an IN of 10,000 values does not stay).
constexpr std::size_t max_kept_capacity = 64;

std::vector<value> take_params() noexcept { return take_spare_vector<value>(); }

void give_back_params(std::vector<value>& params) noexcept { give_spare_vector<value, max_kept_capacity>(params); }

}  // namespace dorm::detail
