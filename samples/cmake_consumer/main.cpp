// A program that uses an installed dorm from CMake (find_package(dorm CONFIG), dorm::dorm):
// two models with a one-to-many relationship on an in-memory SQLite database. It checks what
// it reads back and exits non-zero on any difference.
#include <dorm/dorm.hpp>

#include <exception>
#include <iostream>
#include <string>

struct Book;

struct Author {
    int id = 0;
    std::string name;
    dorm::many<Book> books;
};
BOOST_DESCRIBE_STRUCT(Author, (), (id, name, books))
DORM_TABLE(Author, "author", (name, dorm::varchar(40)), (books, dorm::back_populates("author")))

struct Book {
    int id = 0;
    std::string title;
    int author_id = 0;
    dorm::one<Author> author;
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title, author_id, author))
DORM_TABLE(Book, "book", (author_id, dorm::foreign_key(&Author::id)), (author, dorm::back_populates("books")))

namespace {

int failures = 0;

void check(bool ok, char const* what) {
    if (!ok) {
        std::cerr << "cmake_consumer: FAILED: " << what << '\n';
        ++failures;
    }
}

}  // namespace

int main() {
    try {
        auto engine = dorm::create_engine("sqlite://");
        dorm::metadata<Author, Book> meta;
        meta.create_all(engine);

        dorm::session session(engine);
        // Designated initializers that skip the relationship members: dorm::dorm's compile
        // options keep -Wextra quiet about them, as dorm_dep does for Meson users.
        auto author = session.add(Author{.name = "Ursula"});
        author->books.push_back(std::make_shared<Book>(Book{.title = "The Dispossessed"}));
        author->books.push_back(std::make_shared<Book>(Book{.title = "The Lathe of Heaven"}));
        session.commit();
        check(author->id != 0, "the author got a generated key");

        using dorm::col;
        auto books = session.execute(dorm::select<Book>().order_by(col(&Book::title))).all();
        check(books.size() == 2, "two books");
        if (books.size() == 2) {
            check(books[0]->title == "The Dispossessed", "first title");
            check(books[1]->title == "The Lathe of Heaven", "second title");
            check(books[0]->author_id == author->id, "foreign key set at flush");
            check(books[0]->author.get() == author, "identity map: the book's author is the same object");
        }
        auto count = session.execute(dorm::select(dorm::count()).select_from<Book>()).scalar_one();
        check(count == 2, "count()");
        auto ursula = session.execute(dorm::select<Author>().where(col(&Author::name) == "Ursula")).scalar_one();
        check(ursula.get() == author.get(), "one object per row");

        std::cout << "books by " << ursula->name << ": " << count << '\n';
        for (auto const& book : books) std::cout << book->title << '\n';
    } catch (std::exception const& e) {
        std::cerr << "cmake_consumer: error: " << e.what() << '\n';
        return 1;
    }
    return failures == 0 ? 0 : 1;
}
