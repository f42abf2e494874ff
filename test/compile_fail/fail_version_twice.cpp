// expect: a table can have at most one dorm::version column
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Page {
    int id = 0;
    int version = 0;
    long long revision = 0;
};
BOOST_DESCRIBE_STRUCT(Page, (), (id, version, revision))
DORM_TABLE(Page, "page", (version, dorm::version), (revision, dorm::version))

const auto& table = dorm::table_of<Page>();
