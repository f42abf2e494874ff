#pragma once
/// @file lib/driver/numbers.hpp
/// The one set of rules every driver's get_int / get_double follows: a value is read as a number
/// only when it IS that number exactly; anything else is a dorm::data_error (never a silent 0, a
/// truncation or a saturation). Drivers handle their native integer / real storage inline (the
/// hot path) and call these for everything else.
///
/// - integer -> int64: as is.  integer -> double: only |v| <= 2^53 (every such integer, and no
///   larger one, is guaranteed to round-trip; larger ones are refused even when they happen to
///   be representable, so the rule does not depend on the value's bit pattern).
/// - real -> int64: only an integral value within int64's range.  real -> double: as is.
/// - text -> int64: the whole text is an integer literal (std::from_chars: an optional '-',
///   digits; no spaces, no '+', no fraction, no exponent). A text holding an integral real such
///   as '3.0' is NOT an integer: a text column is read as what it says, and '3.0' says real.
///   (Real values that a backend sends as text — PostgreSQL numeric/float, MariaDB DECIMAL — are
///   reals, not texts: decimal_to_int reads them by the real rule, exactly.)
/// - text -> double: the whole text is a number (from_chars general format; also inf, infinity,
///   nan in any case, as PostgreSQL prints them).
/// - blob -> either: refused.
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace dorm::driver::numbers {

/// Reads the whole of `s` as a number of type N (std::from_chars: integers in decimal with an
/// optional '-', doubles in the general format, also inf/infinity/nan in any case); false when
/// `s` is empty or anything is left over. The drivers' text -> number conversions (inline: the
/// PostgreSQL driver reads every integer column through it).
template <class N>
bool parse_whole(std::string_view s, N& out) noexcept {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

/// Writes `v` as text into `out`, replacing its contents (the capacity is reused: a string that
/// has held a number once does not allocate again): integers in decimal, doubles as the shortest
/// text that reads back exactly, NaN / Infinity / -Infinity as PostgreSQL spells them.
template <class N>
void write_text(N v, std::string& out) {
    if constexpr (std::is_floating_point_v<N>) {
        if (std::isnan(v)) {
            out = "NaN";
            return;
        }
        if (std::isinf(v)) {
            out = v > 0 ? "Infinity" : "-Infinity";
            return;
        }
    }
    out.resize(32);
    auto [p, ec] = std::to_chars(out.data(), out.data() + out.size(), v);
    (void)ec;
    out.resize(static_cast<std::size_t>(p - out.data()));
}

/// 2^53: the largest magnitude up to which every integer is a double.
inline constexpr std::int64_t exact_double_limit = std::int64_t{1} << 53;

/// A real as an int64. @throws data_error ("has a fractional part", "is out of range for a 64-bit integer").
std::int64_t real_to_int(double d);
/// An integer as a double. @throws data_error when |v| > 2^53.
double int_to_double(std::int64_t v);
/// An unsigned integer (MariaDB BIGINT UNSIGNED) as an int64. @throws data_error above INT64_MAX.
std::int64_t unsigned_to_int(std::uint64_t v);
/// An unsigned integer as a double. @throws data_error above 2^53.
double unsigned_to_double(std::uint64_t v);
/// A text value as an int64 (whole-text integer literal). @throws data_error ("is not an integer").
std::int64_t text_to_int(std::string_view text);
/// A text value as a double (whole-text number). @throws data_error ("is not a number").
double text_to_double(std::string_view text);
/// A real sent as decimal text (PostgreSQL numeric / float8, MariaDB DECIMAL) as an int64, by the
/// real rule but exactly: '3.00' is 3, '3.5' has a fractional part, '1e30' is out of range,
/// digits beyond a double's precision are not lost.
std::int64_t decimal_to_int(std::string_view text);
/// A blob is never a number. @throws data_error always.
[[noreturn]] void blob_is_not_a_number(std::span<const std::byte> bytes, bool integer);

}  // namespace dorm::driver::numbers
