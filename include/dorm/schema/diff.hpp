#pragma once
/// @file dorm/schema/diff.hpp
/// The difference between the models (schema::table) and a live database (dorm::live_schema), as
/// a list of operations, each lossless or lossy, each with the SQL that applies it and the SQL
/// that undoes it. `metadata.diff(engine)` and `metadata.upgrade(engine)` are the user's entry
/// points (dorm/schema/metadata.hpp); the work is in lib/schema/.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/detail/lazy.hpp>
#include <dorm/dialect/dialect.hpp>
#include <dorm/schema/inspect.hpp>
#include <dorm/schema/table.hpp>

namespace dorm {

/// What one operation of a schema_diff does.
enum class schema_change {
    create_table,
    drop_table,
    add_column,
    drop_column,
    alter_column_type,
    alter_column_nullable,
    alter_column_default,
    add_index,
    drop_index,
    add_unique,
    drop_unique,
    add_foreign_key,
    drop_foreign_key,
    add_check,
    drop_check,
    rebuild_table,  ///< SQLite: the changes SQLite's ALTER TABLE cannot make, by the table-rebuild recipe
};
/// "create_table", "add_column", ...
std::string_view schema_change_name(schema_change c) noexcept;

/// One operation of a schema_diff.
struct schema_operation {
    schema_change kind = schema_change::create_table;
    std::string table;
    std::string column;  ///< the column, index or constraint; empty for a whole table
    /// False when applying it could lose data (a dropped column or table, a narrowed type, NOT NULL
    /// on a column that holds NULLs without a default): `upgrade()` refuses those.
    bool lossless = true;
    std::string description;            ///< one line, e.g. `add column "book"."stock" INTEGER NOT NULL DEFAULT 0`
    std::string reason;                 ///< for a lossy operation: what would be lost
    std::vector<std::string> sql;       ///< the statements that apply it, in the diff's dialect
    std::vector<std::string> down_sql;  ///< the statements that undo it (empty when it cannot be undone)
};

/// Which tables a diff looks at.
struct diff_options {
    /// Tables the diff neither creates, changes nor drops (another program's tables, say).
    std::vector<std::string> ignore_tables;
    /// Whether a table that exists in the database but in none of the models is reported as a
    /// (lossy) drop_table. True, as Alembic's autogenerate does; false when the database holds
    /// tables that other code owns.
    bool drop_unknown_tables = true;
};

/// The difference between models and a database: what `upgrade()` would do.
/// (Used as dorm::schema_diff: a template only so that a program that never diffs does not
/// compile its container; see dorm/detail/lazy.hpp.)
template <class V = void>
class basic_schema_diff {
public:
    basic_schema_diff() = default;
    basic_schema_diff(dorm::dialect d, std::vector<detail::lazy_t<schema_operation, V>> ops) : dialect_(d), ops_(std::move(ops)) {}

    /// True when the database matches the models.
    bool empty() const noexcept { return ops_.empty(); }
    /// The operations, in the order they must run (parents before children, drops of
    /// constraints before the changes that need them gone, ...).
    const std::vector<detail::lazy_t<schema_operation, V>>& operations() const noexcept { return ops_; }
    /// True when no operation is lossy.
    bool lossless() const noexcept;
    /// The dialect the SQL is written in.
    dorm::dialect dialect() const noexcept { return dialect_; }
    /// A readable report: one line per operation, lossy ones marked and explained.
    std::string report() const;
    /// Every statement that applies the diff, each ended by ";\n" (to review or hand to a DBA):
    /// a lossy operation's statements commented out behind `-- REFUSED (lossy): <reason>`, as a
    /// generated migration writes them; on SQLite, a script that rebuilds a table switches
    /// foreign keys off first and checks and switches them on again at its end.
    std::string sql() const;
    /// Every statement that undoes it, last operation first (lossy ones commented out likewise).
    std::string down_sql() const;

private:
    dorm::dialect dialect_ = dorm::dialect::sqlite;
    std::vector<detail::lazy_t<schema_operation, V>> ops_;
};
using schema_diff = basic_schema_diff<>;

namespace schema {

/// Facts about the data that decide whether an operation is lossless (row counts, NULL counts).
/// The engine-based diff asks the database; a dry diff (no engine) assumes the worst.
class data_probe {
public:
    virtual ~data_probe() = default;
    /// Number of rows of `table`.
    virtual long long rows(const std::string& table) const = 0;
    /// Number of rows of `table` where `column` IS NULL.
    virtual long long nulls(const std::string& table, const std::string& column) const = 0;
    /// Number of rows where `column` IS NOT NULL (the values a drop would lose).
    virtual long long values(const std::string& table, const std::string& column) const = 0;
    /// Number of values of `columns` (NULLs aside) that more than one row holds: a UNIQUE
    /// constraint over them would be refused by the database. -1 when unknown.
    virtual long long duplicates(const std::string& table, const std::vector<std::string>& columns) const {
        (void)table;
        (void)columns;
        return -1;
    }
};

/// The diff of models against a live schema, with SQL for dialect `d` (any dialect; Oracle too).
/// `probe` may be null: then every table is assumed to hold rows and every column NULLs.
schema_diff diff(const live_schema& live, std::span<const table* const> tables, dialect d,
                 const diff_options& options = {}, const data_probe* probe = nullptr);
/// The diff of models against the engine's database.
schema_diff diff(const engine& e, std::span<const table* const> tables, const diff_options& options = {});
/// Applies the diff when it is lossless, in one transaction where the backend has transactional
/// DDL (SQLite, PostgreSQL). @throws migration_error listing every lossy operation; then nothing
/// was applied. Returns what was applied.
schema_diff upgrade(const engine& e, std::span<const table* const> tables, const diff_options& options = {});

}  // namespace schema
}  // namespace dorm
