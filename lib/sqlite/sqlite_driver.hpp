#pragma once
/// @file lib/sqlite/sqlite_driver.hpp
/// The SQLite driver: its entry points. Connections through SQLiteCpp, statements on the raw
/// sqlite3 C API (the ORM's hot path: no allocation per bind, step or column read). The parts:
/// sqlite_connection (URL options, opening, commands), sqlite_statement (prepare, bind, step,
/// read), sqlite_errors (result codes as dorm errors), sqlite_timer (the statement timeout).
#include <memory>
#include <string>

#include <dorm/driver/driver.hpp>

namespace dorm {
struct url;
}

namespace dorm::driver::sqlite {

/// How to open a SQLite database: the URL's path and query parameters.
struct open_options {
    std::string filename;
    int busy_timeout_ms = 5000;  ///< `timeout=<seconds>` (default 5 s)
    std::string journal_mode;    ///< `journal_mode=wal|delete|...` (lower case), empty: the file's own
    int synchronous = -1;        ///< `synchronous=off|normal|full|extra` as 0-3, -1: SQLite's default
    bool read_only = false;      ///< `mode=ro`
    bool create = true;          ///< `mode=rwc` (default); `mode=rw`: the file must exist
};
/// The options of a `sqlite://...` URL.
/// @throws argument_error for an unknown parameter or a bad value (naming it and the valid ones).
open_options parse_url(const url& u);

/// Opens a SQLite connection for a `sqlite://...` URL.
/// `url.database` absent, empty or `:memory:` is a private in-memory database; a name starting
/// with `file:` is opened as a URI (the engine's shared in-memory databases use `?vfs=memdb`).
/// Query parameters: see parse_url(); each takes effect on every connection opened.
/// @throws operational_error when the database cannot be opened, argument_error for a bad parameter.
std::unique_ptr<driver::connection> connect(const url& u, const driver::connect_options& options);

}  // namespace dorm::driver::sqlite
