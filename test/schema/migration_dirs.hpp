#pragma once
// Test support for dorm::migrations: a fresh temporary directory per test case, removed after
// it, with helpers to write step files into it.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace dorm_test {

/// A new empty directory under the system's temporary directory; removed (with its files) when
/// destroyed.
class temp_dir {
public:
    temp_dir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("dorm-migrations-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    /// The directory as a string (what dorm::migrations takes).
    std::string str() const { return path_.string(); }
    std::filesystem::path path() const { return path_; }
    std::string file(std::string_view name) const { return (path_ / name).string(); }

    /// Writes (or replaces) a file of the directory, bytes as given.
    void write(std::string_view name, std::string_view text) const {
        std::ofstream out(path_ / name, std::ios::binary | std::ios::trunc);
        out << text;
    }
    /// Appends to a file of the directory.
    void append(std::string_view name, std::string_view text) const {
        std::ofstream out(path_ / name, std::ios::binary | std::ios::app);
        out << text;
    }
    void remove(std::string_view name) const { std::filesystem::remove(path_ / name); }
    bool exists(std::string_view name) const { return std::filesystem::exists(path_ / name); }
    /// The whole file.
    std::string read(std::string_view name) const {
        std::ifstream in(path_ / name, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

private:
    std::filesystem::path path_;
};

}  // namespace dorm_test
