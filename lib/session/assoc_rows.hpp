#pragma once
// What a record remembers of its many-to-many collections (record_base::assoc_db_): per
// relationship index, the (object, key) pairs as last written or loaded. In lib/ so that user
// translation units do not compile its containers.
#include <cstddef>
#include <utility>
#include <vector>

#include <dorm/engine/value.hpp>

namespace dorm::detail {

struct assoc_rows {
    std::vector<std::vector<std::pair<const void*, value>>> by_rel;
};

/// The rows of relationship `index`, made (empty) on first use.
inline std::vector<std::pair<const void*, value>>& assoc_rows_of(assoc_rows*& rows, std::size_t index) {
    if (!rows) rows = new assoc_rows;
    if (rows->by_rel.size() <= index) rows->by_rel.resize(index + 1);
    return rows->by_rel[index];
}

}  // namespace dorm::detail
