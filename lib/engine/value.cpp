// dorm::value accessors and Python-style repr.
#include <dorm/engine/value.hpp>

#include <new>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include <dorm/error.hpp>

#include "unicode_nonprintable.hpp"

namespace dorm {

namespace {

std::string_view kind_name(value_kind k) noexcept {
    switch (k) {
        case value_kind::null: return "null";
        case value_kind::integer: return "integer";
        case value_kind::real: return "real";
        case value_kind::text: return "text";
        case value_kind::blob: return "blob";
    }
    return "unknown";
}

[[noreturn]] void wrong_kind(std::string_view accessor, value_kind wanted, value_kind actual) {
    std::string msg = "dorm::value::";
    msg += accessor;
    msg += ": the value is ";
    msg += kind_name(actual);
    msg += ", not ";
    msg += kind_name(wanted);
    throw argument_error(msg);
}

constexpr char hex_digits[] = "0123456789abcdef";

void append_hex(std::string& out, std::uint32_t v, int width) {
    for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) out += hex_digits[(v >> shift) & 0xF];
}

bool is_printable(std::uint32_t cp) noexcept {
    if (cp < 0x80) return cp >= 0x20 && cp < 0x7F;
    const auto* begin = std::begin(detail::nonprintable_ranges);
    const auto* end = std::end(detail::nonprintable_ranges);
    // first range whose last >= cp
    const auto* it = std::lower_bound(begin, end, cp,
                                      [](const detail::code_point_range& r, std::uint32_t c) { return r.last < c; });
    return it == end || cp < it->first;
}

/// Decodes one UTF-8 sequence at s[i]; returns the code point and its length, or length 0 when invalid.
std::pair<std::uint32_t, std::size_t> decode_utf8(std::string_view s, std::size_t i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return {b0, 1};
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        return {0, 0};
    }
    if (i + len > s.size()) return {0, 0};
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return {0, 0};
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
    return {cp, len};
}

char pick_quote(std::string_view s) noexcept {
    const bool has_single = s.find('\'') != std::string_view::npos;
    const bool has_double = s.find('"') != std::string_view::npos;
    return (has_single && !has_double) ? '"' : '\'';
}

/// Escapes shared by str and bytes reprs; returns false when the byte/code point needs more.
bool append_simple_escape(std::string& out, std::uint32_t c, char quote) {
    switch (c) {
        case '\\': out += "\\\\"; return true;
        case '\t': out += "\\t"; return true;
        case '\n': out += "\\n"; return true;
        case '\r': out += "\\r"; return true;
        default: break;
    }
    if (c == static_cast<unsigned char>(quote)) {
        out += '\\';
        out += quote;
        return true;
    }
    return false;
}

std::string text_repr(std::string_view s) {
    const char quote = pick_quote(s);
    std::string out;
    out.reserve(s.size() + 2);
    out += quote;
    std::size_t i = 0;
    while (i < s.size()) {
        auto [cp, len] = decode_utf8(s, i);
        if (len == 0) {
            // Not UTF-8: show the raw byte (Python strings cannot hold one).
            out += "\\x";
            append_hex(out, static_cast<unsigned char>(s[i]), 2);
            ++i;
            continue;
        }
        if (!append_simple_escape(out, cp, quote)) {
            if (is_printable(cp)) {
                out.append(s.substr(i, len));
            } else if (cp <= 0xFF) {
                out += "\\x";
                append_hex(out, cp, 2);
            } else if (cp <= 0xFFFF) {
                out += "\\u";
                append_hex(out, cp, 4);
            } else {
                out += "\\U";
                append_hex(out, cp, 8);
            }
        }
        i += len;
    }
    out += quote;
    return out;
}

std::string blob_repr(const blob& b) {
    std::string_view view(reinterpret_cast<const char*>(b.data()), b.size());
    const char quote = pick_quote(view);
    std::string out = "b";
    out.reserve(b.size() + 3);
    out += quote;
    for (std::byte byte : b) {
        const auto c = static_cast<unsigned char>(byte);
        if (append_simple_escape(out, c, quote)) continue;
        if (c < 0x20 || c >= 0x7F) {
            out += "\\x";
            append_hex(out, c, 2);
        } else {
            out += static_cast<char>(c);
        }
    }
    out += quote;
    return out;
}

/// Python's repr(float): the shortest digits that round-trip, fixed notation for
/// 1e-4 <= |d| < 1e16, otherwise `1e+16` / `1.5e-05` (at least two exponent digits).
std::string double_repr(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string_view s(buf, static_cast<std::size_t>(res.ptr - buf));
    std::string out;
    if (!s.empty() && s.front() == '-') {
        out += '-';
        s.remove_prefix(1);
    }
    const auto epos = s.find('e');
    std::string digits(1, s[0]);
    if (epos > 2 && s[1] == '.') digits.append(s.substr(2, epos - 2));
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    int exp = 0;
    {
        auto e = s.substr(epos + 1);
        if (!e.empty() && e.front() == '+') e.remove_prefix(1);
        std::from_chars(e.data(), e.data() + e.size(), exp);
    }
    const int ndigits = static_cast<int>(digits.size());
    const int decpt = exp + 1;  // value = 0.DIGITS * 10^decpt
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            out += "0.";
            out.append(static_cast<std::size_t>(-decpt), '0');
            out += digits;
        } else if (decpt >= ndigits) {
            out += digits;
            out.append(static_cast<std::size_t>(decpt - ndigits), '0');
            out += ".0";
        } else {
            out.append(digits, 0, static_cast<std::size_t>(decpt));
            out += '.';
            out.append(digits, static_cast<std::size_t>(decpt));
        }
    } else {
        out += digits[0];
        if (ndigits > 1) {
            out += '.';
            out.append(digits, 1);
        }
        out += 'e';
        out += exp < 0 ? '-' : '+';
        const int mag = exp < 0 ? -exp : exp;
        if (mag < 10) out += '0';
        out += std::to_string(mag);
    }
    return out;
}

}  // namespace

void value::construct_from(const value& o) {
    switch (o.kind_) {
        case value_kind::null: break;
        case value_kind::integer: u_.i = o.u_.i; break;
        case value_kind::real: u_.d = o.u_.d; break;
        case value_kind::text: new (&u_.s) std::string(o.u_.s); break;
        case value_kind::blob: new (&u_.b) blob(o.u_.b); break;
    }
    kind_ = o.kind_;  // after the copy: a throwing copy leaves *this null
}

void value::construct_from(value&& o) noexcept {
    switch (o.kind_) {
        case value_kind::null: break;
        case value_kind::integer: u_.i = o.u_.i; break;
        case value_kind::real: u_.d = o.u_.d; break;
        case value_kind::text: new (&u_.s) std::string(std::move(o.u_.s)); break;
        case value_kind::blob: new (&u_.b) blob(std::move(o.u_.b)); break;
    }
    kind_ = o.kind_;
}

void value::destroy() noexcept {
    if (kind_ == value_kind::text)
        u_.s.~basic_string();
    else if (kind_ == value_kind::blob)
        u_.b.~vector();
    kind_ = value_kind::null;
    u_.i = 0;
}

value& value::operator=(const value& o) {
    if (this == &o) return *this;
    if (kind_ == o.kind_ && kind_ == value_kind::text) {
        u_.s = o.u_.s;  // keeps this string's buffer
    } else if (kind_ == o.kind_ && kind_ == value_kind::blob) {
        u_.b = o.u_.b;
    } else {
        value copy(o);  // may throw: *this is untouched then
        destroy();
        construct_from(std::move(copy));
    }
    return *this;
}
value& value::operator=(value&& o) noexcept {
    if (this == &o) return *this;
    if (kind_ == o.kind_ && kind_ == value_kind::text) {
        u_.s = std::move(o.u_.s);
    } else {
        destroy();
        construct_from(std::move(o));
    }
    return *this;
}
value::value(std::string s) {
    new (&u_.s) std::string(std::move(s));
    kind_ = value_kind::text;
}
value::value(std::string_view s) {
    new (&u_.s) std::string(s);
    kind_ = value_kind::text;
}
value::value(const char* s) {
    new (&u_.s) std::string(s);
    kind_ = value_kind::text;
}
value::value(blob b) {
    new (&u_.b) blob(std::move(b));
    kind_ = value_kind::blob;
}
bool operator==(const value& a, const value& b) {
    if (a.kind_ != b.kind_) return false;
    switch (a.kind_) {
        case value_kind::null: return true;
        case value_kind::integer: return a.u_.i == b.u_.i;
        case value_kind::real: return a.u_.d == b.u_.d;
        case value_kind::text: return a.u_.s == b.u_.s;
        case value_kind::blob: return a.u_.b == b.u_.b;
    }
    return false;
}

std::int64_t value::as_int() const {
    if (kind_ == value_kind::integer) return u_.i;
    wrong_kind("as_int", value_kind::integer, kind());
}

double value::as_double() const {
    if (kind_ == value_kind::real) return u_.d;
    if (kind_ == value_kind::integer) return static_cast<double>(u_.i);
    wrong_kind("as_double", value_kind::real, kind());
}

const std::string& value::as_text() const {
    if (kind_ == value_kind::text) return u_.s;
    wrong_kind("as_text", value_kind::text, kind());
}

const blob& value::as_blob() const {
    if (kind_ == value_kind::blob) return u_.b;
    wrong_kind("as_blob", value_kind::blob, kind());
}

std::string value::repr() const {
    switch (kind()) {
        case value_kind::null: return "None";
        case value_kind::integer: return std::to_string(u_.i);
        case value_kind::real: return double_repr(u_.d);
        case value_kind::text: return text_repr(u_.s);
        case value_kind::blob: return blob_repr(u_.b);
    }
    return "None";
}

std::string repr(std::span<const value> params) {
    std::string out = "(";
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (i) out += ", ";
        out += params[i].repr();
    }
    if (params.size() == 1) out += ',';
    out += ')';
    return out;
}

}  // namespace dorm
