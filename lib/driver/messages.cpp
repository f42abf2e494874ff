/// @file lib/driver/messages.cpp
/// The drivers' error texts (see messages.hpp).
#include "messages.hpp"

#include <dorm/engine/url.hpp>
#include <dorm/error.hpp>

namespace dorm::driver {

std::string make_message(std::string_view label, std::string_view what, std::string_view detail,
                         std::string_view sql) {
    std::string m;
    m.reserve(label.size() + what.size() + detail.size() + sql.size() + 24);
    m += '(';
    m += label;
    m += ") ";
    m += what;
    if (!detail.empty()) {
        m += "\nDETAIL:  ";
        m += detail;
    }
    if (!sql.empty()) {
        m += "\n[SQL: ";
        m += sql;
        m += ']';
    }
    return m;
}

std::string scrub(std::string msg, const std::optional<std::string>& password) {
    if (password && !password->empty()) {
        for (auto pos = msg.find(*password); pos != std::string::npos; pos = msg.find(*password, pos + 3)) {
            msg.replace(pos, password->size(), "***");
        }
    }
    return msg;
}

std::string shown_url(const url& u) {
    if (u.query.empty()) return u.render();
    url without_query = u;
    without_query.query.clear();
    return without_query.render();
}

std::string could_not_connect(const url& u, std::string why) {
    why = scrub(std::move(why), u.password);
    if (auto it = u.query.find("password"); it != u.query.end()) why = scrub(std::move(why), it->second);
    return "could not connect to " + shown_url(u) + ": " + why;
}

void throw_bad_parameter_index(int i, int count, std::string_view sql) {
    std::string m = "parameter index " + std::to_string(i) + " is out of range: the statement has " +
                    std::to_string(count) + " parameter(s)\n[SQL: ";
    m += sql;
    m += ']';
    throw argument_error(m);
}

}  // namespace dorm::driver
