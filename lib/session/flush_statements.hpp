#pragma once
// The SQL text of a flush's writes, compiled once per (table, kind, changed columns) and kept for
// the rest of the flush: INSERT with every column or without the generated key (RETURNING it where
// the dialect reads generated keys that way), UPDATE of a set of columns by key (and version),
// DELETE by key (and version).
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <dorm/dialect/dialect.hpp>
#include <dorm/session/detail/record.hpp>

namespace dorm::detail {

/// update_versioned: UPDATE ... WHERE <pk> AND <version> = ? (tables with a dorm::version
/// column; delete_ matches the version on those tables too).
/// insert_all_rows / insert_generated_rows: one INSERT of several rows (`mask` is the row count),
/// the second without the generated key (see dialect_hooks::multi_row_insert_keys).
enum class write_kind { insert_all, insert_generated, update, update_versioned, delete_, insert_all_rows,
                        insert_generated_rows };

/// The columns an UPDATE of `mask` sets, in the order of its SET list (ascending).
std::vector<int> update_columns(column_mask mask);

class flush_statements {
public:
    explicit flush_statements(dorm::dialect d);
    flush_statements(const flush_statements&) = delete;
    flush_statements& operator=(const flush_statements&) = delete;

    /// Whether an insert_generated INSERT returns the generated key as a row (INSERT ...
    /// RETURNING); otherwise the driver's last insert id is read.
    bool returning() const noexcept { return returning_; }
    /// The SQL of a `k` statement on `t` (`mask`: the columns an UPDATE sets, the row count of a
    /// multi-row INSERT, 0 otherwise). The
    /// string stays at the same address as long as this object: write_runner keys on it.
    const std::string& sql(const schema::table* t, write_kind k, column_mask mask = 0);

private:
    dorm::dialect dialect_;
    bool returning_;
    std::map<std::tuple<const schema::table*, write_kind, column_mask>, std::string> cache_;
};

}  // namespace dorm::detail
