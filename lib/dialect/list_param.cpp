// Encodings of a value list as one parameter (see list_param.hpp).
#include "dialect/list_param.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

#include <dorm/detail/data_errors.hpp>

namespace dorm::detail {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_hex(std::string& out, const unsigned char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        out += hex_digits[p[i] >> 4];
        out += hex_digits[p[i] & 15];
    }
}

template <class N>
void append_number(std::string& out, N v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact text for doubles
    (void)ec;
    out.append(buf, end);
}

}  // namespace

std::optional<value_kind> common_kind(std::span<const value* const> values) {
    value_kind k = value_kind::null;
    for (const value* v : values) {
        if (v->is_null()) continue;
        if (k == value_kind::null)
            k = v->kind();
        else if (v->kind() != k)
            return std::nullopt;
    }
    return k;
}

std::string postgresql_array(std::span<const value* const> values) {
    std::string out = "{";
    for (const value* v : values) {
        if (out.size() > 1) out += ',';
        switch (v->kind()) {
            case value_kind::null: out += "NULL"; break;
            case value_kind::integer: append_number(out, v->as_int()); break;
            case value_kind::real: {
                const double d = v->as_double();
                if (std::isnan(d))
                    out += "NaN";
                else if (std::isinf(d))
                    out += d > 0 ? "Infinity" : "-Infinity";
                else
                    append_number(out, d);
                break;
            }
            case value_kind::text: {
                const std::string& s = v->as_text();
                if (s.find('\0') != std::string::npos)
                    throw_bad_write(quote_value(s), "holds a NUL (0x00) byte, which PostgreSQL text cannot store "
                                                    "(use dorm::blob for binary data)");
                out += '"';
                for (char c : s) {
                    if (c == '"' || c == '\\') out += '\\';
                    out += c;
                }
                out += '"';
                break;
            }
            case value_kind::blob: {
                const blob& b = v->as_blob();
                out += "\"\\\\x";  // the element text is \x<hex> (bytea's hex input), its \ escaped
                append_hex(out, reinterpret_cast<const unsigned char*>(b.data()), b.size());
                out += '"';
                break;
            }
        }
    }
    out += '}';
    return out;
}

std::optional<std::string> json_array(std::span<const value* const> values, bool hex) {
    std::string out = "[";
    for (const value* v : values) {
        if (out.size() > 1) out += ',';
        switch (v->kind()) {
            case value_kind::null: out += "null"; break;
            case value_kind::integer: append_number(out, v->as_int()); break;
            case value_kind::real: {
                const double d = v->as_double();
                if (!std::isfinite(d)) return std::nullopt;
                append_number(out, d);
                break;
            }
            case value_kind::text: {
                const std::string& s = v->as_text();
                out += '"';
                if (hex) {
                    append_hex(out, reinterpret_cast<const unsigned char*>(s.data()), s.size());
                } else {
                    for (char c : s) {
                        const auto u = static_cast<unsigned char>(c);
                        if (u == 0) return std::nullopt;  // SQLite's json_each cuts the string there
                        if (c == '"' || c == '\\') {
                            out += '\\';
                            out += c;
                        } else if (u < 0x20) {
                            out += "\\u00";
                            out += hex_digits[u >> 4];
                            out += hex_digits[u & 15];
                        } else {
                            out += c;
                        }
                    }
                }
                out += '"';
                break;
            }
            case value_kind::blob: {
                if (!hex) return std::nullopt;
                const blob& b = v->as_blob();
                out += '"';
                append_hex(out, reinterpret_cast<const unsigned char*>(b.data()), b.size());
                out += '"';
                break;
            }
        }
    }
    out += ']';
    return out;
}

}  // namespace dorm::detail
