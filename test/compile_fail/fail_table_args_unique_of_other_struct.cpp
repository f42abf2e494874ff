// expect: dorm: dorm::unique(...) in table_args must name column members of the struct
// A member pointer of another struct in the table's multi-column UNIQUE.
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

struct Author {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Author, (), (id, name))

struct Book {
    int id = 0;
    int author_id = 0;
    std::string title;
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, author_id, title))
DORM_TABLE(Book, "book", (title, dorm::varchar(50)), (table_args, dorm::unique(&Book::title, &Author::name)))

const auto& table = dorm::table_of<Book>();
