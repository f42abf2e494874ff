#pragma once
/// @file dorm/engine/url.hpp
/// Database URLs: `dialect[+driver]://user:password@host:port/database?key=value`.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <dorm/dialect/dialect.hpp>

namespace dorm {

/// A parsed database URL (RFC-1738 style, as SQLAlchemy parses it).
///
///     auto u = dorm::url::parse("postgresql://scott:tiger@localhost:5432/mydb?sslmode=disable");
///
/// `sqlite:///rel.db` is a relative path, `sqlite:////abs.db` an absolute one, `sqlite://` and
/// `sqlite:///:memory:` an in-memory database.
struct url {
    std::string backend;                  ///< "sqlite", "postgresql", "mysql", "oracle" (mariadb -> mysql)
    std::string driver;                   ///< the `+driver` part, empty when absent
    std::optional<std::string> username;  ///< percent-decoded
    std::optional<std::string> password;  ///< percent-decoded; never shown by render() unless asked
    std::optional<std::string> host;
    std::optional<int> port;
    std::optional<std::string> database;  ///< none for `sqlite://`; "" for a URL ending in '/'
    std::map<std::string, std::string> query;

    /// @throws argument_error naming what is wrong (never echoing the password).
    static url parse(std::string_view text);

    /// The dialect this URL names.
    dorm::dialect dialect() const;
    /// Whether this is an in-memory SQLite database.
    bool is_memory() const;
    /// The URL as text; the password is shown as `***` unless hide_password is false.
    std::string render(bool hide_password = true) const;
};

}  // namespace dorm
