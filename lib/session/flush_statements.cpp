// The per-flush cache of INSERT / UPDATE / DELETE text (see flush_statements.hpp).
#include "session/flush_statements.hpp"

#include <dorm/query/ast.hpp>

#include "dialect/hooks.hpp"
#include "session/key_condition.hpp"

namespace dorm::detail {

std::vector<int> update_columns(column_mask mask) {
    std::vector<int> cols;
    for (int i = 0; i < 64; ++i)
        if ((mask >> i) & 1) cols.push_back(i);
    return cols;
}

flush_statements::flush_statements(dorm::dialect d) : dialect_(d), returning_(hooks(d).use_returning()) {}

const std::string& flush_statements::sql(const schema::table* t, write_kind k, column_mask mask) {
    auto key = std::make_tuple(t, k, mask);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    compiled out;
    if (k == write_kind::insert_all || k == write_kind::insert_generated || k == write_kind::insert_all_rows ||
        k == write_kind::insert_generated_rows) {
        const bool generated = k == write_kind::insert_generated || k == write_kind::insert_generated_rows;
        const bool rows = k == write_kind::insert_all_rows || k == write_kind::insert_generated_rows;
        ast::insert ins;
        ins.table = t;
        std::vector<value> row;
        for (int i = 0; i < static_cast<int>(t->columns.size()); ++i) {
            if (generated && i == t->autoincrement_column) continue;
            ins.columns.push_back(i);
            row.emplace_back();
        }
        ins.rows.assign(rows ? static_cast<std::size_t>(mask) : 1, row);
        if (generated && returning_ && !rows) ins.returning.push_back(t->autoincrement_column);
        out = compile_insert(ins, dialect_);
    } else if (k == write_kind::update || k == write_kind::update_versioned) {
        ast::update up;
        up.table = t;
        for (int col : update_columns(mask)) up.sets.emplace_back(col, ast::make_param(value()));
        up.where = k == write_kind::update_versioned ? versioned_condition(*t) : pk_condition(*t);
        out = compile_update(up, dialect_);
    } else {
        ast::delete_ del;
        del.table = t;
        del.where = versioned_condition(*t);
        out = compile_delete(del, dialect_);
    }
    return cache_.emplace(key, std::move(out.sql)).first->second;
}

}  // namespace dorm::detail
