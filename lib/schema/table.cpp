// The runtime table description: its special members and make_table (built from the
// constexpr table_desc of dorm/schema/table_of.hpp).
#include <dorm/schema/table_of.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "schema/unique_keys.hpp"

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

std::vector<std::vector<int>> unique_keys(const table& t) {
    std::vector<std::vector<int>> keys;
    auto consider = [&](std::vector<int> key) {
        if (!key.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
    };
    consider(t.primary_key);
    for (std::size_t c = 0; c < t.columns.size(); ++c)
        if (t.columns[c].unique) consider({static_cast<int>(c)});
    for (const auto& u : t.uniques) consider(u.columns);
    for (const auto& ix : t.indexes)
        if (ix.unique) consider(ix.columns);
    return keys;
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
        if (s.server_default_sql) c.server_default_sql = s.server_default_sql;
        if (s.collation) c.collation = s.collation;
        c.on_delete = s.on_delete;
        c.on_update = s.on_update;
        if (s.primary_key) t.primary_key.push_back(static_cast<int>(i));
    }
    t.autoincrement_column = spec.autoincrement_column;
    t.version_column = spec.version_column;

    // Table-level UNIQUE constraints and indexes: uq_<table>_<col1>_<col2>..., ix_<table>_<cols>
    // (whole: the DDL fits a name to the dialect's identifier limit, schema::ddl_parts::fit_name).
    for (std::size_t k = 0; k < spec.set_count; ++k) {
        const column_set_spec& s = spec.sets[k];
        schema::column_set set;
        set.columns.assign(spec.set_columns + s.first, spec.set_columns + s.first + s.count);
        set.unique = s.kind != column_set_kind::index;
        if (s.name) {
            set.name = s.name;
        } else {
            std::string n = s.kind == column_set_kind::unique ? "uq_" : "ix_";
            n += t.name;
            for (int c : set.columns) {
                n += '_';
                n += t.columns[static_cast<std::size_t>(c)].name;
            }
            set.name = std::move(n);
        }
        (s.kind == column_set_kind::unique ? t.uniques : t.indexes).push_back(std::move(set));
    }

    // CHECK constraints: a column-level one is ck_<table>_<column> (ck_<table>_<column>_2 for the
    // column's second unnamed one, ...), a table-level one ck_<table>_<n>, n counting the table's
    // unnamed table-level checks from 1.
    std::vector<int> unnamed_on_column(spec.column_count, 0);
    int unnamed_table_level = 0;
    t.checks.reserve(spec.check_count);
    for (std::size_t k = 0; k < spec.check_count; ++k) {
        const check_spec& s = spec.checks[k];
        schema::check_constraint ck;
        ck.expression = s.expression;
        if (s.name) {
            ck.name = s.name;
        } else if (s.column >= 0) {
            const auto col = static_cast<std::size_t>(s.column);
            std::string n = "ck_" + t.name + "_" + t.columns[col].name;
            if (const int nth = ++unnamed_on_column[col]; nth > 1) n += "_" + std::to_string(nth);
            ck.name = std::move(n);
        } else {
            ck.name = "ck_" + t.name + "_" + std::to_string(++unnamed_table_level);
        }
        t.checks.push_back(std::move(ck));
    }
    return t;
}

}  // namespace dorm::detail

