#pragma once
/// @file dorm/schema/migrations.hpp
/// Versioned migrations: numbered SQL files, one pair per step (`0003_add_stock.up.sql`,
/// `0003_add_stock.down.sql`), generated from a diff and applied in order. The database records
/// what it has applied in the table `dorm_migrations` (id, name, checksum, applied_at).
///
///     dorm::migrations::generate(Base, engine, "migrations", "add stock");  // at development time
///     dorm::migrations::upgrade(engine, "migrations");                      // at start-up
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

/// The steps of a directory, by id. @throws migration_error for a malformed or duplicate id.
std::vector<migration_file> scan(const std::string& dir);
/// The steps the database has applied (empty when dorm_migrations does not exist).
std::vector<applied_migration> applied(const engine& e);
/// The steps of `dir` the database has not applied, in order.
std::vector<migration_file> pending(const engine& e, const std::string& dir);

/// Applies the pending steps of `dir` in order (up to and including `target` when given). Each
/// step is all-or-nothing where the backend has transactional DDL (SQLite, PostgreSQL) and is
/// recorded in dorm_migrations with the same transaction; on MariaDB, whose DDL commits by
/// itself, each step is recorded as soon as it has run. @throws migration_error when an applied
/// file's checksum no longer matches (the file was edited after it ran), when the database
/// records a step the directory lacks, or when a step fails (naming the step and statement).
/// Returns the steps applied.
std::vector<migration_file> upgrade(const engine& e, const std::string& dir, std::optional<int> target = {});
/// Undoes applied steps, newest first, down to `target` (0: all), with their down files.
/// Returns the steps undone.
std::vector<migration_file> downgrade(const engine& e, const std::string& dir, int target);

/// Writes the diff as the next step of `dir` (created if missing): NNNN_<name>.up.sql and
/// .down.sql, NNNN one more than the highest id there. Lossy operations are written commented
/// out, each with the reason, for a person to decide. Returns the up file's path, or an empty
/// string (nothing written) when the diff is empty. @throws migration_error when `dir` holds
/// steps the database has not applied (apply them first, or the diff would repeat them).
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
/// /* */ comments and has E'..' strings with backslash escapes. upgrade() and downgrade() split
/// with the engine's dialect.
std::vector<std::string> split_statements(std::string_view script, dialect d);

}  // namespace dorm::migrations
