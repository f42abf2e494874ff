// expect: dorm::version applies to an integer member
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Page {
    int id = 0;
    std::string revision;
};
BOOST_DESCRIBE_STRUCT(Page, (), (id, revision))
DORM_TABLE(Page, "page", (revision, dorm::version))

const auto& table = dorm::table_of<Page>();
