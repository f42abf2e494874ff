/// @file lib/driver/text_check.cpp
/// UTF-8 validation and the text checks of lib/driver/text_check.hpp.
#include "text_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

#include <dorm/detail/data_errors.hpp>

namespace dorm::detail {

bool valid_utf8(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (b0 < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0, min = 0;
        if ((b0 & 0xE0) == 0xC0)
            len = 2, cp = b0 & 0x1Fu, min = 0x80;
        else if ((b0 & 0xF0) == 0xE0)
            len = 3, cp = b0 & 0x0Fu, min = 0x800;
        else if ((b0 & 0xF8) == 0xF0)
            len = 4, cp = b0 & 0x07u, min = 0x10000;
        else
            return false;
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

void check_text_storable(std::string_view v, const text_storage& storage) {
    if (!storage.nul && v.find('\0') != std::string_view::npos)
        throw_bad_write(quote_value(v), "holds a NUL (0x00) byte, which " + std::string(storage.name) +
                                            " cannot store (use dorm::blob for binary data)");
    if (!storage.invalid_utf8 && !valid_utf8(v))
        throw_bad_write(quote_value(v), "is not valid UTF-8, which " + std::string(storage.name) +
                                            " cannot store (use dorm::blob for binary data)");
}

}  // namespace dorm::detail
