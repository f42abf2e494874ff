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
    if (k == write_kind::insert_all || k == write_kind::insert_generated) {
        ast::insert ins;
        ins.table = t;
        std::vector<value> row;
        for (int i = 0; i < static_cast<int>(t->columns.size()); ++i) {
            if (k == write_kind::insert_generated && i == t->autoincrement_column) continue;
            ins.columns.push_back(i);
            row.emplace_back();
        }
        ins.rows.push_back(std::move(row));
        if (k == write_kind::insert_generated && returning_) ins.returning.push_back(t->autoincrement_column);
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
