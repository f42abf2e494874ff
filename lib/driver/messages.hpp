#pragma once
/// @file lib/driver/messages.hpp
/// The texts of the drivers' errors, composed one way for every backend: SQLAlchemy's
/// `(label) what\nDETAIL:  detail\n[SQL: ...]`, a URL as messages show it, passwords hidden.
#include <optional>
#include <string>
#include <string_view>

namespace dorm {
struct url;
}

namespace dorm::driver {

/// `(sqlite3.IntegrityError) UNIQUE constraint failed: t.c\nDETAIL:  ...\n[SQL: ...]`; the DETAIL
/// line only when `detail` is not empty, the SQL line only when `sql` is not empty.
std::string make_message(std::string_view label, std::string_view what, std::string_view detail = {},
                         std::string_view sql = {});

/// `msg` with every occurrence of `password` replaced by `***` (defence in depth: the client
/// libraries do not print it). An absent or empty password changes nothing.
std::string scrub(std::string msg, const std::optional<std::string>& password);

/// `could not connect to postgresql://user:***@host:5432/db: <why>`: the URL as url::render()
/// shows it, without its query string (a `password=` parameter must not appear), and `why` with
/// the URL's passwords scrubbed.
std::string could_not_connect(const url& u, std::string why);

/// The URL for a message: url::render() (password as `***`) without the query string.
std::string shown_url(const url& u);

/// @throws argument_error: parameter index `i` is not one of the statement's `count` parameters.
[[noreturn]] void throw_bad_parameter_index(int i, int count, std::string_view sql);

}  // namespace dorm::driver
