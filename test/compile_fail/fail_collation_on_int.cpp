// expect: dorm::collation("name") applies to a string member
#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Score {
    int id = 0;
    int points = 0;
};
BOOST_DESCRIBE_STRUCT(Score, (), (id, points))
DORM_TABLE(Score, "score", (points, dorm::collation("utf8mb4_general_ci")))

const auto& table = dorm::table_of<Score>();
