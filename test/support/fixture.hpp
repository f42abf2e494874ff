#pragma once
// Test support for suites that run real SQL: an echo capture, backend-aware SQL fragments and a
// fixture that creates a set of tables before a test and drops them afterwards, so every test
// starts from empty tables on a shared file or server database.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"

namespace dorm_test {

/// An identifier quoted the way the backend's dialect quotes it ("name" or `name`).
inline std::string q(std::string_view ident) {
    const char quote = is_mysql() ? '`' : '"';
    std::string out(1, quote);
    out += ident;
    out += quote;
    return out;
}

/// The n-th (1-based) positional placeholder of the backend: `?` or `$n`.
inline std::string ph(int n) { return is_postgresql() ? "$" + std::to_string(n) : "?"; }

/// Echo entries captured through engine_options::echo_sink. Copies of the sink share the state,
/// so the capture may be destroyed before the engine.
class echo_capture {
public:
    echo_capture() : state_(std::make_shared<state>()) {}

    std::function<void(std::string_view)> sink() const {
        return [s = state_](std::string_view entry) {
            std::lock_guard lock(s->mutex);
            s->entries.emplace_back(entry);
        };
    }

    void clear() const {
        std::lock_guard lock(state_->mutex);
        state_->entries.clear();
    }

    /// Every entry so far (SQL, parameter lines, BEGIN/COMMIT/ROLLBACK).
    std::vector<std::string> entries() const {
        std::lock_guard lock(state_->mutex);
        return state_->entries;
    }

    /// Entries that are SQL statements (not parameter lines, not transaction markers), trimmed.
    std::vector<std::string> statements() const {
        std::vector<std::string> out;
        for (auto& e : entries()) {
            if (is_marker(e) || is_params(e)) continue;
            out.push_back(trim(e));
        }
        return out;
    }

    /// Statements whose text starts with `prefix` (e.g. "SELECT", "UPDATE", "INSERT INTO").
    std::size_t count_statements(std::string_view prefix) const {
        std::size_t n = 0;
        for (auto& s : statements())
            if (s.starts_with(prefix)) ++n;
        return n;
    }
    /// Statements that contain `part` anywhere.
    std::size_t count_containing(std::string_view part) const {
        std::size_t n = 0;
        for (auto& s : statements())
            if (s.find(part) != std::string::npos) ++n;
        return n;
    }
    /// Entries equal to `entry` (e.g. "BEGIN (implicit)", "COMMIT", "ROLLBACK").
    std::size_t count_entries(std::string_view entry) const {
        std::size_t n = 0;
        for (auto& e : entries())
            if (e == entry) ++n;
        return n;
    }
    /// Index of the first statement that starts with `prefix` and contains `part`, or -1.
    int find_statement(std::string_view prefix, std::string_view part = {}) const {
        auto st = statements();
        for (std::size_t i = 0; i < st.size(); ++i)
            if (st[i].starts_with(prefix) && st[i].find(part) != std::string::npos) return static_cast<int>(i);
        return -1;
    }

    /// Everything captured, one entry per line (for failure messages).
    std::string dump() const {
        std::string out;
        for (auto& e : entries()) {
            out += "  | ";
            out += e;
            out += '\n';
        }
        return out;
    }

    static bool is_marker(const std::string& e) { return e == "BEGIN (implicit)" || e == "COMMIT" || e == "ROLLBACK"; }
    static bool is_params(const std::string& e) { return !e.empty() && e.front() == '['; }

private:
    static std::string trim(const std::string& s) {
        auto b = s.find_first_not_of(" \t\r\n");
        if (b == std::string::npos) return {};
        auto e = s.find_last_not_of(" \t\r\n");
        return s.substr(b, e - b + 1);
    }
    struct state {
        std::mutex mutex;
        std::vector<std::string> entries;
    };
    std::shared_ptr<state> state_;
};

/// A database with the tables of Ts, created for one test and dropped after it.
/// `echo` records every statement of `engine` (cleared after the tables are created).
template <class... Ts>
struct database {
    echo_capture echo;
    dorm::engine engine;
    dorm::metadata<Ts...> meta;

    database() : engine(make_engine(dorm::engine_options{.echo = true, .echo_sink = echo.sink()})) {
        meta.drop_all(engine);  // left over by a crashed run on a file/server database
        meta.create_all(engine);
        echo.clear();
    }
    ~database() {
        try {
            meta.drop_all(engine);
        } catch (...) {
        }
    }
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    /// The number of rows of a table, counted on a fresh connection (outside any session).
    std::int64_t rows(std::string_view table) {
        auto c = engine.connect();
        auto st = c.prepare("SELECT count(*) FROM " + q(table));
        st->step();
        const auto n = st->get_int(0);
        return n;
    }
};

/// One integer column of the row of `table` whose id is `id`, read on a fresh connection (outside
/// any session); nullopt for NULL or no such row.
inline std::optional<std::int64_t> column_of(const dorm::engine& e, const std::string& table, const std::string& column,
                                             int id) {
    auto c = e.connect();
    auto st = c.prepare("SELECT " + q(column) + " FROM " + q(table) + " WHERE " + q("id") + " = " + std::to_string(id));
    if (!st->step()) return std::nullopt;
    if (st->is_null(0)) return std::nullopt;
    return st->get_int(0);
}

/// Adds `rows` in a session of their own, commits, and returns their generated ids in order.
template <class T>
std::vector<int> seed(const dorm::engine& e, std::vector<T> rows) {
    dorm::session s(e);
    std::vector<std::shared_ptr<T>> added;
    added.reserve(rows.size());
    for (auto& r : rows) added.push_back(s.add(std::move(r)));
    s.commit();
    std::vector<int> ids;
    for (auto& a : added) ids.push_back(a->id);
    return ids;
}

}  // namespace dorm_test
