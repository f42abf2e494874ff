#pragma once
// SHA-256 (FIPS 180-4), for the checksum of migration files (lib/schema/migrations.cpp). Written
// here rather than taken from a crypto library: dorm has no such dependency, and a checksum of a
// few kilobytes per file needs neither speed nor constant-time code.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dorm::detail {

/// Incremental SHA-256: update() any number of times, then digest() once.
class sha256 {
public:
    sha256() noexcept;
    void update(std::string_view bytes) noexcept;
    /// The 32-byte digest. The object is spent afterwards.
    std::array<std::uint8_t, 32> digest() noexcept;

private:
    void compress(const std::uint8_t* block) noexcept;
    std::array<std::uint32_t, 8> h_;
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t length_ = 0;  // bytes hashed so far
};

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace dorm::detail
