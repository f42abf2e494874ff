// expect: a dorm::version column cannot be part of the primary key
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Page {
    std::string slug;
    int version = 0;
};
BOOST_DESCRIBE_STRUCT(Page, (), (slug, version))
DORM_TABLE(Page, "page", (slug, dorm::primary_key, dorm::varchar(40)), (version, dorm::primary_key, dorm::version))

const auto& table = dorm::table_of<Page>();
