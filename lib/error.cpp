// The out-of-line members of dorm's exception types (dorm/error.hpp): what allocates stays out
// of user translation units.
#include <dorm/error.hpp>

#include "error_payload.hpp"

namespace dorm {

namespace detail {

exception_payload::exception_payload(const exception_payload& other) noexcept : block_(other.block_) {
    if (block_) block_->refs.fetch_add(1, std::memory_order_relaxed);
}

exception_payload& exception_payload::operator=(const exception_payload& other) noexcept {
    exception_payload keep(other);  // (self-assignment safe)
    std::swap(block_, keep.block_);
    return *this;
}

exception_payload::~exception_payload() {
    if (block_ && block_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete block_;
}

}  // namespace detail

namespace {
const std::string& empty_text() noexcept {
    static const std::string empty;
    return empty;
}
}  // namespace

stale_data_error::stale_data_error(const std::string& message, stale_data_details details)
    : error(message), details_(detail::make_payload(std::move(details))) {}

const std::string& stale_data_error::table() const noexcept {
    const auto* d = detail::payload_value<stale_data_details>(details_);
    return d ? d->table : empty_text();
}

const std::string& stale_data_error::key() const noexcept {
    const auto* d = detail::payload_value<stale_data_details>(details_);
    return d ? d->key : empty_text();
}

std::optional<std::int64_t> stale_data_error::version() const noexcept {
    const auto* d = detail::payload_value<stale_data_details>(details_);
    return d ? d->version : std::nullopt;
}

stale_data_details stale_data_error::details() const {
    const auto* d = detail::payload_value<stale_data_details>(details_);
    return d ? *d : stale_data_details{};
}

migration_error::migration_error(const std::string& message) : migration_error(message, {}) {}

migration_error::migration_error(const std::string& message, std::vector<refused_operation> refused)
    : error(message), refused_(detail::make_payload(std::move(refused))) {}

const std::vector<refused_operation>& migration_error::refused() const noexcept {
    return *detail::payload_value<std::vector<refused_operation>>(refused_);
}

}  // namespace dorm
