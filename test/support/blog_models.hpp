#pragma once
// User / Profile / Comment: the blog models of the README tutorial (samples/orm_script.cpp),
// shared by test/support, test/sql and test/compile_fail (each models.hpp includes this file).
// NOT NULL foreign keys, no delete cascade. The dry SQL tests print these columns: adding one
// changes their expected SQL.
#include <string>

#include <boost/describe.hpp>

#include <dorm/reflect/table_macro.hpp>
#include <dorm/session/relationship.hpp>

struct Profile;
struct Comment;

struct User {
    int id = 0;
    std::string name;
    int age = 0;
    dorm::many<Comment> comments;  // one-to-many
    dorm::one<Profile> profile;    // one-to-one (FK lives on Profile)
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, age, comments, profile))
DORM_TABLE(User, "user_table",
           (id, dorm::primary_key),
           (name, dorm::varchar(30)),
           (comments, dorm::back_populates("user")),
           (profile, dorm::back_populates("user")))

struct Profile {
    int id = 0;
    std::string profile;
    int user_id = 0;
    dorm::one<User> user;  // many-to-one side of the 1:1
};
BOOST_DESCRIBE_STRUCT(Profile, (), (id, profile, user_id, user))
DORM_TABLE(Profile, "profile_table",
           (id, dorm::primary_key),
           (profile, dorm::varchar(30)),
           (user_id, dorm::foreign_key(&User::id)),
           (user, dorm::back_populates("profile")))

struct Comment {
    int id = 0;
    std::string comment;
    int user_id = 0;
    dorm::one<User> user;
};
BOOST_DESCRIBE_STRUCT(Comment, (), (id, comment, user_id, user))
DORM_TABLE(Comment, "comment_table",
           (id, dorm::primary_key),
           (comment, dorm::varchar(30)),
           (user_id, dorm::foreign_key(&User::id)),
           (user, dorm::back_populates("comments")))
