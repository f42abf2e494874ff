#pragma once
// Test support: rows printed as text ([(Alice, 2), (Carol, null)]), so that a whole result is
// compared at once and a failure shows it readably.
#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

// ---- printing rows, so that a whole result is compared at once with a readable failure ----------

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_tuple : std::false_type {};
template <class... T>
struct is_tuple<std::tuple<T...>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_shared : std::false_type {};
template <class T>
struct is_shared<std::shared_ptr<T>> : std::true_type {};

template <class T>
void put(std::ostream& o, const T& v);

/// What identifies an object in a printed row: its name (or nick, comment, kind, profile).
template <class T>
void put_object(std::ostream& o, const T& v) {
    if constexpr (requires { v.name; })
        put(o, v.name);
    else if constexpr (requires { v.nick; })
        put(o, v.nick);
    else if constexpr (requires { v.comment; })
        put(o, v.comment);
    else if constexpr (requires { v.kind; })
        put(o, v.kind);
    else if constexpr (requires { v.profile; })
        put(o, v.profile);
    else
        o << "<object>";
}

template <class T>
void put(std::ostream& o, const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
        o << v;
    } else if constexpr (std::is_same_v<T, bool>) {
        o << (v ? "true" : "false");
    } else if constexpr (is_optional<T>::value) {
        if (v)
            put(o, *v);
        else
            o << "null";
    } else if constexpr (is_tuple<T>::value) {
        o << '(';
        std::apply(
            [&](const auto&... e) {
                int i = 0;
                ((o << (i++ ? ", " : ""), put(o, e)), ...);
            },
            v);
        o << ')';
    } else if constexpr (is_vector<T>::value) {
        o << '[';
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) o << ", ";
            put(o, v[i]);
        }
        o << ']';
    } else if constexpr (is_shared<T>::value) {
        if (v)
            put_object(o, *v);
        else
            o << "nullptr";
    } else if constexpr (std::is_arithmetic_v<T>) {
        o << v;
    } else {
        put_object(o, v);
    }
}

/// A row, a value or a vector of rows as text: [(Alice, 2), (Carol, null)].
template <class T>
std::string show(const T& v) {
    std::ostringstream o;
    put(o, v);
    return o.str();
}
