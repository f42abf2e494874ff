// The SQL-standard defaults of dialect_hooks (see hooks.hpp); the dialects override what differs.
#include "dialect/hooks.hpp"

namespace dorm::detail {

void dialect_hooks::quote(std::string& out, std::string_view ident) const {
    out += '"';
    for (char c : ident) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

void dialect_hooks::placeholder(std::string& out, int) const { out += '?'; }

void dialect_hooks::limit_offset(std::string& out, const std::string& lim, const std::string& off) const {
    if (!lim.empty()) out += " \nLIMIT " + lim;
    if (!off.empty()) out += (lim.empty() ? " \nOFFSET " : " OFFSET ") + off;
}

bool dialect_hooks::begin_statements(isolation level, std::vector<std::string>& out) const {
    out.push_back("START TRANSACTION ISOLATION LEVEL " + std::string(isolation_name(level)));
    return true;
}

// -- schema evolution: the SQL-standard / PostgreSQL spellings ---------------------------------

std::string dialect_hooks::add_column(const std::string& table, const std::string& definition) const {
    std::string out = "ALTER TABLE ";
    quote(out, table);
    return out + " ADD COLUMN " + definition;
}

std::string dialect_hooks::drop_column(const std::string& table, const std::string& column) const {
    std::string out = "ALTER TABLE ";
    quote(out, table);
    out += " DROP COLUMN ";
    quote(out, column);
    return out;
}

std::vector<std::string> dialect_hooks::alter_column(const std::string& table, const column_def& c, char what) const {
    std::string out = "ALTER TABLE ";
    quote(out, table);
    out += " ALTER COLUMN ";
    quote(out, c.name);
    switch (what) {
        case 't': out += " TYPE " + c.type; break;
        case 'n': out += c.nullable ? " DROP NOT NULL" : " SET NOT NULL"; break;
        default: out += c.default_sql.empty() ? " DROP DEFAULT" : " SET DEFAULT " + c.default_sql; break;
    }
    return {out};
}

std::string dialect_hooks::drop_index(const std::string&, const std::string& name) const {
    std::string out = "DROP INDEX ";
    quote(out, name);
    return out;
}

std::string dialect_hooks::drop_constraint(const std::string& table, char, const std::string& name) const {
    std::string out = "ALTER TABLE ";
    quote(out, table);
    out += " DROP CONSTRAINT ";
    quote(out, name);
    return out;
}

std::string dialect_hooks::add_constraint(const std::string& table, const std::string& clause) const {
    std::string out = "ALTER TABLE ";
    quote(out, table);
    return out + " ADD " + clause;
}

std::string dialect_hooks::fk_action_words(fk_action a, bool) const {
    switch (a) {
        case fk_action::no_action: return {};
        case fk_action::restrict: return "RESTRICT";
        case fk_action::cascade: return "CASCADE";
        case fk_action::set_null: return "SET NULL";
        case fk_action::set_default: return "SET DEFAULT";
    }
    return {};
}

}  // namespace dorm::detail
