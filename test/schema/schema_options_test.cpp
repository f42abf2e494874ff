// Schema options of issue 15 item 6, on a library schema: column and table CHECK constraints,
// foreign-key ON DELETE / ON UPDATE actions, server-side SQL defaults, table-level (multi-column)
// UNIQUE constraints and indexes written in a `(table_args, ...)` entry of DORM_TABLE, and enum
// columns wide enough for enumerators added later. First the runtime table descriptions
// (dorm::table_of<T>()) that DDL, diff and migrations read; then what each database does with the
// tables created from them. Every case runs on every backend (DORM_TEST_URL).
#define BOOST_TEST_MODULE schema_options
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"

using dorm::col;
using dorm_test::database;
using dorm_test::q;
using namespace std::chrono;

// ---- models: a small library ------------------------------------------------------------------

enum class Status { available, on_loan, lost };
BOOST_DESCRIBE_ENUM(Status, available, on_loan, lost)

struct Author {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Author, (), (id, name))
DORM_TABLE(Author, "so_author", (name, dorm::varchar(80), dorm::check("name <> ''")))

struct Book {
    int id = 0;
    int author_id = 0;
    std::string title;
    int year = 2000;
    std::string isbn;
    int edition = 1;
    int copies = 1;
    Status status = Status::available;
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, author_id, title, year, isbn, edition, copies, status))
DORM_TABLE(Book, "so_book",
           (author_id, dorm::foreign_key(&Author::id), dorm::on_delete(dorm::fk_action::cascade)),
           (title, dorm::varchar(100), dorm::column_name("book_title")),
           (isbn, dorm::varchar(20)),
           (copies, dorm::check("copies >= 0")),
           (table_args,
            dorm::unique(&Book::author_id, &Book::title),                  // uq_so_book_author_id_book_title
            dorm::index(&Book::year, &Book::title),                        // ix_so_book_year_book_title
            dorm::index("ix_so_book_custom", &Book::title),
            dorm::unique("uq_so_book_isbn_edition", &Book::isbn, &Book::edition),
            dorm::unique_index(&Book::isbn, &Book::year),                  // ix_so_book_isbn_year
            dorm::check("year > 0 AND year < 3000"),                       // ck_so_book_1
            dorm::check("edition >= 1", "ck_so_book_edition"),
            dorm::check("copies < 1000")))                                 // ck_so_book_2

struct Member {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Member, (), (id, name))
DORM_TABLE(Member, "so_member", (name, dorm::varchar(80), dorm::check("name <> ''"), dorm::check("name <> 'nobody'")))

struct Loan {
    int id = 0;
    int book_id = 0;
    std::optional<int> member_id;
    sys_time<microseconds> created_at{};
    Status status = Status::on_loan;
};
BOOST_DESCRIBE_STRUCT(Loan, (), (id, book_id, member_id, created_at, status))
DORM_TABLE(Loan, "so_loan",
           (book_id, dorm::foreign_key(&Book::id), dorm::on_delete(dorm::fk_action::cascade),
            dorm::on_update(dorm::fk_action::cascade)),
           (member_id, dorm::foreign_key(&Member::id), dorm::on_delete(dorm::fk_action::set_null)),
           (created_at, dorm::server_default("CURRENT_TIMESTAMP")),
           (status, dorm::default_value(Status::on_loan)))  // an enumerator: stored by its name

// Version 1 and version 2 of one table: version 2 adds an enumerator of 40 characters.
enum class ShelfKindV1 { fiction, poetry };
BOOST_DESCRIBE_ENUM(ShelfKindV1, fiction, poetry)
enum class ShelfKind { fiction, poetry, interlibrary_loan_return_awaiting_review };
BOOST_DESCRIBE_ENUM(ShelfKind, fiction, poetry, interlibrary_loan_return_awaiting_review)

struct ShelfV1 {
    int id = 0;
    ShelfKindV1 kind = ShelfKindV1::fiction;
};
BOOST_DESCRIBE_STRUCT(ShelfV1, (), (id, kind))
DORM_TABLE(ShelfV1, "so_shelf")

struct Shelf {
    int id = 0;
    ShelfKind kind = ShelfKind::fiction;
};
BOOST_DESCRIBE_STRUCT(Shelf, (), (id, kind))
DORM_TABLE(Shelf, "so_shelf")

// Generated names longer than PostgreSQL's 63 and MariaDB's 64 characters.
struct CatalogueEntry {
    int id = 0;
    std::string first_long_column_name;
    std::string second_long_column_name;
};
BOOST_DESCRIBE_STRUCT(CatalogueEntry, (), (id, first_long_column_name, second_long_column_name))
DORM_TABLE(CatalogueEntry, "so_catalogue_entry_of_the_branch_library",
           (first_long_column_name, dorm::varchar(20)),
           (second_long_column_name, dorm::varchar(20)),
           (table_args, dorm::unique(&CatalogueEntry::first_long_column_name, &CatalogueEntry::second_long_column_name),
            dorm::check("first_long_column_name <> second_long_column_name")))

namespace {

using library_db = database<Loan, Book, Author, Member>;

constexpr std::string_view long_kind = "interlibrary_loan_return_awaiting_review";

std::vector<int> ints(std::initializer_list<int> v) { return v; }

std::int64_t count_rows(const dorm::engine& e, const std::string& sql) {
    dorm::session s(e);
    return s.execute(dorm::text<std::int64_t>(sql)).scalar_one();
}

}  // namespace

// ---- the runtime table descriptions -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(table_args_become_named_uniques_and_indexes) {
    const dorm::schema::table& t = dorm::table_of<Book>();
    BOOST_TEST_REQUIRE(t.uniques.size() == 2u);
    BOOST_TEST(t.uniques[0].name == "uq_so_book_author_id_book_title");  // SQL column names
    BOOST_TEST(t.uniques[0].columns == ints({1, 2}), boost::test_tools::per_element());
    BOOST_TEST(t.uniques[0].unique);
    BOOST_TEST(t.uniques[1].name == "uq_so_book_isbn_edition");
    BOOST_TEST(t.uniques[1].columns == ints({4, 5}), boost::test_tools::per_element());

    BOOST_TEST_REQUIRE(t.indexes.size() == 3u);
    BOOST_TEST(t.indexes[0].name == "ix_so_book_year_book_title");
    BOOST_TEST(t.indexes[0].columns == ints({3, 2}), boost::test_tools::per_element());  // the order given
    BOOST_TEST(!t.indexes[0].unique);
    BOOST_TEST(t.indexes[1].name == "ix_so_book_custom");
    BOOST_TEST(t.indexes[1].columns == ints({2}), boost::test_tools::per_element());
    BOOST_TEST(!t.indexes[1].unique);
    BOOST_TEST(t.indexes[2].name == "ix_so_book_isbn_year");
    BOOST_TEST(t.indexes[2].columns == ints({4, 3}), boost::test_tools::per_element());
    BOOST_TEST(t.indexes[2].unique);

    // column-level dorm::unique / dorm::index are unchanged (columns' own flags)
    for (const auto& c : t.columns) BOOST_TEST((!c.unique && !c.index), c.name);
}

BOOST_AUTO_TEST_CASE(checks_are_named_after_their_column_or_their_position) {
    const dorm::schema::table& t = dorm::table_of<Book>();
    BOOST_TEST_REQUIRE(t.checks.size() == 4u);
    // column-level first, then the table_args ones in order
    BOOST_TEST(t.checks[0].name == "ck_so_book_copies");
    BOOST_TEST(t.checks[0].expression == "copies >= 0");
    BOOST_TEST(t.checks[1].name == "ck_so_book_1");
    BOOST_TEST(t.checks[1].expression == "year > 0 AND year < 3000");
    BOOST_TEST(t.checks[2].name == "ck_so_book_edition");
    BOOST_TEST(t.checks[2].expression == "edition >= 1");
    BOOST_TEST(t.checks[3].name == "ck_so_book_2");  // the second unnamed table-level check
    BOOST_TEST(t.checks[3].expression == "copies < 1000");

    const dorm::schema::table& a = dorm::table_of<Author>();
    BOOST_TEST_REQUIRE(a.checks.size() == 1u);
    BOOST_TEST(a.checks[0].name == "ck_so_author_name");
    BOOST_TEST(a.checks[0].expression == "name <> ''");
    BOOST_TEST(a.uniques.empty());
    BOOST_TEST(a.indexes.empty());

    const dorm::schema::table& m = dorm::table_of<Member>();  // two checks on one column
    BOOST_TEST_REQUIRE(m.checks.size() == 2u);
    BOOST_TEST(m.checks[0].name == "ck_so_member_name");
    BOOST_TEST(m.checks[1].name == "ck_so_member_name_2");
    BOOST_TEST(m.checks[1].expression == "name <> 'nobody'");
}

BOOST_AUTO_TEST_CASE(foreign_key_actions_and_server_defaults_are_carried) {
    const dorm::schema::table& loan = dorm::table_of<Loan>();
    const auto& book_id = loan.columns.at(static_cast<std::size_t>(loan.find_member("book_id")));
    BOOST_TEST((book_id.on_delete == dorm::fk_action::cascade));
    BOOST_TEST((book_id.on_update == dorm::fk_action::cascade));
    BOOST_TEST(book_id.references != nullptr);
    BOOST_TEST(book_id.references().name == "so_book");
    const auto& member_id = loan.columns.at(static_cast<std::size_t>(loan.find_member("member_id")));
    BOOST_TEST((member_id.on_delete == dorm::fk_action::set_null));
    BOOST_TEST((member_id.on_update == dorm::fk_action::no_action));
    BOOST_TEST(member_id.nullable);
    const auto& created = loan.columns.at(static_cast<std::size_t>(loan.find_member("created_at")));
    BOOST_TEST(created.server_default_sql == "CURRENT_TIMESTAMP");
    BOOST_TEST(!created.server_default.has_value());  // not a literal default
    BOOST_TEST(!created.nullable);
    for (const auto& c : loan.columns) {
        if (c.name == "created_at") continue;
        BOOST_TEST(c.server_default_sql.empty(), c.name);
    }

    const dorm::schema::table& book = dorm::table_of<Book>();
    BOOST_TEST((book.columns[1].on_delete == dorm::fk_action::cascade));
    BOOST_TEST((book.columns[1].on_update == dorm::fk_action::no_action));
    const dorm::schema::table& author = dorm::table_of<Author>();
    for (const auto& c : author.columns) BOOST_TEST((c.on_delete == dorm::fk_action::no_action), c.name);
}

BOOST_AUTO_TEST_CASE(enum_columns_leave_room_for_new_enumerators) {
    const dorm::schema::table& loan = dorm::table_of<Loan>();
    BOOST_TEST(loan.columns.at(static_cast<std::size_t>(loan.find_member("status"))).length == 64);
    BOOST_TEST(dorm::table_of<ShelfV1>().columns[1].length == 64);  // "poetry" is 6 characters
    BOOST_TEST(dorm::table_of<Shelf>().columns[1].length == 64);
}

BOOST_AUTO_TEST_CASE(generated_names_are_whole_in_the_table_description) {
    // The description keeps the whole name; the DDL fits it to the dialect's identifier limit
    // (shortened with a hash: shortened_constraint_names_are_accepted_by_the_database below).
    const dorm::schema::table& t = dorm::table_of<CatalogueEntry>();
    BOOST_TEST_REQUIRE(t.uniques.size() == 1u);
    BOOST_TEST(t.uniques[0].name ==
               "uq_so_catalogue_entry_of_the_branch_library_first_long_column_name_second_long_column_name");
    BOOST_TEST_REQUIRE(t.checks.size() == 1u);
    BOOST_TEST(t.checks[0].name == "ck_so_catalogue_entry_of_the_branch_library_1");
}

// ---- what the databases do with them -------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(the_created_schema_has_no_difference_from_the_models, library_db) {
    // what create_all made (checks, uniques, indexes, FK actions, server defaults) reads back from
    // the live database as the models describe it
    const auto d = meta.diff(engine, dorm::diff_options{.drop_unknown_tables = false});
    BOOST_TEST(d.empty(), d.report());
}

BOOST_FIXTURE_TEST_CASE(a_check_violation_raises_check_violation, library_db) {
    const int author = dorm_test::seed<Author>(engine, {Author{.name = "Ursula K. Le Guin"}})[0];
    struct bad_book {
        Book book;
        const char* constraint;
    };
    const bad_book cases[] = {
        {Book{.author_id = author, .title = "A", .isbn = "1", .copies = -1}, "ck_so_book_copies"},  // column-level
        {Book{.author_id = author, .title = "B", .year = 5000, .isbn = "2"}, "ck_so_book_1"},       // table-level
        {Book{.author_id = author, .title = "C", .isbn = "3", .edition = 0}, "ck_so_book_edition"},  // named
        {Book{.author_id = author, .title = "D", .isbn = "4", .copies = 1000}, "ck_so_book_2"},
    };
    for (const auto& c : cases) {
        dorm::session s(engine);
        s.add(c.book);
        try {
            s.commit();
            BOOST_ERROR("no check_violation for " << c.constraint);
        } catch (const dorm::check_violation& e) {
            BOOST_TEST(std::string(e.what()).find(c.constraint) != std::string::npos, e.what());
        }
    }
    {
        dorm::session s(engine);
        s.add(Author{.name = ""});
        BOOST_CHECK_THROW(s.commit(), dorm::check_violation);
    }
    {
        dorm::session s(engine);
        s.add(Member{.name = "nobody"});  // the column's second check
        BOOST_CHECK_THROW(s.commit(), dorm::check_violation);
    }
    BOOST_TEST(rows("so_book") == 0);
    // values inside every check are accepted
    dorm_test::seed<Book>(engine, {Book{.author_id = author, .title = "The Dispossessed", .year = 1974, .isbn = "5",
                                        .edition = 2, .copies = 0}});
    BOOST_TEST(rows("so_book") == 1);
}

BOOST_FIXTURE_TEST_CASE(a_multi_column_unique_refuses_only_a_duplicate_tuple, library_db) {
    const auto authors = dorm_test::seed<Author>(engine, {Author{.name = "Frank Herbert"}, Author{.name = "Brian Herbert"}});
    const int a = authors[0], b = authors[1];
    dorm_test::seed<Book>(engine, {
                                      Book{.author_id = a, .title = "Dune", .year = 1965, .isbn = "111"},
                                      Book{.author_id = a, .title = "Dune Messiah", .year = 1969, .isbn = "222"},
                                      Book{.author_id = b, .title = "Dune", .year = 1999, .isbn = "333"},  // same title, other author
                                      Book{.author_id = b, .title = "X", .year = 1966, .isbn = "111", .edition = 2},  // same isbn, other edition and year
                                  });
    BOOST_TEST(rows("so_book") == 4);
    const Book duplicates[] = {
        Book{.author_id = a, .title = "Dune", .year = 1971, .isbn = "444"},                 // (author_id, book_title)
        Book{.author_id = b, .title = "Y", .year = 1990, .isbn = "111", .edition = 1},      // (isbn, edition)
        Book{.author_id = b, .title = "Z", .year = 1965, .isbn = "111", .edition = 3},      // unique index (isbn, year)
    };
    for (const auto& d : duplicates) {
        dorm::session s(engine);
        s.add(d);
        BOOST_CHECK_THROW(s.commit(), dorm::unique_violation);
    }
    BOOST_TEST(rows("so_book") == 4);
    // a plain (non-unique) table_args index takes duplicates
    dorm_test::seed<Book>(engine, {Book{.author_id = b, .title = "Dune Messiah", .year = 1969, .isbn = "555"}});
    BOOST_TEST(rows("so_book") == 5);
}

BOOST_FIXTURE_TEST_CASE(on_delete_cascade_and_set_null_act_on_a_bulk_delete, library_db) {
    const auto authors = dorm_test::seed<Author>(engine, {Author{.name = "Ada"}, Author{.name = "Bea"}});
    const auto books = dorm_test::seed<Book>(engine, {
                                                         Book{.author_id = authors[0], .title = "A1", .isbn = "a1"},
                                                         Book{.author_id = authors[0], .title = "A2", .isbn = "a2"},
                                                         Book{.author_id = authors[1], .title = "B1", .isbn = "b1"},
                                                     });
    const auto members = dorm_test::seed<Member>(engine, {Member{.name = "Mo"}, Member{.name = "Nia"}});
    dorm_test::seed<Loan>(engine, {
                                      Loan{.book_id = books[0], .member_id = members[0]},
                                      Loan{.book_id = books[1], .member_id = members[1]},
                                      Loan{.book_id = books[2], .member_id = members[0]},
                                      Loan{.book_id = books[2], .member_id = members[1]},
                                  });
    {
        // the database's rules, not the session's: a bulk DELETE of the parents
        dorm::session s(engine);
        auto r = s.execute(dorm::delete_from<Author>().where(col(&Author::id) == authors[0]));
        BOOST_TEST(r.rowcount() == 1);
        auto m = s.execute(dorm::delete_from<Member>().where(col(&Member::id) == members[0]));
        BOOST_TEST(m.rowcount() == 1);
        s.commit();
    }
    BOOST_TEST(rows("so_author") == 1);
    BOOST_TEST(rows("so_book") == 1);  // Ada's two books went with her (so_book ON DELETE CASCADE)
    BOOST_TEST(rows("so_member") == 1);
    dorm::session s(engine);
    auto loans = s.scalars(dorm::select<Loan>().order_by(col(&Loan::id))).all();
    BOOST_TEST_REQUIRE(loans.size() == 2u);  // and so did their loans (so_loan ON DELETE CASCADE, two levels down)
    BOOST_TEST(loans[0]->book_id == books[2]);
    BOOST_TEST(!loans[0]->member_id.has_value());  // Mo's loan: member_id SET NULL
    BOOST_TEST(loans[1]->book_id == books[2]);
    BOOST_TEST((loans[1]->member_id == std::optional<int>(members[1])));
}

BOOST_FIXTURE_TEST_CASE(on_update_cascade_follows_a_changed_parent_key, library_db) {
    const int author = dorm_test::seed<Author>(engine, {Author{.name = "Cy"}})[0];
    const int book = dorm_test::seed<Book>(engine, {Book{.author_id = author, .title = "C1", .isbn = "c1"}})[0];
    dorm_test::seed<Loan>(engine, {Loan{.book_id = book}});
    {
        dorm::session s(engine);
        s.execute(dorm::update<Book>().set(col(&Book::id), book + 100).where(col(&Book::id) == book));
        s.commit();
    }
    dorm::session s(engine);
    auto loan = s.scalars(dorm::select<Loan>()).one();
    BOOST_TEST(loan->book_id == book + 100);
}

BOOST_FIXTURE_TEST_CASE(a_server_default_is_chosen_by_the_database, library_db) {
    // the server's own time zone is 9 hours from UTC: dorm's connections work in UTC all the same
    // (else CURRENT_TIMESTAMP would be read 9 hours off, silently)
    struct server_zone {
        dorm::engine& e;
        explicit server_zone(dorm::engine& engine) : e(engine) { set("Asia/Tokyo", "+09:00"); }
        ~server_zone() {
            try {
                set("UTC", "SYSTEM");
            } catch (...) {
            }
        }
        void set(const char* pg, const char* my) {
            auto c = e.connect();
            if (e.dialect() == dorm::dialect::postgresql)
                c.execute_ddl(std::string("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET timezone = %L', "
                                          "current_database(), '") + pg + "'); END $$");
            else if (e.dialect() == dorm::dialect::mysql)
                c.execute_ddl(std::string("SET GLOBAL time_zone = '") + my + "'");
            c = dorm::connection();
            e.dispose();  // connections opened from now on start in that zone
        }
    } zone(engine);
    const int author = dorm_test::seed<Author>(engine, {Author{.name = "Di"}})[0];
    const int book = dorm_test::seed<Book>(engine, {Book{.author_id = author, .title = "D1", .isbn = "d1"}})[0];
    const auto before = system_clock::now();
    {
        dorm::session s(engine);
        s.execute(dorm::text("INSERT INTO " + q("so_loan") + " (" + q("book_id") + ") VALUES (:book)",
                             {{"book", book}}));  // status: its default_value(Status::on_loan)
        s.commit();
    }
    BOOST_TEST(count_rows(engine, "SELECT count(*) FROM " + q("so_loan") + " WHERE " + q("created_at") +
                                      " IS NOT NULL") == 1);
    dorm::session s(engine);
    auto loan = s.scalars(dorm::select<Loan>()).one();
    BOOST_TEST(loan->book_id == book);
    BOOST_TEST(!loan->member_id.has_value());
    BOOST_TEST((loan->status == Status::on_loan));
    BOOST_TEST(loan->created_at.time_since_epoch().count() != 0);  // not the member's default: the database's
    // CURRENT_TIMESTAMP is UTC everywhere: SQLite's is, and dorm's server connections use UTC
    const auto diff = loan->created_at - time_point_cast<microseconds>(before);
    BOOST_TEST((diff > -minutes(2) && diff < minutes(2)), "created_at differs from now by " << diff.count() << " us");
}

BOOST_AUTO_TEST_CASE(an_enumerator_added_later_fits_the_column) {
    // version 1 of the program creates the table; version 2 adds an enumerator of 40 characters
    static_assert(long_kind.size() == 40);
    database<ShelfV1> v1;
    dorm_test::seed<ShelfV1>(v1.engine, {ShelfV1{.kind = ShelfKindV1::poetry}});
    {
        dorm::session s(v1.engine);
        s.add(Shelf{.kind = ShelfKind::interlibrary_loan_return_awaiting_review});
        s.commit();  // VARCHAR(6) would refuse it on PostgreSQL and MariaDB
    }
    dorm::session s(v1.engine);
    auto shelves = s.scalars(dorm::select<Shelf>().order_by(col(&Shelf::id))).all();
    BOOST_TEST_REQUIRE(shelves.size() == 2u);
    BOOST_TEST((shelves[0]->kind == ShelfKind::poetry));
    BOOST_TEST((shelves[1]->kind == ShelfKind::interlibrary_loan_return_awaiting_review));
    BOOST_TEST(count_rows(v1.engine, "SELECT count(*) FROM " + q("so_shelf") + " WHERE " + q("kind") + " = '" +
                                         std::string(long_kind) + "'") == 1);
}

BOOST_FIXTURE_TEST_CASE(shortened_constraint_names_are_accepted_by_the_database, database<CatalogueEntry>) {
    dorm_test::seed<CatalogueEntry>(engine, {CatalogueEntry{.first_long_column_name = "a", .second_long_column_name = "b"},
                                             CatalogueEntry{.first_long_column_name = "a", .second_long_column_name = "c"}});
    {
        dorm::session s(engine);
        s.add(CatalogueEntry{.first_long_column_name = "a", .second_long_column_name = "b"});
        BOOST_CHECK_THROW(s.commit(), dorm::unique_violation);
    }
    {
        dorm::session s(engine);
        s.add(CatalogueEntry{.first_long_column_name = "d", .second_long_column_name = "d"});
        BOOST_CHECK_THROW(s.commit(), dorm::check_violation);
    }
    BOOST_TEST(rows("so_catalogue_entry_of_the_branch_library") == 2);
    const auto d = meta.diff(engine, dorm::diff_options{.drop_unknown_tables = false});
    BOOST_TEST(d.empty(), d.report());
}
