// dorm::migrations without a database server: split_statements (quotes, comments, dollar quotes,
// trigger bodies, CRLF, per-dialect lexing), the checksum scan() records, and the files write()
// produces (on an in-memory SQLite database, which write() asks what it has applied).
#define BOOST_TEST_MODULE migrations_script
#include <boost/test/unit_test.hpp>

#include <regex>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "migration_dirs.hpp"

using dorm::migrations::split_statements;
using strings = std::vector<std::string>;

namespace {

void check_split(std::string_view script, const strings& expected) {
    BOOST_TEST_CONTEXT("script: " << script) { BOOST_TEST(split_statements(script) == expected, boost::test_tools::per_element()); }
}

void check_split(std::string_view script, dorm::dialect d, const strings& expected) {
    BOOST_TEST_CONTEXT("script (" << dorm::dialect_name(d) << "): " << script) {
        BOOST_TEST(split_statements(script, d) == expected, boost::test_tools::per_element());
    }
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

// ---- split_statements -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(splits_at_semicolons_and_trims) {
    check_split("CREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);\n", {"CREATE TABLE a (x INTEGER)", "INSERT INTO a VALUES (1)"});
    check_split("  SELECT 1  ", {"SELECT 1"});  // the last statement needs no ';'
    check_split("SELECT 1;;  ;\n", {"SELECT 1"});
    check_split("", {});
    check_split(" \n\t ", {});
}

BOOST_AUTO_TEST_CASE(semicolons_inside_quotes_do_not_split) {
    check_split("INSERT INTO a VALUES ('x;y', 'it''s; ok'); SELECT 2",
                {"INSERT INTO a VALUES ('x;y', 'it''s; ok')", "SELECT 2"});
    check_split(R"(SELECT "a;b", "say ""hi;""" FROM t; SELECT 2)", {R"(SELECT "a;b", "say ""hi;""" FROM t)", "SELECT 2"});
    check_split("SELECT `a;b`, `x``;y` FROM t; SELECT 2", {"SELECT `a;b`, `x``;y` FROM t", "SELECT 2"});
    check_split("SELECT '--not a comment;', '/* nor this; */'; SELECT 2",
                {"SELECT '--not a comment;', '/* nor this; */'", "SELECT 2"});
    // Standard SQL: a backslash is an ordinary character in '..'
    check_split(R"(SELECT 'C:\'; SELECT 2)", {R"(SELECT 'C:\')", "SELECT 2"});
}

BOOST_AUTO_TEST_CASE(comments) {
    check_split("-- first; comment\nSELECT 1; -- trailing; comment\n-- only a comment;\n", {"SELECT 1"});
    check_split("/* a; b */ SELECT 1 /* ; */ + 2; /* only a comment */ ;", {"SELECT 1 /* ; */ + 2"});
    check_split("SELECT 1 -- why; because\n+ 2;", {"SELECT 1 -- why; because\n+ 2"});
    check_split("-- nothing but comments\n/* here; */\n", {});
    check_split("SELECT 1 - -2; SELECT 3", {"SELECT 1 - -2", "SELECT 3"});
}

BOOST_AUTO_TEST_CASE(dollar_quotes) {
    check_split("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
                "CREATE FUNCTION g() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;",
                {"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
                 "CREATE FUNCTION g() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql"});
    // another tag inside: $$ does not end $a$
    check_split("SELECT $a$ x; $$ y; $a$; SELECT 2", {"SELECT $a$ x; $$ y; $a$", "SELECT 2"});
    // $1 is a parameter, a$b$ an identifier: neither opens a dollar quote
    check_split("SELECT $1; SELECT a$b$ FROM t; SELECT 3", {"SELECT $1", "SELECT a$b$ FROM t", "SELECT 3"});
}

BOOST_AUTO_TEST_CASE(crlf_line_ends) {
    check_split("SELECT 1;\r\n-- comment\r\nSELECT 'a\r\nb';\r\n\r\n", {"SELECT 1", "SELECT 'a\r\nb'"});
    check_split("CREATE TABLE t (\r\n  x INTEGER -- the x; really\r\n);\r\n", {"CREATE TABLE t (\r\n  x INTEGER -- the x; really\r\n)"});
}

BOOST_AUTO_TEST_CASE(trigger_bodies_keep_their_semicolons) {
    check_split("CREATE TRIGGER tr AFTER INSERT ON a BEGIN UPDATE b SET n = n + 1; "
                "SELECT CASE WHEN 1 THEN 2 END; END; SELECT 1;",
                {"CREATE TRIGGER tr AFTER INSERT ON a BEGIN UPDATE b SET n = n + 1; SELECT CASE WHEN 1 THEN 2 END; END",
                 "SELECT 1"});
    check_split("create temp trigger tr after delete on a begin delete from b; end;\nselect 2",
                {"create temp trigger tr after delete on a begin delete from b; end", "select 2"});
    // a column called begin is not a body
    check_split("CREATE TABLE t (begin INTEGER, end INTEGER); SELECT 1", {"CREATE TABLE t (begin INTEGER, end INTEGER)", "SELECT 1"});
    check_split("CREATE TRIGGER tr BEFORE INSERT ON a FOR EACH ROW BEGIN IF NEW.x < 0 THEN SET NEW.x = 0; END IF; END; SELECT 2",
                dorm::dialect::mysql,
                {"CREATE TRIGGER tr BEFORE INSERT ON a FOR EACH ROW BEGIN IF NEW.x < 0 THEN SET NEW.x = 0; END IF; END",
                 "SELECT 2"});
}

BOOST_AUTO_TEST_CASE(dialect_lexing) {
    using dorm::dialect;
    // MariaDB: backslash escapes, # comments, executable /*! */ comments are statements
    check_split(R"(INSERT INTO a VALUES ('it\'s; x', "q\"; y"); # note; here
/*!40101 SET NAMES utf8mb4 */; SELECT 2)",
                dialect::mysql, {R"(INSERT INTO a VALUES ('it\'s; x', "q\"; y"))", "/*!40101 SET NAMES utf8mb4 */", "SELECT 2"});
    // PostgreSQL: nested comments, E'' strings with backslash escapes
    check_split("/* a /* b; */ c; */ SELECT 1; SELECT E'x\\'; y'; SELECT 'z\\'; SELECT 3", dialect::postgresql,
                {"SELECT 1", "SELECT E'x\\'; y'", "SELECT 'z\\'", "SELECT 3"});
    check_split("SELECT 1; SELECT 2", dialect::sqlite, {"SELECT 1", "SELECT 2"});
}

BOOST_AUTO_TEST_CASE(unterminated_quotes_and_comments_are_errors) {
    for (std::string_view script : {"SELECT 'abc; SELECT 2", "SELECT \"abc", "SELECT `abc", "SELECT 1; /* open; SELECT 2",
                                    "SELECT $$ x; SELECT 2", "SELECT $t$ x $$; SELECT 2"}) {
        BOOST_TEST_CONTEXT(script) {
            BOOST_CHECK_THROW(split_statements(script), dorm::migration_error);
        }
    }
    try {
        split_statements("SELECT 1;\n\nSELECT 'open");
        BOOST_FAIL("expected migration_error");
    } catch (const dorm::migration_error& e) {
        BOOST_TEST(contains(e.what(), "line 3"), e.what());
    }
}

// ---- checksums ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(checksum_is_the_sha256_of_the_up_file) {
    dorm_test::temp_dir dir;
    dir.write("0001_empty.up.sql", "");
    dir.write("0002_abc.up.sql", "abc");
    // 56 bytes: the padding needs a second block
    dir.write("0003_two_blocks.up.sql", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
    dir.write("0004_million.up.sql", std::string(1000000, 'a'));
    const auto files = dorm::migrations::scan(dir.str());
    BOOST_REQUIRE_EQUAL(files.size(), 4u);
    BOOST_TEST(files[0].checksum == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(files[1].checksum == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(files[2].checksum == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    BOOST_TEST(files[3].checksum == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// ---- write() -----------------------------------------------------------------------------------------

namespace {

dorm::schema_operation add_stock() {
    dorm::schema_operation op;
    op.kind = dorm::schema_change::add_column;
    op.table = "book";
    op.column = "stock";
    op.description = R"(add column "book"."stock" INTEGER NOT NULL DEFAULT 0)";
    op.sql = {R"(ALTER TABLE "book" ADD COLUMN "stock" INTEGER NOT NULL DEFAULT 0)"};
    op.down_sql = {R"(ALTER TABLE "book" DROP COLUMN "stock")"};
    return op;
}

dorm::schema_operation create_note() {
    dorm::schema_operation op;
    op.kind = dorm::schema_change::create_table;
    op.table = "note";
    op.description = R"(create table "note")";
    op.sql = {"CREATE TABLE \"note\" (\n\t\"id\" INTEGER NOT NULL, \n\t\"body\" VARCHAR(200) NOT NULL DEFAULT 'a;b', \n\tPRIMARY KEY (\"id\")\n)",
              R"(CREATE INDEX "ix_note_body" ON "note" ("body"))"};
    op.down_sql = {R"(DROP TABLE "note")"};
    return op;
}

dorm::schema_operation drop_isbn() {
    dorm::schema_operation op;
    op.kind = dorm::schema_change::drop_column;
    op.table = "book";
    op.column = "isbn";
    op.lossless = false;
    op.description = R"(drop column "book"."isbn")";
    op.reason = "its 3 values would be lost";
    op.sql = {R"(ALTER TABLE "book" DROP COLUMN "isbn")"};
    op.down_sql = {R"(ALTER TABLE "book" ADD COLUMN "isbn" VARCHAR(20))"};
    return op;
}

}  // namespace

BOOST_AUTO_TEST_CASE(write_produces_reviewable_up_and_down_files) {
    auto engine = dorm::create_engine("sqlite://");
    dorm_test::temp_dir dir;
    const dorm::schema_diff diff(dorm::dialect::sqlite, {add_stock(), drop_isbn(), create_note()});
    const std::string up = dorm::migrations::write(engine, diff, dir.str(), "Add stock!");
    BOOST_TEST(up == dir.file("0001_add_stock.up.sql"));
    BOOST_REQUIRE(dir.exists("0001_add_stock.down.sql"));
    const std::string text = dir.read("0001_add_stock.up.sql");
    BOOST_TEST_MESSAGE(text);

    BOOST_TEST(text.starts_with("-- 0001_add_stock.up.sql: Add stock!\n"), text);
    BOOST_TEST(contains(text, "Generated by dorm on "), text);
    BOOST_TEST(std::regex_search(text, std::regex(R"(Generated by dorm on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ for sqlite\.)")), text);
    BOOST_TEST(contains(text, "\n-- add column \"book\".\"stock\" INTEGER NOT NULL DEFAULT 0\n"
                              "ALTER TABLE \"book\" ADD COLUMN \"stock\" INTEGER NOT NULL DEFAULT 0;\n"),
               text);
    // the lossy operation is there for a person to decide, commented out
    BOOST_TEST(contains(text, "\n-- drop column \"book\".\"isbn\"\n"
                              "-- REFUSED (lossy): its 3 values would be lost\n"
                              "-- ALTER TABLE \"book\" DROP COLUMN \"isbn\";\n"),
               text);
    // a multi-line statement keeps its lines
    BOOST_TEST(contains(text, "-- create table \"note\"\nCREATE TABLE \"note\" (\n\t\"id\" INTEGER NOT NULL, \n"), text);
    // what runs is the lossless SQL, in order
    const strings expected_up = {add_stock().sql[0], create_note().sql[0], create_note().sql[1]};
    BOOST_TEST(split_statements(text) == expected_up, boost::test_tools::per_element());

    const std::string down = dir.read("0001_add_stock.down.sql");
    BOOST_TEST_MESSAGE(down);
    BOOST_TEST(down.starts_with("-- 0001_add_stock.down.sql: Add stock!\n"), down);
    BOOST_TEST(contains(down, "-- undo: drop column \"book\".\"isbn\"\n"
                              "-- REFUSED in the up file (lossy): uncomment this together with it\n"
                              "-- ALTER TABLE \"book\" ADD COLUMN \"isbn\" VARCHAR(20);\n"),
               down);
    // undoing an addition drops it: the file says so where it does (issue 15 trial, finding 4)
    BOOST_TEST(contains(down, "-- undo: create table \"note\"\n"
                              "-- LOSES DATA: drops the table with the rows written to it since the up step\n"
                              "DROP TABLE \"note\";\n"),
               down);
    BOOST_TEST(contains(down, "-- LOSES DATA: drops the column with the values written to it since the up step\n"),
               down);
    const strings expected_down = {create_note().down_sql[0], add_stock().down_sql[0]};  // last operation first
    BOOST_TEST(split_statements(down) == expected_down, boost::test_tools::per_element());

    // The files are a valid step: scan() finds it with both paths.
    const auto files = dorm::migrations::scan(dir.str());
    BOOST_REQUIRE_EQUAL(files.size(), 1u);
    BOOST_TEST(files[0].id == 1);
    BOOST_TEST(files[0].name == "add_stock");
    BOOST_TEST(files[0].down_path == dir.file("0001_add_stock.down.sql"));
}

BOOST_AUTO_TEST_CASE(write_names_and_numbers_the_next_step) {
    auto engine = dorm::create_engine("sqlite://");
    dorm_test::temp_dir parent;
    const std::string dir = parent.file("new/migrations");  // created by write()
    const dorm::schema_diff empty(dorm::dialect::sqlite, {});
    BOOST_TEST(dorm::migrations::write(engine, empty, dir, "nothing").empty());
    BOOST_TEST(!std::filesystem::exists(dir));  // an empty diff writes nothing

    {
        dorm::schema_operation op;
        op.description = "create table t1";
        op.sql = {"CREATE TABLE t1 (id INTEGER PRIMARY KEY)"};
        op.down_sql = {"DROP TABLE t1"};
        const std::string up = dorm::migrations::write(engine, dorm::schema_diff(dorm::dialect::sqlite, {op}), dir,
                                                       "  Create T1 -- first!  ");
        BOOST_TEST(std::filesystem::path(up).filename() == "0001_create_t1_first.up.sql");
    }
    // 0001 is not applied yet: a second step would repeat it
    dorm::schema_operation op2;
    op2.description = "create table t2";
    op2.sql = {"CREATE TABLE t2 (id INTEGER PRIMARY KEY)"};
    op2.down_sql = {"DROP TABLE t2"};
    const dorm::schema_diff second(dorm::dialect::sqlite, {op2});
    try {
        dorm::migrations::write(engine, second, dir, "second");
        BOOST_FAIL("expected migration_error");
    } catch (const dorm::migration_error& e) {
        BOOST_TEST(contains(e.what(), "0001_create_t1_first.up.sql"), e.what());
        BOOST_TEST(contains(e.what(), "not applied"), e.what());
    }
    BOOST_TEST(dorm::migrations::scan(dir).size() == 1u);

    BOOST_TEST(dorm::migrations::upgrade(engine, dir).size() == 1u);
    const std::string up2 = dorm::migrations::write(engine, second, dir, "second");
    BOOST_TEST(std::filesystem::path(up2).filename() == "0002_second.up.sql");

    // refused: a name without a letter or digit, a diff of another dialect
    BOOST_CHECK_THROW(dorm::migrations::write(engine, second, dir, " -- "), dorm::argument_error);
    BOOST_CHECK_THROW(dorm::migrations::write(engine, dorm::schema_diff(dorm::dialect::postgresql, {op2}), dir, "pg"),
                      dorm::argument_error);
}
