// Statements written as an SQL script (see script_text.hpp).
#include "schema/script_text.hpp"

#include "dialect/hooks.hpp"

namespace dorm::schema {

std::string terminated(std::string_view sql) {
    while (!sql.empty() && (sql.back() == ' ' || sql.back() == '\n' || sql.back() == '\t' || sql.back() == '\r'))
        sql.remove_suffix(1);
    std::string out(sql);
    if (!out.ends_with(';')) out += ';';
    return out;
}

void append_statements(std::string& out, const std::vector<std::string>& statements, bool commented) {
    for (const auto& s : statements) {
        const std::string text = terminated(s);
        if (!commented) {
            out += text + "\n";
            continue;
        }
        std::size_t b = 0;
        while (b <= text.size()) {
            std::size_t e = text.find('\n', b);
            if (e == std::string::npos) e = text.size();
            std::string_view line(text.data() + b, e - b);
            if (line.ends_with('\r')) line.remove_suffix(1);
            out += "-- ";
            out += line;
            out += '\n';
            b = e + 1;
        }
    }
}

std::string foreign_keys_off_text(dialect d, bool rebuilds) {
    if (!rebuilds || !dorm::detail::hooks(d).foreign_keys_off_for_rebuild()) return {};
    return "\n-- SQLite rebuilds a table below: foreign keys are off for this step (else dropping the old\n"
           "-- table would delete or orphan the rows that reference it) and checked before COMMIT.\n"
           "PRAGMA foreign_keys = OFF;\n";
}

}  // namespace dorm::schema
