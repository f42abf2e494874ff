#pragma once
// Private parts of dorm::migrations shared by its files: the migrations directory
// (migration_dir.cpp), the dorm_migrations table (version_table.cpp), and the runner
// (migrations.cpp) and writer (migration_writer.cpp) that use them.
#include <string>
#include <string_view>
#include <vector>

#include <dorm/engine/engine.hpp>
#include <dorm/schema/migrations.hpp>
#include <dorm/schema/table.hpp>

namespace dorm::migrations::detail {

// -- the directory --------------------------------------------------------------------------------

/// A step of the directory with the bytes of its up file as they were read (and checksummed):
/// what upgrade() runs is exactly what it records the checksum of.
struct step_file {
    migration_file info;
    std::string up_text;
};

/// The steps of `dir` by id, their up files read. @throws migration_error (see scan()).
std::vector<step_file> load(const std::string& dir);
/// The whole file. @throws migration_error naming it when it cannot be read.
std::string read_file(const std::string& path);
/// The last component of a path ("0003_add_stock.up.sql"), for messages.
std::string file_name(const std::string& path);
/// "0003_add_stock" (the up file's name without .up.sql), for messages.
std::string step_name(const migration_file& f);
/// "add stock" -> "add_stock": lower case, runs of anything but [a-z0-9] as one '_'.
std::string slug(std::string_view name);
/// The file name prefix of step `id`: at least 4 digits ("0007", "12345").
std::string id_text(int id);

// -- the version table ----------------------------------------------------------------------------

/// The table `dorm_migrations`, described like a mapped table so that its DDL is the one the
/// dialect hooks print for models (id INTEGER primary key without autoincrement, name
/// VARCHAR(255), checksum VARCHAR(64), applied_at VARCHAR(32) holding ISO 8601 UTC text).
const schema::table& version_table();
/// Creates dorm_migrations when it does not exist (inside the caller's transaction, if any).
void ensure_version_table(connection& c);
/// The rows of dorm_migrations by id (empty when the table does not exist).
std::vector<applied_migration> read_applied(connection& c);
/// Inserts the row of a step that has just run.
void record_step(connection& c, const migration_file& f);
/// Deletes the row of a step that has just been undone.
void forget_step(connection& c, int id);
/// Now, UTC, ISO 8601 to the second: "2024-05-01T12:34:56Z".
std::string utc_now();

// -- checks ---------------------------------------------------------------------------------------

/// Throws migration_error, listing every problem, when the database's record and the directory
/// disagree: a recorded step whose up file is missing, or whose checksum changed. `who` starts
/// the message ("dorm::migrations::upgrade").
void verify(const std::vector<applied_migration>& done, const std::vector<step_file>& steps,
            const std::string& dir, std::string_view who);

}  // namespace dorm::migrations::detail
