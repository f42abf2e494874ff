// expect: dorm: this member's type cannot be stored
#include <map>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Bag {
    int id = 0;
    std::map<int, int> counts;
};
BOOST_DESCRIBE_STRUCT(Bag, (), (id, counts))

const auto& table = dorm::table_of<Bag>();
