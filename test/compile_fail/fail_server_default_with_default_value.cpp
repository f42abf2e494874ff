// expect: a column takes dorm::default_value(v) (a literal) or dorm::server_default("sql") (an SQL expression), not both
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Event {
    int id = 0;
    std::string created;
};
BOOST_DESCRIBE_STRUCT(Event, (), (id, created))
DORM_TABLE(Event, "event",
           (created, dorm::varchar(30), dorm::default_value("never"), dorm::server_default("CURRENT_TIMESTAMP")))

const auto& table = dorm::table_of<Event>();
