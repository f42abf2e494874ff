// expect: compiles
// Every schema option of issue 15 item 6 in one valid set of models: column-level dorm::check
// (unnamed and named, two on one column), dorm::server_default, dorm::on_delete / dorm::on_update
// (cascade, set_null on std::optional and on dorm::nullable, restrict, set_default with a default),
// two (table_args, ...) entries with dorm::unique / dorm::index / dorm::unique_index (named and not)
// and table-level dorm::check; dorm::unique / dorm::index still work as column options. The table
// description is checked at compile time (it is constant data).
#include <chrono>
#include <optional>
#include <string>

#include <boost/describe.hpp>

#include <dorm/schema/table_of.hpp>

enum class Status { available, on_loan };
BOOST_DESCRIBE_ENUM(Status, available, on_loan)

struct Author {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Author, (), (id, name))
DORM_TABLE(Author, "author", (name, dorm::varchar(80), dorm::unique, dorm::check("name <> ''")))

struct Book {
    int id = 0;
    std::string isbn;
    int author_id = 0;
    std::string title;
    int year = 0;
    double price = 0;
    Status status = Status::available;
    std::chrono::sys_seconds added{};
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, isbn, author_id, title, year, price, status, added))
DORM_TABLE(Book, "book",
           (isbn, dorm::varchar(20), dorm::index),
           (author_id, dorm::foreign_key(&Author::id), dorm::on_delete(dorm::fk_action::cascade),
            dorm::on_update(dorm::fk_action::cascade)),
           (title, dorm::varchar(200)),
           (price, dorm::check("price >= 0"), dorm::check("price < 10000", "ck_price_cap"), dorm::check("price <> 13")),
           (added, dorm::server_default("CURRENT_TIMESTAMP")),
           (table_args, dorm::unique(&Book::author_id, &Book::title), dorm::index(&Book::year, &Book::title),
            dorm::check("year > 0 AND year < 3000")),
           (table_args, dorm::index("ix_custom", &Book::title), dorm::unique("uq_custom", &Book::isbn),
            dorm::unique_index(&Book::status, &Book::isbn), dorm::check("year <> 1984", "ck_no_1984"),
            dorm::check("price < 5000 OR year > 1900")))

struct Member {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Member, (), (id, name))

struct Loan {
    int id = 0;
    int book_id = 0;
    std::optional<int> member_id;
    int desk_id = 0;
    int clerk_id = 1;
};
BOOST_DESCRIBE_STRUCT(Loan, (), (id, book_id, member_id, desk_id, clerk_id))
DORM_TABLE(Loan, "loan",
           (book_id, dorm::foreign_key(&Book::id), dorm::on_delete(dorm::fk_action::restrict)),
           (member_id, dorm::foreign_key(&Member::id), dorm::on_delete(dorm::fk_action::set_null)),
           (desk_id, dorm::nullable, dorm::foreign_key(&Member::id), dorm::on_update(dorm::fk_action::set_null)),
           (clerk_id, dorm::foreign_key(&Member::id), dorm::default_value(1),
            dorm::on_delete(dorm::fk_action::set_default)))

using dorm::detail::table_desc_of;
constexpr const auto& book = table_desc_of<Book>::value;
static_assert(book.set_count == 5);
static_assert(book.check_count == 6);  // three on price, three table-level
static_assert(book.sets[0].kind == dorm::detail::column_set_kind::unique && book.sets[0].name == nullptr);
static_assert(book.set_columns[0] == 2 && book.set_columns[1] == 3);  // author_id, title
static_assert(book.sets[4].kind == dorm::detail::column_set_kind::unique_index && book.sets[4].count == 2);
static_assert(book.checks[0].column == 5 && book.checks[3].column == -1);
static_assert(book.columns[2].on_delete == dorm::fk_action::cascade);
static_assert(table_desc_of<Loan>::value.columns[2].on_delete == dorm::fk_action::set_null);
static_assert(table_desc_of<Author>::value.check_count == 1 && table_desc_of<Author>::value.set_count == 0);
static_assert(dorm::detail::column_traits<Status>::length == 64);

const auto& tables = (dorm::table_of<Book>(), dorm::table_of<Loan>());
