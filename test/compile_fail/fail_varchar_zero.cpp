// expect: dorm::varchar(n) needs a positive length
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Note {
    int id = 0;
    std::string text;
};
BOOST_DESCRIBE_STRUCT(Note, (), (id, text))
DORM_TABLE(Note, "note", (text, dorm::varchar(0)))

const auto& table = dorm::table_of<Note>();
