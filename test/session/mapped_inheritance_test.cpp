// Mapped structs that inherit columns from described bases (SQLAlchemy's declarative mixins:
// https://docs.sqlalchemy.org/en/20/orm/declarative_mixins.html), on every backend:
//  - the columns of every base come first, in base order, then the struct's own; a DORM_TABLE
//    entry may give options to an inherited member (varchar, version, a foreign key);
//  - a member function listed in BOOST_DESCRIBE_STRUCT is no column;
//  - a foreign key to an inherited primary key is written foreign_key<Parent>(&Parent::id) (the
//    plain form would name the base that declares `id`);
//  - objects are added, read, changed, related and deleted as any other.
#define BOOST_TEST_MODULE mapped_inheritance
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"

using dorm::col;

namespace mi {

// the mixins: a generated key, and an audit pair with a version counter
struct Keyed {
    int id = 0;
};
BOOST_DESCRIBE_STRUCT(Keyed, (), (id))

struct Audited {
    std::string changed_by;
    int revision = 0;
};
BOOST_DESCRIBE_STRUCT(Audited, (), (changed_by, revision))

struct Book;

struct Author : Keyed, Audited {
    std::string name;
    dorm::many<Book> books;
    std::string shelf_label() const { return "A-" + name; }  // described, but not a column
};
BOOST_DESCRIBE_STRUCT(Author, (Keyed, Audited), (name, books, shelf_label))
DORM_TABLE(Author, "mi_author",
           (name, dorm::varchar(40), dorm::unique),
           (changed_by, dorm::varchar(20)),
           (revision, dorm::version),
           (books, dorm::back_populates("author"), dorm::cascade("all, delete-orphan")))

struct Book : Keyed {
    std::string title;
    int author_id = 0;
    dorm::one<Author> author;
};
BOOST_DESCRIBE_STRUCT(Book, (Keyed), (title, author_id, author))
DORM_TABLE(Book, "mi_book",
           (title, dorm::varchar(60)),
           (author_id, dorm::foreign_key<Author>(&Author::id), dorm::on_delete(dorm::fk_action::cascade)))

static_assert(std::is_same_v<decltype(dorm::foreign_key<Author>(&Author::id))::parent_type, Author>);
static_assert(std::is_same_v<decltype(dorm::foreign_key(&Author::id))::parent_type, Keyed>,
              "the plain form names the class that declares the member");

using library_db = dorm_test::database<Author, Book>;

}  // namespace mi

using namespace mi;

BOOST_AUTO_TEST_SUITE(mapped_inheritance)

BOOST_AUTO_TEST_CASE(the_columns_of_the_bases_come_first_and_a_described_function_is_none) {
    const auto& a = dorm::table_of<Author>();
    BOOST_CHECK_EQUAL(a.name, "mi_author");
    std::vector<std::string> names;
    for (const auto& c : a.columns) names.push_back(c.name);
    const std::vector<std::string> expected{"id", "changed_by", "revision", "name"};
    BOOST_CHECK_EQUAL_COLLECTIONS(names.begin(), names.end(), expected.begin(), expected.end());
    BOOST_REQUIRE_EQUAL(a.primary_key.size(), 1u);
    BOOST_CHECK_EQUAL(a.columns[a.primary_key[0]].name, "id");
    BOOST_CHECK(a.columns[0].autoincrement);
    BOOST_CHECK_EQUAL(a.columns[1].length, 20);  // an option on an inherited member
    BOOST_CHECK_EQUAL(a.columns[3].length, 40);
    BOOST_CHECK(a.columns[3].unique);

    const auto& b = dorm::table_of<Book>();
    std::vector<std::string> book_names;
    for (const auto& c : b.columns) book_names.push_back(c.name);
    const std::vector<std::string> book_expected{"id", "title", "author_id"};
    BOOST_CHECK_EQUAL_COLLECTIONS(book_names.begin(), book_names.end(), book_expected.begin(), book_expected.end());
    BOOST_REQUIRE(b.columns[2].references != nullptr);
    BOOST_CHECK_EQUAL(b.columns[2].references().name, "mi_author");  // not a table for the mixin
    BOOST_CHECK_EQUAL(b.columns[2].references_column, 0);
}

BOOST_FIXTURE_TEST_CASE(objects_with_inherited_columns_round_trip_and_relate, library_db) {
    int author_id = 0;
    {
        dorm::session s(engine);
        Author ann;
        ann.name = "Ann";
        ann.changed_by = "import";
        auto a = s.add(std::move(ann));
        auto b1 = std::make_shared<Book>();
        b1->title = "First";
        auto b2 = std::make_shared<Book>();
        b2->title = "Second";
        a->books.push_back(b1);
        a->books.push_back(b2);
        s.commit();
        BOOST_CHECK_GT(a->id, 0);
        BOOST_CHECK_EQUAL(a->revision, 1);  // the version column lives in the mixin
        BOOST_CHECK_EQUAL(b1->author_id, a->id);
        BOOST_CHECK_EQUAL(b2->author_id, a->id);
        BOOST_CHECK_NE(b1->id, b2->id);
        author_id = a->id;
    }
    BOOST_CHECK_EQUAL(rows("mi_book"), 2);
    {
        dorm::session s(engine);
        auto a = s.execute(dorm::select<Author>().where(col<Author>(&Author::changed_by) == "import")).scalar_one();
        BOOST_CHECK_EQUAL(a->id, author_id);
        BOOST_CHECK_EQUAL(a->name, "Ann");
        BOOST_CHECK_EQUAL(a->shelf_label(), "A-Ann");
        BOOST_CHECK_EQUAL(a->books.size(), 2u);
        auto by_id = s.execute(dorm::select<Book>().where(col<Book>(&Book::id) == a->books[0]->id)).scalar_one();
        BOOST_CHECK(by_id == a->books[0]);  // one object per row
        BOOST_CHECK(by_id->author.get() == a);

        a->changed_by = "editor";  // an inherited column: a dirty change like any other
        s.commit();
        BOOST_CHECK_EQUAL(a->revision, 2);
    }
    {
        dorm::session s(engine);
        auto a = s.get<Author>(author_id);
        BOOST_REQUIRE(a);
        BOOST_CHECK_EQUAL(a->changed_by, "editor");
        BOOST_CHECK_EQUAL(a->revision, 2);
        auto b = s.execute(dorm::select<Book>().where(col(&Book::title) == "Second")).scalar_one();
        a->books.remove(b);  // delete-orphan
        s.commit();
        BOOST_CHECK_EQUAL(rows("mi_book"), 1);
        s.remove(a);  // delete cascade
        s.commit();
    }
    BOOST_CHECK_EQUAL(rows("mi_author"), 0);
    BOOST_CHECK_EQUAL(rows("mi_book"), 0);
}

BOOST_FIXTURE_TEST_CASE(a_stale_version_in_a_mixin_column_is_a_stale_data_error, library_db) {
    const int id = dorm_test::seed(engine, std::vector<Author>{[] {
                                       Author a;
                                       a.name = "Bo";
                                       return a;
                                   }()})[0];
    dorm::session first(engine);
    dorm::session second(engine);
    auto a1 = first.get<Author>(id);
    first.commit();  // (each read ends its transaction: SQLite allows one writer)
    auto a2 = second.get<Author>(id);
    second.commit();
    a1->name = "Bo 1";
    first.commit();
    a2->name = "Bo 2";
    std::string table = "<no stale_data_error>";
    try {
        second.commit();
    } catch (const dorm::stale_data_error& e) {
        table = e.table();
        BOOST_CHECK(e.version().has_value() && *e.version() == 1);
    }
    BOOST_CHECK_EQUAL(table, "mi_author");
    second.rollback();
    dorm::session check(engine);
    BOOST_CHECK_EQUAL(check.get<Author>(id)->name, "Bo 1");
}

BOOST_AUTO_TEST_SUITE_END()
