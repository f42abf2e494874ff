// dorm::many's lookup set (detail::many_index): push_back and the session's back_populates
// appends test membership once per item; a linear search made 10,000 appends to one parent
// cost 50,000,000 comparisons (issue 16, item 1).
#include <dorm/session/relationship.hpp>

#include <unordered_set>

#include <dorm/session/detail/work_counts.hpp>

namespace dorm::detail {

namespace {
/// Up to this many items a linear search is cheaper than a set (and allocates nothing).
constexpr std::size_t linear_limit = 16;
}  // namespace

struct many_index::set {
    std::unordered_set<const void*> addresses;
};

many_index::~many_index() { delete set_; }

bool many_index::contains(const void* obj, const void* items, std::size_t n,
                          const void* (*get)(const void*, std::size_t)) {
    std::uint64_t& steps = thread_work_counts().collection_steps;
    if (n <= linear_limit) {
        for (std::size_t i = 0; i < n; ++i) {
            ++steps;
            if (get(items, i) == obj) return true;
        }
        return false;
    }
    if (!valid_) {
        if (!set_) set_ = new set;
        set_->addresses.clear();
        set_->addresses.reserve(n);
        for (std::size_t i = 0; i < n; ++i) set_->addresses.insert(get(items, i));
        steps += n;
        valid_ = true;
    }
    ++steps;
    return set_->addresses.count(obj) != 0;
}

void many_index::appended(const void* obj) noexcept {
    if (!valid_) return;
    try {
        set_->addresses.insert(obj);
    } catch (...) {
        valid_ = false;  // out of memory: rebuilt at the next lookup
    }
}

void many_index::erased(const void* obj) noexcept {
    if (valid_) set_->addresses.erase(obj);
}

}  // namespace dorm::detail
