// The runtime table description: its special members and make_table (built from the
// constexpr table_desc of dorm/schema/table_of.hpp).
#include <dorm/schema/table_of.hpp>

namespace dorm::schema {

column::column() = default;
column::column(const column&) = default;
column::column(column&&) noexcept = default;
column& column::operator=(const column&) = default;
column& column::operator=(column&&) noexcept = default;
column::~column() = default;

table::table() = default;
table::table(const table&) = default;
table::table(table&&) noexcept = default;
table& table::operator=(const table&) = default;
table& table::operator=(table&&) noexcept = default;
table::~table() = default;

int table::find_member(std::string_view member) const {
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i].member == member) return static_cast<int>(i);
    return -1;
}
int table::find_column(std::string_view n) const {
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i].name == n) return static_cast<int>(i);
    return -1;
}

}  // namespace dorm::schema

namespace dorm::detail {

schema::table make_table(const table_desc& spec) {
    schema::table t;
    t.name = spec.name;
    t.type_name.assign(spec.type_name, spec.type_name_size);
    t.columns.resize(spec.column_count);
    for (std::size_t i = 0; i < spec.column_count; ++i) {
        const column_spec& s = spec.columns[i];
        schema::column& c = t.columns[i];
        c.member = s.member;
        c.name = s.name;
        c.type = s.type;
        c.int_bytes = s.int_bytes;
        c.length = s.length;
        c.primary_key = s.primary_key;
        c.nullable = s.nullable;
        c.unique = s.unique;
        c.index = s.index;
        c.autoincrement = s.autoincrement;
        if (s.server_default) c.server_default = s.server_default();
        c.references = s.references;
        c.references_column = s.references_column;
        if (s.primary_key) t.primary_key.push_back(static_cast<int>(i));
    }
    t.autoincrement_column = spec.autoincrement_column;
    t.version_column = spec.version_column;
    return t;
}

}  // namespace dorm::detail

