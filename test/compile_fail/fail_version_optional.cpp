// expect: a dorm::version column must be NOT NULL
#include <optional>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Page {
    int id = 0;
    std::optional<int> version;
};
BOOST_DESCRIBE_STRUCT(Page, (), (id, version))
DORM_TABLE(Page, "page", (version, dorm::version))

const auto& table = dorm::table_of<Page>();
