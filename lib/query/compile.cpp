// dorm::detail::compile_*: a statement tree to SQL text and parameters (the printer is
// sql_writer, lib/query/print_*.cpp); SELECTs go through the shape cache and the statement's memo.
#include <dorm/query/ast.hpp>

#include "query/shape_cache.hpp"
#include "query/sql_writer.hpp"

namespace dorm::detail {

const std::string& compile_select_sql(const ast::select& s, dialect d, std::vector<value>& params,
                                      const named_params* named) {
    // the same statement object again: its memo (made on its second compile) has the SQL
    if (const ast::compiled_memo* m = s.memo.get(); m && m->fits(s, d)) {
        m->collect(s, params, named);
        return m->sql;
    }
    auto& cache = select_shape_cache::instance();
    const std::string* sql = cache.lookup(s, d, params, named);
    if (!sql) {
        thread_local std::string printed;
        printed.clear();
        params.clear();
        std::vector<const void*> origins;
        sql_writer w(d, printed, params);
        w.track_origins(&origins);
        w.named_values(named);
        w.select(s);
        sql = cache.store(s, d, printed, params, origins);
        if (!sql) return printed;
    }
    if (s.memo.compiled_before() && !s.memo.get()) {
        const ast::compiled_memo* m = s.memo.offer(cache.make_memo(s, d).release());
        if (m && m->fits(s, d)) return m->sql;
    }
    return *sql;
}

const std::string& compile_select_sql(const ast::lazy_select& s, dialect d, std::vector<value>& params,
                                      const named_params* named) {
    if (const ast::select_recipe* r = s.recipe()) return select_shape_cache::instance().recipe_sql(*r, d, params);
    return compile_select_sql(s.tree(), d, params, named);
}

compiled compile_select(const ast::select& s, dialect d) {
    compiled c;
    c.sql = compile_select_sql(s, d, c.params);
    return c;
}
compiled compile_select(const ast::select& s, dialect d, named_params named) {
    compiled c;
    c.sql = compile_select_sql(s, d, c.params, &named);
    return c;
}
compiled compile_insert(const ast::insert& s, dialect d) {
    compiled c;
    sql_writer(d, c.sql, c.params).insert(s);
    return c;
}
compiled compile_update(const ast::update& s, dialect d) {
    compiled c;
    sql_writer(d, c.sql, c.params).update(s);
    return c;
}
compiled compile_delete(const ast::delete_& s, dialect d) {
    compiled c;
    sql_writer(d, c.sql, c.params).delete_(s);
    return c;
}

}  // namespace dorm::detail
