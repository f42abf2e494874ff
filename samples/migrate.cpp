// migrate: the small command-line program an application ships next to its migrations
// directory (see samples/migrations/), so that an operator can see and move the database's
// version without the application:
//
//     migrate <url> <dir> status                  which steps are applied, which pending
//     migrate <url> <dir> upgrade [target]        applies the pending steps (up to target)
//     migrate <url> <dir> downgrade <target>      undoes the steps after target (0: all)
//
// An application would rather call dorm::migrations::upgrade(engine, dir) at start-up.
#include <dorm/dorm.hpp>

#include <charconv>
#include <exception>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

int usage() {
    std::cerr << "usage: migrate <url> <dir> status\n"
                 "       migrate <url> <dir> upgrade [target]\n"
                 "       migrate <url> <dir> downgrade <target>\n"
                 "  url:    a database URL, e.g. sqlite:///app.db or postgresql://user@host/db\n"
                 "  dir:    the migrations directory (NNNN_name.up.sql / NNNN_name.down.sql)\n"
                 "  target: a step's number (downgrade 0 undoes every step)\n";
    return 2;
}

std::optional<int> number(std::string_view text) {
    int n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size() || n < 0) return std::nullopt;
    return n;
}

std::string label(int id, const std::string& name) {
    std::string digits = std::to_string(id);
    if (digits.size() < 4) digits.insert(0, 4 - digits.size(), '0');
    return digits + "_" + name;
}

/// The version: the highest applied step, or 0.
int version(const dorm::engine& e) {
    const auto rows = dorm::migrations::applied(e);
    return rows.empty() ? 0 : rows.back().id;
}

/// One line per step of the directory or of the database, without refusing anything: status is
/// what an operator runs to find out why an upgrade refused.
int status(const dorm::engine& e, const std::string& dir) {
    const auto files = dorm::migrations::scan(dir);
    std::map<int, dorm::migrations::applied_migration> rows;
    for (auto& r : dorm::migrations::applied(e)) rows.emplace(r.id, std::move(r));
    std::size_t applied = 0, pending = 0, problems = 0;
    for (const auto& f : files) {
        auto it = rows.find(f.id);
        std::cout << label(f.id, f.name) << "  ";
        if (it == rows.end()) {
            ++pending;
            std::cout << "pending\n";
            continue;
        }
        ++applied;
        std::cout << "applied " << it->second.applied_at;
        if (it->second.checksum != f.checksum) {
            ++problems;
            std::cout << "  EDITED since it was applied";
        }
        std::cout << '\n';
        rows.erase(it);
    }
    for (const auto& [id, r] : rows) {  // recorded, but not in the directory
        ++problems;
        std::cout << label(id, r.name) << "  applied " << r.applied_at << "  FILE MISSING from " << dir << '\n';
    }
    std::cout << files.size() << (files.size() == 1 ? " step: " : " steps: ") << applied << " applied, " << pending
              << " pending";
    if (problems) std::cout << ", " << problems << " to resolve before the next upgrade";
    std::cout << '\n';
    return problems ? 1 : 0;
}

int upgrade(const dorm::engine& e, const std::string& dir, std::optional<int> target) {
    const auto done = dorm::migrations::upgrade(e, dir, target);
    for (const auto& f : done) std::cout << "applied " << label(f.id, f.name) << '\n';
    if (done.empty()) std::cout << "nothing to apply: the database is up to date\n";
    std::cout << "database at step " << version(e) << '\n';
    return 0;
}

int downgrade(const dorm::engine& e, const std::string& dir, int target) {
    const auto done = dorm::migrations::downgrade(e, dir, target);
    for (const auto& f : done) std::cout << "undone " << label(f.id, f.name) << '\n';
    if (done.empty()) std::cout << "nothing to undo\n";
    std::cout << "database at step " << version(e) << '\n';
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.size() < 3) return usage();
    const std::string url(args[0]), dir(args[1]);
    const std::string_view command = args[2];
    std::optional<int> target;
    if (args.size() == 4) {
        target = number(args[3]);
        if (!target) return usage();
    }
    try {
        const auto engine = dorm::create_engine(url);
        if (command == "status" && args.size() == 3) return status(engine, dir);
        if (command == "upgrade" && args.size() <= 4) return upgrade(engine, dir, target);
        if (command == "downgrade" && target) return downgrade(engine, dir, *target);
        return usage();
    } catch (const std::exception& err) {
        // The message names the step and the statement; the backend's own error is part of it.
        std::cerr << "migrate: " << err.what() << '\n';
        return 1;
    }
}
