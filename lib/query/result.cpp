// Out-of-line errors of dorm::result and scalar_result (one(), one_or_none(), scalar_one()).
#include <dorm/query/result.hpp>

#include <dorm/error.hpp>

namespace dorm::detail {

void throw_no_result() { throw no_result_found("No row was found when one was required"); }

void throw_multiple_results(bool one_or_none) {
    throw multiple_results_found(one_or_none ? "Multiple rows were found when one or none was required"
                                             : "Multiple rows were found when exactly one was required");
}

}  // namespace dorm::detail
