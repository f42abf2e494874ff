#pragma once
// Valid models shared by the compile_fail cases (pass_control.cpp checks that they compile).
// User / Profile / Comment come from test/support/blog_models.hpp.
#include <optional>
#include <string>

#include <boost/describe.hpp>

#include <dorm/query/dml.hpp>
#include <dorm/query/select.hpp>
#include <dorm/reflect/table_macro.hpp>

#include "blog_models.hpp"

// two foreign keys to User: join<Message>() from User is ambiguous
struct Message {
    int id = 0;
    int sender_id = 0;
    int recipient_id = 0;
};
BOOST_DESCRIBE_STRUCT(Message, (), (id, sender_id, recipient_id))
DORM_TABLE(Message, "message",
           (sender_id, dorm::foreign_key(&User::id)),
           (recipient_id, dorm::foreign_key(&User::id)))

// no foreign key to anything
struct Tag {
    int id = 0;
    std::string label;
};
BOOST_DESCRIBE_STRUCT(Tag, (), (id, label))

// a nullable column, for comparisons and updates with std::nullopt
struct Rating {
    int id = 0;
    std::optional<int> score;
};
BOOST_DESCRIBE_STRUCT(Rating, (), (id, score))

// one-to-many with a valid cascade (the fail_cascade_* cases misuse dorm::cascade)
struct OrderLine;
struct Order {
    int id = 0;
    dorm::many<OrderLine> lines;
};
struct OrderLine {
    int id = 0;
    int order_id = 0;
    dorm::one<Order> order;
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, lines))
BOOST_DESCRIBE_STRUCT(OrderLine, (), (id, order_id, order))
DORM_TABLE(Order, "orders", (lines, dorm::cascade("all, delete-orphan"), dorm::back_populates("order")))
DORM_TABLE(OrderLine, "order_line",
           (order_id, dorm::foreign_key(&Order::id)),
           (order, dorm::back_populates("lines")))
