// expect: dorm::foreign_key<Other>(&Other::id)
// A mixin declares the key: foreign_key(&Author::id) names the mixin (the type of &Author::id is
// `int Keyed::*`), so the relationship finds no foreign key to Author; the sentence says how to
// name Author.
#include <string>

#include <dorm/dorm.hpp>

struct Keyed {
    int id = 0;
};
BOOST_DESCRIBE_STRUCT(Keyed, (), (id))

struct Book;
struct Author : Keyed {
    std::string name;
    dorm::many<Book> books;
};
BOOST_DESCRIBE_STRUCT(Author, (Keyed), (name, books))

struct Book : Keyed {
    int author_id = 0;
    dorm::one<Author> author;
};
BOOST_DESCRIBE_STRUCT(Book, (Keyed), (author_id, author))
DORM_TABLE(Book, "book", (author_id, dorm::foreign_key(&Author::id)))

const auto& table = dorm::table_of<Author>();
