#pragma once
// Types and defaults as the schema diff compares them: a catalog's spelling ("character
// varying(30)", "int(11)", "tinyint(1)", "VARCHAR(30)") and dorm's DDL spelling both parse to one
// structure, so a type is compared by meaning, not by text.
#include <optional>
#include <string>
#include <string_view>

#include <dorm/dialect/dialect.hpp>
#include <dorm/reflect/column_traits.hpp>

namespace dorm::schema {

/// A column type by meaning.
struct sql_type {
    column_type family = column_type::text;
    int bytes = 0;        ///< integers: 1, 2, 4, 8; reals: 4 or 8
    int length = 0;       ///< text: VARCHAR(n), 0 unbounded; timestamps: fractional-second digits
    bool known = false;   ///< false: a type dorm does not map (compared by its text)
    std::string text;     ///< the spelling it was parsed from, lower case, spaces collapsed

    bool operator==(const sql_type& o) const {
        if (known != o.known) return false;
        if (!known) return text == o.text;
        return family == o.family && bytes == o.bytes && length == o.length;
    }
};

/// Parses a type as dialect `d` spells it (catalog or DDL; trailing NOT NULL / AUTO_INCREMENT /
/// identity words are ignored).
sql_type parse_sql_type(dialect d, std::string_view spelling);

/// Whether converting a column from `from` to `to` keeps every value (a wider integer or real,
/// a longer or unbounded string, more fractional-second digits).
bool widens(const sql_type& from, const sql_type& to);

/// A DEFAULT expression in a comparable form: casts (PostgreSQL `::type`), outer parentheses
/// and quotes around numbers removed, keywords in lower case, `current_timestamp()` as
/// `current_timestamp`. An empty optional for no default or a NULL default.
std::optional<std::string> normalize_default(dialect d, std::optional<std::string> sql);

}  // namespace dorm::schema
