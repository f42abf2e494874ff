// dorm::url: parsing and rendering database URLs the way SQLAlchemy does (RFC-1738 style).
#include <dorm/engine/url.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <dorm/error.hpp>

namespace dorm {

namespace {

[[noreturn]] void cannot_parse(std::string_view what) {
    std::string msg = "Could not parse dorm URL from given URL string: ";
    msg += what;
    throw argument_error(msg);
}

bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '+';
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Python's urllib.parse.unquote (plus_as_space: unquote_plus). Malformed escapes stay as they are.
std::string unquote(std::string_view s, bool plus_as_space = false) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%' && i + 2 < s.size()) {
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += (plus_as_space && c == '+') ? ' ' : c;
    }
    return out;
}

bool always_safe(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-' || c == '~';
}

/// Python's quote(s, safe=" +") (query=false) or quote_plus(s) (query=true).
void append_quoted(std::string& out, std::string_view s, bool query) {
    constexpr char hex[] = "0123456789ABCDEF";
    for (char c : s) {
        if (always_safe(c)) {
            out += c;
        } else if (c == ' ') {
            out += query ? '+' : ' ';
        } else if (c == '+' && !query) {
            out += '+';
        } else {
            const auto b = static_cast<unsigned char>(c);
            out += '%';
            out += hex[b >> 4];
            out += hex[b & 0xF];
        }
    }
}

/// Python's parse_qsl (keep_blank_values=False): `a=1&b=x+y`; pairs without '=' or with an empty
/// value are dropped; a repeated key keeps its last value.
url_query parse_query(std::string_view q) {
    url_query out;
    while (!q.empty()) {
        const auto amp = q.find('&');
        const auto pair = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const auto val = pair.substr(eq + 1);
        if (val.empty()) continue;
        out[unquote(pair.substr(0, eq), true)] = unquote(val, true);
    }
    return out;
}

std::optional<dorm::dialect> backend_dialect(std::string_view backend) noexcept {
    if (backend == "sqlite") return dorm::dialect::sqlite;
    if (backend == "postgresql") return dorm::dialect::postgresql;
    if (backend == "mysql") return dorm::dialect::mysql;
    if (backend == "oracle") return dorm::dialect::oracle;
    return std::nullopt;
}

}  // namespace

namespace {

// The first entry whose key is not less than `key`.
template <class Entries>
auto lower_bound_of(Entries& entries, std::string_view key) {
    return std::lower_bound(entries.begin(), entries.end(), key,
                            [](const url_query::value_type& e, std::string_view k) {
                                // (compare(), not <: clang 14 with libstdc++ 12 cannot rewrite
                                // string < string_view through operator<=>)
                                return e.first.compare(k) < 0;
                            });
}

}  // namespace

url_query::url_query(std::initializer_list<value_type> entries) {
    for (const auto& [key, value] : entries) try_emplace(key, value);
}

std::string& url_query::operator[](std::string_view key) {
    auto it = lower_bound_of(entries_, key);
    if (it == entries_.end() || it->first != key) it = entries_.emplace(it, std::string(key), std::string());
    return it->second;
}

const std::string& url_query::at(std::string_view key) const {
    if (auto it = find(key); it != end()) return it->second;
    throw std::out_of_range("the URL's query has no parameter '" + std::string(key) + "'");
}

std::string& url_query::at(std::string_view key) {
    return const_cast<std::string&>(std::as_const(*this).at(key));
}

std::pair<url_query::const_iterator, bool> url_query::try_emplace(std::string_view key, std::string value) {
    auto it = lower_bound_of(entries_, key);
    bool inserted = it == entries_.end() || it->first != key;
    if (inserted) it = entries_.emplace(it, std::string(key), std::move(value));
    return {entries_.data() + (it - entries_.begin()), inserted};
}

std::pair<url_query::const_iterator, bool> url_query::insert_or_assign(std::string_view key, std::string value) {
    auto it = lower_bound_of(entries_, key);
    bool inserted = it == entries_.end() || it->first != key;
    if (inserted)
        it = entries_.emplace(it, std::string(key), std::move(value));
    else
        it->second = std::move(value);
    return {entries_.data() + (it - entries_.begin()), inserted};
}

url_query::const_iterator url_query::find(std::string_view key) const noexcept {
    auto it = lower_bound_of(entries_, key);
    return it != entries_.end() && it->first == key ? entries_.data() + (it - entries_.begin()) : end();
}

std::size_t url_query::erase(std::string_view key) {
    auto it = lower_bound_of(entries_, key);
    if (it == entries_.end() || it->first != key) return 0;
    entries_.erase(it);
    return 1;
}

url url::parse(std::string_view text) {
    if (text.empty()) cannot_parse("the URL is empty");

    // name: [\w+]+ followed by "://"
    std::size_t n = 0;
    while (n < text.size() && is_name_char(text[n])) ++n;
    if (n == 0 || text.substr(n, 3) != "://")
        cannot_parse("expected 'dialect[+driver]://...' (for example sqlite:///file.db or "
                     "postgresql://user:password@host/dbname)");
    const auto name = text.substr(0, n);
    std::string_view rest = text.substr(n + 3);

    url u;
    const auto plus = name.find('+');
    std::string_view backend = name.substr(0, plus);
    if (plus != std::string_view::npos) {
        const auto drv = name.substr(plus + 1);
        if (drv.empty() || drv.find('+') != std::string_view::npos)
            cannot_parse("the driver after '+' must be one name, as in postgresql+psycopg2://");
        u.driver = std::string(drv);
    }
    if (backend.empty()) cannot_parse("the dialect name before '://' is empty");
    if (backend == "postgres") backend = "postgresql";
    if (backend == "mariadb") backend = "mysql";
    if (!backend_dialect(backend)) {
        std::string msg = "Can't load plugin: unknown dialect '";
        msg += name.substr(0, plus);
        msg += "' (expected sqlite, postgresql, mysql, mariadb or oracle)";
        throw argument_error(msg);
    }
    u.backend = std::string(backend);

    // userinfo, as SQLAlchemy's pattern `(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@`:
    // the longest username (up to the first ':' or '/') with a password running to the next '@',
    // else the longest username followed directly by '@'.
    {
        const auto stop = rest.find_first_of(":/");
        bool done = false;
        if (stop != std::string_view::npos && rest[stop] == ':') {
            const auto at = rest.find('@', stop + 1);
            if (at != std::string_view::npos) {
                u.username = unquote(rest.substr(0, stop));
                u.password = unquote(rest.substr(stop + 1, at - stop - 1));
                rest = rest.substr(at + 1);
                done = true;
            }
        }
        if (!done) {
            const auto user_part = rest.substr(0, stop);
            const auto at = user_part.rfind('@');
            if (at != std::string_view::npos) {
                u.username = unquote(rest.substr(0, at));
                rest = rest.substr(at + 1);
            }
        }
    }

    // host: [ipv6] or a name up to ':', '/' or '?'; then an optional :port
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        const auto end = rest.find_first_of("/?");
        if (close == std::string_view::npos || (end != std::string_view::npos && close > end) || close == 1)
            cannot_parse("an IPv6 host must be written in brackets, as in postgresql://[::1]:5432/db");
        const auto inside = rest.substr(1, close - 1);
        // What renders back: a bracketed host is an IPv6 address (or a name), never '[' or '@'
        // (render writes a host without ':' bare, where '@' would read as the user's separator).
        if (inside.find_first_of("[@") != std::string_view::npos)
            cannot_parse("an IPv6 host in brackets may not contain '[' or '@'");
        u.host = std::string(inside);
        rest = rest.substr(close + 1);
        if (!rest.empty() && rest.front() != ':' && rest.front() != '/' && rest.front() != '?')
            cannot_parse("unexpected text after the IPv6 host; expected ':port', '/database' or '?query'");
    } else {
        const auto end = rest.find_first_of(":/?");
        const auto host = rest.substr(0, end);
        if (!host.empty()) {
            if (host.find('@') != std::string_view::npos)
                cannot_parse("'@' in the host; write a '@' in the user name or password as %40");
            u.host = std::string(host);
        }
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    }
    if (!rest.empty() && rest.front() == ':') {
        const auto end = rest.find_first_of("/?");
        const auto port = rest.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1);
        if (port.empty()) cannot_parse("the port after ':' is empty");
        {
            int p = 0;
            const auto res = std::from_chars(port.data(), port.data() + port.size(), p);
            if (res.ec == std::errc::result_out_of_range)
                cannot_parse("the port is out of range (expected 0 to 65535)");
            if (res.ec != std::errc{} || res.ptr != port.data() + port.size() || port.front() == '-')
                cannot_parse("the port is not a number");
            if (p > 65535) cannot_parse("the port is out of range (expected 0 to 65535)");
            u.port = p;
        }
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    }
    if (!rest.empty() && rest.front() == '/') {
        const auto q = rest.find('?');
        u.database = std::string(rest.substr(1, q == std::string_view::npos ? std::string_view::npos : q - 1));
        rest = q == std::string_view::npos ? std::string_view{} : rest.substr(q);
    }
    if (!rest.empty() && rest.front() == '?') {
        u.query = parse_query(rest.substr(1));
        rest = {};
    }
    if (!rest.empty()) cannot_parse("unexpected text after the host");
    return u;
}

dorm::dialect url::dialect() const {
    if (auto d = backend_dialect(backend)) return *d;
    throw argument_error("Can't load plugin: unknown dialect '" + backend +
                         "' (expected sqlite, postgresql, mysql, mariadb or oracle)");
}

bool url::is_memory() const {
    return backend == "sqlite" && (!database || database->empty() || *database == ":memory:");
}

std::string url::render(bool hide_password) const {
    std::string s = backend;
    if (!driver.empty()) {
        s += '+';
        s += driver;
    }
    s += "://";
    if (username) {
        append_quoted(s, *username, false);
        if (password) {
            s += ':';
            if (hide_password)
                s += "***";
            else
                append_quoted(s, *password, false);
        }
        s += '@';
    }
    if (host) {
        if (host->find(':') != std::string::npos) {
            s += '[';
            s += *host;
            s += ']';
        } else {
            s += *host;
        }
    }
    if (port) {
        s += ':';
        s += std::to_string(*port);
    }
    if (database) {
        s += '/';
        s += *database;
    }
    if (!query.empty()) {
        char sep = '?';
        for (const auto& [k, v] : query) {
            s += sep;
            sep = '&';
            append_quoted(s, k, true);
            s += '=';
            append_quoted(s, v, true);
        }
    }
    return s;
}

}  // namespace dorm
