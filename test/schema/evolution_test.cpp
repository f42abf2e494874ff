// Schema evolution against a real database (DORM_TEST_URL): a library schema goes v1 -> v2 -> v3
// through metadata.upgrade() with rows in it and keeps every row and value; each lossy change is
// refused with a migration_error and leaves the database as it was; a database that matches its
// models diffs empty. Alembic's autogenerate is the reference for what a diff reports
// (https://alembic.sqlalchemy.org/en/latest/autogenerate.html).
#define BOOST_TEST_MODULE evolution
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>
#include <dorm/schema/migrations.hpp>

#include "backend.hpp"
#include "fixture.hpp"

using dorm::col;

// ---- three versions of one application's models -----------------------------------------------
namespace v1 {
struct Author {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Author, (), (id, name))
DORM_TABLE(Author, "evo_author", (name, dorm::varchar(50)))

struct Book {
    int id = 0;
    std::string title;
    int author_id = 0;
    std::optional<int> pages;
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title, author_id, pages))
DORM_TABLE(Book, "evo_book", (title, dorm::varchar(100)), (author_id, dorm::foreign_key(&Author::id)))
inline dorm::metadata<Author, Book> meta;
}  // namespace v1

namespace v2 {
enum class Format { hardcover, paperback };
BOOST_DESCRIBE_ENUM(Format, hardcover, paperback)

struct Author {
    int id = 0;
    std::string name;
    std::optional<std::string> bio;  // new nullable column
};
BOOST_DESCRIBE_STRUCT(Author, (), (id, name, bio))
DORM_TABLE(Author, "evo_author", (name, dorm::varchar(50)))

struct Book {
    int id = 0;
    std::string title;  // widened to 200 and indexed
    int author_id = 0;
    std::optional<int> pages;
    int stock = 0;  // new NOT NULL column with a default
    Format format = Format::paperback;
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title, author_id, pages, stock, format))
DORM_TABLE(Book, "evo_book", (title, dorm::varchar(200), dorm::index), (author_id, dorm::foreign_key(&Author::id)),
           (stock, dorm::default_value(0)), (format, dorm::default_value("paperback")))

struct Review {  // new table with a foreign key
    int id = 0;
    int book_id = 0;
    int stars = 0;
};
BOOST_DESCRIBE_STRUCT(Review, (), (id, book_id, stars))
DORM_TABLE(Review, "evo_review", (book_id, dorm::foreign_key(&Book::id), dorm::index))
inline dorm::metadata<Author, Book, Review> meta;
}  // namespace v2

namespace v3 {
enum class Format { hardcover, paperback, ebook_with_a_rather_long_enumerator_name };
BOOST_DESCRIBE_ENUM(Format, hardcover, paperback, ebook_with_a_rather_long_enumerator_name)

using v2::Author;
struct Book {
    int id = 0;
    std::string title;
    int author_id = 0;
    int pages = 0;  // now NOT NULL with a default: the NULLs of v1 rows get it
    int stock = 0;
    Format format = Format::paperback;
    std::optional<std::string> isbn;  // new, unique
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title, author_id, pages, stock, format, isbn))
DORM_TABLE(Book, "evo_book", (title, dorm::varchar(200), dorm::index), (author_id, dorm::foreign_key(&Author::id)),
           (pages, dorm::default_value(0)), (stock, dorm::default_value(0)), (format, dorm::default_value("paperback")),
           (isbn, dorm::varchar(20), dorm::unique))
struct Review {
    int id = 0;
    int book_id = 0;
    int stars = 0;
};
BOOST_DESCRIBE_STRUCT(Review, (), (id, book_id, stars))
DORM_TABLE(Review, "evo_review", (book_id, dorm::foreign_key(&Book::id), dorm::index))
inline dorm::metadata<Author, Book, Review> meta;
}  // namespace v3

// ---- lossy variants of v2 ----------------------------------------------------------------------
namespace lossy {
struct BookWithoutPages {  // drops a column that holds values
    int id = 0;
    std::string title;
    int author_id = 0;
};
BOOST_DESCRIBE_STRUCT(BookWithoutPages, (), (id, title, author_id))
DORM_TABLE(BookWithoutPages, "evo_book", (title, dorm::varchar(100)), (author_id, dorm::foreign_key(&v1::Author::id)))
inline dorm::metadata<v1::Author, BookWithoutPages> drops_column;

struct BookNarrowTitle {  // VARCHAR(100) -> VARCHAR(10)
    int id = 0;
    std::string title;
    int author_id = 0;
    std::optional<int> pages;
};
BOOST_DESCRIBE_STRUCT(BookNarrowTitle, (), (id, title, author_id, pages))
DORM_TABLE(BookNarrowTitle, "evo_book", (title, dorm::varchar(10)), (author_id, dorm::foreign_key(&v1::Author::id)))
inline dorm::metadata<v1::Author, BookNarrowTitle> narrows;

struct BookPagesRequired {  // NOT NULL without a default on a column with NULLs
    int id = 0;
    std::string title;
    int author_id = 0;
    int pages = 0;
};
BOOST_DESCRIBE_STRUCT(BookPagesRequired, (), (id, title, author_id, pages))
DORM_TABLE(BookPagesRequired, "evo_book", (title, dorm::varchar(100)), (author_id, dorm::foreign_key(&v1::Author::id)))
inline dorm::metadata<v1::Author, BookPagesRequired> requires_pages;

struct BookRequiredColumn {  // a new NOT NULL column without default on a table with rows
    int id = 0;
    std::string title;
    int author_id = 0;
    std::optional<int> pages;
    int copies = 0;
};
BOOST_DESCRIBE_STRUCT(BookRequiredColumn, (), (id, title, author_id, pages, copies))
DORM_TABLE(BookRequiredColumn, "evo_book", (title, dorm::varchar(100)), (author_id, dorm::foreign_key(&v1::Author::id)))
inline dorm::metadata<v1::Author, BookRequiredColumn> adds_required;

inline dorm::metadata<v1::Book> without_author_model;  // evo_author is unknown: dropping it is lossy
}  // namespace lossy

// ---- helpers ----------------------------------------------------------------------------------

namespace {

void drop_everything(const dorm::engine& e) {
    dorm_test::drop_tables(e, {"evo_review", "evo_book", "evo_author", "_dorm_new_evo_book", "dorm_migrations"});
}

struct fresh {
    dorm::engine engine = dorm_test::make_engine();
    fresh() { drop_everything(engine); }
    ~fresh() {
        try {
            drop_everything(engine);
        } catch (...) {
        }
    }
};

// v1 with rows: two authors, three books (one without pages)
void seed_v1(const dorm::engine& e) {
    v1::meta.upgrade(e);
    dorm::session s(e);
    auto ann = s.add(v1::Author{.name = "Ann"});
    auto bob = s.add(v1::Author{.name = "Bob"});
    s.flush();
    s.add(v1::Book{.title = "Dune", .author_id = ann->id, .pages = 412});
    s.add(v1::Book{.title = "Emma", .author_id = bob->id, .pages = 474});
    s.add(v1::Book{.title = "Notes", .author_id = bob->id, .pages = std::nullopt});
    s.commit();
}

std::vector<std::string> kinds(const dorm::schema_diff& d) {
    std::vector<std::string> out;
    for (const auto& op : d.operations()) out.emplace_back(dorm::schema_change_name(op.kind));
    return out;
}

bool has_kind(const dorm::schema_diff& d, dorm::schema_change k, const std::string& column = {}) {
    for (const auto& op : d.operations())
        if (op.kind == k && (column.empty() || op.column == column)) return true;
    return false;
}

long long count_books(const dorm::engine& e) {
    dorm::session s(e);
    return s.execute(dorm::select(dorm::count()).select_from<v1::Book>()).scalar_one();
}

}  // namespace

// ---- tests ------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(upgrade_of_an_empty_database_creates_the_tables, fresh) {
    auto d = v1::meta.diff(engine);
    BOOST_TEST(kinds(d) == (std::vector<std::string>{"create_table", "create_table"}), d.report());
    BOOST_TEST(d.lossless());
    BOOST_TEST(d.operations()[0].table == "evo_author");  // parents first
    v1::meta.upgrade(engine);
    auto again = v1::meta.diff(engine);
    BOOST_TEST(again.empty(), again.report());
}

BOOST_FIXTURE_TEST_CASE(v1_to_v2_to_v3_keeps_every_row, fresh) {
    seed_v1(engine);
    BOOST_TEST(v1::meta.diff(engine).empty(), v1::meta.diff(engine).report());

    auto d2 = v2::meta.diff(engine);
    BOOST_TEST_MESSAGE(d2.report());
    BOOST_TEST(d2.lossless(), d2.report());
    BOOST_TEST(has_kind(d2, dorm::schema_change::create_table));
    if (engine.dialect() != dorm::dialect::sqlite) {
        BOOST_TEST(has_kind(d2, dorm::schema_change::add_column, "stock"));
        BOOST_TEST(has_kind(d2, dorm::schema_change::alter_column_type, "title"));
    } else {
        BOOST_TEST(has_kind(d2, dorm::schema_change::rebuild_table), d2.report());  // VARCHAR(100) -> (200)
    }
    BOOST_TEST(has_kind(d2, dorm::schema_change::add_column, "bio"));
    v2::meta.upgrade(engine);
    auto after2 = v2::meta.diff(engine);
    BOOST_TEST(after2.empty(), after2.report());
    {
        dorm::session s(engine);
        auto books = s.scalars(dorm::select<v2::Book>().order_by(col(&v2::Book::id))).all();
        BOOST_TEST_REQUIRE(books.size() == 3u);
        BOOST_TEST(books[0]->title == "Dune");
        BOOST_TEST((books[0]->pages == std::optional<int>(412)));
        BOOST_TEST((books[2]->pages == std::nullopt));
        for (auto& b : books) {
            BOOST_TEST(b->stock == 0);
            BOOST_TEST((b->format == v2::Format::paperback));
        }
        // the widened column takes a 150-character title, the new table its rows
        books[0]->title = std::string(150, 'x');
        s.add(v2::Review{.book_id = books[1]->id, .stars = 5});
        s.commit();
        auto authors = s.scalars(dorm::select<v2::Author>().order_by(col(&v2::Author::id))).all();
        BOOST_TEST_REQUIRE(authors.size() == 2u);
        BOOST_TEST(authors[1]->name == "Bob");
        BOOST_TEST((authors[1]->bio == std::nullopt));
    }

    auto d3 = v3::meta.diff(engine);
    BOOST_TEST_MESSAGE(d3.report());
    BOOST_TEST(d3.lossless(), d3.report());
    v3::meta.upgrade(engine);
    auto after3 = v3::meta.diff(engine);
    BOOST_TEST(after3.empty(), after3.report());
    dorm::session s(engine);
    auto books = s.scalars(dorm::select<v3::Book>().order_by(col(&v3::Book::id))).all();
    BOOST_TEST_REQUIRE(books.size() == 3u);
    BOOST_TEST(books[0]->title == std::string(150, 'x'));
    BOOST_TEST(books[0]->pages == 412);
    BOOST_TEST(books[1]->pages == 474);
    BOOST_TEST(books[2]->pages == 0);  // the NULL got the default
    BOOST_TEST(s.scalars(dorm::select<v3::Review>()).all().size() == 1u);
    // the new enumerator and the new unique column work
    books[2]->format = v3::Format::ebook_with_a_rather_long_enumerator_name;
    books[2]->isbn = "978-0141439518";
    books[1]->isbn = "978-0141439518";
    BOOST_CHECK_THROW(s.commit(), dorm::unique_violation);
    s.rollback();
    books[2]->format = v3::Format::ebook_with_a_rather_long_enumerator_name;
    books[2]->isbn = "978-0141439518";
    s.commit();
    dorm::session check(engine);
    auto notes = check.get<v3::Book>(books[2]->id);
    BOOST_TEST((notes->format == v3::Format::ebook_with_a_rather_long_enumerator_name));
}

namespace {
// a lossy upgrade is refused, names what it refused, and changes nothing
template <class Meta>
void expect_refused(const dorm::engine& e, const Meta& m, const std::string& needle) {
    auto before = v1::meta.diff(e);
    BOOST_TEST(before.empty(), before.report());
    try {
        m.upgrade(e);
        BOOST_FAIL("upgrade should have been refused");
    } catch (const dorm::migration_error& err) {
        BOOST_TEST_MESSAGE(err.what());
        BOOST_TEST_REQUIRE(!err.refused().empty());
        bool named = false;
        for (const auto& r : err.refused()) named = named || r.what.find(needle) != std::string::npos;
        BOOST_TEST(named, err.what());
        BOOST_TEST(std::string(err.what()).find("nothing was changed") != std::string::npos);
    }
    auto after = v1::meta.diff(e);
    BOOST_TEST(after.empty(), after.report());
    BOOST_TEST(count_books(e) == 3);
    dorm::session s(e);
    auto notes = s.scalars(dorm::select<v1::Book>().where(col(&v1::Book::title) == "Dune")).one();
    BOOST_TEST((notes->pages == std::optional<int>(412)));
}
}  // namespace

BOOST_FIXTURE_TEST_CASE(dropping_a_column_is_refused, fresh) {
    seed_v1(engine);
    auto d = lossy::drops_column.diff(engine);
    BOOST_TEST(!d.lossless());
    bool found = false;
    for (const auto& op : d.operations())
        if (!op.lossless) {
            found = true;
            BOOST_TEST(op.reason.find("2 values") != std::string::npos, op.reason);  // two books have pages
        }
    BOOST_TEST(found);
    expect_refused(engine, lossy::drops_column, "pages");
    // once every row has NULL there: still a drop upgrade() leaves to a migration, and the reason
    // says the column holds nothing (not "0 values would be lost")
    {
        dorm::session s(engine);
        s.execute(dorm::update<v1::Book>().set(col(&v1::Book::pages), std::optional<int>{}));
        s.commit();
    }
    auto empty = lossy::drops_column.diff(engine);
    for (const auto& op : empty.operations())
        if (!op.lossless) BOOST_TEST(op.reason.find("holds no value") != std::string::npos, op.reason);
    BOOST_CHECK_THROW(lossy::drops_column.upgrade(engine), dorm::migration_error);
    BOOST_TEST(count_books(engine) == 3);
}

BOOST_FIXTURE_TEST_CASE(narrowing_a_type_is_refused, fresh) {
    seed_v1(engine);
    expect_refused(engine, lossy::narrows, "title");
}

BOOST_FIXTURE_TEST_CASE(not_null_over_nulls_without_default_is_refused, fresh) {
    seed_v1(engine);
    expect_refused(engine, lossy::requires_pages, "pages");
}

BOOST_FIXTURE_TEST_CASE(not_null_without_nulls_is_applied, fresh) {
    seed_v1(engine);
    {
        dorm::session s(engine);
        auto notes = s.scalars(dorm::select<v1::Book>().where(col(&v1::Book::pages).is_null())).one();
        notes->pages = 10;
        s.commit();
    }
    auto d = lossy::requires_pages.diff(engine);
    BOOST_TEST(d.lossless(), d.report());
    lossy::requires_pages.upgrade(engine);
    BOOST_TEST(lossy::requires_pages.diff(engine).empty());
    BOOST_TEST(count_books(engine) == 3);
    dorm::session s(engine);
    BOOST_CHECK_THROW((s.add(lossy::BookRequiredColumn{}), s.flush()), dorm::error);  // not mapped here: any error
}

BOOST_FIXTURE_TEST_CASE(a_required_column_without_default_is_refused_on_a_table_with_rows, fresh) {
    seed_v1(engine);
    expect_refused(engine, lossy::adds_required, "copies");
}

BOOST_FIXTURE_TEST_CASE(an_unknown_table_is_a_lossy_drop_unless_told_otherwise, fresh) {
    seed_v1(engine);
    auto d = lossy::without_author_model.diff(engine);
    BOOST_TEST(has_kind(d, dorm::schema_change::drop_table), d.report());
    BOOST_TEST(!d.lossless());
    BOOST_CHECK_THROW(lossy::without_author_model.upgrade(engine), dorm::migration_error);
    auto quiet = lossy::without_author_model.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(quiet.empty(), quiet.report());
    auto ignoring = lossy::without_author_model.diff(engine, {.ignore_tables = {"evo_author"}});
    BOOST_TEST(ignoring.empty(), ignoring.report());
    BOOST_TEST(count_books(engine) == 3);
}

BOOST_FIXTURE_TEST_CASE(the_report_and_sql_are_readable, fresh) {
    seed_v1(engine);
    auto d = lossy::drops_column.diff(engine);
    const std::string report = d.report();
    BOOST_TEST(report.find("LOSSY") != std::string::npos, report);
    BOOST_TEST(report.find("pages") != std::string::npos, report);
    // the lossy drop is in the script only as a comment, behind its reason
    const std::string script = d.sql();
    BOOST_TEST(script.find("-- REFUSED (lossy): ") != std::string::npos, script);
    std::istringstream lines(script);
    for (std::string line; std::getline(lines, line);)
        BOOST_TEST((line.rfind("--", 0) == 0 || line.rfind("PRAGMA", 0) == 0), "runs: " << line);
    BOOST_TEST(d.down_sql().find("-- REFUSED in the up script (lossy): ") != std::string::npos, d.down_sql());
    auto up = v2::meta.diff(engine);
    BOOST_TEST(up.sql().find("evo_review") != std::string::npos, up.sql());
    BOOST_TEST(up.down_sql().find("DROP TABLE") != std::string::npos, up.down_sql());
}

// ---- a parent rebuilt (SQLite) or altered (servers) keeps its children -------------------------
namespace cascade {
struct Shelf {
    int id = 0;
    std::string label;
    std::optional<int> floor;
};
BOOST_DESCRIBE_STRUCT(Shelf, (), (id, label, floor))
DORM_TABLE(Shelf, "evo_shelf", (label, dorm::varchar(40), dorm::index))

struct Slot {
    int id = 0;
    int shelf_id = 0;
    std::string code;
};
BOOST_DESCRIBE_STRUCT(Slot, (), (id, shelf_id, code))
DORM_TABLE(Slot, "evo_slot", (shelf_id, dorm::foreign_key(&Shelf::id), dorm::on_delete(dorm::fk_action::cascade)),
           (code, dorm::varchar(10)), (table_args, dorm::unique(&Slot::shelf_id, &Slot::code)))
inline dorm::metadata<Shelf, Slot> v1;

struct ShelfV2 {  // floor becomes NOT NULL with a default, label wider, a check: SQLite rebuilds the parent
    int id = 0;
    std::string label;
    int floor = 0;
};
BOOST_DESCRIBE_STRUCT(ShelfV2, (), (id, label, floor))
DORM_TABLE(ShelfV2, "evo_shelf", (label, dorm::varchar(80), dorm::index),
           (floor, dorm::default_value(0), dorm::check("floor >= 0")))
struct SlotV2 {
    int id = 0;
    int shelf_id = 0;
    std::string code;
};
BOOST_DESCRIBE_STRUCT(SlotV2, (), (id, shelf_id, code))
DORM_TABLE(SlotV2, "evo_slot", (shelf_id, dorm::foreign_key(&ShelfV2::id), dorm::on_delete(dorm::fk_action::cascade)),
           (code, dorm::varchar(10)), (table_args, dorm::unique(&SlotV2::shelf_id, &SlotV2::code)))
inline dorm::metadata<ShelfV2, SlotV2> v2;

void drop(const dorm::engine& e) { dorm_test::drop_tables(e, {"evo_slot", "evo_shelf", "_dorm_new_evo_shelf"}); }
}  // namespace cascade

BOOST_AUTO_TEST_CASE(a_changed_parent_keeps_its_children_indexes_and_foreign_keys) {
    auto engine = dorm_test::make_engine();
    cascade::drop(engine);
    cascade::v1.upgrade(engine);
    {
        dorm::session s(engine);
        auto a = s.add(cascade::Shelf{.label = "A", .floor = 1});
        auto b = s.add(cascade::Shelf{.label = "B", .floor = std::nullopt});
        s.flush();
        for (int i = 0; i < 3; ++i) s.add(cascade::Slot{.shelf_id = a->id, .code = "a" + std::to_string(i)});
        s.add(cascade::Slot{.shelf_id = b->id, .code = "b0"});
        s.commit();
    }
    auto d = cascade::v2.diff(engine);
    BOOST_TEST_MESSAGE(d.report());
    BOOST_TEST(d.lossless(), d.report());
    if (engine.dialect() == dorm::dialect::sqlite)
        BOOST_TEST(has_kind(d, dorm::schema_change::rebuild_table), d.report());
    cascade::v2.upgrade(engine);
    auto after = cascade::v2.diff(engine);
    BOOST_TEST(after.empty(), after.report());

    // every child row survived the parent's change (a rebuild with foreign keys on would have
    // deleted them through ON DELETE CASCADE when the old table was dropped)
    dorm::session s(engine);
    BOOST_TEST(s.execute(dorm::select(dorm::count()).select_from<cascade::SlotV2>()).scalar_one() == 4);
    auto shelves = s.scalars(dorm::select<cascade::ShelfV2>().order_by(col(&cascade::ShelfV2::id))).all();
    BOOST_TEST_REQUIRE(shelves.size() == 2u);
    BOOST_TEST(shelves[0]->floor == 1);
    BOOST_TEST(shelves[1]->floor == 0);  // the NULL took the default

    // the live schema still has the parent's index, the child's foreign key with its action, the check
    auto live = dorm::inspect(engine);
    const auto* shelf = live.table("evo_shelf");
    const auto* slot = live.table("evo_slot");
    BOOST_TEST_REQUIRE(shelf != nullptr);
    BOOST_TEST_REQUIRE(slot != nullptr);
    BOOST_TEST(shelf->indexes.size() == 1u);
    BOOST_TEST(shelf->checks.size() == 1u);
    BOOST_TEST_REQUIRE(slot->foreign_keys.size() == 1u);
    BOOST_TEST(slot->foreign_keys[0].referred_table == "evo_shelf");
    BOOST_TEST((slot->foreign_keys[0].on_delete == dorm::fk_action::cascade));

    // ... and they work: the check refuses, the cascade deletes
    shelves[1]->floor = -1;
    BOOST_CHECK_THROW(s.commit(), dorm::check_violation);
    s.rollback();
    s.execute(dorm::delete_from<cascade::ShelfV2>().where(col(&cascade::ShelfV2::label) == "A"));
    s.commit();
    BOOST_TEST(s.execute(dorm::select(dorm::count()).select_from<cascade::SlotV2>()).scalar_one() == 1);
    s.rollback();  // the read above holds a transaction open
    cascade::drop(engine);
}

// ---- versioned migrations generated from the diff ----------------------------------------------
namespace keywiden {
namespace v1 {
struct Counter {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Counter, (), (id, name))
DORM_TABLE(Counter, "evo_counter", (name, dorm::varchar(20)))
inline dorm::metadata<Counter> meta;
}  // namespace v1
namespace v2 {
struct Counter {
    std::int64_t id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Counter, (), (id, name))
DORM_TABLE(Counter, "evo_counter", (name, dorm::varchar(20)))
inline dorm::metadata<Counter> meta;
}  // namespace v2
}  // namespace keywiden

// A generated key widened from int to std::int64_t (a table outgrowing 2^31 rows): the diff sees
// it where the key has a width (PostgreSQL's SERIAL and its sequence, MariaDB's INT
// AUTO_INCREMENT); SQLite's INTEGER PRIMARY KEY is 64-bit already. After the upgrade, keys past
// 2^31 are generated and read on every backend.
BOOST_AUTO_TEST_CASE(a_generated_key_widened_to_64_bits_is_migrated) {
    auto engine = dorm_test::make_engine();
    const bool sqlite = engine.dialect() == dorm::dialect::sqlite;
    dorm_test::drop_tables(engine, {"evo_counter"});
    keywiden::v1::meta.upgrade(engine, {.drop_unknown_tables = false});
    {
        dorm::session s(engine);
        s.add(keywiden::v1::Counter{.name = "a"});
        s.add(keywiden::v1::Counter{.name = "b"});
        s.commit();
    }
    auto d = keywiden::v2::meta.diff(engine, {.drop_unknown_tables = false});
    if (sqlite) {
        BOOST_TEST(d.empty(), d.report());
    } else {
        BOOST_TEST(has_kind(d, dorm::schema_change::alter_column_type), d.report());
        BOOST_TEST(d.lossless(), d.report());
        // written to a migration file, its statements split back as they were (PostgreSQL's
        // DO $$ ... $$ block holds semicolons)
        for (const auto& op : d.operations()) {
            std::string script;
            for (const auto& st : op.sql) script += st + ";\n";
            BOOST_TEST(dorm::migrations::split_statements(script, engine.dialect()).size() == op.sql.size(), script);
        }
    }
    keywiden::v2::meta.upgrade(engine, {.drop_unknown_tables = false});
    auto after = keywiden::v2::meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(after.empty(), after.report());
    // the next generated key is past 2^31
    {
        dorm::session s(engine);
        if (engine.dialect() == dorm::dialect::postgresql)  // out of bounds for a sequence AS integer
            BOOST_TEST(s.execute(dorm::text<std::int64_t>("SELECT setval(pg_get_serial_sequence('evo_counter', 'id'), 3000000000)"))
                           .scalar_one() == 3000000000);
        else if (engine.dialect() == dorm::dialect::mysql)
            s.execute(dorm::text("ALTER TABLE evo_counter AUTO_INCREMENT = 3000000001"));
        else
            s.add(keywiden::v2::Counter{.id = 3000000000, .name = "set"});
        s.commit();
    }
    std::int64_t id = 0;
    {
        dorm::session s(engine);
        auto big = s.add(keywiden::v2::Counter{.name = "big"});
        s.commit();
        id = big->id;
        BOOST_TEST(id > 3000000000);
    }
    dorm::session s(engine);
    auto back = s.get<keywiden::v2::Counter>(id);
    BOOST_TEST_REQUIRE(back != nullptr);
    BOOST_TEST(back->name == "big");
    BOOST_TEST(s.execute(dorm::select(dorm::count()).select_from<keywiden::v2::Counter>()).scalar_one() >= 3);
    // back to int is a narrowing the diff refuses to call lossless where the key has a width
    if (!sqlite) {
        auto down = keywiden::v1::meta.diff(engine, {.drop_unknown_tables = false});
        BOOST_TEST(!down.lossless(), down.report());
    }
    s.rollback();
    dorm_test::drop_tables(engine, {"evo_counter"});
}

namespace fkwiden {
namespace v1 {
struct Owner {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Owner, (), (id, name))
DORM_TABLE(Owner, "evo_fw_owner", (name, dorm::varchar(20)))
struct Pet {
    int id = 0;
    int owner_id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Pet, (), (id, owner_id, name))
DORM_TABLE(Pet, "evo_fw_pet", (owner_id, dorm::foreign_key(&Owner::id), dorm::on_delete(dorm::fk_action::cascade)),
           (name, dorm::varchar(20)))
inline dorm::metadata<Owner, Pet> meta;
}  // namespace v1
namespace v2 {
struct Owner {
    std::int64_t id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Owner, (), (id, name))
DORM_TABLE(Owner, "evo_fw_owner", (name, dorm::varchar(20)))
struct Pet {
    std::int64_t id = 0;
    std::int64_t owner_id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Pet, (), (id, owner_id, name))
DORM_TABLE(Pet, "evo_fw_pet", (owner_id, dorm::foreign_key(&Owner::id), dorm::on_delete(dorm::fk_action::cascade)),
           (name, dorm::varchar(20)))
inline dorm::metadata<Owner, Pet> meta;
}  // namespace v2
}  // namespace fkwiden

// A key and the foreign key that refers to it widened together (int -> std::int64_t): MariaDB
// cannot change a column a foreign key uses (errors 1832 / 1833), so the diff drops the foreign
// key first and adds it again after (as it was: name and ON DELETE action); elsewhere the columns
// change under it. The rows keep their parents, the foreign key still holds, 64-bit keys work,
// and the operations' down statements in reverse order give the old schema back.
BOOST_AUTO_TEST_CASE(a_foreign_key_widened_with_the_key_it_refers_to_is_migrated) {
    auto engine = dorm_test::make_engine();
    const bool mysql = engine.dialect() == dorm::dialect::mysql;
    dorm_test::drop_tables(engine, {"evo_fw_pet", "evo_fw_owner"});
    fkwiden::v1::meta.upgrade(engine, {.drop_unknown_tables = false});
    int ann = 0;
    {
        dorm::session s(engine);
        auto o = s.add(fkwiden::v1::Owner{.name = "ann"});
        s.flush();
        ann = o->id;
        s.add(fkwiden::v1::Pet{.owner_id = o->id, .name = "rex"});
        s.commit();
    }
    auto d = fkwiden::v2::meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(d.lossless(), d.report());
    if (mysql) {
        BOOST_TEST(has_kind(d, dorm::schema_change::drop_foreign_key), d.report());
        BOOST_TEST(has_kind(d, dorm::schema_change::add_foreign_key), d.report());
    }
    BOOST_REQUIRE_NO_THROW(fkwiden::v2::meta.upgrade(engine, {.drop_unknown_tables = false}));
    auto after = fkwiden::v2::meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(after.empty(), after.report());
    {
        dorm::session s(engine);
        auto rex = s.execute(dorm::select<fkwiden::v2::Pet>()).scalar_one();
        BOOST_TEST(rex->owner_id == ann);
        s.add(fkwiden::v2::Owner{.id = 5'000'000'000LL, .name = "big"});
        s.flush();
        s.add(fkwiden::v2::Pet{.owner_id = 5'000'000'000LL, .name = "max"});
        s.commit();
    }
    {  // the foreign key holds (no such owner) and keeps its ON DELETE CASCADE
        dorm::session s(engine);
        s.add(fkwiden::v2::Pet{.owner_id = 7'000'000'000LL, .name = "stray"});
        BOOST_CHECK_THROW(s.commit(), dorm::integrity_error);
        s.rollback();
        s.execute(dorm::delete_from<fkwiden::v2::Owner>().where(col(&fkwiden::v2::Owner::id) == 5'000'000'000LL));
        s.commit();
        BOOST_TEST(s.execute(dorm::select(dorm::count()).select_from<fkwiden::v2::Pet>()).scalar_one() == 1);
    }
    if (mysql) {  // undone: the operations' down statements, last operation first
        auto c = engine.connect();
        const auto& ops = d.operations();
        for (auto op = ops.rbegin(); op != ops.rend(); ++op)
            for (const auto& st : op->down_sql) c.execute(st);
        auto back = fkwiden::v1::meta.diff(engine, {.drop_unknown_tables = false});
        BOOST_TEST(back.empty(), back.report());
    }
    dorm_test::drop_tables(engine, {"evo_fw_pet", "evo_fw_owner"});
}

// A table rebuilt on SQLite keeps what the database hangs on it: its triggers (dropped with the
// old table, so dorm makes them again) and the views that name it (SQLite would otherwise refuse
// the rename, "error in view ...: no such table"). The view part runs on every backend.
BOOST_AUTO_TEST_CASE(views_and_triggers_of_a_rebuilt_table_survive) {
    auto engine = dorm_test::make_engine();
    const bool sqlite = engine.dialect() == dorm::dialect::sqlite;
    auto cleanup = [&] {
        dorm::session s(engine);
        s.execute(dorm::text("DROP VIEW IF EXISTS evo_shelf_ids"));
        s.execute(dorm::text("DROP TABLE IF EXISTS evo_shelf_log"));
        s.commit();
        cascade::drop(engine);
    };
    cleanup();
    cascade::v1.upgrade(engine);
    {
        dorm::session s(engine);
        s.execute(dorm::text("CREATE VIEW evo_shelf_ids AS SELECT id FROM evo_shelf"));
        if (sqlite) {
            s.execute(dorm::text("CREATE TABLE evo_shelf_log (label TEXT)"));
            s.execute(dorm::text("CREATE TRIGGER evo_shelf_added AFTER INSERT ON evo_shelf BEGIN "
                                 "INSERT INTO evo_shelf_log (label) VALUES (NEW.label); END"));
        }
        s.add(cascade::Shelf{.label = "A", .floor = 1});
        s.add(cascade::Shelf{.label = "B", .floor = 2});
        s.commit();
    }
    auto d = cascade::v2.diff(engine, {.drop_unknown_tables = false});
    if (sqlite) BOOST_TEST(has_kind(d, dorm::schema_change::rebuild_table), d.report());
    cascade::v2.upgrade(engine, {.drop_unknown_tables = false});
    dorm::session s(engine);
    BOOST_TEST(s.execute(dorm::text<std::int64_t>("SELECT count(*) FROM evo_shelf_ids")).scalar_one() == 2);
    s.add(cascade::ShelfV2{.label = "C", .floor = 3});
    s.commit();
    BOOST_TEST(s.execute(dorm::text<std::int64_t>("SELECT count(*) FROM evo_shelf_ids")).scalar_one() == 3);
    if (sqlite) {
        // the trigger fired for the rows before and after the rebuild
        BOOST_TEST(s.execute(dorm::text<std::string>("SELECT group_concat(label, ',') FROM evo_shelf_log")).scalar_one() ==
                   "A,B,C");
        auto live = dorm::inspect(engine);
        BOOST_TEST_REQUIRE(live.table("evo_shelf") != nullptr);
        BOOST_TEST(live.table("evo_shelf")->triggers.size() == 1u);
    }
    s.rollback();
    cleanup();
}

namespace {
struct temp_dir {
    std::string path;
    temp_dir() {
        char tmpl[] = "/tmp/dorm-evo-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~temp_dir() { std::system(("rm -rf '" + path + "'").c_str()); }
};
}  // namespace

BOOST_FIXTURE_TEST_CASE(generated_migrations_take_the_schema_through_three_versions_and_back, fresh) {
    temp_dir dir;
    auto first = dorm::migrations::generate(v1::meta, engine, dir.path, "initial");
    BOOST_TEST(first.find("0001_initial.up.sql") != std::string::npos, first);
    dorm::migrations::upgrade(engine, dir.path);
    {
        dorm::session s(engine);
        auto ann = s.add(v1::Author{.name = "Ann"});
        s.flush();
        s.add(v1::Book{.title = "Dune", .author_id = ann->id, .pages = 412});
        s.add(v1::Book{.title = "Notes", .author_id = ann->id});
        s.commit();
    }
    BOOST_TEST(dorm::migrations::generate(v1::meta, engine, dir.path, "nothing").empty());  // up to date: no file

    dorm::migrations::generate(v2::meta, engine, dir.path, "add stock and reviews");
    BOOST_TEST(dorm::migrations::pending(engine, dir.path).size() == 1u);
    dorm::migrations::upgrade(engine, dir.path);
    BOOST_TEST(v2::meta.diff(engine).empty(), v2::meta.diff(engine).report());

    dorm::migrations::generate(v3::meta, engine, dir.path, "isbn");
    dorm::migrations::upgrade(engine, dir.path);
    auto d3 = v3::meta.diff(engine);
    BOOST_TEST(d3.empty(), d3.report());
    BOOST_TEST(dorm::migrations::applied(engine).size() == 3u);
    BOOST_TEST(count_books(engine) == 2);
    {
        dorm::session s(engine);
        auto notes = s.scalars(dorm::select<v3::Book>().where(col(&v3::Book::title) == "Notes")).one();
        BOOST_TEST(notes->pages == 0);
        BOOST_TEST(notes->stock == 0);
    }

    // a lossy change is written commented out: applying the file changes nothing
    auto lossy_file = dorm::migrations::generate(v2::meta, engine, dir.path, "back to v2 by hand");
    std::ifstream in(lossy_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(text.find("REFUSED (lossy)") != std::string::npos, text);
    dorm::migrations::upgrade(engine, dir.path);
    auto live = dorm::inspect(engine);
    BOOST_TEST_REQUIRE(live.table("evo_book") != nullptr);
    BOOST_TEST(live.table("evo_book")->column("isbn") != nullptr);  // the lossy drop did not run
    BOOST_TEST(count_books(engine) == 2);
    dorm::migrations::downgrade(engine, dir.path, 3);  // undoes the lossless rest of step 4
    auto at3 = v3::meta.diff(engine);
    BOOST_TEST(at3.empty(), at3.report());

    // down again to version 1: every book is still there
    dorm::migrations::downgrade(engine, dir.path, 1);
    auto back = v1::meta.diff(engine);
    BOOST_TEST(back.empty(), back.report());
    BOOST_TEST(count_books(engine) == 2);
}

// ---- statements prepared before an upgrade are prepared again after it -------------------------
// PostgreSQL refuses to run a cached plan whose result type changed ("cached plan must not change
// result type"); upgrade() and the migrations runner tell the engine, so every pooled connection
// prepares its statements again (trial of issue 15, finding 6).
namespace widen {
struct Counter {
    int id = 0;
    int hits = 0;
};
BOOST_DESCRIBE_STRUCT(Counter, (), (id, hits))
DORM_TABLE(Counter, "evo_counter")
inline dorm::metadata<Counter> v1;

struct CounterV2 {
    int id = 0;
    std::int64_t hits = 0;  // INTEGER -> BIGINT: lossless, and a new result type
};
BOOST_DESCRIBE_STRUCT(CounterV2, (), (id, hits))
DORM_TABLE(CounterV2, "evo_counter")
inline dorm::metadata<CounterV2> v2;
inline dorm::metadata<Counter> v3;  // back by a migration step: a type change the other way
}  // namespace widen

namespace {
// reads every counter in two sessions open at once, so two pooled connections cache the SELECT
long long read_hits_twice(const dorm::engine& e) {
    dorm::session a(e);
    dorm::session b(e);
    long long sum = 0;
    for (auto& c : a.scalars(dorm::select<widen::Counter>()).all()) sum += c->hits;
    for (auto& c : b.scalars(dorm::select<widen::Counter>()).all()) sum += c->hits;
    return sum;
}
}  // namespace

BOOST_AUTO_TEST_CASE(statements_cached_before_an_upgrade_work_after_it) {
    auto engine = dorm_test::make_engine();
    dorm_test::drop_tables(engine, {"evo_counter", "dorm_migrations"});
    widen::v1.upgrade(engine);
    {
        dorm::session s(engine);
        s.add(widen::Counter{.hits = 20});
        s.add(widen::Counter{.hits = 22});
        s.commit();
    }
    BOOST_TEST(read_hits_twice(engine) == 84);
    auto d = widen::v2.diff(engine);
    BOOST_TEST(d.lossless(), d.report());
    BOOST_TEST(!d.empty());
    widen::v2.upgrade(engine);
    BOOST_TEST(read_hits_twice(engine) == 84);  // the same SQL text, now over a BIGINT column
    {
        dorm::session s(engine);
        auto big = s.scalars(dorm::select<widen::CounterV2>().order_by(col(&widen::CounterV2::id))).first();
        BOOST_TEST_REQUIRE(big != nullptr);
        big->hits = 5'000'000'000;
        s.commit();
        big->hits = 20;
        s.commit();
    }
    // the migrations runner does the same: a step written by hand narrows the column again
    temp_dir dir;
    {
        std::ofstream up(dir.path + "/0001_narrow.up.sql");
        up << (engine.dialect() == dorm::dialect::sqlite ? "SELECT 1;\n"
               : engine.dialect() == dorm::dialect::mysql
                   ? "ALTER TABLE `evo_counter` MODIFY COLUMN `hits` INTEGER NOT NULL;\n"
                   : "ALTER TABLE \"evo_counter\" ALTER COLUMN \"hits\" TYPE INTEGER;\n");
        std::ofstream down(dir.path + "/0001_narrow.down.sql");
        down << "SELECT 1;\n";
    }
    BOOST_TEST(read_hits_twice(engine) == 84);
    dorm::migrations::upgrade(engine, dir.path);
    BOOST_TEST(read_hits_twice(engine) == 84);
    auto back = widen::v3.diff(engine);
    if (engine.dialect() != dorm::dialect::sqlite) BOOST_TEST(back.empty(), back.report());
    dorm_test::drop_tables(engine, {"evo_counter", "dorm_migrations"});
}

// ---- dropping or replacing the index a foreign key uses ---------------------------------------
// InnoDB refuses to drop the last index that starts with a foreign key's columns (error 1553):
// upgrade(), a generated step and its down step keep one (trial of issue 15, finding 1).
namespace fkidx {
struct Bin {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Bin, (), (id, name))
DORM_TABLE(Bin, "evo_bin", (name, dorm::varchar(40)))

struct Part {  // v1: one index on (bin_id, name) serves the foreign key
    int id = 0;
    int bin_id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Part, (), (id, bin_id, name))
DORM_TABLE(Part, "evo_part", (bin_id, dorm::foreign_key(&Bin::id)), (name, dorm::varchar(40)),
           (table_args, dorm::index(&Part::bin_id, &Part::name)))
inline dorm::metadata<Bin, Part> v1;

struct PartV2 {  // v2: the index is gone
    int id = 0;
    int bin_id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(PartV2, (), (id, bin_id, name))
DORM_TABLE(PartV2, "evo_part", (bin_id, dorm::foreign_key(&Bin::id)), (name, dorm::varchar(40)))
inline dorm::metadata<Bin, PartV2> v2;

struct PartV3 {  // v3: an index on bin_id alone
    int id = 0;
    int bin_id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(PartV3, (), (id, bin_id, name))
DORM_TABLE(PartV3, "evo_part", (bin_id, dorm::foreign_key(&Bin::id), dorm::index), (name, dorm::varchar(40)))
inline dorm::metadata<Bin, PartV3> v3;

void drop(const dorm::engine& e) { dorm_test::drop_tables(e, {"evo_part", "evo_bin", "dorm_migrations"}); }

void seed(const dorm::engine& e) {
    dorm::session s(e);
    auto bin = s.add(Bin{.name = "A1"});
    s.flush();
    s.add(Part{.bin_id = bin->id, .name = "bolt"});
    s.add(Part{.bin_id = bin->id, .name = "nut"});
    s.commit();
}

// the parts are there and the foreign key still holds
template <class P>
void check_parts(const dorm::engine& e) {
    dorm::session s(e);
    BOOST_TEST(s.scalars(dorm::select<P>()).all().size() == 2u);
    s.add(P{.bin_id = 999'999, .name = "orphan"});
    BOOST_CHECK_THROW(s.commit(), dorm::foreign_key_violation);
}
}  // namespace fkidx

BOOST_AUTO_TEST_CASE(the_index_of_a_foreign_key_can_be_dropped_and_replaced) {
    auto engine = dorm_test::make_engine();
    fkidx::drop(engine);
    fkidx::v1.upgrade(engine);
    fkidx::seed(engine);
    for (int round = 0; round < 2; ++round) {  // the second round runs on what the first one left
        auto d2 = fkidx::v2.diff(engine);
        BOOST_TEST(d2.lossless(), d2.report());
        fkidx::v2.upgrade(engine);
        BOOST_TEST(fkidx::v2.diff(engine).empty(), fkidx::v2.diff(engine).report());
        fkidx::check_parts<fkidx::PartV2>(engine);
        fkidx::v3.upgrade(engine);
        BOOST_TEST(fkidx::v3.diff(engine).empty(), fkidx::v3.diff(engine).report());
        fkidx::check_parts<fkidx::PartV3>(engine);
        fkidx::v1.upgrade(engine);
        BOOST_TEST(fkidx::v1.diff(engine).empty(), fkidx::v1.diff(engine).report());
    }
    // v1 -> v3 at once (the new index replaces the old one), as a generated step, and back
    temp_dir dir;
    BOOST_TEST(!dorm::migrations::generate(fkidx::v3, engine, dir.path, "index bin_id alone").empty());
    dorm::migrations::upgrade(engine, dir.path);
    BOOST_TEST(fkidx::v3.diff(engine).empty(), fkidx::v3.diff(engine).report());
    fkidx::check_parts<fkidx::PartV3>(engine);
    BOOST_TEST(!dorm::migrations::generate(fkidx::v2, engine, dir.path, "no index").empty());
    dorm::migrations::upgrade(engine, dir.path);
    BOOST_TEST(fkidx::v2.diff(engine).empty(), fkidx::v2.diff(engine).report());
    dorm::migrations::downgrade(engine, dir.path, 1);
    BOOST_TEST(fkidx::v3.diff(engine).empty(), fkidx::v3.diff(engine).report());
    dorm::migrations::downgrade(engine, dir.path, 0);
    BOOST_TEST(fkidx::v1.diff(engine).empty(), fkidx::v1.diff(engine).report());
    fkidx::check_parts<fkidx::Part>(engine);
    fkidx::drop(engine);
}

// ---- string defaults the catalog re-spells ---------------------------------------------------

namespace spelled {
struct Memo {
    int id = 0;
    std::string lines;   // a newline: MariaDB's catalog writes it 'l1\nl2'
    std::string quoted;  // unbounded (LONGTEXT on MariaDB): its catalog writes 'it\'s'
    std::string short_quoted;
    std::string slash;   // a backslash, and a quote next to it
    std::string tabbed;
};
BOOST_DESCRIBE_STRUCT(Memo, (), (id, lines, quoted, short_quoted, slash, tabbed))
DORM_TABLE(Memo, "evo_memo", (lines, dorm::varchar(20), dorm::default_value("l1\nl2")),
           (quoted, dorm::default_value("it's")), (short_quoted, dorm::varchar(30), dorm::default_value("O'Reilly; \"q\"")),
           (slash, dorm::varchar(20), dorm::default_value("a\\b'\\")), (tabbed, dorm::default_value("\tx\r\n")))
inline dorm::metadata<Memo> meta;
}  // namespace spelled

// String defaults with a newline, a tab, quotes and backslashes: right after create_all the diff
// is empty and upgrade() has nothing to do (trial 26: MariaDB's catalog spells them with backslash
// escapes, so every upgrade re-ran two ALTER ... MODIFY), and a new row takes each default as is.
BOOST_AUTO_TEST_CASE(string_defaults_the_catalog_re_spells_compare_equal) {
    auto engine = dorm_test::make_engine();
    dorm_test::drop_tables(engine, {"evo_memo"});
    spelled::meta.create_all(engine);
    auto d = spelled::meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(d.empty(), d.report());
    auto up = spelled::meta.upgrade(engine, {.drop_unknown_tables = false});
    BOOST_TEST(up.empty(), up.report());
    {
        auto c = engine.connect();
        c.execute("INSERT INTO " + dorm_test::q("evo_memo") + " (" + dorm_test::q("id") + ") VALUES (1)");
    }
    dorm::session s(engine);
    auto m = s.get<spelled::Memo>(1);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->lines == "l1\nl2");
    BOOST_TEST(m->quoted == "it's");
    BOOST_TEST(m->short_quoted == "O'Reilly; \"q\"");
    BOOST_TEST(m->slash == "a\\b'\\");
    BOOST_TEST(m->tabbed == "\tx\r\n");
    s.close();
    dorm_test::drop_tables(engine, {"evo_memo"});
}

// ---- undoing a widened VARCHAR ---------------------------------------------------------------

namespace widened {
namespace v1 {
struct Label {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Label, (), (id, name))
DORM_TABLE(Label, "evo_label", (name, dorm::varchar(20)))
inline dorm::metadata<Label> meta;
}  // namespace v1
namespace v2 {
struct Label {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Label, (), (id, name))
DORM_TABLE(Label, "evo_label", (name, dorm::varchar(100)))
inline dorm::metadata<Label> meta;
}  // namespace v2
}  // namespace widened

// A down step that narrows VARCHAR(100) back to VARCHAR(20) fails while a value written since is
// longer, and nothing is truncated or kept oversized (trial 26: SQLite's table rebuild copied the
// 50 characters back into VARCHAR(20), which SQLite does not enforce); once the value fits, the
// step runs. Every backend.
BOOST_AUTO_TEST_CASE(undoing_a_widened_varchar_fails_while_a_longer_value_is_there) {
    auto engine = dorm_test::make_engine();
    dorm_test::drop_tables(engine, {"evo_label", "dorm_migrations"});
    temp_dir dir;
    dorm::migrations::generate(widened::v1::meta, engine, dir.path, "labels");
    dorm::migrations::upgrade(engine, dir.path);
    dorm::migrations::generate(widened::v2::meta, engine, dir.path, "wider labels");
    dorm::migrations::upgrade(engine, dir.path);
    int long_id = 0;
    {
        dorm::session s(engine);
        s.add(widened::v2::Label{.name = "short"});
        auto l = s.add(widened::v2::Label{.name = std::string(50, 'L')});
        s.commit();
        long_id = l->id;
    }
    try {
        dorm::migrations::downgrade(engine, dir.path, 1);
        BOOST_ERROR("the down step narrowed VARCHAR(100) over a 50-character value");
    } catch (const dorm::error& e) {
        const std::string m = e.what();
        BOOST_TEST_MESSAGE(m);
        BOOST_TEST(m.find("0002_wider_labels.down.sql") != std::string::npos, m);
        if (engine.dialect() == dorm::dialect::sqlite)
            BOOST_TEST(m.find("evo_label.name holds a value longer than VARCHAR(20)") != std::string::npos, m);
    }
    BOOST_TEST(dorm::migrations::applied(engine).size() == 2u);  // still applied
    BOOST_TEST(widened::v2::meta.diff(engine, {.drop_unknown_tables = false}).empty());
    {
        dorm::session s(engine);
        auto l = s.get<widened::v2::Label>(long_id);
        BOOST_REQUIRE(l);
        BOOST_TEST(l->name.size() == 50u);  // not truncated
        l->name = "fits now";
        s.commit();
    }
    dorm::migrations::downgrade(engine, dir.path, 1);
    BOOST_TEST(dorm::migrations::applied(engine).size() == 1u);
    auto back = widened::v1::meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(back.empty(), back.report());
    {
        dorm::session s(engine);
        BOOST_TEST(s.get<widened::v1::Label>(long_id)->name == "fits now");
    }
    dorm_test::drop_tables(engine, {"evo_label", "dorm_migrations"});
}

// ---- a generated step runs its safe changes when it refuses a lossy one ------------------------
// One step widens a VARCHAR, adds a column, and would drop a column, narrow an integer, make a
// column holding NULLs NOT NULL and add a NOT NULL column without default (and its index). The lossy parts are written commented out; the safe ones
// run. On SQLite all five are one table rebuild: before session 28 the whole rebuild was written
// commented out, so the widening and the new column did not run either (the step was recorded
// and the model then failed on "no such column"). Now the rebuild is split: a lossless one to the
// model with the refused parts kept as they are live, and a lossy one after it, commented out.
// Every backend: the same outcome, checked by the diff that is left (only the refused parts).
namespace partly {
namespace v1 {
struct Article {
    int id = 0;
    std::string title;
    std::string code;
    std::int64_t views = 0;
    std::optional<std::string> note;
};
BOOST_DESCRIBE_STRUCT(Article, (), (id, title, code, views, note))
DORM_TABLE(Article, "evo_article", (title, dorm::varchar(40)), (code, dorm::varchar(10)))
inline dorm::metadata<Article> meta;
}  // namespace v1
namespace v2 {
struct Article {
    int id = 0;
    std::string title;                    // VARCHAR(40) -> VARCHAR(120): safe
    int views = 0;                        // BIGINT -> INTEGER: refused (narrowing)
    std::string note;                     // NULL -> NOT NULL, no default, a row holds NULL: refused
    std::optional<std::string> summary;   // new nullable column: safe
    int rating = 0;                       // new NOT NULL column without default over rows: refused
    // code: dropped, refused (its values would be lost)
};
BOOST_DESCRIBE_STRUCT(Article, (), (id, title, views, note, summary, rating))
DORM_TABLE(Article, "evo_article", (title, dorm::varchar(120), dorm::index), (rating, dorm::index, dorm::check("rating >= 0")))
inline dorm::metadata<Article> meta;
}  // namespace v2
}  // namespace partly

BOOST_AUTO_TEST_CASE(a_generated_step_runs_its_safe_changes_when_it_refuses_lossy_ones) {
    auto engine = dorm_test::make_engine();
    dorm_test::drop_tables(engine, {"evo_article", "_dorm_new_evo_article", "dorm_migrations"});
    temp_dir dir;
    dorm::migrations::generate(partly::v1::meta, engine, dir.path, "articles");
    dorm::migrations::upgrade(engine, dir.path);
    {
        dorm::session s(engine);
        s.add(partly::v1::Article{.title = "Dune", .code = "D-1", .views = 7, .note = "classic"});
        s.add(partly::v1::Article{.title = "Emma", .code = "E-2", .views = 9, .note = std::nullopt});
        s.commit();
    }

    // metadata.upgrade() refuses, listing each refused part as its own entry on every backend
    // (SQLite's one rebuild included), and changes nothing
    try {
        partly::v2::meta.upgrade(engine, {.drop_unknown_tables = false});
        BOOST_ERROR("upgrade() applied lossy changes");
    } catch (const dorm::migration_error& err) {
        std::set<std::string> columns;
        for (const auto& r : err.refused()) {
            BOOST_TEST(r.table == "evo_article");
            BOOST_TEST(r.what.find("rebuild") == std::string::npos, r.what);
            BOOST_TEST(!r.why.empty());
            columns.insert(r.column);
        }
        for (const char* c : {"code", "views", "note", "rating"})  // (rating: the column, its index and check)
            BOOST_TEST(columns.count(c) == 1u, c << " is not listed in: " << err.what());
        BOOST_TEST(columns.count("summary") == 0u);
        BOOST_TEST(columns.count("title") == 0u);
    }
    BOOST_TEST(dorm::inspect(engine).table("evo_article")->column("summary") == nullptr);

    const std::string up = dorm::migrations::generate(partly::v2::meta, engine, dir.path, "titles and summaries");
    std::ifstream in(up);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST_MESSAGE(text);
    BOOST_TEST(text.find("REFUSED (lossy)") != std::string::npos, text);
    BOOST_TEST(text.find("NOTHING IN THIS STEP RUNS") == std::string::npos, text);
    dorm::migrations::upgrade(engine, dir.path);
    BOOST_TEST(dorm::migrations::applied(engine).size() == 2u);

    // what is left to do is exactly the refused parts
    auto left = partly::v2::meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(!left.empty());
    for (const auto& op : left.operations())
        BOOST_TEST(!op.lossless, "a safe change did not run: " << op.description);
    const std::string report = left.report();
    BOOST_TEST(report.find("code") != std::string::npos, report);
    BOOST_TEST(report.find("views") != std::string::npos, report);
    BOOST_TEST(report.find("note") != std::string::npos, report);
    BOOST_TEST(report.find("rating") != std::string::npos, report);
    BOOST_TEST(report.find("summary") == std::string::npos, report);
    BOOST_TEST(report.find("VARCHAR(120)") == std::string::npos, report);

    // the rows and every kept value are there; the new column and the wider title work
    auto live = dorm::inspect(engine);
    BOOST_TEST_REQUIRE(live.table("evo_article") != nullptr);
    const auto* t = live.table("evo_article");
    BOOST_TEST(t->column("summary") != nullptr);
    BOOST_TEST(t->column("rating") == nullptr);
    BOOST_TEST_REQUIRE(t->column("code") != nullptr);
    BOOST_TEST_REQUIRE(t->column("note") != nullptr);
    BOOST_TEST(t->column("note")->nullable);
    {
        dorm::session s(engine);
        BOOST_TEST(s.execute(dorm::text<std::string>("SELECT code FROM evo_article ORDER BY id")).scalars().all() ==
                       (std::vector<std::string>{"D-1", "E-2"}),
                   boost::test_tools::per_element());
        BOOST_TEST(s.execute(dorm::text<std::int64_t>("SELECT views FROM evo_article ORDER BY id")).scalars().all() ==
                       (std::vector<std::int64_t>{7, 9}),
                   boost::test_tools::per_element());
        BOOST_TEST(s.execute(dorm::text<std::int64_t>("SELECT count(*) FROM evo_article WHERE note IS NULL"))
                       .scalar_one() == 1);
        s.execute(dorm::text("UPDATE evo_article SET title = :t, summary = :s WHERE id = 1",
                             {{"t", std::string(100, 'T')}, {"s", "a desert planet"}}));
        s.commit();
    }
    {
        dorm::session s(engine);
        BOOST_TEST(s.execute(dorm::text<std::string>("SELECT summary FROM evo_article WHERE id = 1")).scalar_one() ==
                   "a desert planet");
        BOOST_TEST(s.execute(dorm::text<std::int64_t>("SELECT length(title) FROM evo_article WHERE id = 1"))
                       .scalar_one() == 100);
    }

    // the step's down file undoes the safe part (the title fits VARCHAR(40) again first)
    {
        auto c = engine.connect();
        c.execute_ddl("UPDATE evo_article SET title = 'Dune' WHERE id = 1");
    }
    dorm::migrations::downgrade(engine, dir.path, 1);
    auto back = partly::v1::meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(back.empty(), back.report());
    {
        dorm::session s(engine);
        BOOST_TEST(s.execute(dorm::text<std::string>("SELECT code FROM evo_article ORDER BY id")).scalars().all() ==
                       (std::vector<std::string>{"D-1", "E-2"}),
                   boost::test_tools::per_element());
    }
    dorm_test::drop_tables(engine, {"evo_article", "dorm_migrations"});
}

// A reviewer who accepts a refused SQLite rebuild uncomments it: the step must still switch
// foreign keys off (else the DROP TABLE of the parent deletes its ON DELETE CASCADE children),
// and its down file, uncommented too, must bring a dropped column back empty — not with the
// column's name in every row, which is what SQLite does with a double-quoted name that is no
// column (trial of session 28). Every backend.
namespace accepted {
namespace v1 {
struct Team {
    int id = 0;
    std::string slug;
    std::optional<std::string> legacy;
};
struct Member {
    int id = 0;
    int team_id = 0;
    std::string nick;
};
BOOST_DESCRIBE_STRUCT(Team, (), (id, slug, legacy))
BOOST_DESCRIBE_STRUCT(Member, (), (id, team_id, nick))
DORM_TABLE(Team, "evo_team", (slug, dorm::varchar(20)))
DORM_TABLE(Member, "evo_member", (team_id, dorm::foreign_key(&Team::id), dorm::on_delete(dorm::fk_action::cascade)))
inline dorm::metadata<Team, Member> meta;
}  // namespace v1
namespace v2 {
struct Team {
    int id = 0;
    std::string slug;  // VARCHAR(20) -> VARCHAR(10): refused; legacy: dropped, refused
};
BOOST_DESCRIBE_STRUCT(Team, (), (id, slug))
DORM_TABLE(Team, "evo_team", (slug, dorm::varchar(10)))
inline dorm::metadata<Team, v1::Member> meta;
}  // namespace v2

/// The file with every refused block uncommented, as a reviewer's editor does it: the lines after
/// a `marker` line, up to the next blank line, lose their leading "-- " (notes come before it).
void accept_refused(const std::string& path, const std::string& marker) {
    std::ifstream in(path);
    std::string line, out;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line.rfind(marker, 0) == 0) {
            inside = true;
        } else if (line.empty()) {
            inside = false;
        } else if (inside && line.rfind("-- ", 0) == 0) {
            line = line.substr(3);
        }
        out += line + "\n";
    }
    in.close();
    std::ofstream(path, std::ios::trunc) << out;
}
}  // namespace accepted

BOOST_AUTO_TEST_CASE(an_accepted_refused_rebuild_keeps_the_children_and_undoes_without_inventing_values) {
    auto engine = dorm_test::make_engine();
    dorm_test::drop_tables(engine, {"evo_member", "evo_team", "_dorm_new_evo_team", "dorm_migrations"});
    temp_dir dir;
    dorm::migrations::generate(accepted::v1::meta, engine, dir.path, "teams");
    dorm::migrations::upgrade(engine, dir.path);
    {
        dorm::session s(engine);
        auto red = s.add(accepted::v1::Team{.slug = "red", .legacy = "R-1"});
        s.add(accepted::v1::Team{.slug = "blue", .legacy = std::nullopt});
        s.flush();
        s.add(accepted::v1::Member{.team_id = red->id, .nick = "ann"});
        s.add(accepted::v1::Member{.team_id = red->id, .nick = "bob"});
        s.commit();
    }
    const std::string up = dorm::migrations::generate(accepted::v2::meta, engine, dir.path, "short slugs");
    {
        std::ifstream in(up);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        BOOST_TEST(text.find("NOTHING IN THIS STEP RUNS") != std::string::npos, text);
        if (engine.dialect() == dorm::dialect::sqlite)
            BOOST_TEST(text.find("\nPRAGMA foreign_keys = OFF;\n") != std::string::npos, text);
    }
    std::string down = up;
    down.replace(down.rfind(".up.sql"), 7, ".down.sql");
    accepted::accept_refused(up, "-- REFUSED (lossy)");
    accepted::accept_refused(down, "-- REFUSED in the up file");
    dorm::migrations::upgrade(engine, dir.path);

    auto after = accepted::v2::meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(after.empty(), after.report());
    {
        dorm::session s(engine);
        BOOST_TEST(s.execute(dorm::text<std::int64_t>("SELECT count(*) FROM evo_member")).scalar_one() == 2);
        BOOST_TEST(s.execute(dorm::text<std::string>("SELECT slug FROM evo_team ORDER BY id")).scalars().all() ==
                       (std::vector<std::string>{"red", "blue"}),
                   boost::test_tools::per_element());
    }

    dorm::migrations::downgrade(engine, dir.path, 1);
    auto back = accepted::v1::meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(back.empty(), back.report());
    {
        dorm::session s(engine);
        BOOST_TEST(s.execute(dorm::text<std::int64_t>("SELECT count(*) FROM evo_member")).scalar_one() == 2);
        // the dropped values are gone: NULL, never the column's name
        BOOST_TEST(s.execute(dorm::text<std::int64_t>("SELECT count(*) FROM evo_team WHERE legacy IS NULL")).scalar_one() ==
                   2);
    }
    dorm_test::drop_tables(engine, {"evo_member", "evo_team", "dorm_migrations"});
}

// A unique constraint over values the rows already repeat is refused by the diff before
// anything runs, naming the columns and counting the values (the database would refuse it
// mid-upgrade: SQLite naming its temporary rebuild table, MariaDB after committing the
// operations before it). Once the values differ, it is added. Every backend.
namespace repeated {
namespace v1 {
struct Tag {
    int id = 0;
    std::string label;
    std::optional<std::string> color;
};
BOOST_DESCRIBE_STRUCT(Tag, (), (id, label, color))
DORM_TABLE(Tag, "evo_tag", (label, dorm::varchar(20)), (color, dorm::varchar(20)))
inline dorm::metadata<Tag> meta;
}  // namespace v1
namespace v2 {
struct Tag {
    int id = 0;
    std::string label;
    std::optional<std::string> color;
    std::optional<std::string> note;  // a safe change alongside
};
BOOST_DESCRIBE_STRUCT(Tag, (), (id, label, color, note))
DORM_TABLE(Tag, "evo_tag", (label, dorm::varchar(20), dorm::unique), (color, dorm::varchar(20), dorm::unique))
inline dorm::metadata<Tag> meta;
}  // namespace v2
}  // namespace repeated

BOOST_AUTO_TEST_CASE(a_unique_constraint_over_repeated_values_is_refused_first) {
    auto engine = dorm_test::make_engine();
    dorm_test::drop_tables(engine, {"evo_tag", "_dorm_new_evo_tag"});
    repeated::v1::meta.upgrade(engine);
    {
        dorm::session s(engine);
        s.add(repeated::v1::Tag{.label = "red", .color = std::nullopt});
        s.add(repeated::v1::Tag{.label = "red", .color = std::nullopt});  // NULLs never repeat for UNIQUE
        s.add(repeated::v1::Tag{.label = "blue", .color = "b"});
        s.commit();
    }
    try {
        repeated::v2::meta.upgrade(engine, {.drop_unknown_tables = false});
        BOOST_ERROR("a unique constraint over repeated values was applied");
    } catch (const dorm::migration_error& err) {
        const std::string m = err.what();
        BOOST_TEST(err.refused().size() == 1u, m);
        BOOST_TEST(m.find("1 value of") != std::string::npos, m);
        BOOST_TEST(m.find("label") != std::string::npos, m);
        BOOST_TEST(m.find("more than one row") != std::string::npos, m);
        BOOST_TEST(m.find("_dorm_new_") == std::string::npos, m);
    }
    BOOST_TEST(dorm::inspect(engine).table("evo_tag")->column("note") == nullptr);  // nothing ran
    {
        auto c = engine.connect();
        c.execute_ddl("UPDATE evo_tag SET label = 'red 2' WHERE id = 2");
    }
    repeated::v2::meta.upgrade(engine, {.drop_unknown_tables = false});
    auto left = repeated::v2::meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(left.empty(), left.report());
    dorm::session s(engine);
    s.add(repeated::v2::Tag{.label = "blue"});
    BOOST_CHECK_THROW(s.commit(), dorm::integrity_error);
    dorm_test::drop_tables(engine, {"evo_tag"});
}
