// The migrations directory: NNNN_name.up.sql / NNNN_name.down.sql files, read and checked.
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <system_error>

#include <dorm/error.hpp>

#include "schema/migrations_impl.hpp"
#include "util/sha256.hpp"

namespace dorm::migrations {
namespace detail {
namespace fs = std::filesystem;

namespace {

const char* const expected_names =
    "expected NNNN_name.up.sql or NNNN_name.down.sql (NNNN: the step's number, at least 4 digits with leading "
    "zeros, from 1; name: letters, digits, '_' and '-')";

/// A parsed file name.
struct step_name_parts {
    int id = 0;
    std::string name;
    bool up = true;
};

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/// NNNN_name.up.sql / NNNN_name.down.sql, or nothing.
std::optional<step_name_parts> parse_name(std::string_view file) {
    step_name_parts p;
    if (file.ends_with(".up.sql")) {
        file.remove_suffix(7);
    } else if (file.ends_with(".down.sql")) {
        file.remove_suffix(9);
        p.up = false;
    } else {
        return std::nullopt;
    }
    std::size_t digits = 0;
    while (digits < file.size() && file[digits] >= '0' && file[digits] <= '9') ++digits;
    if (digits < 4 || digits + 1 >= file.size() || file[digits] != '_') return std::nullopt;
    const auto [ptr, ec] = std::from_chars(file.data(), file.data() + digits, p.id);
    if (ec != std::errc{} || p.id <= 0) return std::nullopt;  // id 0 would read as "no step" (downgrade to 0)
    p.name = std::string(file.substr(digits + 1));
    for (char c : p.name)
        if (!is_name_char(c)) return std::nullopt;
    return p;
}

}  // namespace

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || in.bad()) throw migration_error("dorm::migrations: cannot read " + path);
    return std::move(text).str();
}

std::string file_name(const std::string& path) { return fs::path(path).filename().string(); }

std::string step_name(const migration_file& f) { return id_text(f.id) + "_" + f.name; }

std::string id_text(int id) {
    std::string digits = std::to_string(id);
    if (digits.size() < 4) digits.insert(0, 4 - digits.size(), '0');
    return digits;
}

std::string slug(std::string_view name) {
    std::string out;
    bool gap = false;
    for (char c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (gap && !out.empty()) out += '_';
            gap = false;
            out += c;
        } else {
            gap = true;
        }
    }
    return out;
}

std::vector<step_file> load(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw migration_error("dorm::migrations: " + dir + " is not a directory");
    std::map<int, step_file> steps;
    std::map<int, std::string> downs;  // id -> path of the down file, matched with the up files below
    fs::directory_iterator entries;
    try {
        entries = fs::directory_iterator(dir);
    } catch (const fs::filesystem_error& e) {
        throw migration_error("dorm::migrations: cannot list " + dir + ": " + e.code().message());
    }
    for (const auto& entry : entries) {
        const std::string file = entry.path().filename().string();
        // Hidden files (editor backups, macOS ._ files) and anything not *.sql are not steps.
        if (file.starts_with('.') || !file.ends_with(".sql") || !entry.is_regular_file()) continue;
        const std::string path = entry.path().string();
        auto parts = parse_name(file);
        if (!parts) throw migration_error("dorm::migrations: " + path + " is not a migration file name: " + expected_names);
        if (!parts->up) {
            auto [it, fresh] = downs.emplace(parts->id, path);
            if (!fresh)
                throw migration_error("dorm::migrations: " + path + " and " + it->second + " are both down files of step " +
                                      std::to_string(parts->id) + ": every step needs an id of its own");
            continue;
        }
        auto [it, fresh] = steps.try_emplace(parts->id);
        if (!fresh)
            throw migration_error("dorm::migrations: " + path + " and " + it->second.info.up_path +
                                  " have the same id " + std::to_string(parts->id) +
                                  ": every step needs an id of its own (renumber one of them)");
        it->second.info.id = parts->id;
        it->second.info.name = parts->name;
        it->second.info.up_path = path;
    }
    for (const auto& [id, path] : downs) {
        auto it = steps.find(id);
        if (it == steps.end())
            throw migration_error("dorm::migrations: " + path + " has no up file: " + id_text(id) +
                                  "_<name>.up.sql is missing from " + dir);
        const std::string expected = step_name(it->second.info) + ".down.sql";
        if (file_name(path) != expected)
            throw migration_error("dorm::migrations: " + path + " does not match the up file " + it->second.info.up_path +
                                  " of step " + std::to_string(id) + " (expected " + expected + ")");
        it->second.info.down_path = path;
    }
    std::vector<step_file> out;
    out.reserve(steps.size());
    for (auto& [id, s] : steps) {
        s.up_text = read_file(s.info.up_path);
        s.info.checksum = dorm::detail::sha256_hex(s.up_text);
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace detail

std::vector<migration_file> scan(const std::string& dir) {
    std::vector<migration_file> out;
    for (auto& s : detail::load(dir)) out.push_back(std::move(s.info));
    return out;
}

}  // namespace dorm::migrations
