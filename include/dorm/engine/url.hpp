#pragma once
/// @file dorm/engine/url.hpp
/// Database URLs: `dialect[+driver]://user:password@host:port/database?key=value`.
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dorm/dialect/dialect.hpp>

namespace dorm {

/// The `?key=value&...` part of a URL: unique keys in key order, read like a `std::map`.
///
///     u.query["sslmode"] = "require";
///     if (u.query.contains("charset")) use(u.query.at("charset"));
///     for (const auto& [key, value] : u.query) ...
///
/// A flat sorted list rather than a `std::map`: a URL has a handful of parameters, and a map would
/// cost every translation unit that includes `<dorm/dorm.hpp>` its instantiation.
///
/// One difference from `std::map`: entries live in one vector, so an insertion (operator[] of a
/// new key, try_emplace, insert_or_assign) or an erase invalidates references and iterators to
/// the other entries. Take `q["a"]` again after inserting `"b"` rather than keeping the first
/// reference.
class url_query {
public:
    using value_type = std::pair<std::string, std::string>;
    using const_iterator = const value_type*;
    using iterator = const_iterator;  ///< keys stay sorted: change values through operator[] or at()

    url_query() = default;
    /// `url_query{{"sslmode", "require"}, {"connect_timeout", "5"}}`; as for std::map, the first
    /// entry of a repeated key wins.
    url_query(std::initializer_list<value_type> entries);

    /// The value of `key`, inserted empty when absent.
    std::string& operator[](std::string_view key);
    /// The value of `key`. @throws std::out_of_range naming the key when it is absent.
    const std::string& at(std::string_view key) const;
    std::string& at(std::string_view key);
    /// Inserts `key` = `value` unless `key` is present; returns the entry and whether it was inserted.
    std::pair<const_iterator, bool> try_emplace(std::string_view key, std::string value);
    /// Sets `key` to `value`, inserting it when absent; returns the entry and whether it was inserted.
    std::pair<const_iterator, bool> insert_or_assign(std::string_view key, std::string value);
    /// The entry of `key`, or end().
    const_iterator find(std::string_view key) const noexcept;
    bool contains(std::string_view key) const noexcept { return find(key) != end(); }
    std::size_t count(std::string_view key) const noexcept { return contains(key) ? 1 : 0; }
    /// Removes `key`; returns how many entries went (0 or 1).
    std::size_t erase(std::string_view key);
    void clear() noexcept { entries_.clear(); }

    bool empty() const noexcept { return entries_.empty(); }
    std::size_t size() const noexcept { return entries_.size(); }
    const_iterator begin() const noexcept { return entries_.data(); }
    const_iterator end() const noexcept { return entries_.data() + entries_.size(); }

    friend bool operator==(const url_query&, const url_query&) = default;

private:
    std::vector<value_type> entries_;  // sorted by key, keys unique
};

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
    url_query query;                      ///< percent-decoded; a blank value is dropped

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
