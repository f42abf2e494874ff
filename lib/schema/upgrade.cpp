// The engine side of the schema diff: facts about the data (row and NULL counts) and upgrade().
#include <dorm/engine/engine.hpp>
#include <dorm/error.hpp>
#include <dorm/schema/diff.hpp>

#include <exception>

#include "dialect/hooks.hpp"
#include "schema/ddl_parts.hpp"
#include "schema/diff_internal.hpp"

namespace dorm::schema {

namespace {

/// Counts through one connection of the engine.
class engine_probe final : public data_probe {
public:
    explicit engine_probe(connection& c) : c_(c) {}
    long long rows(const std::string& table) const override { return count(table, {}); }
    long long nulls(const std::string& table, const std::string& column) const override {
        return count(table, quoted(column) + " IS NULL");
    }
    long long values(const std::string& table, const std::string& column) const override {
        return count(table, quoted(column) + " IS NOT NULL");
    }
    long long duplicates(const std::string& table, const std::vector<std::string>& columns) const override {
        std::string list, not_null;
        for (const auto& c : columns) {
            list += (list.empty() ? "" : ", ") + quoted(c);
            not_null += (not_null.empty() ? "" : " AND ") + quoted(c) + " IS NOT NULL";
        }
        auto stmt = c_.run("SELECT COUNT(*) FROM (SELECT 1 AS one FROM " + quoted(table) + " WHERE " + not_null +
                               " GROUP BY " + list + " HAVING COUNT(*) > 1) " + quoted("repeated"),
                           {});
        return stmt->step() ? stmt->get_int(0) : 0;
    }

private:
    std::string quoted(std::string_view ident) const { return ddl_parts::quoted(c_.dialect(), ident); }
    long long count(const std::string& table, const std::string& where) const {
        std::string sql = "SELECT COUNT(*) FROM " + quoted(table);
        if (!where.empty()) sql += " WHERE " + where;
        auto stmt = c_.run(sql, {});
        return stmt->step() ? stmt->get_int(0) : 0;
    }
    connection& c_;
};

}  // namespace

namespace {
schema_diff diff_of(const engine& e, std::span<const table* const> tables, const diff_options& options,
                    rebuild_refusals* refusals) {
    live_schema live = inspect(e);
    auto conn = e.connect();
    engine_probe probe(conn);
    return diff(live, tables, e.dialect(), options, &probe, refusals);
}
}  // namespace

schema_diff diff(const engine& e, std::span<const table* const> tables, const diff_options& options) {
    return diff_of(e, tables, options, nullptr);
}

schema_diff upgrade(const engine& e, std::span<const table* const> tables, const diff_options& options) {
    rebuild_refusals parts;
    schema_diff d = diff_of(e, tables, options, &parts);
    if (d.empty()) return d;
    std::vector<refused_operation> refused;
    for (const auto& op : d.operations()) {
        if (op.lossless) continue;
        // a lossy SQLite rebuild: each part it refuses, as the other backends list them
        auto it = op.kind == schema_change::rebuild_table ? parts.find(op.table) : parts.end();
        if (it != parts.end() && !it->second.empty())
            refused.insert(refused.end(), it->second.begin(), it->second.end());
        else
            refused.push_back({op.table, op.column, op.description, op.reason});
    }
    if (!refused.empty()) {
        std::string msg = "dorm: metadata.upgrade() refused " + std::to_string(refused.size()) +
                          (refused.size() == 1 ? " operation" : " operations") +
                          " that could lose data; nothing was changed:";
        for (const auto& r : refused) msg += "\n  - " + r.what + ": " + r.why;
        msg += "\nWrite these changes as a reviewed migration (dorm::migrations::generate writes them commented out).";
        throw migration_error(msg, std::move(refused));
    }
    auto conn = e.connect();
    const dorm::detail::dialect_hooks& h = dorm::detail::hooks(e.dialect());
    bool rebuilds = false;
    for (const auto& op : d.operations()) rebuilds = rebuilds || op.kind == schema_change::rebuild_table;
    // SQLite's rebuild recipe: foreign keys off (outside the transaction: the pragma is a no-op
    // inside one), checked with foreign_key_check before COMMIT, on again afterwards
    const bool foreign_keys_off = rebuilds && h.foreign_keys_off_for_rebuild();
    if (foreign_keys_off) conn.execute_ddl("PRAGMA foreign_keys = OFF");
    struct fk_restore {
        connection& c;
        bool on;
        ~fk_restore() {
            if (on) try {
                    c.execute_ddl("PRAGMA foreign_keys = ON");
                } catch (...) {
                }
        }
    } restore{conn, foreign_keys_off};
    struct statements_outdated {  // whatever ran, prepared statements may describe the old schema
        connection& c;
        ~statements_outdated() { c.schema_changed(); }
    } outdated{conn};
    conn.begin();
    std::size_t done = 0;  // operations applied (MariaDB: they stay applied, its DDL commits itself)
    try {
        for (const auto& op : d.operations()) {
            std::size_t ran = 0;  // statements of this operation that ran
            for (const auto& s : op.sql) {
                try {
                    conn.execute_ddl(s);
                    ++ran;
                } catch (const database_error& err) {
                    std::string msg = "dorm: metadata.upgrade() failed at \"" + op.description + "\": " + err.what();
                    if (h.transactional_ddl() || (done == 0 && ran == 0)) {
                        msg += "\nNothing was changed.";
                    } else {
                        msg += "\nMariaDB commits each DDL statement, so what ran stays applied:";
                        for (std::size_t i = 0; i < done; ++i) msg += "\n  - " + d.operations()[i].description;
                        if (ran > 0)
                            msg += "\n  - the first " + std::to_string(ran) + " statement(s) of \"" + op.description + "\"";
                        msg += "\nFix the cause and run upgrade() again: it continues from there.";
                    }
                    std::throw_with_nested(migration_error(msg));
                }
            }
            ++done;
        }
        if (foreign_keys_off) {
            auto check = conn.run("PRAGMA foreign_key_check", {});
            if (check->step()) {
                std::string table(check->get_text(0));
                std::string parent(check->get_text(2));
                throw migration_error("dorm: metadata.upgrade() rolled back: after rebuilding, rows of table '" + table +
                                      "' reference missing rows of '" + parent + "' (PRAGMA foreign_key_check)");
            }
        }
        conn.commit();
    } catch (...) {
        conn.rollback();
        throw;
    }
    return d;
}

}  // namespace dorm::schema
