// Out-of-line errors of the select DSL (dorm/query/select.hpp).
#include <dorm/query/select.hpp>

#include <dorm/error.hpp>

namespace dorm::detail {

[[noreturn]] void throw_lock_conflict(const char* a, const char* b) {
    throw argument_error(std::string("dorm: ") + a + "() after " + b +
                         "(): a locking SELECT either fails at once on a locked row (nowait) or leaves the row out "
                         "(skip_locked), not both");
}
}  // namespace dorm::detail
