#pragma once
/// @file dorm/reflect/type_name.hpp
/// The unqualified name of a type at compile time, and its snake_case form (the default table name).
#include <array>
#include <cstddef>
#include <string_view>

namespace dorm::detail {

template <class T>
constexpr std::string_view raw_type_name() {
    // g++: "constexpr std::string_view dorm::detail::raw_type_name() [with T = app::User; ...]"
    // clang: "std::string_view dorm::detail::raw_type_name() [T = app::User]"
    std::string_view p = __PRETTY_FUNCTION__;
    std::size_t start = p.find("T = ") + 4;
    std::size_t end = p.find_first_of(";]", start);
    return p.substr(start, end - start);
}

/// The name of T without namespaces or template arguments: `app::User` -> `User`.
template <class T>
constexpr std::string_view type_name() {
    std::string_view n = raw_type_name<T>();
    if (auto lt = n.find('<'); lt != std::string_view::npos) n = n.substr(0, lt);
    if (auto colon = n.rfind("::"); colon != std::string_view::npos) n = n.substr(colon + 2);
    return n;
}

constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

constexpr std::size_t snake_case_length(std::string_view s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (is_upper(s[i]) && i > 0 &&
            (is_lower_or_digit(s[i - 1]) || (i + 1 < s.size() && is_upper(s[i - 1]) && is_lower_or_digit(s[i + 1]))))
            ++n;
        ++n;
    }
    return n;
}

/// `UserAccount` -> `user_account`, `HTTPRequest` -> `http_request`, stored with a trailing NUL.
template <std::size_t N>
struct fixed_name {
    std::array<char, N + 1> chars{};
    constexpr std::string_view view() const { return {chars.data(), N}; }
    constexpr const char* c_str() const { return chars.data(); }
};

template <class T>
constexpr auto snake_case_name() {
    constexpr std::string_view s = type_name<T>();
    fixed_name<snake_case_length(s)> out;
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (is_upper(c)) {
            if (i > 0 && (is_lower_or_digit(s[i - 1]) ||
                          (i + 1 < s.size() && is_upper(s[i - 1]) && is_lower_or_digit(s[i + 1]))))
                out.chars[n++] = '_';
            c = static_cast<char>(c - 'A' + 'a');
        }
        out.chars[n++] = c;
    }
    return out;
}

template <class T>
inline constexpr auto snake_case_name_v = snake_case_name<T>();

}  // namespace dorm::detail
