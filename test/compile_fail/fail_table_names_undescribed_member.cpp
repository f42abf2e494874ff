// expect: DORM_TABLE names a member that is not listed in BOOST_DESCRIBE_STRUCT
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Account {
    int id = 0;
    std::string name;
    std::string secret;
};
BOOST_DESCRIBE_STRUCT(Account, (), (id, name))
DORM_TABLE(Account, "account", (secret, dorm::unique))

const auto& table = dorm::table_of<Account>();
