// The SQLAlchemy ORM tutorial's script, in C++ (../shared/DESIGN.md). An optional argument
// names the database URL (default sqlite:///example.db).
#include <dorm/dorm.hpp>
#include <iostream>
using dorm::col;

struct Profile;
struct Comment;

struct User {
    int id = 0;
    std::string name;
    int age = 0;
    dorm::many<Comment> comments;   // one-to-many
    dorm::one<Profile> profile;     // one-to-one (FK lives on Profile)
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
    dorm::one<User> user;           // many-to-one side of the 1:1
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

inline dorm::metadata<User, Profile, Comment> Base;

int main(int argc, char** argv) {
    auto engine = dorm::create_engine(argc > 1 ? argv[1] : "sqlite:///example.db", {.echo = true});
    Base.create_all(engine);                       // FK order, IF NOT EXISTS
    dorm::session session(engine);

    auto alice = session.add(User{.name = "Alice", .age = 30});   // std::shared_ptr<User>
    session.commit();                                               // alice->id now set

    auto users = session.execute(dorm::select<User>()).all();       // std::vector<std::shared_ptr<User>>
    auto first = session.execute(dorm::select<User>().where(col(&User::name) == "Alice")).first();
    auto same  = session.execute(dorm::select<User>().where(col(&User::name) == "Alice")).scalar_one();
    // first.get() == same.get() == alice.get(): one row, one object per session

    same->age = 80;           // dirty tracking: no call needed
    session.commit();         // UPDATE user_table SET age=? WHERE id=?  (changed columns only)

    session.remove(alice);    // `delete` is a keyword
    session.commit();

    // relationships: the models above, used
    auto bob = session.add(User{.name = "Bob", .age = 41});
    auto c = std::make_shared<Comment>(Comment{.comment = "hi"});
    bob->comments.push_back(c);      // back_populates: c->user is bob now; cascades c into the session
    bob->profile = session.add(Profile{.profile = "admin"});
    session.commit();                // INSERT user first, then comment/profile with user_id = bob->id
    for (auto& comment : bob->comments) std::cout << comment->comment << '\n';
}
