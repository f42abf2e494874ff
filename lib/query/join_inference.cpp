// detail::infer_join_condition: the ON clause of a join() without one, from the one foreign key
// that links the joined table to the selected ones.
#include <dorm/query/select.hpp>

#include <dorm/error.hpp>

namespace dorm::detail {

ast::expr_ptr infer_join_condition(const std::vector<const schema::table*>& left, const schema::table* right) {
    std::vector<ast::expr_ptr> found;
    // target.key = holder.fk for each foreign key of `holder` that references `target`
    auto links = [&found](const schema::table* holder, const schema::table* target) {
        for (std::size_t i = 0; i < holder->columns.size(); ++i) {
            const auto& c = holder->columns[i];
            if (c.references && &c.references() == target)
                found.push_back(ast::make_op(ast::op::eq, {ast::make_column(target, c.references_column),
                                                           ast::make_column(holder, static_cast<int>(i))}));
        }
    };
    for (const auto* l : left) {
        links(right, l);
        if (l != right) links(l, right);
    }
    if (found.size() != 1)
        throw argument_error("dorm: can't determine the join to table '" + right->name + "': " +
                             (found.empty() ? "no foreign key links it" : "more than one foreign key links it") +
                             " to the selected tables; pass the ON clause explicitly");
    return found.front();
}

}  // namespace dorm::detail
