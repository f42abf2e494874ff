// dorm::migrations against a real database (DORM_TEST_URL): steps applied in order and recorded
// in dorm_migrations, a second upgrade that applies nothing, a target, refusals before anything
// runs (an edited or vanished applied file, a missing down file, malformed file names), a
// failing step (rolled back on SQLite/PostgreSQL; named with its statement on MariaDB),
// downgrades, two upgraders at once, and a step written by write() and applied.
#define BOOST_TEST_MODULE migrations
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <exception>
#include <latch>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"
#include "migration_dirs.hpp"

using dorm_test::is_mysql;
using dorm_test::temp_dir;

namespace {

/// Every table a test case here creates, children first.
const char* const test_tables[] = {"step_log", "t2", "t3", "t4", "t5", "extra", "note", "book", "item", "shelf",
                                   "shelf_new", "dorm_migrations"};

/// An engine on the database under test, without the tables of an earlier test case (file and
/// server databases outlive a case).
dorm::engine fresh_engine(dorm::engine_options options = {}) {
    auto e = dorm_test::make_engine(std::move(options));
    auto c = e.connect();
    for (const char* t : test_tables) c.execute_ddl(std::string("DROP TABLE IF EXISTS ") + t);
    return e;
}

std::int64_t scalar(const dorm::engine& e, const std::string& sql) {
    auto c = e.connect();
    auto st = c.prepare(sql);
    BOOST_REQUIRE(st->step());
    return st->get_int(0);
}

std::vector<std::string> texts(const dorm::engine& e, const std::string& sql) {
    auto c = e.connect();
    auto st = c.prepare(sql);
    std::vector<std::string> out;
    while (st->step()) out.emplace_back(st->get_text(0));
    return out;
}

bool table_exists(const dorm::engine& e, const std::string& name) {
    auto c = e.connect();
    return c.raw().table_exists(name);
}

bool has_column(const dorm::engine& e, const std::string& table, const std::string& column) {
    try {
        auto c = e.connect();
        auto st = c.prepare("SELECT " + column + " FROM " + table);
        st->step();
        return true;
    } catch (const dorm::database_error&) {
        return false;
    }
}

std::int64_t index_count(const dorm::engine& e, const std::string& name) {
    const std::string b = dorm_test::backend();
    if (b == "sqlite") return scalar(e, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '" + name + "'");
    if (b == "postgresql") return scalar(e, "SELECT count(*) FROM pg_indexes WHERE indexname = '" + name + "'");
    return scalar(e, "SELECT count(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = '" +
                         name + "'");
}

template <class Steps>
std::vector<int> ids(const Steps& steps) {
    std::vector<int> out;
    for (const auto& s : steps) out.push_back(s.id);
    return out;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

/// The message of the database error nested in a migration_error, or "" when there is none.
std::string nested_message(const std::exception& e) {
    try {
        std::rethrow_if_nested(e);
    } catch (const dorm::database_error& inner) {
        return inner.what();
    } catch (...) {
        return "(not a database_error)";
    }
    return "";
}

/// The three steps of the library's first versions: a table with rows, a column with a
/// default, an index. The SQL is the same on every backend but for DROP INDEX.
void write_library_steps(const temp_dir& dir) {
    dir.write("0001_create_book.up.sql",
              "-- the first version of the schema\n"
              "CREATE TABLE book (\n"
              "    id INTEGER NOT NULL PRIMARY KEY,\n"
              "    title VARCHAR(100) NOT NULL\n"
              ");\n"
              "INSERT INTO book (id, title) VALUES (1, 'Dune'), (2, 'Emma; a novel'), (3, 'It''s here');\n");
    dir.write("0001_create_book.down.sql", "DROP TABLE book;\n");
    dir.write("0002_add_stock.up.sql", "ALTER TABLE book ADD COLUMN stock INTEGER NOT NULL DEFAULT 5;\n");
    dir.write("0002_add_stock.down.sql", "ALTER TABLE book DROP COLUMN stock;\n");
    dir.write("0003_index_title.up.sql", "/* searched by title */\nCREATE INDEX ix_book_title ON book (title);\n");
    dir.write("0003_index_title.down.sql",
              is_mysql() ? "DROP INDEX ix_book_title ON book;\n" : "DROP INDEX ix_book_title;\n");
}

}  // namespace

BOOST_AUTO_TEST_CASE(upgrade_applies_the_steps_in_order_and_records_them) {
    auto e = fresh_engine();
    temp_dir dir;
    write_library_steps(dir);
    BOOST_TEST(dorm::migrations::applied(e).empty());  // no dorm_migrations yet
    BOOST_TEST(ids(dorm::migrations::pending(e, dir.str())) == (std::vector<int>{1, 2, 3}));

    const auto done = dorm::migrations::upgrade(e, dir.str());
    BOOST_TEST(ids(done) == (std::vector<int>{1, 2, 3}));
    BOOST_TEST(texts(e, "SELECT title FROM book ORDER BY id") ==
                   (std::vector<std::string>{"Dune", "Emma; a novel", "It's here"}),
               boost::test_tools::per_element());
    BOOST_TEST(scalar(e, "SELECT sum(stock) FROM book") == 15);  // the default filled the rows
    BOOST_TEST(index_count(e, "ix_book_title") >= 1);

    const auto files = dorm::migrations::scan(dir.str());
    const auto rows = dorm::migrations::applied(e);
    BOOST_REQUIRE_EQUAL(rows.size(), 3u);
    const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        BOOST_TEST(rows[i].id == files[i].id);
        BOOST_TEST(rows[i].name == files[i].name);
        BOOST_TEST(rows[i].checksum == files[i].checksum);
        BOOST_TEST(rows[i].checksum.size() == 64u);
        BOOST_TEST(std::regex_match(rows[i].applied_at, iso), rows[i].applied_at);
    }
    BOOST_TEST(rows[1].name == "add_stock");
    BOOST_TEST(dorm::migrations::pending(e, dir.str()).empty());
}

BOOST_AUTO_TEST_CASE(a_second_upgrade_applies_nothing) {
    auto e = fresh_engine();
    temp_dir dir;
    write_library_steps(dir);
    BOOST_TEST(dorm::migrations::upgrade(e, dir.str()).size() == 3u);
    const auto before = dorm::migrations::applied(e);
    BOOST_TEST(dorm::migrations::upgrade(e, dir.str()).empty());
    const auto after = dorm::migrations::applied(e);
    BOOST_REQUIRE_EQUAL(after.size(), 3u);
    for (std::size_t i = 0; i < after.size(); ++i) BOOST_TEST(after[i].applied_at == before[i].applied_at);
    BOOST_TEST(scalar(e, "SELECT count(*) FROM book") == 3);
}

BOOST_AUTO_TEST_CASE(upgrade_to_a_target) {
    auto e = fresh_engine();
    temp_dir dir;
    write_library_steps(dir);
    BOOST_TEST(ids(dorm::migrations::upgrade(e, dir.str(), 2)) == (std::vector<int>{1, 2}));
    BOOST_TEST(has_column(e, "book", "stock"));
    BOOST_TEST(index_count(e, "ix_book_title") == 0);
    BOOST_TEST(ids(dorm::migrations::pending(e, dir.str())) == (std::vector<int>{3}));
    BOOST_TEST(dorm::migrations::upgrade(e, dir.str(), 2).empty());
    BOOST_CHECK_THROW(dorm::migrations::upgrade(e, dir.str(), 9), dorm::migration_error);  // no such step
    BOOST_TEST(ids(dorm::migrations::upgrade(e, dir.str())) == (std::vector<int>{3}));
    BOOST_TEST(index_count(e, "ix_book_title") >= 1);
}

BOOST_AUTO_TEST_CASE(an_edited_applied_file_is_refused_before_anything_runs) {
    auto e = fresh_engine();
    temp_dir dir;
    write_library_steps(dir);
    dorm::migrations::upgrade(e, dir.str(), 2);
    dir.append("0001_create_book.up.sql", "-- a harmless looking comment\n");
    try {
        dorm::migrations::upgrade(e, dir.str());
        BOOST_FAIL("expected migration_error");
    } catch (const dorm::migration_error& err) {
        const std::string m = err.what();
        BOOST_TEST(contains(m, "0001_create_book.up.sql"), m);
        BOOST_TEST(contains(m, "edited"), m);
        BOOST_REQUIRE_EQUAL(err.refused().size(), 1u);
        BOOST_TEST(err.refused()[0].what == "step 0001_create_book");
    }
    BOOST_TEST(index_count(e, "ix_book_title") == 0);  // step 3 did not run
    BOOST_TEST(dorm::migrations::applied(e).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_recorded_step_whose_file_vanished_is_refused) {
    auto e = fresh_engine();
    temp_dir dir;
    write_library_steps(dir);
    dorm::migrations::upgrade(e, dir.str());
    dir.remove("0003_index_title.up.sql");
    dir.remove("0003_index_title.down.sql");
    for (int pass = 0; pass < 2; ++pass) {
        try {
            if (pass == 0)
                dorm::migrations::upgrade(e, dir.str());
            else
                dorm::migrations::downgrade(e, dir.str(), 0);
            BOOST_FAIL("expected migration_error");
        } catch (const dorm::migration_error& err) {
            const std::string m = err.what();
            BOOST_TEST(contains(m, "0003_index_title.up.sql is missing"), m);
            BOOST_TEST(err.refused().size() == 1u);
        }
    }
    BOOST_TEST(dorm::migrations::applied(e).size() == 3u);
    BOOST_TEST(table_exists(e, "book"));
}

BOOST_AUTO_TEST_CASE(a_failing_step_is_named_and_the_steps_before_it_stay) {
    auto e = fresh_engine();
    temp_dir dir;
    write_library_steps(dir);
    dir.remove("0002_add_stock.up.sql");
    dir.remove("0002_add_stock.down.sql");
    dir.write("0002_broken.up.sql",
              "CREATE TABLE extra (id INTEGER NOT NULL PRIMARY KEY);\n"
              "INSERT INTO no_such_table (id) VALUES (1);\n"
              "INSERT INTO extra (id) VALUES (1);\n");
    try {
        dorm::migrations::upgrade(e, dir.str());
        BOOST_FAIL("expected migration_error");
    } catch (const dorm::migration_error& err) {
        const std::string m = err.what();
        BOOST_TEST_MESSAGE(m);
        BOOST_TEST(contains(m, "0002_broken.up.sql"), m);
        BOOST_TEST(contains(m, "statement 2 of 3"), m);
        BOOST_TEST(contains(m, "INSERT INTO no_such_table (id) VALUES (1)"), m);
        BOOST_TEST(contains(m, "no_such_table"), m);
        // the backend's error is kept, nested
        const std::string inner = nested_message(err);
        BOOST_TEST(contains(inner, "no_such_table"), inner);
        BOOST_TEST(contains(m, inner), m);
        if (is_mysql()) {
            BOOST_TEST(contains(m, "The last statement that ran was statement 1:\n  CREATE TABLE extra"), m);
            BOOST_TEST(contains(m, "committed"), m);
            BOOST_TEST(contains(m, "non-transactional DDL"), m);
        } else {
            BOOST_TEST(contains(m, "rolled back"), m);
        }
    }
    // DDL is transactional on SQLite and PostgreSQL: nothing of the step remains; MariaDB
    // committed its first statement.
    BOOST_TEST(table_exists(e, "extra") == is_mysql());
    BOOST_TEST(ids(dorm::migrations::applied(e)) == (std::vector<int>{1}));
    BOOST_TEST(scalar(e, "SELECT count(*) FROM book") == 3);
    BOOST_TEST(index_count(e, "ix_book_title") == 0);  // step 3 did not run after it
}

BOOST_AUTO_TEST_CASE(downgrade_to_one_and_to_zero) {
    auto e = fresh_engine();
    temp_dir dir;
    write_library_steps(dir);
    dorm::migrations::upgrade(e, dir.str());

    BOOST_TEST(ids(dorm::migrations::downgrade(e, dir.str(), 1)) == (std::vector<int>{3, 2}));  // newest first
    BOOST_TEST(ids(dorm::migrations::applied(e)) == (std::vector<int>{1}));
    BOOST_TEST(index_count(e, "ix_book_title") == 0);
    BOOST_TEST(!has_column(e, "book", "stock"));
    BOOST_TEST(scalar(e, "SELECT count(*) FROM book") == 3);
    BOOST_TEST(ids(dorm::migrations::pending(e, dir.str())) == (std::vector<int>{2, 3}));
    BOOST_TEST(dorm::migrations::downgrade(e, dir.str(), 1).empty());

    BOOST_TEST(ids(dorm::migrations::downgrade(e, dir.str(), 0)) == (std::vector<int>{1}));
    BOOST_TEST(!table_exists(e, "book"));
    BOOST_TEST(dorm::migrations::applied(e).empty());

    // and up again
    BOOST_TEST(dorm::migrations::upgrade(e, dir.str()).size() == 3u);
    BOOST_TEST(scalar(e, "SELECT sum(stock) FROM book") == 15);
    BOOST_CHECK_THROW(dorm::migrations::downgrade(e, dir.str(), -1), dorm::argument_error);
}

BOOST_AUTO_TEST_CASE(a_missing_down_file_is_refused_before_anything_runs) {
    auto e = fresh_engine();
    temp_dir dir;
    write_library_steps(dir);
    dorm::migrations::upgrade(e, dir.str());
    dir.remove("0002_add_stock.down.sql");
    try {
        dorm::migrations::downgrade(e, dir.str(), 0);
        BOOST_FAIL("expected migration_error");
    } catch (const dorm::migration_error& err) {
        BOOST_TEST(contains(err.what(), "0002_add_stock.down.sql"), err.what());
    }
    BOOST_TEST(dorm::migrations::applied(e).size() == 3u);  // step 3, undoable, was not undone either
    BOOST_TEST(index_count(e, "ix_book_title") >= 1);
    // down to 2 needs only step 3's down file
    BOOST_TEST(ids(dorm::migrations::downgrade(e, dir.str(), 2)) == (std::vector<int>{3}));
    BOOST_TEST(index_count(e, "ix_book_title") == 0);
}

BOOST_AUTO_TEST_CASE(two_upgraders_at_once_apply_each_step_once) {
    for (int round = 0; round < 3; ++round) {
        BOOST_TEST_CONTEXT("round " << round) {
            auto e1 = fresh_engine();
            // An in-memory SQLite database belongs to its engine: there the two upgraders share it.
            auto e2 = dorm_test::url() == "sqlite://" ? e1 : dorm_test::make_engine();
            // Connections opened before the start, so that neither upgrader has a head start.
            { auto c1 = e1.connect(), c2 = e2.connect(); }
            temp_dir dir;
            dir.write("0001_log.up.sql",
                      "CREATE TABLE step_log (step INTEGER NOT NULL PRIMARY KEY);\nINSERT INTO step_log VALUES (1);\n");
            for (int i = 2; i <= 5; ++i)
                dir.write("000" + std::to_string(i) + "_t" + std::to_string(i) + ".up.sql",
                          "CREATE TABLE t" + std::to_string(i) + " (id INTEGER);\nINSERT INTO step_log VALUES (" +
                              std::to_string(i) + ");\n");
            std::latch start(2);
            std::vector<dorm::migrations::migration_file> done[2];
            std::string failure[2];
            auto run = [&](int k, const dorm::engine& e) {
                start.arrive_and_wait();
                try {
                    done[k] = dorm::migrations::upgrade(e, dir.str());
                } catch (const std::exception& err) {
                    failure[k] = err.what();
                }
            };
            std::thread a(run, 0, std::cref(e1));
            std::thread b(run, 1, std::cref(e2));
            a.join();
            b.join();
            BOOST_TEST(failure[0] == "");
            BOOST_TEST(failure[1] == "");
            std::vector<int> all = ids(done[0]);
            for (int id : ids(done[1])) all.push_back(id);
            std::sort(all.begin(), all.end());
            BOOST_TEST(all == (std::vector<int>{1, 2, 3, 4, 5}), boost::test_tools::per_element());
            BOOST_TEST(scalar(e1, "SELECT count(*) FROM step_log") == 5);
            BOOST_TEST(ids(dorm::migrations::applied(e1)) == (std::vector<int>{1, 2, 3, 4, 5}));
        }
    }
}

BOOST_AUTO_TEST_CASE(malformed_file_names_are_refused) {
    auto e = fresh_engine();
    struct bad_case {
        std::vector<std::string> files;
        std::vector<std::string> named;  // what the message must name
    };
    const std::vector<bad_case> cases = {
        {{"1_init.up.sql"}, {"1_init.up.sql"}},                     // fewer than 4 digits
        {{"0001_init.sql"}, {"0001_init.sql"}},                     // neither up nor down
        {{"0001_bad name.up.sql"}, {"0001_bad name.up.sql"}},       // a blank in the name
        {{"0000_zero.up.sql"}, {"0000_zero.up.sql"}},               // ids start at 1
        {{"0001_.up.sql"}, {"0001_.up.sql"}},                       // no name
        {{"0001_a.up.sql", "0001_b.up.sql"}, {"0001_a.up.sql", "0001_b.up.sql", "same id"}},
        {{"0001_a.up.sql", "00001_b.up.sql"}, {"0001_a.up.sql", "00001_b.up.sql"}},
        {{"0001_a.up.sql", "0002_b.down.sql"}, {"0002_b.down.sql", "no up file"}},
        {{"0001_a.up.sql", "0001_b.down.sql"}, {"0001_b.down.sql", "0001_a.down.sql"}},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("files: " << c.files.front() << (c.files.size() > 1 ? ", " + c.files.back() : "")) {
            temp_dir dir;
            for (const auto& f : c.files) dir.write(f, "SELECT 1;\n");
            for (int pass = 0; pass < 2; ++pass) {
                try {
                    if (pass == 0)
                        dorm::migrations::scan(dir.str());
                    else
                        dorm::migrations::upgrade(e, dir.str());
                    BOOST_FAIL("expected migration_error");
                } catch (const dorm::migration_error& err) {
                    for (const auto& n : c.named) BOOST_TEST(contains(err.what(), n), err.what());
                }
            }
            BOOST_TEST(!table_exists(e, "dorm_migrations"));  // refused before touching the database
        }
    }
    // Other files are not steps.
    temp_dir dir;
    dir.write("README.md", "how to write a step");
    dir.write("notes.txt", "");
    dir.write("0002_b.up.sql.tmp", "");
    dir.write(".0003_hidden.up.sql", "");
    dir.write("0001_a.up.sql", "CREATE TABLE t2 (id INTEGER);\n");
    std::filesystem::create_directory(dir.path() / "0004_a_directory.up.sql");
    BOOST_TEST(ids(dorm::migrations::scan(dir.str())) == (std::vector<int>{1}));
    BOOST_TEST(ids(dorm::migrations::upgrade(e, dir.str())) == (std::vector<int>{1}));
    BOOST_CHECK_THROW(dorm::migrations::scan(dir.file("no_such_directory")), dorm::migration_error);
}

BOOST_AUTO_TEST_CASE(a_written_step_is_applied_with_its_lossy_part_left_out) {
    auto e = fresh_engine();
    temp_dir dir;
    write_library_steps(dir);
    dorm::migrations::upgrade(e, dir.str());

    dorm::schema_operation create_note;
    create_note.kind = dorm::schema_change::create_table;
    create_note.table = "note";
    create_note.description = "create table note";
    create_note.sql = {"CREATE TABLE note (\n    id INTEGER NOT NULL PRIMARY KEY,\n    body VARCHAR(50) NOT NULL\n)",
                       "INSERT INTO note (id, body) VALUES (1, 'semi; colon')"};
    create_note.down_sql = {"DROP TABLE note"};
    dorm::schema_operation drop_book;
    drop_book.kind = dorm::schema_change::drop_table;
    drop_book.table = "book";
    drop_book.lossless = false;
    drop_book.description = "drop table book";
    drop_book.reason = "its 3 rows would be lost";
    drop_book.sql = {"DROP TABLE book"};
    const dorm::schema_diff diff(e.dialect(), {create_note, drop_book});

    const std::string up = dorm::migrations::write(e, diff, dir.str(), "add notes");
    BOOST_TEST(std::filesystem::path(up).filename() == "0004_add_notes.up.sql");
    BOOST_TEST(ids(dorm::migrations::upgrade(e, dir.str())) == (std::vector<int>{4}));
    BOOST_TEST(texts(e, "SELECT body FROM note") == (std::vector<std::string>{"semi; colon"}));
    BOOST_TEST(scalar(e, "SELECT count(*) FROM book") == 3);  // the lossy drop stayed a comment

    BOOST_TEST(ids(dorm::migrations::downgrade(e, dir.str(), 3)) == (std::vector<int>{4}));
    BOOST_TEST(!table_exists(e, "note"));
    BOOST_TEST(table_exists(e, "book"));
}

// SQLite cannot change a column's type in place: the step rebuilds the table by the recipe of
// SQLite's documentation, which switches foreign keys off around the step's transaction (inside
// one, PRAGMA foreign_keys does nothing, and dropping the parent would delete the children by
// ON DELETE CASCADE). The other backends ALTER the column. On every backend the children keep
// their rows, a step that leaves an orphan is refused, and foreign keys are enforced afterwards.
BOOST_AUTO_TEST_CASE(a_table_rebuild_keeps_the_rows_of_its_children) {
    auto e = fresh_engine({.pool_size = 1});  // one connection: the one the steps ran on is checked after
    temp_dir dir;
    dir.write("0001_shelves.up.sql",
              "CREATE TABLE shelf (id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(20) NOT NULL);\n"
              "CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY, shelf_id INTEGER NOT NULL,\n"
              "    FOREIGN KEY (shelf_id) REFERENCES shelf (id) ON DELETE CASCADE);\n"
              "INSERT INTO shelf (id, label) VALUES (1, 'a'), (2, 'b');\n"
              "INSERT INTO item (id, shelf_id) VALUES (1, 1), (2, 1), (3, 2);\n");
    const std::string b = dorm_test::backend();
    dir.write("0002_widen_label.up.sql",
              b == "sqlite" ? "PRAGMA foreign_keys = OFF;\n"
                              "CREATE TABLE shelf_new (id INTEGER NOT NULL PRIMARY KEY, label VARCHAR(100) NOT NULL);\n"
                              "INSERT INTO shelf_new (id, label) SELECT id, label FROM shelf;\n"
                              "DROP TABLE shelf;\n"
                              "ALTER TABLE shelf_new RENAME TO shelf;\n"
                              "PRAGMA foreign_keys = ON;\n"
              : b == "postgresql" ? "ALTER TABLE shelf ALTER COLUMN label TYPE VARCHAR(100);\n"
                                  : "ALTER TABLE shelf MODIFY label VARCHAR(100) NOT NULL;\n");
    dir.write("0003_orphan.up.sql", std::string(b == "sqlite" ? "PRAGMA foreign_keys = OFF;\n" : "") +
                                        "INSERT INTO item (id, shelf_id) VALUES (4, 99);\n");

    try {
        dorm::migrations::upgrade(e, dir.str());
        BOOST_FAIL("expected migration_error");
    } catch (const dorm::migration_error& err) {
        BOOST_TEST(contains(err.what(), "0003_orphan.up.sql"), err.what());
    }
    BOOST_TEST(ids(dorm::migrations::applied(e)) == (std::vector<int>{1, 2}));
    BOOST_TEST(scalar(e, "SELECT count(*) FROM item") == 3);  // none deleted by the rebuild, no orphan added
    BOOST_TEST(scalar(e, "SELECT count(*) FROM item WHERE shelf_id = 1") == 2);
    {
        auto c = e.connect();
        c.execute_ddl("INSERT INTO shelf (id, label) VALUES (3, '" + std::string(60, 'x') + "')");  // widened
        BOOST_CHECK_THROW(c.execute_ddl("INSERT INTO item (id, shelf_id) VALUES (5, 98)"), dorm::integrity_error);
    }
    // the rebuilt parent still cascades
    {
        auto c = e.connect();
        c.execute_ddl("DELETE FROM shelf WHERE id = 1");
    }
    BOOST_TEST(scalar(e, "SELECT count(*) FROM item") == 1);
}
