// expect: dorm: an enum member must be described
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

enum class Mood { happy, sad };

struct Diary {
    int id = 0;
    Mood mood = Mood::happy;
};
BOOST_DESCRIBE_STRUCT(Diary, (), (id, mood))

const auto& table = dorm::table_of<Diary>();
