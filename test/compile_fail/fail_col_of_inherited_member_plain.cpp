// expect: col<Derived>(&Derived::member)
// col(&Author::name) of a member declared in a base names the base (here a struct without a key).
#include <string>

#include <dorm/dorm.hpp>

struct Named {
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Named, (), (name))

struct Author : Named {
    int id = 0;
};
BOOST_DESCRIBE_STRUCT(Author, (Named), (id))

auto query = dorm::select<Author>().where(dorm::col(&Author::name) == "Ann");
