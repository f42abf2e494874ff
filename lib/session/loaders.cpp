// The part of relationship loading that does not depend on the mapped structs: running an
// entity SELECT with joined loaders, de-duplicating its objects and applying nested loaders.
#include <string>
#include <unordered_set>

#include <dorm/session/loaders.hpp>

namespace dorm::detail {

object_list load_objects(session_impl& s, ast::select base, const std::vector<loader_node>& loaders,
                         entity_reader read, row_sink on_row, const text_params* named) {
    struct joined {
        const loader_node* node;
        int offset;
        std::unordered_set<const void*> filling;  // owners whose relationship this query fills
        object_list children;
        std::unordered_set<const void*> seen_children;
    };
    std::vector<joined> joins;
    int offset = static_cast<int>(base.entities.front().table->columns.size());
    for (const auto& l : loaders) {
        if (l.strategy != load_strategy::joined) continue;
        l.augment(base, l.owner->name.substr(0, 20) + "_j" + std::to_string(joins.size() + 1));
        joins.push_back(joined{&l, offset, {}, {}, {}});
        offset += l.width;
    }
    std::vector<value> params;
    const std::string& sql = compile_select_sql(base, s.dialect(), params, named);
    object_list out;
    std::unordered_set<const void*> seen;
    {
        auto lease = s.run(sql, params);
        while (lease->step()) {
            std::shared_ptr<void> obj = read(*lease, &s, 0);
            const bool first_time = seen.insert(obj.get()).second;
            if (first_time) out.push_back(obj);
            for (auto& j : joins) {
                if (first_time && !j.node->is_loaded(obj)) {
                    j.filling.insert(obj.get());
                    j.node->begin_fill(obj);
                }
                if (!j.filling.count(obj.get())) continue;
                if (auto child = j.node->read(*lease, j.offset, obj, s))
                    if (j.seen_children.insert(child.get()).second) j.children.push_back(std::move(child));
            }
            if (on_row.fn) on_row.fn(on_row.ctx, *lease, obj, offset);
        }
    }
    for (auto& j : joins) {
        for (auto& o : out)
            if (j.filling.count(o.get())) j.node->end_fill(o, s);
        for (const auto& n : j.node->nested) {
            if (n.strategy == load_strategy::joined) {
                loader_node as_selectin = n;  // joined under joined: one more query instead
                as_selectin.strategy = load_strategy::selectin;
                as_selectin.apply(s, j.children, as_selectin);
            } else {
                n.apply(s, j.children, n);
            }
        }
    }
    for (const auto& l : loaders)
        if (l.strategy != load_strategy::joined) l.apply(s, out, l);
    return out;
}

}  // namespace dorm::detail
