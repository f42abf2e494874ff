// libFuzzer target: dorm::url::parse (lib/engine/url.cpp). Any input either parses or is an
// argument_error (anything else escapes and is a crash); what parses renders to a URL that parses
// to the same fields, renders again to the same text, and hides the password when asked.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <dorm/engine/url.hpp>
#include <dorm/error.hpp>

#include "fuzz_check.hpp"

namespace {

bool same(const dorm::url& a, const dorm::url& b, bool password) {
    return a.backend == b.backend && a.driver == b.driver && a.username == b.username &&
           (!password || a.password == b.password) && a.host == b.host && a.port == b.port &&
           a.database == b.database && a.query == b.query;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    dorm::url u;
    try {
        u = dorm::url::parse(text);
    } catch (const dorm::argument_error&) {
        return 0;
    }
    FUZZ_CHECK(!u.backend.empty());
    (void)u.dialect();  // a parsed URL names a known dialect (argument_error would escape)
    (void)u.is_memory();
    if (u.port) FUZZ_CHECK(*u.port >= 0 && *u.port <= 65535);

    const std::string shown = u.render(false);
    dorm::url again;
    try {
        again = dorm::url::parse(shown);
    } catch (const dorm::argument_error& e) {
        dorm_fuzz::broken("render(false) of a parsed URL does not parse", shown);
    }
    FUZZ_CHECK(same(u, again, true), shown);
    FUZZ_CHECK(again.render(false) == shown, shown);

    const std::string hidden = u.render(true);
    if (u.password) {
        FUZZ_CHECK(hidden.find(":***@") != std::string::npos, hidden);
        dorm::url h;
        try {
            h = dorm::url::parse(hidden);
        } catch (const dorm::argument_error&) {
            dorm_fuzz::broken("render(true) of a parsed URL does not parse", hidden);
        }
        FUZZ_CHECK(same(u, h, false) && h.password == std::string("***"), hidden);
    } else {
        FUZZ_CHECK(hidden == shown, hidden);
    }
    return 0;
}
