// The out-of-line parts of dorm::many and dorm::one (dorm/reflect/relationship_members.hpp):
// the lookup set of a collection's items (push_back and the session's back_populates appends test
// membership once per item; a linear search made 10,000 appends to one parent cost 50,000,000
// comparisons, issue 16 item 1), the release of long chains without recursion, and the error of
// a lazy load without a session.
#include <dorm/reflect/relationship_members.hpp>

#include <algorithm>
#include <string>
#include <unordered_set>

#include <dorm/error.hpp>
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


void throw_detached(const char* what) {
    throw detached_instance_error(std::string("dorm: this ") + what +
                                  " relationship was not loaded and its object is not bound to a session, so the "
                                  "lazy load cannot proceed (load it while the session is open, e.g. with "
                                  "selectinload, or keep the session)");
}

namespace {
thread_local std::vector<std::shared_ptr<void>>* releasing = nullptr;  // the outermost release's queue
}

void release_iteratively(std::shared_ptr<void>& item) noexcept {
    if (releasing != nullptr) {  // inside another release: hand it over
        try {
            releasing->push_back(std::move(item));
        } catch (...) {
            item.reset();  // out of memory: release it here (recursion, as before)
        }
        return;
    }
    std::vector<std::shared_ptr<void>> queue;
    try {
        queue.reserve(16);
    } catch (...) {
        item.reset();
        return;
    }
    queue.push_back(std::move(item));
    release_iteratively(queue);
}

void release_iteratively(std::vector<std::shared_ptr<void>>& items) noexcept {
    if (releasing != nullptr) {  // inside another collection's release: hand the items over
        try {
            const std::size_t need = releasing->size() + items.size();
            if (need > releasing->capacity()) releasing->reserve(std::max(need, 2 * releasing->capacity()));
        } catch (...) {
            items.clear();  // out of memory: release them here (recursion, as before)
            return;
        }
        for (auto& p : items) releasing->push_back(std::move(p));
        items.clear();
        return;
    }
    std::vector<std::shared_ptr<void>> queue = std::move(items);
    releasing = &queue;
    while (!queue.empty()) {
        std::shared_ptr<void> p = std::move(queue.back());
        queue.pop_back();
        p.reset();  // may append the items of the collections it held
    }
    releasing = nullptr;
}

}  // namespace dorm::detail
