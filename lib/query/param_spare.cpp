// The parameter list of a SELECT's execution, which dorm::result keeps while its rows are read
// (see take_params() in dorm/query/result.hpp): one spare list per thread, so that a query built
// and run per call reuses the buffer of the previous one instead of a malloc and a free.
#include <dorm/query/result.hpp>

#include <new>

namespace dorm::detail {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool spare_enabled = false;  // a use of a finished result's parameters stays visible
#else
constexpr bool spare_enabled = true;
#endif

/// A list kept only while its buffer is small (an IN of 10,000 values does not stay).
constexpr std::size_t max_kept_capacity = 64;

/// The thread's spare list, in raw bytes so that the thread_local is trivially destructible (its
/// "initial-exec" address is one instruction away; no guard, no __tls_get_addr call).
struct spare_slot {
    alignas(std::vector<value>) unsigned char bytes[sizeof(std::vector<value>)];
    unsigned char state;  ///< 0: no list yet on this thread, 1: a list lives in bytes, 2: thread ending
    std::vector<value>& list() noexcept { return *std::launder(reinterpret_cast<std::vector<value>*>(bytes)); }
};
__attribute__((tls_model("initial-exec"))) thread_local spare_slot spare{};

/// Destroys the thread's list when the thread ends.
struct closer {
    ~closer() {
        if (spare.state == 1) spare.list().~vector();
        spare.state = 2;
    }
};

}  // namespace

std::vector<value> take_params() noexcept {
    if constexpr (spare_enabled)
        if (spare.state == 1) return std::move(spare.list());  // the spare is left empty
    return {};
}

void give_back_params(std::vector<value>& params) noexcept {
    if constexpr (spare_enabled) {
        const std::size_t cap = params.capacity();
        if (cap == 0 || cap > max_kept_capacity) return;
        if (spare.state == 0) {
            thread_local closer c;  // registered once per thread
            (void)c;
            ::new (static_cast<void*>(spare.bytes)) std::vector<value>();
            spare.state = 1;
        }
        if (spare.state != 1) return;
        auto& kept = spare.list();
        if (kept.capacity() >= cap) return;
        params.clear();
        kept = std::move(params);
    }
}

}  // namespace dorm::detail
