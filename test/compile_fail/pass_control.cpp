// expect: compiles
// Positive control: correct uses of everything the other cases misuse, with the same flags and
// include paths. If this fails, every fail_* result is meaningless.
#include <dorm/schema/metadata.hpp>
#include <dorm/session/session.hpp>

#include "models.hpp"

using dorm::col;

void control(dorm::session& s) {
    (void)dorm::table_of<User>();
    (void)dorm::metadata<User, Profile, Comment, Message, Tag, Rating, Order, OrderLine>{}.ddl(
        dorm::dialect::sqlite);
    auto q = dorm::select<User>()
                 .where(col(&User::name) == "Alice" && col(&User::age) > 30)
                 .where(col(&User::name).like("A%") || col(&User::age) == std::nullopt)
                 .join<Comment>()
                 .where(col(&Comment::id) == 1)
                 .order_by(col(&Comment::id).desc());
    (void)dorm::compile(q, dorm::dialect::sqlite);
    (void)dorm::select(col(&User::name), dorm::count(col(&Comment::id)))
        .join<Comment>()
        .group_by(col(&User::name))
        .having(dorm::count(col(&Comment::id)) > 1);
    (void)dorm::select<User>().join<Message>(col(&Message::sender_id) == col(&User::id));
    (void)dorm::select<Comment>().join<User>();
    (void)dorm::select<User>().join<Tag>(col(&Tag::id) == col(&User::id));
    (void)(col(&User::age) + 1 > col(&User::id));
    (void)col(&User::age).in({1, 2});
    (void)dorm::select(col(&User::id)).scalar_subquery();
    (void)dorm::update<User>().set(col(&User::age), 31);
    s.add(User{.name = "Bob"});
    s.add(Comment{});
    s.add(Profile{});
    (void)s.get<User>(1);
}
