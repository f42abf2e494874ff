#pragma once
// A fast non-cryptographic hash for short strings (SQL texts, statement shapes): 8 bytes per
// step, a fraction of std::hash's cost on 50-200 byte keys. Not for untrusted adversarial keys
// (none reach it: keys are SQL the program itself built).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace dorm::detail {

inline std::size_t fast_hash(std::string_view k) noexcept {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ k.size();
    const char* p = k.data();
    std::size_t i = 0;
    for (; i + 8 <= k.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    std::uint64_t w = 0;
    if (i < k.size()) std::memcpy(&w, p + i, k.size() - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return static_cast<std::size_t>(h);
}

/// Transparent hasher for std::string keys looked up by std::string_view.
struct fast_string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return fast_hash(s); }
};

}  // namespace dorm::detail
