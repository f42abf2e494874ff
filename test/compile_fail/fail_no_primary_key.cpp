// expect: dorm: this struct has no primary key
// No member named `id` and no dorm::primary_key.
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Setting {
    std::string key;
    std::string value;
};
BOOST_DESCRIBE_STRUCT(Setting, (), (key, value))

const auto& table = dorm::table_of<Setting>();
