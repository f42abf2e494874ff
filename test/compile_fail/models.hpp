#pragma once
// Valid models shared by the compile_fail cases (pass_control.cpp checks that they compile).
#include <optional>
#include <string>

#include <boost/describe.hpp>

#include <dorm/query/dml.hpp>
#include <dorm/query/select.hpp>
#include <dorm/reflect/table_macro.hpp>

struct Profile;
struct Comment;

struct User {
    int id = 0;
    std::string name;
    int age = 0;
    dorm::many<Comment> comments;
    dorm::one<Profile> profile;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, age, comments, profile))
DORM_TABLE(User, "user_table",
           (id, dorm::primary_key),
           (name, dorm::varchar(30)),
           (comments, dorm::back_populates("user"), dorm::cascade("all, delete-orphan")),
           (profile, dorm::back_populates("user")))

struct Profile {
    int id = 0;
    std::string profile;
    int user_id = 0;
    dorm::one<User> user;
};
BOOST_DESCRIBE_STRUCT(Profile, (), (id, profile, user_id, user))
DORM_TABLE(Profile, "profile_table",
           (user_id, dorm::foreign_key(&User::id)),
           (user, dorm::back_populates("profile")))

struct Comment {
    int id = 0;
    std::string comment;
    int user_id = 0;
    std::optional<int> score;
    dorm::one<User> user;
};
BOOST_DESCRIBE_STRUCT(Comment, (), (id, comment, user_id, score, user))
DORM_TABLE(Comment, "comment_table",
           (user_id, dorm::foreign_key(&User::id)),
           (user, dorm::back_populates("comments")))

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
