// The out-of-line members of dorm's exception types (dorm/error.hpp): what allocates stays out
// of user translation units.
#include <dorm/error.hpp>

namespace dorm {

stale_data_error::stale_data_error(const std::string& message, stale_data_details details)
    : error(message), details_(std::make_shared<const stale_data_details>(std::move(details))) {}

stale_data_details stale_data_error::details() const { return details_ ? *details_ : stale_data_details{}; }

migration_error::migration_error(const std::string& message, std::vector<refused_operation> refused)
    : error(message), refused_(std::make_shared<const std::vector<refused_operation>>(std::move(refused))) {}

}  // namespace dorm
