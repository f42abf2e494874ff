// dorm::migrations: applied(), pending(), upgrade() and downgrade() — the steps of a migrations
// directory run against a database, recorded in dorm_migrations.
//
// Each step runs under a lock that serialises concurrent upgraders (two instances of a program
// starting at once): the step and its dorm_migrations row form one transaction on SQLite
// (BEGIN IMMEDIATE: the database's write lock) and PostgreSQL (pg_advisory_xact_lock, then the
// table is read). The record is read again under the lock before every step, so a step another
// process applied meanwhile is not applied twice. MariaDB commits DDL by itself: there the
// statements run one by one under GET_LOCK, held for the whole run, and the step is recorded
// right after its last statement.
#include <algorithm>
#include <exception>
#include <map>
#include <set>

#include <dorm/error.hpp>

#include "dialect/hooks.hpp"
#include "schema/migrations_impl.hpp"

namespace dorm::migrations {
namespace detail {

void verify(const std::vector<applied_migration>& done, const std::vector<step_file>& steps, const std::string& dir,
            std::string_view who) {
    std::string problems;
    std::vector<refused_operation> refused;
    for (const auto& row : done) {
        auto it = std::find_if(steps.begin(), steps.end(), [&](const step_file& s) { return s.info.id == row.id; });
        const std::string label = id_text(row.id) + "_" + row.name;
        if (it == steps.end()) {
            std::string why = "it is recorded in dorm_migrations (applied " + row.applied_at + ") but " + label +
                              ".up.sql is missing from " + dir;
            problems += "\n  step " + std::to_string(row.id) + ": " + why;
            refused.push_back({"dorm_migrations", std::to_string(row.id), "step " + label, std::move(why)});
        } else if (it->info.checksum != row.checksum) {
            std::string why = it->info.up_path + " was edited after it was applied on " + row.applied_at +
                              " (checksum recorded " + row.checksum + ", the file's now " + it->info.checksum + ")";
            problems += "\n  step " + std::to_string(row.id) + ": " + why;
            refused.push_back({"dorm_migrations", std::to_string(row.id), "step " + label, std::move(why)});
        }
    }
    if (problems.empty()) return;
    throw migration_error(std::string(who) + ": refused before running anything: the database and " + dir +
                              " disagree:" + problems +
                              "\nA step must stay as it was when it was applied: put its file back as it was, and "
                              "make changes in a new step.",
                          std::move(refused));
}

}  // namespace

namespace {

using detail::step_file;

/// A statement that ends or begins a transaction: dorm runs each step in a transaction of its
/// own (SQLite, PostgreSQL), which such a statement would end early, before the step is recorded.
bool is_transaction_control(std::string_view sql) {
    std::size_t n = 0;
    while (n < sql.size() && ((sql[n] >= 'a' && sql[n] <= 'z') || (sql[n] >= 'A' && sql[n] <= 'Z'))) ++n;
    std::string w(sql.substr(0, n));
    for (char& c : w)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (w == "BEGIN" || w == "COMMIT" || w == "ROLLBACK" || w == "END" || w == "ABORT") return true;
    if (w != "START") return false;
    std::size_t b = n;
    while (b < sql.size() && (sql[b] == ' ' || sql[b] == '\t' || sql[b] == '\n' || sql[b] == '\r')) ++b;
    std::string next(sql.substr(b, 11));
    for (char& c : next)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return next == "TRANSACTION";
}

/// The statements of a step file. @throws migration_error naming the file.
std::vector<std::string> statements_of(const std::string& path, const std::string& text, dialect d) {
    std::vector<std::string> out;
    try {
        out = split_statements(text, d);
    } catch (const migration_error& e) {
        throw migration_error(path + ": " + e.what());
    }
    // without transactional DDL there is no transaction: BEGIN/COMMIT are the file's own business
    if (!dorm::detail::hooks(d).transactional_ddl()) return out;
    for (std::size_t i = 0; i < out.size(); ++i)
        if (is_transaction_control(out[i]))
            throw migration_error(path + ": statement " + std::to_string(i + 1) + " (" + out[i] +
                                  ") begins or ends a transaction, but dorm runs each step in a transaction of its "
                                  "own, committed together with its dorm_migrations row: remove it");
    return out;
}

std::string shortened(const std::string& sql) {
    constexpr std::size_t limit = 500;
    return sql.size() <= limit ? sql : sql.substr(0, limit) + " ...";
}

/// The connection of one upgrade() / downgrade() run and the lock of the backend.
class runner {
public:
    runner(const engine& e, std::string who)
        : conn_(e.connect()),
          dialect_(e.dialect()),
          hooks_(dorm::detail::hooks(dialect_)),
          lock_(hooks_.migration_locking()),
          who_(std::move(who)) {
        if (!lock_.run_lock.empty()) lock_run();
    }
    runner(const runner&) = delete;
    runner& operator=(const runner&) = delete;
    ~runner() {
        conn_.rollback();
        if (ran_statements_) conn_.schema_changed();  // statements prepared before may describe the old schema
        if (foreign_keys_off_) {
            try {
                conn_.execute_ddl("PRAGMA foreign_keys = ON");
            } catch (...) {
            }
        }
        if (run_locked_) {
            try {
                conn_.execute_ddl(lock_.run_unlock);
            } catch (...) {
                // the server releases it when the connection closes
            }
        }
    }

    connection& conn() { return conn_; }
    dialect dialect_kind() const { return dialect_; }
    /// Whether a step and its record are one transaction (not on MariaDB).
    bool transactional() const { return hooks_.transactional_ddl(); }

    /// Starts the work on one step: takes the lock (SQLite's write lock, PostgreSQL's advisory
    /// lock) in a new transaction. Without transactional DDL the run's lock is held already and
    /// statements autocommit.
    void begin_step() {
        if (!transactional()) return;
        conn_.begin(lock_.step_isolation);
        if (!lock_.step_lock.empty()) conn_.execute_ddl(lock_.step_lock);
    }
    void commit_step() {
        conn_.commit();
        if (foreign_keys_off_) {
            conn_.execute_ddl("PRAGMA foreign_keys = ON");
            foreign_keys_off_ = false;
        }
    }

    /// SQLite's table-rebuild recipe switches foreign keys off around the step's transaction:
    /// inside one, PRAGMA foreign_keys does nothing, and the DROP TABLE of a parent would delete
    /// (ON DELETE CASCADE) or orphan the rows of its children. When the next step has
    /// `PRAGMA foreign_keys = OFF`, this ends the transaction begun for it (nothing of the step
    /// has run), switches foreign keys off and returns true: the caller begins again. The step
    /// is then checked with PRAGMA foreign_key_check before it is recorded, and foreign keys are
    /// switched on again after its commit (or rollback).
    bool switch_foreign_keys_off_for(const std::vector<std::string>& statements) {
        if (!hooks_.foreign_keys_off_for_rebuild() || foreign_keys_off_ ||
            std::none_of(statements.begin(), statements.end(), switches_foreign_keys_off))
            return false;
        conn_.commit();
        conn_.execute_ddl("PRAGMA foreign_keys = OFF");
        foreign_keys_off_ = true;
        return true;
    }

    /// Runs a step's statements and then `record` (the dorm_migrations row); on failure, throws
    /// a migration_error naming the step and the statement, with the database's error nested.
    template <class Record>
    void run(const std::string& file, const std::vector<std::string>& statements, bool undo, Record record) {
        std::size_t i = 0;
        ran_statements_ = ran_statements_ || !statements.empty();
        try {
            for (; i < statements.size(); ++i) conn_.execute_ddl(statements[i]);
            if (foreign_keys_off_) check_foreign_keys(file);
            record();
        } catch (const migration_error&) {
            conn_.rollback();
            throw;
        } catch (const std::exception& e) {
            conn_.rollback();
            std::throw_with_nested(migration_error(failure_message(file, statements, i, undo, e.what())));
        }
    }

private:
    /// Takes the lock held for the whole run (MariaDB's GET_LOCK).
    void lock_run() {
        auto lease = conn_.run(lock_.run_lock, {});
        const bool got = lease->step() && !lease->is_null(0) && lease->get_int(0) == 1;
        lease.release();
        if (!got)
            throw migration_error(who_ + ": another process held the migrations lock (" + lock_.run_lock_name +
                                  ") for more than " + std::to_string(lock_.run_lock_wait) +
                                  " seconds; nothing was run");
        run_locked_ = true;
    }

    std::string failure_message(const std::string& file, const std::vector<std::string>& statements, std::size_t i,
                                bool undo, const std::string& error) const {
        const std::string n = std::to_string(statements.size());
        std::string msg = who_ + ": " + file;
        if (i < statements.size())
            msg += " failed at statement " + std::to_string(i + 1) + " of " + n + ":\n  " + shortened(statements[i]) +
                   "\n" + error;
        else
            msg += ": its " + n + " statements ran, but the " + std::string(undo ? "deletion" : "insertion") +
                   " of its dorm_migrations row failed:\n" + error;
        if (transactional()) {
            msg += "\nThe step was rolled back: nothing of it remains, and it is not recorded";
            msg += undo ? " as undone (it is still applied)." : " (earlier steps stay applied).";
            return msg;
        }
        if (i == 0) {
            msg += "\nNo statement of the step had run; it is not recorded";
            msg += undo ? " as undone (it is still applied)." : ".";
            return msg;
        }
        const std::size_t ran = std::min(i, statements.size());
        msg += "\nThe last statement that ran was statement " + std::to_string(ran) + ":\n  " +
               shortened(statements[ran - 1]) + "\n" +
               (ran == 1 ? std::string("Statement 1 of this step was committed")
                         : "Statements 1 to " + std::to_string(ran) + " of this step were committed") +
               ": MariaDB commits DDL at once, so a step cannot be rolled back (non-transactional DDL). ";
        msg += undo ? "The step is still recorded as applied: finish undoing it by hand, then delete its row from "
                      "dorm_migrations."
                    : "The step is not recorded in dorm_migrations: undo those statements by hand (or complete the "
                      "step by hand and record it) before the next upgrade.";
        return msg;
    }

    static bool switches_foreign_keys_off(const std::string& sql) {
        std::string s;
        for (char c : sql) {
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
            s += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        }
        return s == "PRAGMAFOREIGN_KEYS=OFF" || s == "PRAGMAFOREIGN_KEYS=0" || s == "PRAGMAFOREIGN_KEYS=FALSE" ||
               s == "PRAGMAFOREIGN_KEYS=NO";
    }

    /// SQLite, foreign keys off: refuses a step that leaves rows pointing nowhere.
    void check_foreign_keys(const std::string& file) {
        auto lease = conn_.run("PRAGMA foreign_key_check", {});
        std::string found;
        int n = 0;
        while (lease->step()) {
            if (++n > 10) continue;
            found += "\n  " + std::string(lease->get_text(0)) + " row " +
                     (lease->is_null(1) ? std::string("?") : std::to_string(lease->get_int(1))) + " -> " +
                     std::string(lease->get_text(2));
        }
        lease.release();
        if (n == 0) return;
        throw migration_error(who_ + ": " + file + " ran with foreign keys off and left " + std::to_string(n) +
                              " row(s) whose foreign key points nowhere (PRAGMA foreign_key_check):" + found +
                              (n > 10 ? "\n  ..." : "") +
                              "\nThe step was rolled back: nothing of it remains, and it is not recorded.");
    }

    connection conn_;
    dialect dialect_;
    const dorm::detail::dialect_hooks& hooks_;
    const dorm::detail::dialect_hooks::migration_lock lock_;
    std::string who_;
    bool run_locked_ = false;
    bool foreign_keys_off_ = false;  // SQLite: switched off for the step under way
    bool ran_statements_ = false;   // a step ran: prepared statements are made again (schema_changed)
};

}  // namespace

std::vector<applied_migration> applied(const engine& e) {
    auto conn = e.connect();
    return detail::read_applied(conn);
}

std::vector<migration_file> pending(const engine& e, const std::string& dir) {
    auto steps = detail::load(dir);
    std::set<int> done;
    for (const auto& row : applied(e)) done.insert(row.id);
    std::vector<migration_file> out;
    for (auto& s : steps)
        if (!done.contains(s.info.id)) out.push_back(std::move(s.info));
    return out;
}

std::vector<migration_file> upgrade(const engine& e, const std::string& dir, std::optional<int> target) {
    const std::string who = "dorm::migrations::upgrade";
    const auto steps = detail::load(dir);  // file errors before any connection
    if (target && std::none_of(steps.begin(), steps.end(), [&](const step_file& s) { return s.info.id == *target; }))
        throw migration_error(who + ": there is no step " + std::to_string(*target) + " in " + dir);
    runner r(e, who);
    std::map<int, std::vector<std::string>> statements;  // of the steps to run, split before any runs
    bool split = false;
    std::vector<migration_file> done;
    for (;;) {
        r.begin_step();
        detail::ensure_version_table(r.conn());
        const auto rows = detail::read_applied(r.conn());
        detail::verify(rows, steps, dir, who);
        std::set<int> recorded;
        for (const auto& row : rows) recorded.insert(row.id);
        const step_file* next = nullptr;
        for (const auto& s : steps) {
            if (recorded.contains(s.info.id) || (target && s.info.id > *target)) continue;
            if (!split) statements[s.info.id] = statements_of(s.info.up_path, s.up_text, r.dialect_kind());
            if (!next) next = &s;
        }
        split = true;
        if (!next) {
            r.commit_step();
            return done;
        }
        auto it = statements.find(next->info.id);
        if (it == statements.end())  // cannot happen: the pending steps only shrink
            it = statements.emplace(next->info.id, statements_of(next->info.up_path, next->up_text, r.dialect_kind())).first;
        if (r.switch_foreign_keys_off_for(it->second)) continue;
        r.run(next->info.up_path, it->second, false, [&] { detail::record_step(r.conn(), next->info); });
        r.commit_step();
        done.push_back(next->info);
    }
}

std::vector<migration_file> downgrade(const engine& e, const std::string& dir, int target) {
    const std::string who = "dorm::migrations::downgrade";
    if (target < 0) throw argument_error(who + ": the target must be 0 (undo every step) or a step's id, got " +
                                         std::to_string(target));
    const auto steps = detail::load(dir);
    runner r(e, who);
    std::map<int, std::vector<std::string>> statements;
    bool checked = false;
    std::vector<migration_file> done;
    for (;;) {
        r.begin_step();
        const auto rows = detail::read_applied(r.conn());
        detail::verify(rows, steps, dir, who);
        std::vector<const step_file*> undo;  // newest first
        for (auto it = rows.rbegin(); it != rows.rend() && it->id > target; ++it)
            undo.push_back(&*std::find_if(steps.begin(), steps.end(),
                                          [&](const step_file& s) { return s.info.id == it->id; }));
        if (!checked) {
            std::string missing;
            for (const auto* s : undo)
                if (s->info.down_path.empty()) missing += "\n  " + detail::step_name(s->info) + ".down.sql";
            if (!missing.empty())
                throw migration_error(who + ": refused before running anything: these steps have no down file in " +
                                      dir + ", so they cannot be undone:" + missing);
            for (const auto* s : undo)
                statements[s->info.id] =
                    statements_of(s->info.down_path, detail::read_file(s->info.down_path), r.dialect_kind());
            checked = true;
        }
        if (undo.empty()) {
            r.commit_step();
            return done;
        }
        const step_file& s = *undo.front();
        auto it = statements.find(s.info.id);
        if (it == statements.end())
            it = statements
                     .emplace(s.info.id,
                              statements_of(s.info.down_path, detail::read_file(s.info.down_path), r.dialect_kind()))
                     .first;
        if (r.switch_foreign_keys_off_for(it->second)) continue;
        r.run(s.info.down_path, it->second, true, [&] { detail::forget_step(r.conn(), s.info.id); });
        r.commit_step();
        done.push_back(s.info);
    }
}

}  // namespace dorm::migrations
