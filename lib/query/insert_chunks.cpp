// detail::insert_statements: a bulk insert's rows cut into INSERT statements of at most
// max_params parameters, rows with generated keys apart from rows that give theirs.
#include <dorm/query/dml.hpp>

#include <algorithm>

namespace dorm::detail {

std::vector<ast::insert> insert_statements(const schema::table& t, const std::vector<std::vector<value>>& generated,
                                           const std::vector<std::vector<value>>& keyed, ast::insert::conflict mode,
                                           const std::vector<int>& conflict, const std::vector<int>& update,
                                           int max_params) {
    std::vector<ast::insert> out;
    for (int with_key = 0; with_key < 2; ++with_key) {
        const auto& rows = with_key ? keyed : generated;
        if (rows.empty()) continue;
        std::vector<int> cols;
        for (int i = 0; i < static_cast<int>(t.columns.size()); ++i)
            if (with_key || i != t.autoincrement_column) cols.push_back(i);
        const std::size_t per =
            cols.empty() ? 1 : std::max<std::size_t>(1, static_cast<std::size_t>(max_params) / cols.size());
        for (std::size_t i = 0; i < rows.size(); i += per) {
            ast::insert ins;
            ins.table = &t;
            ins.columns = cols;
            ins.on_conflict = mode;
            ins.conflict_columns = conflict;
            ins.update_columns = update;
            for (std::size_t r = i; r < std::min(rows.size(), i + per); ++r) {
                std::vector<value> row;
                for (int c : cols) row.push_back(rows[r][static_cast<std::size_t>(c)]);
                ins.rows.push_back(std::move(row));
            }
            out.push_back(std::move(ins));
        }
    }
    return out;
}

}  // namespace dorm::detail
