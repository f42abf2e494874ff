// Dry tests of the schema diff: models against a live schema written by hand the way each
// catalog spells it, and the SQL of every operation per dialect (PostgreSQL, MariaDB, SQLite's
// rebuild, Oracle). Type and default spellings that mean the same thing produce no operation.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/dorm.hpp>

using dorm::dialect;
using dorm::schema_change;

namespace difft {

struct Author {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Author, (), (id, name))
DORM_TABLE(Author, "author", (name, dorm::varchar(50)))

struct Book {
    int id = 0;
    std::string title;
    int author_id = 0;
    int stock = 0;
    std::optional<std::string> note;
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title, author_id, stock, note))
DORM_TABLE(Book, "book", (title, dorm::varchar(200), dorm::index), (author_id, dorm::foreign_key(&Author::id)),
           (stock, dorm::default_value(0)), (note, dorm::default_value("n/a")))

// The live tables of "version 1" (book.title VARCHAR(100), no stock, no index), as dialect d's
// catalog reports them.
dorm::live_schema v1(dialect d) {
    auto type = [&](const char* sqlite, const char* pg, const char* my) {
        return std::string(d == dialect::sqlite ? sqlite : d == dialect::postgresql ? pg : my);
    };
    dorm::live_schema s;
    s.dialect = d;
    dorm::live_table a;
    a.name = "author";
    a.columns = {{"id", type("INTEGER", "integer", "int(11)"), false, std::nullopt, true, true},
                 {"name", type("VARCHAR(50)", "character varying(50)", "varchar(50)"), false, std::nullopt, false, false}};
    a.primary_key = {"id"};
    dorm::live_table b;
    b.name = "book";
    b.columns = {{"id", type("INTEGER", "integer", "int(11)"), false, std::nullopt, true, true},
                 {"title", type("VARCHAR(100)", "character varying(100)", "varchar(100)"), false, std::nullopt, false, false},
                 {"author_id", type("INTEGER", "integer", "int(11)"), false, std::nullopt, false, false},
                 {"note", type("VARCHAR", "text", "longtext"), true,
                  type("'n/a'", "'n/a'::text", "'n/a'"), false, false}};
    b.primary_key = {"id"};
    b.foreign_keys = {{d == dialect::sqlite ? "" : "book_author_id_fkey", {"author_id"}, "author", {"id"}}};
    if (d == dialect::sqlite) b.sql = "CREATE TABLE \"book\" (\n\t\"id\" INTEGER NOT NULL, ...)";
    s.tables = {a, b};
    return s;
}

dorm::metadata<Author, Book> meta;

std::vector<std::string> sql_of(const dorm::schema_diff& d, schema_change k) {
    for (const auto& op : d.operations())
        if (op.kind == k) return op.sql;
    return {};
}

dorm::schema_diff run(dialect d, const dorm::live_schema& live) {
    auto t = meta.tables();
    return dorm::schema::diff(live, t, d);
}

struct Tagged {  // a new NOT NULL column without default, indexed: both refused together
    int id = 0;
    int code = 0;
};
BOOST_DESCRIBE_STRUCT(Tagged, (), (id, code))
DORM_TABLE(Tagged, "tagged", (code, dorm::index))

struct Checked {  // a new NOT NULL column without default that a CHECK names: both refused together
    int id = 0;
    int level = 0;
    int other = 0;
};
BOOST_DESCRIBE_STRUCT(Checked, (), (id, level, other))
DORM_TABLE(Checked, "checked", (level, dorm::check("\"level\" BETWEEN 0 AND 9 OR 'level' = 'x'")),
           (other, dorm::default_value(0), dorm::check("other >= 0")))

// book with its foreign key indexed by a plain index on author_id
namespace fkix {
struct Book {
    int id = 0;
    std::string title;
    int author_id = 0;
    int stock = 0;
    std::optional<std::string> note;
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title, author_id, stock, note))
DORM_TABLE(Book, "book", (title, dorm::varchar(200), dorm::index),
           (author_id, dorm::foreign_key(&Author::id), dorm::index), (stock, dorm::default_value(0)),
           (note, dorm::default_value("n/a")))
}  // namespace fkix

// v1 on MariaDB, already at the model's columns, with the indexes given on book
dorm::live_schema mysql_book_with(std::vector<dorm::live_index> indexes) {
    auto live = v1(dialect::mysql);
    auto& b = live.tables[1];
    b.columns[1].type = "varchar(200)";
    b.columns.push_back({"stock", "int(11)", false, "0", false, false});
    b.indexes = std::move(indexes);
    return live;
}

}  // namespace difft

BOOST_AUTO_TEST_SUITE(schema_diff)

// InnoDB refuses to drop the last index that starts with a foreign key's columns (error 1553):
// the diff keeps one (trial of issue 15, finding 1).
BOOST_AUTO_TEST_CASE(mysql_keeps_an_index_for_a_foreign_key_while_dropping_its_index) {
    auto live = difft::mysql_book_with({{"ix_book_title", {"title"}, false}, {"ix_old", {"author_id", "title"}, false}});
    auto d = difft::run(dialect::mysql, live);
    BOOST_TEST_REQUIRE(d.operations().size() == 1u, d.report());
    const auto& op = d.operations()[0];
    BOOST_TEST((op.kind == schema_change::drop_index));
    BOOST_TEST(op.lossless);
    BOOST_TEST(op.sql == (std::vector<std::string>{"CREATE INDEX IF NOT EXISTS `book_author_id_fkey` ON `book` (`author_id`)",
                                                   "DROP INDEX `ix_old` ON `book`"}));
    BOOST_TEST(op.down_sql == (std::vector<std::string>{"CREATE INDEX `ix_old` ON `book` (`author_id`, `title`)",
                                                        "DROP INDEX `book_author_id_fkey` ON `book`"}));
    BOOST_TEST(op.description.find("foreign key `book_author_id_fkey` needs") != std::string::npos, op.description);
    // PostgreSQL needs no index for a foreign key
    auto pg = difft::v1(dialect::postgresql);
    pg.tables[1].columns[1].type = "character varying(200)";
    pg.tables[1].columns.push_back({"stock", "integer", false, "0", false, false});
    pg.tables[1].indexes = {{"ix_book_title", {"title"}, false}, {"ix_old", {"author_id", "title"}, false}};
    auto p = difft::run(dialect::postgresql, pg);
    BOOST_TEST_REQUIRE(p.operations().size() == 1u, p.report());
    BOOST_TEST(p.operations()[0].sql == std::vector<std::string>{"DROP INDEX \"ix_old\""});
}

BOOST_AUTO_TEST_CASE(mysql_creates_the_replacing_index_before_dropping_the_old_one) {
    auto live = difft::mysql_book_with({{"ix_book_title", {"title"}, false}, {"ix_old", {"author_id", "title"}, false}});
    dorm::metadata<difft::Author, difft::fkix::Book> m;
    auto t = m.tables();
    auto d = dorm::schema::diff(live, t, dialect::mysql);
    BOOST_TEST_REQUIRE(d.operations().size() == 1u, d.report());  // the add is part of the drop
    const auto& op = d.operations()[0];
    BOOST_TEST((op.kind == schema_change::drop_index));
    BOOST_TEST_REQUIRE(op.sql.size() == 2u);
    BOOST_TEST(op.sql[0] == "CREATE INDEX `ix_book_author_id` ON `book` (`author_id`)");
    BOOST_TEST(op.sql[1] == "DROP INDEX `ix_old` ON `book`");
    BOOST_TEST(op.down_sql == (std::vector<std::string>{"CREATE INDEX `ix_old` ON `book` (`author_id`, `title`)",
                                                        "DROP INDEX `ix_book_author_id` ON `book`"}));
}

BOOST_AUTO_TEST_CASE(mysql_undoing_an_index_that_serves_a_foreign_key_makes_the_key_its_own_first) {
    // the key is served by InnoDB's own index (not inspected), which it drops once ix_book_author_id exists
    auto live = difft::mysql_book_with({{"ix_book_title", {"title"}, false}});
    dorm::metadata<difft::Author, difft::fkix::Book> m;
    auto t = m.tables();
    auto d = dorm::schema::diff(live, t, dialect::mysql);
    BOOST_TEST_REQUIRE(d.operations().size() == 1u, d.report());
    const auto& op = d.operations()[0];
    BOOST_TEST((op.kind == schema_change::add_index));
    BOOST_TEST(op.down_sql == (std::vector<std::string>{"CREATE INDEX IF NOT EXISTS `book_author_id_fkey` ON `book` (`author_id`)",
                                                        "DROP INDEX `ix_book_author_id` ON `book`"}));
}

// A refused operation keeps its statements (a generated migration writes them commented out),
// and what depends on it is refused with it.
BOOST_AUTO_TEST_CASE(an_index_on_a_refused_new_column_is_refused_too) {
    dorm::live_schema live;
    live.dialect = dialect::postgresql;
    live.tables.push_back({"tagged", {{"id", "integer", false, std::nullopt, true, true}}, {"id"}});
    dorm::metadata<difft::Tagged> m;
    auto t = m.tables();
    auto d = dorm::schema::diff(live, t, dialect::postgresql);  // no probe: the table may hold rows
    BOOST_TEST_REQUIRE(d.operations().size() == 2u, d.report());
    for (const auto& op : d.operations()) {
        BOOST_TEST(!op.lossless);
        BOOST_TEST(!op.sql.empty());
        BOOST_TEST(!op.down_sql.empty());
    }
    BOOST_TEST(d.operations()[1].reason.find("\"code\"") != std::string::npos, d.operations()[1].reason);
}

BOOST_AUTO_TEST_CASE(a_check_on_a_refused_new_column_is_refused_too) {
    dorm::live_schema live;
    live.dialect = dialect::postgresql;
    live.tables.push_back({"checked", {{"id", "integer", false, std::nullopt, true, true}}, {"id"}});
    dorm::metadata<difft::Checked> m;
    auto t = m.tables();
    auto d = dorm::schema::diff(live, t, dialect::postgresql);
    BOOST_TEST_REQUIRE(d.operations().size() == 4u, d.report());  // two columns, two checks
    for (const auto& op : d.operations()) {
        const bool on_level = op.column == "level" || op.description.find("level") != std::string::npos;
        BOOST_TEST(op.lossless == !on_level, op.description);  // `other` has a default: it is added
    }
}

BOOST_AUTO_TEST_CASE(postgresql_alters) {
    auto d = difft::run(dialect::postgresql, difft::v1(dialect::postgresql));
    BOOST_TEST_MESSAGE(d.report());
    BOOST_TEST(d.lossless(), d.report());
    BOOST_TEST(d.operations().size() == 3u, d.report());
    BOOST_TEST(difft::sql_of(d, schema_change::add_column) ==
               std::vector<std::string>{"ALTER TABLE \"book\" ADD COLUMN \"stock\" INTEGER DEFAULT 0 NOT NULL"});
    BOOST_TEST(difft::sql_of(d, schema_change::alter_column_type) ==
               std::vector<std::string>{"ALTER TABLE \"book\" ALTER COLUMN \"title\" TYPE VARCHAR(200)"});
    BOOST_TEST(difft::sql_of(d, schema_change::add_index) ==
               std::vector<std::string>{"CREATE INDEX \"ix_book_title\" ON \"book\" (\"title\")"});
    BOOST_TEST(d.down_sql().find("ALTER TABLE \"book\" DROP COLUMN \"stock\"") != std::string::npos, d.down_sql());
    BOOST_TEST(d.down_sql().find("TYPE character varying(100)") != std::string::npos, d.down_sql());
}

BOOST_AUTO_TEST_CASE(mysql_restates_the_column) {
    auto d = difft::run(dialect::mysql, difft::v1(dialect::mysql));
    BOOST_TEST(d.operations().size() == 3u, d.report());
    BOOST_TEST(difft::sql_of(d, schema_change::alter_column_type) ==
               std::vector<std::string>{"ALTER TABLE `book` MODIFY COLUMN `title` VARCHAR(200) NOT NULL"});
    BOOST_TEST(difft::sql_of(d, schema_change::add_column) ==
               std::vector<std::string>{"ALTER TABLE `book` ADD COLUMN `stock` INTEGER DEFAULT 0 NOT NULL"});
}

// MODIFY COLUMN restates the column: a type, nullability and default change of one column is one
// statement, after the UPDATE that fills its NULLs
BOOST_AUTO_TEST_CASE(mysql_changes_a_column_once) {
    auto live = difft::v1(dialect::mysql);
    live.tables[1].columns.push_back({"stock", "smallint(6)", true, std::nullopt, false, false});
    auto d = difft::run(dialect::mysql, live);
    std::vector<const dorm::schema_operation*> on_stock;
    for (const auto& op : d.operations())
        if (op.column == "stock") on_stock.push_back(&op);
    BOOST_TEST_REQUIRE(on_stock.size() == 1u, d.report());
    const auto& op = *on_stock[0];
    BOOST_TEST(op.sql == (std::vector<std::string>{"UPDATE `book` SET `stock` = 0 WHERE `stock` IS NULL",
                                                   "ALTER TABLE `book` MODIFY COLUMN `stock` INTEGER DEFAULT 0 NOT NULL"}),
               d.report());
    BOOST_TEST(op.lossless);
    BOOST_TEST(op.down_sql == std::vector<std::string>{"ALTER TABLE `book` MODIFY COLUMN `stock` smallint(6) NULL"},
               op.down_sql.front());
}

BOOST_AUTO_TEST_CASE(sqlite_rebuilds_what_it_cannot_alter) {
    auto live = difft::v1(dialect::sqlite);
    const std::string trigger = "CREATE TRIGGER book_log AFTER INSERT ON book BEGIN SELECT 1; END";
    for (auto& t : live.tables)
        if (t.name == "book") t.triggers.push_back(trigger);
    auto d = difft::run(dialect::sqlite, live);
    BOOST_TEST_REQUIRE(d.operations().size() == 1u, d.report());
    const auto& op = d.operations()[0];
    BOOST_TEST((op.kind == schema_change::rebuild_table));
    BOOST_TEST(op.lossless);
    BOOST_TEST_REQUIRE(op.sql.size() == 8u);
    BOOST_TEST(op.sql[0].starts_with("CREATE TABLE \"_dorm_new_book\""), op.sql[0]);
    BOOST_TEST(op.sql[1] == "INSERT INTO \"_dorm_new_book\" (\"id\", \"title\", \"author_id\", \"note\") SELECT \"id\", "
                            "\"title\", \"author_id\", \"note\" FROM \"book\"");
    BOOST_TEST(op.sql[2] == "DROP TABLE \"book\"");
    // views naming the table are not checked at the rename (the table they name was just dropped)
    BOOST_TEST(op.sql[3] == "PRAGMA legacy_alter_table = ON");
    BOOST_TEST(op.sql[4] == "ALTER TABLE \"_dorm_new_book\" RENAME TO \"book\"");
    BOOST_TEST(op.sql[5] == "PRAGMA legacy_alter_table = OFF");
    BOOST_TEST(op.sql[6] == "CREATE INDEX \"ix_book_title\" ON \"book\" (\"title\")");
    BOOST_TEST(op.sql[7] == trigger);  // dropped with the old table, made again
    BOOST_TEST(op.description.find("VARCHAR(200)") != std::string::npos, op.description);
    // the way back first checks that the values fit the old VARCHAR (SQLite does not enforce it)
    BOOST_TEST_REQUIRE(op.down_sql.size() > 4u);
    BOOST_TEST(op.down_sql[0] == "CREATE TEMP TABLE \"_dorm_fits_book\" (\"fits_1\" INTEGER CONSTRAINT "
                                 "\"book.title holds a value longer than VARCHAR(100)\" CHECK (\"fits_1\"))",
               op.down_sql[0]);
    BOOST_TEST(op.down_sql[1] == "INSERT INTO \"_dorm_fits_book\" SELECT NOT EXISTS (SELECT 1 FROM \"book\" WHERE "
                                 "length(\"title\") > 100)",
               op.down_sql[1]);
    BOOST_TEST(op.down_sql[2] == "DROP TABLE \"_dorm_fits_book\"");
    BOOST_TEST(op.down_sql[3].starts_with("CREATE TABLE \"_dorm_new_book\""), op.down_sql[3]);
    BOOST_TEST(op.down_sql.back() == trigger);
}

BOOST_AUTO_TEST_CASE(oracle_spelling) {
    auto live = difft::v1(dialect::postgresql);  // types as Oracle's dictionary would not spell them: only the SQL is checked
    live.tables[1].columns[1].type = "VARCHAR2(100 CHAR)";
    live.tables[1].columns[0].type = "NUMBER(10)";
    live.tables[1].columns[2].type = "NUMBER(10)";
    live.tables[1].columns[3].type = "CLOB";
    live.tables[1].columns[3].default_sql = "'n/a'";
    live.tables[0].columns[0].type = "NUMBER(10)";
    live.tables[0].columns[1].type = "VARCHAR2(50 CHAR)";
    auto d = difft::run(dialect::oracle, live);
    BOOST_TEST(d.operations().size() == 3u, d.report());
    BOOST_TEST(difft::sql_of(d, schema_change::add_column) ==
               std::vector<std::string>{"ALTER TABLE \"book\" ADD (\"stock\" NUMBER(10) DEFAULT 0 NOT NULL)"});
    BOOST_TEST(difft::sql_of(d, schema_change::alter_column_type) ==
               std::vector<std::string>{"ALTER TABLE \"book\" MODIFY (\"title\" VARCHAR2(200 CHAR))"});
}

BOOST_AUTO_TEST_CASE(an_up_to_date_schema_diffs_empty_whatever_the_spelling) {
    for (auto d : {dialect::sqlite, dialect::postgresql, dialect::mysql}) {
        auto live = difft::v1(d);
        auto& book = live.tables[1];
        book.columns[1].type = d == dialect::sqlite ? "VARCHAR(200)" : d == dialect::postgresql ? "character varying(200)" : "varchar(200)";
        book.columns.push_back({"stock", d == dialect::mysql ? "int(11)" : "integer", false,
                                d == dialect::postgresql ? "0" : "'0'", false, false});
        book.indexes.push_back({"whatever_name", {"title"}, false});
        auto diff = difft::run(d, live);
        BOOST_TEST(diff.empty(), diff.report());
    }
}

BOOST_AUTO_TEST_CASE(lossy_operations_say_why) {
    auto live = difft::v1(dialect::postgresql);
    live.tables[1].columns[1].type = "character varying(300)";                                     // narrowing to 200
    live.tables[1].columns.push_back({"legacy", "integer", true, std::nullopt, false, false});      // dropped
    live.tables.push_back({"orphan", {{"id", "integer", false, std::nullopt, true, true}}, {"id"}});  // no model
    auto d = difft::run(dialect::postgresql, live);
    BOOST_TEST(!d.lossless());
    int lossy = 0;
    for (const auto& op : d.operations())
        if (!op.lossless) {
            ++lossy;
            BOOST_TEST(!op.reason.empty());
        }
    BOOST_TEST(lossy == 3, d.report());
    // children and constraint drops first, table drops last
    BOOST_TEST((d.operations().back().kind == schema_change::drop_table));
    BOOST_TEST(d.report().find("LOSSY") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(foreign_key_action_change_is_drop_and_add) {
    auto live = difft::v1(dialect::postgresql);
    live.tables[1].foreign_keys[0].on_delete = dorm::fk_action::cascade;
    live.tables[1].columns[1].type = "character varying(200)";
    live.tables[1].columns.push_back({"stock", "integer", false, "0", false, false});
    live.tables[1].indexes.push_back({"ix_book_title", {"title"}, false});
    auto d = difft::run(dialect::postgresql, live);
    BOOST_TEST_REQUIRE(d.operations().size() == 2u, d.report());
    BOOST_TEST((d.operations()[0].kind == schema_change::drop_foreign_key));
    BOOST_TEST(d.operations()[0].sql.front() == "ALTER TABLE \"book\" DROP CONSTRAINT \"book_author_id_fkey\"");
    BOOST_TEST((d.operations()[1].kind == schema_change::add_foreign_key));
    BOOST_TEST(d.operations()[1].sql.front() ==
               "ALTER TABLE \"book\" ADD CONSTRAINT \"fk_book_author_id_author\" FOREIGN KEY(\"author_id\") "
               "REFERENCES \"author\" (\"id\")");
}

BOOST_AUTO_TEST_SUITE_END()

namespace difft {
struct Renamed {  // `pages` became `page_count` (same type); `note` dropped, `flag` added (other types)
    int id = 0;
    std::optional<int> page_count;
    bool flag = false;
};
BOOST_DESCRIBE_STRUCT(Renamed, (), (id, page_count, flag))
DORM_TABLE(Renamed, "renamed", (flag, dorm::default_value(false)))
}  // namespace difft

BOOST_AUTO_TEST_SUITE(schema_diff_renames)

// Alembic reports a rename as drop + add too; dorm says how to keep the values (issue 15 trial,
// finding 3), and the reasons of a merged SQLite rebuild say which part each belongs to.
BOOST_AUTO_TEST_CASE(a_drop_and_an_add_of_one_type_hint_at_a_rename) {
    for (auto d : {dialect::postgresql, dialect::mysql, dialect::sqlite}) {
        dorm::live_schema live;
        live.dialect = d;
        const std::string integer = d == dialect::postgresql ? "integer" : d == dialect::mysql ? "int(11)" : "INTEGER";
        const std::string text = d == dialect::postgresql ? "text" : d == dialect::mysql ? "longtext" : "VARCHAR";
        live.tables.push_back({"renamed",
                               {{"id", integer, false, std::nullopt, true, true},
                                {"pages", integer, true, std::nullopt, false, false},
                                {"note", text, true, std::nullopt, false, false}},
                               {"id"}});
        live.tables[0].indexes.push_back({"ix_renamed_pages", {"pages"}, false});  // SQLite: a rebuild
        dorm::metadata<difft::Renamed> m;
        auto t = m.tables();
        auto diff = dorm::schema::diff(live, t, d);
        BOOST_TEST_MESSAGE(diff.report());
        std::string reasons;
        for (const auto& op : diff.operations()) reasons += op.reason + "\n";
        BOOST_TEST(reasons.find("RENAME COLUMN " + std::string(d == dialect::mysql ? "`pages` TO `page_count`"
                                                                                   : "\"pages\" TO \"page_count\"")) !=
                       std::string::npos,
                   reasons);
        BOOST_TEST(reasons.find("RENAME COLUMN " + std::string(d == dialect::mysql ? "`note`" : "\"note\"")) ==
                       std::string::npos,
                   reasons);  // no column of its type was added
        if (d == dialect::sqlite) {
            // one rebuild that adds the columns and keeps the two refused ones, then one that
            // would drop them (refused)
            BOOST_TEST_REQUIRE(diff.operations().size() == 2u, diff.report());
            BOOST_TEST(reasons.find("drop column \"renamed\".\"note\": ") != std::string::npos, reasons);
            const auto& safe = diff.operations()[0];
            BOOST_TEST(safe.lossless);
            BOOST_TEST(safe.description.find("add column \"renamed\".\"flag\" BOOLEAN") != std::string::npos,
                       safe.description);
            std::string safe_sql;
            for (const auto& stmt : safe.sql) safe_sql += stmt + ";\n";
            BOOST_TEST(safe_sql.find("\"pages\" INTEGER") != std::string::npos, safe_sql);  // kept, as it is live
            BOOST_TEST(safe_sql.find("\"note\" VARCHAR") != std::string::npos, safe_sql);
            const auto& refused = diff.operations()[1];
            BOOST_TEST(!refused.lossless);
            BOOST_TEST(refused.description.find("drop column \"renamed\".\"pages\"") != std::string::npos,
                       refused.description);
            BOOST_TEST(refused.description.find("add column") == std::string::npos, refused.description);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---- every catalog spelling of every member type ----------------------------------------------
// The types and defaults of one model as each catalog reports them (what the inspect tests read
// from PostgreSQL 15's format_type / pg_get_expr, MariaDB 10.11's COLUMN_TYPE / COLUMN_DEFAULT
// and older MariaDB/MySQL display widths): each spelling compares equal to the model's DDL, so an
// up-to-date database diffs empty whatever the server prints.
namespace spelled {
enum class Mood { calm, loud };
BOOST_DESCRIBE_ENUM(Mood, calm, loud)

struct Everything {
    std::int64_t id = 0;
    bool flag = true;
    std::int8_t tiny = 0;
    std::int16_t small = 0;
    int normal = -1;
    std::int64_t big = 0;
    float single = 0;
    double dbl = 1.5;
    std::string name;
    std::string body;
    std::vector<std::byte> data;
    std::chrono::sys_time<std::chrono::microseconds> at{};
    std::optional<std::string> note;
    Mood mood = Mood::calm;
};
BOOST_DESCRIBE_STRUCT(Everything, (), (id, flag, tiny, small, normal, big, single, dbl, name, body, data, at, note, mood))
DORM_TABLE(Everything, "everything", (flag, dorm::default_value(true)), (tiny, dorm::default_value(0)),
           (small, dorm::default_value(0)), (normal, dorm::default_value(-1)), (big, dorm::default_value(0)),
           (mood, dorm::default_value("calm")),
           (dbl, dorm::default_value(1.5)), (name, dorm::varchar(30), dorm::default_value("it's")),
           (at, dorm::server_default("CURRENT_TIMESTAMP")), (note, dorm::default_value("n/a")))

struct spelling {
    const char* column;
    const char* type;
    const char* default_sql;  // nullptr: none
};

// one table as a catalog spells it; `nullable` for the optional member only
dorm::live_schema live(dialect d, const std::vector<spelling>& columns) {
    dorm::live_schema s;
    s.dialect = d;
    dorm::live_table t;
    t.name = "everything";
    for (const auto& c : columns) {
        const bool key = std::string(c.column) == "id";
        t.columns.push_back({c.column, c.type, std::string(c.column) == "note",
                             c.default_sql ? std::optional<std::string>(c.default_sql) : std::nullopt, key, key});
    }
    t.primary_key = {"id"};
    s.tables.push_back(std::move(t));
    return s;
}

dorm::schema_diff run(dialect d, const std::vector<spelling>& columns) {
    dorm::metadata<Everything> m;
    auto t = m.tables();
    return dorm::schema::diff(live(d, columns), t, d);
}
}  // namespace spelled

BOOST_AUTO_TEST_SUITE(catalog_spellings)

BOOST_AUTO_TEST_CASE(postgresql_catalog_spellings_match_the_model) {
    using S = std::vector<spelled::spelling>;
    for (const auto& columns : {
             S{{"id", "bigint", nullptr}, {"flag", "boolean", "true"}, {"tiny", "smallint", "0"},
               {"small", "smallint", "0"}, {"normal", "integer", "'-1'::integer"}, {"big", "bigint", "0"},
               {"single", "real", nullptr}, {"dbl", "double precision", "1.5"},
               {"name", "character varying(30)", "'it''s'::character varying"}, {"body", "text", nullptr},
               {"data", "bytea", nullptr}, {"at", "timestamp without time zone", "CURRENT_TIMESTAMP"},
               {"note", "text", "'n/a'::text"}, {"mood", "character varying(64)", "'calm'::character varying"}},
             // other spellings of the same: parentheses, casts on numbers, now(), timestamp(6)
             S{{"id", "bigint", nullptr}, {"flag", "boolean", "(true)"}, {"tiny", "smallint", "(0)::smallint"},
               {"small", "smallint", "'0'::smallint"}, {"normal", "integer", "(-1)"}, {"big", "bigint", "'0'::bigint"},
               {"single", "real", nullptr}, {"dbl", "double precision", "1.50"},
               {"name", "character varying(30)", "('it''s'::character varying)"}, {"body", "text", nullptr},
               {"data", "bytea", nullptr}, {"at", "timestamp(6) without time zone", "now()"},
               {"note", "text", "'n/a'::text"}, {"mood", "character varying(64)", "'calm'::character varying"}},
         }) {
        auto d = spelled::run(dialect::postgresql, columns);
        BOOST_TEST(d.empty(), d.report());
    }
}

BOOST_AUTO_TEST_CASE(mariadb_catalog_spellings_match_the_model) {
    using S = std::vector<spelled::spelling>;
    for (const auto& columns : {
             // MariaDB 10.11: display widths, quoted string defaults, current_timestamp(6)
             S{{"id", "bigint(20)", nullptr}, {"flag", "tinyint(1)", "1"}, {"tiny", "tinyint(4)", "0"},
               {"small", "smallint(6)", "0"}, {"normal", "int(11)", "-1"}, {"big", "bigint(20)", "0"},
               {"single", "float", nullptr}, {"dbl", "double", "1.5"}, {"name", "varchar(30)", "'it''s'"},
               {"body", "longtext", nullptr}, {"data", "longblob", nullptr}, {"at", "datetime(6)", "current_timestamp(6)"},
               {"note", "longtext", "'n/a'"}, {"mood", "varchar(64)", "'calm'"}},
             // MySQL 8 / older MariaDB: no display widths, unquoted-number defaults quoted
             S{{"id", "bigint", nullptr}, {"flag", "tinyint(1)", "'1'"}, {"tiny", "tinyint", "'0'"},
               {"small", "smallint", "'0'"}, {"normal", "int", "'-1'"}, {"big", "bigint", "'0'"},
               {"single", "float", nullptr}, {"dbl", "double", "'1.5'"}, {"name", "varchar(30)", "'it''s'"},
               {"body", "longtext", nullptr}, {"data", "longblob", nullptr}, {"at", "datetime(6)", "CURRENT_TIMESTAMP(6)"},
               {"note", "longtext", "'n/a'"}, {"mood", "varchar(64)", "'calm'"}},
         }) {
        auto d = spelled::run(dialect::mysql, columns);
        BOOST_TEST(d.empty(), d.report());
    }
}

BOOST_AUTO_TEST_CASE(sqlite_catalog_spellings_match_the_model) {
    using S = std::vector<spelled::spelling>;
    auto d = spelled::run(dialect::sqlite,
                          S{{"id", "INTEGER", nullptr}, {"flag", "BOOLEAN", "1"}, {"tiny", "SMALLINT", "0"},
                            {"small", "SMALLINT", "'0'"}, {"normal", "INTEGER", "-1"}, {"big", "BIGINT", "0"},
                            {"single", "REAL", nullptr}, {"dbl", "FLOAT", "1.5"}, {"name", "VARCHAR(30)", "'it''s'"},
                            {"body", "VARCHAR", nullptr}, {"data", "BLOB", nullptr}, {"at", "DATETIME", "CURRENT_TIMESTAMP"},
                            {"note", "VARCHAR", "'n/a'"}, {"mood", "VARCHAR(64)", "'calm'"}});
    BOOST_TEST(d.empty(), d.report());
}

// and a different meaning is still a difference, in each direction of each family
BOOST_AUTO_TEST_CASE(a_spelling_of_another_meaning_differs) {
    using S = std::vector<spelled::spelling>;
    S base{{"id", "bigint(20)", nullptr}, {"flag", "tinyint(1)", "1"}, {"tiny", "tinyint(4)", "0"},
           {"small", "smallint(6)", "0"}, {"normal", "int(11)", "-1"}, {"big", "bigint(20)", "0"},
           {"single", "float", nullptr}, {"dbl", "double", "1.5"}, {"name", "varchar(30)", "'it''s'"},
           {"body", "longtext", nullptr}, {"data", "longblob", nullptr}, {"at", "datetime(6)", "current_timestamp(6)"},
           {"note", "longtext", "'n/a'"}, {"mood", "varchar(64)", "'calm'"}};
    const std::vector<std::pair<std::size_t, spelled::spelling>> changes = {
        {1, {"flag", "tinyint(4)", "1"}},      {2, {"tiny", "smallint(6)", "0"}},     {4, {"normal", "int(11)", "1"}},
        {6, {"single", "double", nullptr}},        {7, {"dbl", "double", "1.25"}},        {8, {"name", "varchar(40)", "'it''s'"}},
        {8, {"name", "varchar(30)", "'its'"}}, {9, {"body", "text", nullptr}},            {11, {"at", "datetime", "current_timestamp()"}},
        {12, {"note", "longtext", nullptr}},    {13, {"mood", "varchar(32)", "'calm'"}}};
    for (const auto& [i, changed] : changes) {
        auto columns = base;
        columns[i] = changed;
        auto d = spelled::run(dialect::mysql, columns);
        BOOST_TEST(!d.empty(), changed.column << " " << changed.type);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---- string defaults: each catalog's escapes decode to the model's value -------------------------
// MariaDB (backslash escapes on) shows '\%' and '\_' as written (they mean a backslash and the
// character, as LIKE needs them), '\Z' for Ctrl-Z, '\\' for one backslash; PostgreSQL and SQLite
// have no backslash escapes, so the same spellings there are other values. A spelling that is not
// one literal (a concatenation, an unterminated quote) is never taken for the value: it differs.
namespace escaped {
struct Memo {
    int id = 0;
    std::string pct;
    std::string under;
    std::string ctrlz;
    std::string empty;
};
BOOST_DESCRIBE_STRUCT(Memo, (), (id, pct, under, ctrlz, empty))
DORM_TABLE(Memo, "memo", (pct, dorm::varchar(20), dorm::default_value("5\\%")),
           (under, dorm::varchar(20), dorm::default_value("a\\_b")), (ctrlz, dorm::varchar(20), dorm::default_value("\x1a")),
           (empty, dorm::varchar(20), dorm::default_value("")))

// the table with these defaults (pct, under, ctrlz, empty) as dialect `d`'s catalog spells them
dorm::schema_diff run(dialect d, std::vector<std::optional<std::string>> defaults) {
    dorm::live_schema s;
    s.dialect = d;
    dorm::live_table t;
    t.name = "memo";
    const std::string id = d == dialect::postgresql ? "integer" : d == dialect::mysql ? "int(11)" : "INTEGER";
    const std::string text = d == dialect::postgresql ? "character varying(20)" : d == dialect::mysql ? "varchar(20)" : "VARCHAR(20)";
    t.columns.push_back({"id", id, false, std::nullopt, true, true});
    const char* names[] = {"pct", "under", "ctrlz", "empty"};
    for (std::size_t i = 0; i < 4; ++i) t.columns.push_back({names[i], text, false, defaults[i], false, false});
    t.primary_key = {"id"};
    s.tables.push_back(std::move(t));
    dorm::metadata<Memo> m;
    auto tables = m.tables();
    return dorm::schema::diff(s, tables, d);
}
}  // namespace escaped

BOOST_AUTO_TEST_SUITE(string_default_escapes)

BOOST_AUTO_TEST_CASE(each_catalogs_escapes_decode_to_the_models_value) {
    using D = std::vector<std::optional<std::string>>;
    // MariaDB: as its catalog shows them, and as dorm writes them
    for (const auto& defaults : {D{"'5\\%'", "'a\\_b'", "'\\Z'", "''"}, D{"'5\\\\%'", "'a\\\\_b'", "'\x1a'", "''"}}) {
        auto d = escaped::run(dialect::mysql, defaults);
        BOOST_TEST(d.empty(), d.report());
    }
    // PostgreSQL and SQLite: a backslash is itself
    auto pg = escaped::run(dialect::postgresql, D{"'5\\%'::character varying", "'a\\_b'::character varying",
                                                   "'\x1a'::character varying", "''::character varying"});
    BOOST_TEST(pg.empty(), pg.report());
    auto lite = escaped::run(dialect::sqlite, D{"'5\\%'", "'a\\_b'", "'\x1a'", "''"});
    BOOST_TEST(lite.empty(), lite.report());
}

BOOST_AUTO_TEST_CASE(another_value_or_not_one_literal_differs) {
    using D = std::vector<std::optional<std::string>>;
    const D same_mysql{"'5\\%'", "'a\\_b'", "'\\Z'", "''"};
    const std::vector<std::pair<std::size_t, std::string>> mysql_changes = {
        {0, "'5%'"},          // the backslash is part of the value
        {1, "'a_b'"},
        {2, "'Z'"},
        {3, "'\\'"},          // a trailing backslash: not a closed literal
        {3, "''||''"},        // an expression, not one literal
        {3, "'a'"},
        {0, "'5\\%"},         // unterminated
    };
    for (const auto& [i, spelling] : mysql_changes) {
        auto defaults = same_mysql;
        defaults[i] = spelling;
        auto d = escaped::run(dialect::mysql, defaults);
        BOOST_TEST(!d.empty(), "mysql " << spelling);
    }
    // on PostgreSQL and SQLite, MariaDB's escaped spellings are other values
    for (auto dl : {dialect::postgresql, dialect::sqlite}) {
        auto d = escaped::run(dl, D{"'5\\\\%'", "'a\\_b'", "'\x1a'", "''"});
        BOOST_TEST(!d.empty(), "a doubled backslash is two on " << dorm::dialect_name(dl));
        auto z = escaped::run(dl, D{"'5\\%'", "'a\\_b'", "'\\Z'", "''"});
        BOOST_TEST(!z.empty(), "\\Z is two characters on " << dorm::dialect_name(dl));
    }
}

BOOST_AUTO_TEST_SUITE_END()

namespace difft {
struct Collated {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Collated, (), (id, name))
DORM_TABLE(Collated, "collated", (name, dorm::varchar(40), dorm::collation("utf8mb4_general_ci")))
}  // namespace difft

BOOST_AUTO_TEST_SUITE(schema_diff_collation)

// MODIFY COLUMN restates the column: a column's own collation is restated with it, or MariaDB
// would give it the table's
BOOST_AUTO_TEST_CASE(mysql_modify_keeps_the_columns_collation) {
    dorm::live_schema live;
    live.dialect = dialect::mysql;
    live.tables.push_back({"collated",
                           {{"id", "int(11)", false, std::nullopt, true, true},
                            {"name", "varchar(20)", false, std::nullopt, false, false}},
                           {"id"}});
    dorm::metadata<difft::Collated> m;
    auto t = m.tables();
    auto d = dorm::schema::diff(live, t, dialect::mysql);
    BOOST_TEST_REQUIRE(d.operations().size() == 1u, d.report());
    BOOST_TEST(d.operations()[0].sql ==
                   std::vector<std::string>{"ALTER TABLE `collated` MODIFY COLUMN `name` VARCHAR(40) COLLATE utf8mb4_general_ci NOT NULL"},
               d.operations()[0].sql.front());
}

BOOST_AUTO_TEST_SUITE_END()
