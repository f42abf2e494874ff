#include <dorm/session/detail/work_counts.hpp>

namespace dorm::detail {

work_counts& thread_work_counts() noexcept {
    thread_local work_counts counts;
    return counts;
}

}  // namespace dorm::detail
