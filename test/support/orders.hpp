#pragma once
// Test support: an order and its lines, the transaction the crash and restart tests
// (test/concurrency) commit over and over. Keys are explicit; an order's n_lines and total must
// match its lines, so a half-written transaction shows.
#include <cstdint>
#include <string>

#include <boost/describe.hpp>

#include <dorm/reflect/table_macro.hpp>

namespace orders {

struct Order {
    std::int64_t id = 0;
    std::int64_t seq = 0;  ///< the transaction's number: 1, 2, 3, ... in commit order
    int n_lines = 0;
    std::int64_t total = 0;  ///< the sum of its lines' amounts
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, seq, n_lines, total))
DORM_TABLE(Order, "sales_order", (id, dorm::primary_key), (seq, dorm::unique))

struct Line {
    std::int64_t id = 0;
    std::int64_t order_id = 0;
    int line_no = 0;
    std::int64_t amount = 0;
    std::string pad;  ///< filler (the crash test writes a few hundred bytes: a transaction spans pages)
};
BOOST_DESCRIBE_STRUCT(Line, (), (id, order_id, line_no, amount, pad))
DORM_TABLE(Line, "sales_line", (id, dorm::primary_key), (order_id, dorm::foreign_key(&Order::id), dorm::index))

}  // namespace orders
