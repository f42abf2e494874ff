#pragma once
/// @file dorm/engine/value.hpp
/// dorm::value: the type-erased SQL value that crosses from user templates into the compiled library.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dorm {

namespace detail {
/// data_error: `v` is above INT64_MAX (lib/reflect/types.cpp).
[[noreturn]] void throw_unsigned_too_large(unsigned long long v);
}  // namespace detail

/// BLOB columns map to this type.
using blob = std::vector<std::byte>;

/// The storage classes a value can have.
enum class value_kind { null, integer, real, text, blob };

/// A SQL value: null, 64-bit integer, double, text (UTF-8) or blob.
class value {
public:
    value() noexcept = default;
    // copy/move/destroy of a number or NULL are a few inline instructions; of a text or a blob
    // a call into lib/ (their code is not repeated in every caller)
    value(const value& o) {
        if (o.kind_ <= value_kind::real) {
            u_.i = o.u_.i;  // the 8 bytes of i or d (GCC defines reading another union member)
            kind_ = o.kind_;
        } else {
            construct_from(o);
        }
    }
    value(value&& o) noexcept {
        if (o.kind_ <= value_kind::real) {
            u_.i = o.u_.i;
            kind_ = o.kind_;
        } else {
            construct_from(std::move(o));
        }
    }
    value& operator=(const value&);
    value& operator=(value&&) noexcept;
    ~value() {
        if (kind_ > value_kind::real) destroy();
    }
    value(std::nullptr_t) noexcept {}
    value(bool b) noexcept : kind_(value_kind::integer) { u_.i = b ? 1 : 0; }
    /// An unsigned 64-bit value above INT64_MAX is a data_error (SQL integers are signed 64-bit;
    /// it would otherwise bind as a negative number).
    template <std::integral I>
        requires(!std::same_as<I, bool> && !std::same_as<I, char>)
    value(I i) noexcept(!(std::is_unsigned_v<I> && sizeof(I) >= 8)) : kind_(value_kind::integer) {
        if constexpr (std::is_unsigned_v<I> && sizeof(I) >= 8)
            if (i > static_cast<I>(INT64_MAX)) detail::throw_unsigned_too_large(i);
        u_.i = static_cast<std::int64_t>(i);
    }
    value(double d) noexcept : kind_(value_kind::real) { u_.d = d; }
    value(float f) noexcept : kind_(value_kind::real) { u_.d = static_cast<double>(f); }
    // text and blob constructors are in lib/ too
    value(std::string s);
    value(std::string_view s);
    value(const char* s);
    value(blob b);

    value_kind kind() const noexcept { return kind_; }
    bool is_null() const noexcept { return kind_ == value_kind::null; }
    /// @throws argument_error when the value is not of that kind.
    std::int64_t as_int() const;
    double as_double() const;  ///< integers convert
    const std::string& as_text() const;
    const blob& as_blob() const;

    /// The value as Python's repr would print it (for echo): None, 42, 1.5, 'text', b'...'.
    std::string repr() const;

    friend bool operator==(const value&, const value&);  // lib/engine/value.cpp

private:
    // A tagged union rather than std::variant: the variant's machinery cost every translation
    // unit that includes dorm its instantiation. kind_ names the live member (`i` for null).
    union storage {
        std::int64_t i;
        double d;
        std::string s;
        blob b;
        storage() noexcept : i(0) {}
        ~storage() {}
    } u_;
    value_kind kind_ = value_kind::null;
    void construct_from(const value& o);  // *this holds no string or blob
    void construct_from(value&& o) noexcept;
    void destroy() noexcept;
};

/// Python tuple repr of a parameter list: `()`, `('a',)`, `('a', 1)`.
std::string repr(std::span<const value> params);

}  // namespace dorm
