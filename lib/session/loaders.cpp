// The part of relationship loading that does not depend on the mapped structs: running an
// entity SELECT with joined loaders, de-duplicating its objects and applying nested loaders.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <dorm/session/loaders.hpp>

namespace dorm::detail {

namespace {

void* at(void* base, std::uint32_t off) noexcept { return static_cast<char*>(base) + off; }

const relationship_info& rel_of(const loader_node& n) { return n.owner_layout().rels[n.rel_index]; }

/// The partner of `rel` in the related struct when it is a scalar (dorm::one), else nullptr.
const relationship_info* scalar_back(const relationship_info& rel) {
    if (rel.back_index < 0) return nullptr;
    const relationship_info& b = rel.target().rels[rel.back_index];
    return b.collection ? nullptr : &b;
}

/// Points the scalar partner of a loaded child back to its owner (unless it already has a target).
void set_back(const relationship_info* back, void* child, const std::shared_ptr<void>& owner) {
    if (!back) return;
    void* m = at(child, back->offset);
    if (!back->ops->loaded(m) || !back->ops->get(m)) back->ops->add(m, owner);
}

/// Key of a value for grouping.
std::string group_key(const value& v) {
    std::string k;
    append_key_part(k, v);
    return k;
}

void raise_apply(session_impl& s, const object_list& owners, const loader_node& self) {
    const record_layout& l = self.owner_layout();
    for (auto& o : owners)
        if (record_base* r = find_record(&s, l, o.get())) r->raise_mask |= std::uint64_t{1} << self.rel_index;
}

/// selectinload: one SELECT ... WHERE key IN (...) per chunk of owners whose relationship is not loaded.
void selectin_apply(session_impl& s, const object_list& owners_v, const loader_node& self) {
    const record_layout& ol = self.owner_layout();
    const relationship_info& rel = ol.rels[self.rel_index];
    const record_layout& tl = rel.target();
    const schema::table& ut = *tl.table;
    object_list owners;
    for (auto& o : owners_v)
        if (!rel.ops->loaded(at(o.get(), rel.offset))) owners.push_back(o);
    if (owners.empty()) return;
    object_list loaded;
    auto run_chunks = [&](const std::vector<value>& keys, auto&& make_select, row_sink on_row) {
        for (std::size_t i = 0; i < keys.size(); i += selectin_chunk) {
            ast::select sel = make_select();
            std::vector<ast::expr_ptr> in{sel.where.back()};
            sel.where.pop_back();
            for (std::size_t k = i; k < std::min(keys.size(), i + selectin_chunk); ++k)
                in.push_back(ast::make_param(keys[k]));
            sel.where.push_back(ast::make_op(ast::op::in, std::move(in)));
            auto part = load_objects(s, std::move(sel), self.nested, rel.read_target, on_row, nullptr);
            loaded.insert(loaded.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
        }
    };
    if (rel.many_to_one) {
        const column_slot& fk_col = ol.cols[rel.owner_fk];
        auto fk_of = [&](const std::shared_ptr<void>& o) { return fk_col.ops->to_value(at(o.get(), fk_col.obj)); };
        std::vector<value> keys;
        std::unordered_set<std::string> seen;
        for (auto& o : owners) {
            value fk = fk_of(o);
            if (!fk.is_null() && seen.insert(group_key(fk)).second) keys.push_back(std::move(fk));
        }
        const int pk = ut.primary_key.front();
        run_chunks(keys, [&] {
            ast::select sel;
            sel.entities.push_back(ast::entity_ref{&ut, {}});
            sel.where.push_back(ast::make_column(&ut, pk));
            return sel;
        }, row_sink{});
        std::unordered_map<std::string, std::shared_ptr<void>> by_key;
        for (auto& u : loaded) by_key.emplace(group_key(layout_key_value(tl, u.get())), u);
        for (auto& o : owners) {
            value fk = fk_of(o);
            object_list target;
            if (!fk.is_null()) {
                auto it = by_key.find(group_key(fk));
                if (it != by_key.end()) target.push_back(it->second);
            }
            rel.ops->assign(at(o.get(), rel.offset), std::move(target));
        }
        return;
    }
    std::vector<value> keys;
    for (auto& o : owners) keys.push_back(layout_key_value(ol, o.get()));
    std::unordered_map<std::string, object_list> groups;
    struct sink_ctx {
        std::unordered_map<std::string, object_list>* groups;
        int key_col;  // the row column with the owner's key: -1 = the extra column
        // (owner key, object) pairs seen: a nested joined collection repeats an object's row once
        // per nested child, and the object belongs to its owner's collection once
        std::unordered_set<std::string> seen;
    } ctx{&groups, rel.many_to_many ? -1 : rel.target_fk, {}};
    row_sink sink{[](void* c, driver::statement& st, const std::shared_ptr<void>& u, int extra) {
                      auto* x = static_cast<sink_ctx*>(c);
                      std::string key = group_key(st.get(x->key_col < 0 ? extra : x->key_col));
                      const void* obj = u.get();
                      const auto n = key.size();
                      key.append(reinterpret_cast<const char*>(&obj), sizeof obj);
                      if (!x->seen.insert(key).second) return;
                      key.resize(n);
                      (*x->groups)[key].push_back(u);
                  },
                  &ctx};
    if (rel.many_to_many) {
        const schema::table* assoc = &rel.assoc();
        run_chunks(keys, [&] {
            ast::select sel;
            sel.entities.push_back(ast::entity_ref{&ut, {}});
            sel.joins.push_back(ast::join{
                ast::join_kind::inner, ast::table_ref{assoc, {}, nullptr},
                ast::make_op(ast::op::eq, ast::make_column(assoc, rel.assoc_to_target),
                             ast::make_column(&ut, ut.primary_key.front()))});
            sel.columns.push_back(ast::make_column(assoc, rel.assoc_to_owner));
            sel.where.push_back(ast::make_column(assoc, rel.assoc_to_owner));
            return sel;
        }, sink);
    } else {
        run_chunks(keys, [&] {
            ast::select sel;
            sel.entities.push_back(ast::entity_ref{&ut, {}});
            sel.where.push_back(ast::make_column(&ut, rel.target_fk));
            return sel;
        }, sink);
    }
    const relationship_info* back = scalar_back(rel);
    for (auto& o : owners) {
        auto it = groups.find(group_key(layout_key_value(ol, o.get())));
        object_list items;
        if (it != groups.end()) items = std::move(it->second);
        for (auto& item : items) set_back(back, item.get(), o);
        rel.ops->assign(at(o.get(), rel.offset), std::move(items));  // many: the items, loaded; one: the first
        if (rel.many_to_many)
            if (record_base* r = find_record(&s, ol, o.get())) r->assoc_snapshot(self.rel_index);
    }
}

void apply_loader(session_impl& s, const object_list& owners, const loader_node& n) {
    if (n.strategy == load_strategy::raise)
        raise_apply(s, owners, n);
    else
        selectin_apply(s, owners, n);
}

/// joinedload: LEFT OUTER JOIN the target (and the association table) under `alias`.
void joined_augment(ast::select& sel, const std::string& alias, const loader_node& n) {
    const record_layout& ol = n.owner_layout();
    const relationship_info& rel = ol.rels[n.rel_index];
    const schema::table& tt = *ol.table;
    const schema::table& ut = *rel.target().table;
    const std::string owner_alias = sel.entities.front().alias;
    sel.entities.push_back(ast::entity_ref{&ut, alias});
    ast::expr_ptr on;
    if (rel.many_to_one) {
        on = ast::make_op(ast::op::eq, ast::make_column(&tt, rel.owner_fk, owner_alias),
                          ast::make_column(&ut, ut.primary_key.front(), alias));
    } else if (rel.many_to_many) {
        const schema::table* assoc = &rel.assoc();
        const std::string assoc_alias = alias + "_a";
        sel.joins.push_back(ast::join{
            ast::join_kind::left, ast::table_ref{assoc, assoc_alias, nullptr},
            ast::make_op(ast::op::eq, ast::make_column(&tt, tt.primary_key.front(), owner_alias),
                         ast::make_column(assoc, rel.assoc_to_owner, assoc_alias))});
        on = ast::make_op(ast::op::eq, ast::make_column(assoc, rel.assoc_to_target, assoc_alias),
                          ast::make_column(&ut, ut.primary_key.front(), alias));
    } else {
        on = ast::make_op(ast::op::eq, ast::make_column(&tt, tt.primary_key.front(), owner_alias),
                          ast::make_column(&ut, rel.target_fk, alias));
    }
    sel.joins.push_back(ast::join{ast::join_kind::left, ast::table_ref{&ut, alias, nullptr}, std::move(on)});
}

/// Reads the joined target of one row into the owner's relationship; returns it (null: no match).
std::shared_ptr<void> joined_read(driver::statement& st, int offset, const std::shared_ptr<void>& owner,
                                  session_impl& s, const loader_node& n) {
    const relationship_info& rel = rel_of(n);
    if (st.is_null(offset + rel.target().table->primary_key.front())) return nullptr;
    std::shared_ptr<void> child = rel.read_target(st, &s, offset);
    void* m = at(owner.get(), rel.offset);
    rel.ops->add(m, child);  // many: appended unless present; one: points to it
    if (!rel.collection) rel.ops->set_loaded(m, false);  // finished by joined_end
    set_back(scalar_back(rel), child.get(), owner);
    return child;
}

bool joined_is_loaded(const std::shared_ptr<void>& owner, const loader_node& n) {
    const relationship_info& rel = rel_of(n);
    return rel.ops->loaded(at(owner.get(), rel.offset));
}
void joined_begin(const std::shared_ptr<void>& owner, const loader_node& n) {
    const relationship_info& rel = rel_of(n);
    void* m = at(owner.get(), rel.offset);
    rel.ops->clear(m);
    rel.ops->set_loaded(m, false);
}
void joined_end(const std::shared_ptr<void>& owner, session_impl& s, const loader_node& n) {
    const record_layout& ol = n.owner_layout();
    const relationship_info& rel = ol.rels[n.rel_index];
    rel.ops->set_loaded(at(owner.get(), rel.offset), true);
    if (rel.many_to_many)
        if (record_base* r = find_record(&s, ol, owner.get())) r->assoc_snapshot(n.rel_index);
}

}  // namespace

object_list load_objects(session_impl& s, ast::select base, const std::vector<loader_node>& loaders,
                         entity_reader read, row_sink on_row, const named_params* named) {
    struct joined {
        const loader_node* node;
        int offset;
        std::unordered_set<const void*> filling;  // owners whose relationship this query fills
        object_list children;
        std::unordered_set<const void*> seen_children;
    };
    std::vector<joined> joins;
    int offset = static_cast<int>(base.entities.front().table->columns.size());
    // A joined collection (or reverse one-to-one) can multiply its owner's rows: under LIMIT/OFFSET the limit would
    // count joined rows (owners cut off, collections cut in half). Such a collection is loaded
    // with a second SELECT ... IN instead (SQLAlchemy wraps the limited SELECT in a subquery).
    const bool limited = base.limit || base.offset;
    std::vector<loader_node> as_selectin;
    for (const auto& l : loaders) {
        if (l.strategy != load_strategy::joined) continue;
        if (limited && !rel_of(l).many_to_one) {
            as_selectin.push_back(l);
            as_selectin.back().strategy = load_strategy::selectin;
            continue;
        }
        joined_augment(base, l.owner->name.substr(0, 20) + "_j" + std::to_string(joins.size() + 1), l);
        joins.push_back(joined{&l, offset, {}, {}, {}});
        offset += l.width;
    }
    std::vector<value> params;
    const std::string& sql = compile_select_sql(base, s.dialect(), params, named);
    object_list out;
    std::unordered_set<const void*> seen;
    {
        auto lease = s.run(sql, params, s.slot_of(base));
        while (lease->step()) {
            std::shared_ptr<void> obj = read(*lease, &s, 0);
            const bool first_time = seen.insert(obj.get()).second;
            if (first_time) out.push_back(obj);
            for (auto& j : joins) {
                if (first_time && !joined_is_loaded(obj, *j.node)) {
                    j.filling.insert(obj.get());
                    joined_begin(obj, *j.node);
                }
                if (!j.filling.count(obj.get())) continue;
                if (auto child = joined_read(*lease, j.offset, obj, s, *j.node))
                    if (j.seen_children.insert(child.get()).second) j.children.push_back(std::move(child));
            }
            if (on_row.fn) on_row.fn(on_row.ctx, *lease, obj, offset);
        }
    }
    for (auto& j : joins) {
        for (auto& o : out)
            if (j.filling.count(o.get())) joined_end(o, s, *j.node);
        for (const auto& n : j.node->nested) {
            if (n.strategy == load_strategy::joined) {
                loader_node as_selectin = n;  // joined under joined: one more query instead
                as_selectin.strategy = load_strategy::selectin;
                apply_loader(s, j.children, as_selectin);
            } else {
                apply_loader(s, j.children, n);
            }
        }
    }
    for (const auto& l : loaders)
        if (l.strategy != load_strategy::joined) apply_loader(s, out, l);
    for (const auto& l : as_selectin) apply_loader(s, out, l);
    return out;
}

}  // namespace dorm::detail
