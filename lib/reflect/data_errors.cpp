// dorm::data_error: its message built from the details, and the helpers that raise it.
#include <dorm/detail/data_errors.hpp>

#include <cstdio>

#include <dorm/engine/value.hpp>
#include "error_payload.hpp"

namespace dorm {

namespace {

std::string build_message(const data_error_details& d) {
    std::string m = d.writing ? "dorm: cannot store " : "dorm: cannot read ";
    if (!d.column.empty()) {
        m += "column ";
        if (!d.table.empty()) {
            m += d.table;
            m += '.';
        }
        m += d.column;
    } else if (!d.table.empty()) {
        m += "a column of table ";
        m += d.table;
    } else {
        m += "a value";
    }
    if (!d.cpp_type.empty()) {
        m += d.writing ? " from C++ type " : " into C++ type ";
        m += d.cpp_type;
    }
    m += ": ";
    if (!d.value.empty()) {
        m += d.value;
        m += ' ';
    }
    m += d.problem;
    return m;
}

}  // namespace

data_error::data_error(const std::string& message, int code, std::string sqlstate)
    : database_error(message, code, std::move(sqlstate)) {
    data_error_details d;
    d.problem = message;
    details_ = detail::make_payload(std::move(d));
}

data_error::data_error(data_error_details details, int code, std::string sqlstate)
    : database_error(build_message(details), code, std::move(sqlstate)),
      details_(detail::make_payload(std::move(details))) {}

data_error::data_error(const std::string& message, data_error_details details, int code, std::string sqlstate)
    : database_error(message, code, std::move(sqlstate)),
      details_(detail::make_payload(std::move(details))) {}

// (every constructor makes the details)
const data_error_details& data_error::details() const noexcept {
    return *detail::payload_value<data_error_details>(details_);
}
const std::string& data_error::table() const noexcept { return details().table; }
const std::string& data_error::column() const noexcept { return details().column; }
const std::string& data_error::value() const noexcept { return details().value; }
const std::string& data_error::cpp_type() const noexcept { return details().cpp_type; }

namespace detail {

std::string quote_value(std::string_view text) {
    constexpr std::size_t limit = 60;  // bytes of the value shown
    std::size_t shown = text.size();
    if (shown > limit) {
        // cut at the start of a UTF-8 character (continuation bytes are 10xxxxxx)
        shown = limit;
        while (shown > 0 && (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80) --shown;
    }
    std::string out = "'";
    for (std::size_t i = 0; i < shown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\'' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '\'';
    if (shown < text.size()) {
        out += "... (";
        out += std::to_string(text.size());
        out += " bytes)";
    }
    return out;
}

void throw_adapter_failed(std::string_view cpp_type, const value* read, const char* what) {
    data_error_details d;
    d.cpp_type = cpp_type;
    d.writing = read == nullptr;
    if (read) {
        switch (read->kind()) {
            case value_kind::null: d.value = "NULL"; break;
            case value_kind::integer: d.value = std::to_string(read->as_int()); break;
            case value_kind::real: {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.17g", read->as_double());
                d.value = buf;
                break;
            }
            case value_kind::text: d.value = quote_value(read->as_text()); break;
            case value_kind::blob: d.value = "<" + std::to_string(read->as_blob().size()) + " bytes>"; break;
        }
    }
    d.problem = std::string("could not be converted: dorm::type_adapter<") + std::string(cpp_type) +
                (read ? ">::from_db threw: " : ">::to_db threw: ") +
                (what ? what : "an exception not derived from std::exception");
    throw data_error(std::move(d));
}

void throw_bad_read(std::string shown, std::string_view problem) {
    data_error_details d;
    d.value = std::move(shown);
    d.problem = problem;
    throw data_error(std::move(d));
}

void throw_bad_write(std::string shown, std::string_view problem) {
    data_error_details d;
    d.value = std::move(shown);
    d.problem = problem;
    d.writing = true;
    throw data_error(std::move(d));
}

void check_text_length(std::string_view text, std::uint32_t n) {
    if (text.size() <= n) return;  // at most n bytes: at most n characters
    std::size_t chars = 0;
    for (unsigned char ch : text) chars += (ch & 0xC0) != 0x80;
    if (chars <= n) return;
    throw_bad_write(quote_value(text), "is " + std::to_string(chars) + " characters long; the column is VARCHAR(" +
                                           std::to_string(n) + ")");
}

void rethrow_in_column(const data_error& e, std::string_view table, std::string_view column,
                       std::string_view cpp_type) {
    data_error_details d = e.details();
    if (d.table.empty() && d.column.empty()) {
        d.table = table;
        d.column = column;
    }
    if (d.cpp_type.empty()) d.cpp_type = cpp_type;
    throw data_error(std::move(d), e.code(), e.sqlstate());
}

}  // namespace detail
}  // namespace dorm
