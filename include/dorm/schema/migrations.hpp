#pragma once
/// @file dorm/schema/migrations.hpp
/// Versioned migrations: numbered SQL files, one pair per step (`0003_add_stock.up.sql`,
/// `0003_add_stock.down.sql`), generated from a diff and applied in order. The database records
/// what it has applied in the table `dorm_migrations` (id, name, checksum, applied_at).
///
///     dorm::migrations::generate(Base, engine, "migrations", "add stock");  // at development time
///     dorm::migrations::upgrade(engine, "migrations");                      // at start-up
///
/// Files: `NNNN_name.up.sql` and, optionally, `NNNN_name.down.sql`: NNNN is the step's id in
/// decimal, at least 4 digits with leading zeros, from 1; the name is letters, digits, `_` and
/// `-`. Other `*.sql` names are errors (a typo must not make a step vanish); files not ending in
/// `.sql`, hidden files and subdirectories are ignored. A file holds any number of statements
/// separated by `;` (see split_statements()); it must not BEGIN or COMMIT on SQLite and
/// PostgreSQL, where dorm runs each step in a transaction of its own. A SQLite step with
/// `PRAGMA foreign_keys = OFF` (the table-rebuild recipe of SQLite's documentation) runs with
/// foreign keys off — the pragma does nothing inside a transaction, so dorm sets it before the
/// step's transaction — is refused if `PRAGMA foreign_key_check` then finds a row pointing
/// nowhere, and foreign keys are on again afterwards.
///
/// The table dorm_migrations is created when missing, from the dialect's DDL for models:
/// id INTEGER primary key (the step's id, not generated), name VARCHAR(255), checksum
/// VARCHAR(64) (hex SHA-256 of the up file's bytes: line endings count), applied_at
/// VARCHAR(32) (UTC text such as `2024-05-01T12:34:56Z`, the same on every backend and free of
/// the server's time zone).
///
/// Concurrent upgraders (two instances of a program starting at once) are serialised: SQLite
/// takes the database's write lock with BEGIN IMMEDIATE (waiting up to the URL's `timeout`,
/// 5 s by default), PostgreSQL `pg_advisory_xact_lock` in each step's transaction, MariaDB
/// `GET_LOCK('dorm_migrations.<database>', 600)` for the whole run. The record is read again
/// under the lock before each step, so no step runs twice.
///
/// Errors are dorm::migration_error. When a step fails, the database's own error (a
/// dorm::database_error) is part of the message and nested in it: `std::rethrow_if_nested`.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/schema/diff.hpp>
#include <dorm/schema/metadata.hpp>

namespace dorm::migrations {

/// One step found in a migrations directory.
struct migration_file {
    int id = 0;            ///< the number the file names start with
    std::string name;      ///< the rest of the name, e.g. "add_stock"
    std::string up_path;   ///< NNNN_name.up.sql
    std::string down_path; ///< NNNN_name.down.sql (empty when the step has none)
    std::string checksum;  ///< of the up file's bytes (hex)
};

/// One step recorded in dorm_migrations.
struct applied_migration {
    int id = 0;
    std::string name;
    std::string checksum;
    std::string applied_at;  ///< UTC, ISO 8601
};

/// The steps of a directory, by id, each with the checksum of its up file. @throws
/// migration_error naming the file: a malformed `*.sql` name, a duplicate id, a down file without
/// its up file; or when `dir` is not a directory.
std::vector<migration_file> scan(const std::string& dir);
/// The steps the database has applied (empty when dorm_migrations does not exist).
std::vector<applied_migration> applied(const engine& e);
/// The steps of `dir` the database has not applied, in order (including one numbered below an
/// applied step, e.g. from a merged branch: upgrade() applies it too, in id order).
std::vector<migration_file> pending(const engine& e, const std::string& dir);

/// Applies the pending steps of `dir` in order (up to and including `target` when given; it
/// must be the id of a step of `dir`). Each step is all-or-nothing where the backend has
/// transactional DDL (SQLite, PostgreSQL) and is recorded in dorm_migrations with the same
/// transaction; on MariaDB, whose DDL commits by itself, the statements run one by one and the
/// step is recorded as soon as its last one has run. @throws migration_error before anything
/// runs when an applied file's checksum no longer matches (the file was edited after it ran) or
/// the database records a step the directory lacks (each listed in refused()), or a file to run
/// cannot be split; and when a step fails, naming the step file and the statement (number and
/// text) — on MariaDB also the last statement that ran, whose effects stay committed. Steps
/// applied before the failing one stay applied. Returns the steps applied (by this call).
std::vector<migration_file> upgrade(const engine& e, const std::string& dir, std::optional<int> target = {});
/// Undoes the applied steps with an id above `target` (0: all), newest first, with their down
/// files, each deleting its dorm_migrations row in the same transaction (SQLite, PostgreSQL;
/// on MariaDB right after its last statement). @throws migration_error before anything runs
/// when a step to undo has no down file, or when the directory and the record disagree (see
/// upgrade()); argument_error for a negative target. Returns the steps undone.
std::vector<migration_file> downgrade(const engine& e, const std::string& dir, int target);

/// Writes the diff as the next step of `dir` (created if missing): NNNN_<name>.up.sql and
/// .down.sql, NNNN one more than the highest id there, <name> slugged to [a-z0-9_] ("add stock"
/// -> add_stock). The up file starts with a header comment (name, date, dialect, "Generated by
/// dorm"); each operation is a `-- <description>` line and its statements, each ended by `;`.
/// Lossy operations are written commented out, under `-- REFUSED (lossy): <reason>`, for a
/// person to decide (their undo in the down file too). The down file undoes the operations, last
/// first. Returns the up file's path, or an empty string (nothing written) when the diff is
/// empty. @throws migration_error when `dir` holds steps the database has not applied (apply
/// them first, or the diff would repeat them) or disagrees with the record (see upgrade());
/// argument_error for a name without a letter or digit, or a diff of another dialect than the
/// engine's.
std::string write(const engine& e, const schema_diff& diff, const std::string& dir, std::string_view name);

/// Generates the next migration step of `dir` from the difference between the models and the
/// engine's database (see write()).
template <class... Ts>
std::string generate(const metadata<Ts...>& m, const engine& e, const std::string& dir, std::string_view name,
                     const diff_options& options = {}) {
    return write(e, m.diff(e, options), dir, name);
}

/// Splits a SQL script into statements: at `;` outside quotes ('..' and ".." with the quote
/// doubled inside, `..`), comments (--, /* */) and PostgreSQL dollar quotes ($$..$$,
/// $tag$..$tag$). Each statement is returned without its `;`, leading comments and surrounding
/// blanks; pieces that are only blanks and comments are dropped. Semicolons inside the
/// BEGIN ... END body of CREATE TRIGGER / FUNCTION / PROCEDURE / EVENT do not split (SQLite
/// triggers). @throws migration_error for a quote, comment or dollar quote left open (it would
/// swallow the statements after it).
std::vector<std::string> split_statements(std::string_view script);
/// The same with the lexical rules of dialect `d`: MariaDB also has backslash escapes in '..'
/// and "..", # line comments and /*! executable comments */ (kept as code); PostgreSQL nests
/// /* */ comments. (PostgreSQL's E'..' strings, with backslash escapes, are recognised in every
/// dialect.) upgrade() and downgrade() split with the engine's dialect.
std::vector<std::string> split_statements(std::string_view script, dialect d);

}  // namespace dorm::migrations
