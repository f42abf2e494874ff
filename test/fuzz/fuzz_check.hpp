#pragma once
// Shared by the libFuzzer targets: an invariant that does not hold stops the run with the input
// (abort after printing what broke; libFuzzer saves the input as crash-<sha1>).
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace dorm_fuzz {

[[noreturn]] inline void broken(const char* what, std::string_view detail = {}) {
    std::fprintf(stderr, "INVARIANT BROKEN: %s", what);
    if (!detail.empty()) std::fprintf(stderr, " [%.*s]", static_cast<int>(detail.size()), detail.data());
    std::fputc('\n', stderr);
    std::abort();
}

}  // namespace dorm_fuzz

#define FUZZ_CHECK(cond, ...)                                                          \
    do {                                                                               \
        if (!(cond)) ::dorm_fuzz::broken(#cond __VA_OPT__(, ) __VA_ARGS__);           \
    } while (0)
