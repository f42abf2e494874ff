#pragma once
// The WHERE conditions that find one row of a table by its key: `<pk> = ?` for the session's
// lookups and the flush's UPDATEs, `<pk> = ? AND <version> = ?` where a dorm::version column is
// matched too. The parameters are placeholders; the caller binds the key (then the version).
#include <vector>

#include <dorm/query/ast.hpp>
#include <dorm/schema/table.hpp>

namespace dorm::detail {

/// `<pk column> = ?` per primary-key column, in primary-key order.
std::vector<ast::expr_ptr> pk_condition(const schema::table& t);

/// pk_condition, then `<version> = ?` on a table with a dorm::version column.
std::vector<ast::expr_ptr> versioned_condition(const schema::table& t);

}  // namespace dorm::detail
