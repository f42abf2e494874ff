#pragma once
// Checks on relationship members, shared by the session suites: membership by identity and the
// sorted display names of a collection's objects (CHECK_NAMES).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/dorm.hpp>

namespace dorm_test {

/// Whether the collection holds x itself (not an equal object).
template <class T>
bool has(const dorm::many<T>& items, const std::shared_ptr<T>& x) {
    return std::any_of(items.begin(), items.end(), [&](const std::shared_ptr<T>& i) { return i.get() == x.get(); });
}

/// The display name of a test model object: its name, comment, title, item, text or profile member.
template <class T>
std::string name_of(const T& i) {
    if constexpr (requires { i.name; })
        return i.name;
    else if constexpr (requires { i.comment; })
        return i.comment;
    else if constexpr (requires { i.title; })
        return i.title;
    else if constexpr (requires { i.item; })
        return i.item;
    else if constexpr (requires { i.text; })
        return i.text;
    else
        return i.profile;
}

/// The names of a collection's objects, sorted.
template <class T>
std::vector<std::string> names_of(const dorm::many<T>& items) {
    std::vector<std::string> out;
    for (auto& i : items) out.push_back(name_of(*i));
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace dorm_test

/// The collection holds objects with exactly these names (in any order).
#define CHECK_NAMES(items, ...)                                                                      \
    do {                                                                                             \
        std::vector<std::string> expected_{__VA_ARGS__};                                             \
        std::sort(expected_.begin(), expected_.end());                                               \
        const auto got_ = dorm_test::names_of(items);                                                \
        BOOST_CHECK_EQUAL_COLLECTIONS(got_.begin(), got_.end(), expected_.begin(), expected_.end()); \
    } while (0)
