// Emitting a flush's many-to-many association rows: the rows the collections of the flushed
// records lost are deleted, the rows they gained inserted, each row once although both sides of a
// back_populates pair report it.
#include <string>
#include <unordered_set>
#include <utility>

#include <dorm/query/ast.hpp>
#include <dorm/session/detail/work_counts.hpp>

#include "session/flush.hpp"

namespace dorm::detail {

namespace {

using assoc_row = record_base::assoc_row;

/// The same association row reported from both sides of a pair gets the same identity.
std::string assoc_identity(const assoc_row& a) {
    std::string ko, kt;
    append_key_part(ko, a.owner_key);
    append_key_part(kt, a.target_key);
    int first = a.owner_col;
    int second = a.target_col;
    if (a.target_col >= 0 && a.owner_col > a.target_col) {
        std::swap(first, second);
        std::swap(ko, kt);
    }
    std::string id(reinterpret_cast<const char*>(&a.table), sizeof a.table);
    id.append(reinterpret_cast<const char*>(&first), sizeof first);
    id.append(reinterpret_cast<const char*>(&second), sizeof second);
    id += ko;  // append_key_part's encoding is self-delimiting
    id += kt;
    return id;
}

/// Drops repeated association rows (both sides of a pair report each), keeping the first: O(n).
void dedupe(std::vector<assoc_row>& rows) {
    std::vector<assoc_row> out;
    out.reserve(rows.size());
    std::unordered_set<std::string> seen;
    seen.reserve(rows.size());
    for (auto& r : rows) {
        ++thread_work_counts().collection_steps;
        if (!seen.insert(assoc_identity(r)).second) continue;
        out.push_back(std::move(r));
    }
    rows = std::move(out);
}

}  // namespace

void write_association_rows(write_connections& conns, dorm::dialect d, const std::vector<record_base*>& inserts,
                            const std::vector<record_base*>& watched, const std::vector<record_base*>& deleted) {
    std::vector<assoc_row> assoc_ins, assoc_del;
    // (each row goes with the record whose collection changed: its shard in a sharded session)
    for (auto* r : inserts) r->assoc_changes(assoc_ins, assoc_del);
    for (auto* r : watched)
        if (r->state == object_state::persistent) r->assoc_changes(assoc_ins, assoc_del);
    for (auto* r : deleted) r->assoc_changes(assoc_ins, assoc_del);
    dedupe(assoc_ins);
    dedupe(assoc_del);
    for (auto& a : assoc_del) {
        ast::delete_ del;
        del.table = a.table;
        del.where.push_back(ast::make_op(ast::op::eq, {ast::make_column(a.table, a.owner_col), ast::make_param(a.owner_key)}));
        if (a.target_col >= 0)
            del.where.push_back(
                ast::make_op(ast::op::eq, {ast::make_column(a.table, a.target_col), ast::make_param(a.target_key)}));
        compiled out = compile_delete(del, d);
        conns(a.table, a.shard).execute(out.sql, out.params);
    }
    for (auto& a : assoc_ins) {
        ast::insert ins;
        ins.table = a.table;
        ins.columns = {a.owner_col, a.target_col};
        ins.rows.push_back({a.owner_key, a.target_key});
        compiled out = compile_insert(ins, d);
        conns(a.table, a.shard).execute(out.sql, out.params);
    }
}

}  // namespace dorm::detail
