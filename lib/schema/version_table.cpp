// The table dorm_migrations: which steps the database has applied.
#include <ctime>

#include <dorm/schema/ddl.hpp>

#include "dialect/hooks.hpp"
#include "schema/ddl_parts.hpp"
#include "schema/migrations_impl.hpp"

namespace dorm::migrations::detail {
namespace {

constexpr std::string_view table_name = "dorm_migrations";

schema::column text_column(const char* name, int length) {
    schema::column c;
    c.name = c.member = name;
    c.type = column_type::text;
    c.length = length;
    return c;
}

schema::table make_version_table() {
    schema::table t;
    t.name = std::string(table_name);
    t.type_name = "dorm::migrations::applied_migration";
    schema::column id;
    id.name = id.member = "id";
    id.type = column_type::integer;
    id.int_bytes = 4;
    id.primary_key = true;  // the step's number: given, never generated (no autoincrement)
    t.columns.push_back(std::move(id));
    t.columns.push_back(text_column("name", 255));
    t.columns.push_back(text_column("checksum", 64));  // hex SHA-256 of the up file
    // Text rather than a timestamp type: the same ISO 8601 UTC string on every backend, free of
    // the server's time zone and of PostgreSQL's / MariaDB's different timestamp semantics.
    t.columns.push_back(text_column("applied_at", 32));
    t.primary_key = {0};
    return t;
}

using schema::ddl_parts::quoted;

std::string placeholder(dialect d, int n) {
    std::string out;
    dorm::detail::hooks(d).placeholder(out, n);
    return out;
}

}  // namespace

const schema::table& version_table() {
    static const schema::table t = make_version_table();
    return t;
}

void ensure_version_table(connection& c) {
    if (c.raw().table_exists(table_name)) return;
    for (const auto& sql : schema::create_statements(version_table(), c.dialect())) c.execute_ddl(sql);
}

std::vector<applied_migration> read_applied(connection& c) {
    std::vector<applied_migration> out;
    if (!c.raw().table_exists(table_name)) return out;
    const dialect d = c.dialect();
    const std::string sql = "SELECT " + quoted(d, "id") + ", " + quoted(d, "name") + ", " + quoted(d, "checksum") +
                            ", " + quoted(d, "applied_at") + " FROM " + quoted(d, table_name) + " ORDER BY " +
                            quoted(d, "id");
    auto lease = c.run(sql, {});
    while (lease->step()) {
        applied_migration m;
        m.id = static_cast<int>(lease->get_int(0));
        m.name = std::string(lease->get_text(1));
        m.checksum = std::string(lease->get_text(2));
        m.applied_at = std::string(lease->get_text(3));
        out.push_back(std::move(m));
    }
    return out;
}

void record_step(connection& c, const migration_file& f) {
    const dialect d = c.dialect();
    const std::string sql = "INSERT INTO " + quoted(d, table_name) + " (" + quoted(d, "id") + ", " + quoted(d, "name") +
                            ", " + quoted(d, "checksum") + ", " + quoted(d, "applied_at") + ") VALUES (" +
                            placeholder(d, 1) + ", " + placeholder(d, 2) + ", " + placeholder(d, 3) + ", " +
                            placeholder(d, 4) + ")";
    const value params[] = {value(f.id), value(f.name), value(f.checksum), value(utc_now())};
    c.execute(sql, params);
}

void forget_step(connection& c, int id) {
    const dialect d = c.dialect();
    const std::string sql =
        "DELETE FROM " + quoted(d, table_name) + " WHERE " + quoted(d, "id") + " = " + placeholder(d, 1);
    const value params[] = {value(id)};
    c.execute(sql, params);
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

}  // namespace dorm::migrations::detail
