/// @file lib/sqlite/sqlite_errors.cpp
/// SQLite result codes as dorm errors (see sqlite_errors.hpp).
#include "sqlite_errors.hpp"

#include <sqlite3.h>

#include <dorm/error.hpp>

#include "../driver/messages.hpp"

namespace dorm::driver::sqlite {

namespace {

template <class E>
[[noreturn]] void raise(std::string_view label, std::string_view what, std::string_view sql, int code) {
    throw E(make_message(label, what, {}, sql), code);
}

}  // namespace

void throw_error(sqlite3* db, int rc, std::string_view sql, bool at_prepare) {
    int code = rc;
    if (db != nullptr) {
        const int ext = sqlite3_extended_errcode(db);
        if ((ext & 0xff) == (rc & 0xff)) code = ext;
    }
    const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const std::string_view what = msg != nullptr ? std::string_view(msg) : std::string_view("unknown error");

    switch (code & 0xff) {
        case SQLITE_CONSTRAINT:
            switch (code) {
                case SQLITE_CONSTRAINT_UNIQUE:
                case SQLITE_CONSTRAINT_PRIMARYKEY:
                    raise<unique_violation>(integrity, what, sql, code);
                case SQLITE_CONSTRAINT_FOREIGNKEY:
                    raise<foreign_key_violation>(integrity, what, sql, code);
                case SQLITE_CONSTRAINT_NOTNULL:
                    raise<not_null_violation>(integrity, what, sql, code);
                case SQLITE_CONSTRAINT_CHECK:
                    raise<check_violation>(integrity, what, sql, code);
                default:
                    raise<integrity_error>(integrity, what, sql, code);
            }
        case SQLITE_MISMATCH:
            raise<integrity_error>(integrity, what, sql, code);
        case SQLITE_TOOBIG:  // a string or blob longer than SQLITE_LIMIT_LENGTH
            raise<data_error>(data, what, sql, code);
        case SQLITE_ERROR:
            if (at_prepare) raise<programming_error>(programming, what, sql, code);
            raise<operational_error>(operational, what, sql, code);
        case SQLITE_RANGE:
        case SQLITE_MISUSE:
            raise<programming_error>(programming, what, sql, code);
        case SQLITE_BUSY:
            // What an application most often meets here: a second session that has read (its
            // transaction holds a shared lock until it ends) keeps a writer from committing.
            throw operational_error(
                make_message(operational, what,
                             "another connection holds a lock on this database file; with the default journal "
                             "mode a session that has read keeps its read lock until commit(), rollback() or "
                             "close(), and no other connection can commit meanwhile: end that transaction, or "
                             "open the database with ?journal_mode=wal (readers and one writer at once)",
                             sql),
                code);
        default:
            // SQLITE_LOCKED, IOERR, CANTOPEN, FULL, READONLY, NOTADB, CORRUPT, NOMEM, ...
            raise<operational_error>(operational, what, sql, code);
    }
}

}  // namespace dorm::driver::sqlite
