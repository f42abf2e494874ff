// Dry tests of the DDL: column types per dialect, NOT NULL, autoincrement keys, composite keys,
// UNIQUE, CREATE INDEX, DEFAULT, column names, FOREIGN KEY, quoting, MySQL's length rule and the
// dependency order of metadata::ddl() (SQLAlchemy: test/sql/test_ddlemit.py::test_create_metadata_checkfirst,
// test/sql/test_metadata.py::test_sort_by_parameter_order).
#include <array>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <dorm/error.hpp>

#include "all_types.hpp"
#include "models.hpp"
#include "sql_check.hpp"

using all_types::AllTypes;
using dorm::dialect;

namespace ddlt {

struct Small {
    std::int16_t id = 0;
};
BOOST_DESCRIBE_STRUCT(Small, (), (id))

struct Wide {
    std::uint32_t id = 0;
};
BOOST_DESCRIBE_STRUCT(Wide, (), (id))

// composite primary key: no column is autoincrement
struct Membership {
    int user_id = 0;
    int group_id = 0;
    std::optional<std::string> role;
};
BOOST_DESCRIBE_STRUCT(Membership, (), (user_id, group_id, role))
DORM_TABLE(Membership, "membership",
           (user_id, dorm::primary_key, dorm::foreign_key(&sqlt::User::id)),
           (group_id, dorm::primary_key))

// the primary key is also a foreign key: not autoincrement
struct Settings {
    int user_id = 0;
    std::string theme;
};
BOOST_DESCRIBE_STRUCT(Settings, (), (user_id, theme))
DORM_TABLE(Settings, "settings", (user_id, dorm::primary_key, dorm::foreign_key(&sqlt::User::id)),
           (theme, dorm::varchar(10)))

// a string primary key
struct Country {
    std::string code;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Country, (), (code, name))
DORM_TABLE(Country, "country", (code, dorm::primary_key, dorm::varchar(2)), (name, dorm::varchar(50)))

// unique, index, defaults, column names
struct Tagged {
    int id = 0;
    std::string nick;
    std::string email;
    std::string both;
    int score = 0;
    std::string title;
    double ratio = 0;
    std::optional<int> opt;
    std::string full;
    bool active = false;
};
BOOST_DESCRIBE_STRUCT(Tagged, (), (id, nick, email, both, score, title, ratio, opt, full, active))
DORM_TABLE(Tagged, "tagged",
           (nick, dorm::unique, dorm::varchar(20)),
           (email, dorm::index, dorm::varchar(50)),
           (both, dorm::unique, dorm::index, dorm::varchar(5)),
           (score, dorm::default_value(10)),
           (title, dorm::default_value("it's"), dorm::varchar(30)),
           (ratio, dorm::default_value(1.5)),
           (opt, dorm::default_value(-1), dorm::index),
           (full, dorm::column_name("full_name"), dorm::varchar(9)))

struct BoolDefault {
    int id = 0;
    bool active = true;
};
BOOST_DESCRIBE_STRUCT(BoolDefault, (), (id, active))
DORM_TABLE(BoolDefault, "bool_default", (active, dorm::default_value(true)))

// MySQL reads a backslash in a string literal as an escape character
struct Backslash {
    int id = 0;
    std::string path;
};
BOOST_DESCRIBE_STRUCT(Backslash, (), (id, path))
DORM_TABLE(Backslash, "backslash", (path, dorm::default_value("C:\\dir\\"), dorm::varchar(20)))

// quotes inside identifiers are doubled
struct Weird {
    int id = 0;
    int x = 0;
};
BOOST_DESCRIBE_STRUCT(Weird, (), (id, x))
DORM_TABLE(Weird, "we\"ird`t", (x, dorm::column_name("a\"b`c")))

// MySQL: an unbounded string cannot be a key or indexed
struct LooseUnique {
    int id = 0;
    std::string handle;
};
BOOST_DESCRIBE_STRUCT(LooseUnique, (), (id, handle))
DORM_TABLE(LooseUnique, "loose_unique", (handle, dorm::unique))

struct LooseIndex {
    int id = 0;
    std::string handle;
};
BOOST_DESCRIBE_STRUCT(LooseIndex, (), (id, handle))
DORM_TABLE(LooseIndex, "loose_index", (handle, dorm::index))

struct LooseKey {
    std::string code;
};
BOOST_DESCRIBE_STRUCT(LooseKey, (), (code))
DORM_TABLE(LooseKey, "loose_key", (code, dorm::primary_key))

// dependency chains and cycles
struct Grand {
    int id = 0;
};
BOOST_DESCRIBE_STRUCT(Grand, (), (id))
struct Parent {
    int id = 0;
    int grand_id = 0;
};
BOOST_DESCRIBE_STRUCT(Parent, (), (id, grand_id))
DORM_TABLE(Parent, "parent", (grand_id, dorm::foreign_key(&Grand::id)))
struct Child {
    int id = 0;
    int parent_id = 0;
    std::optional<int> grand_id;
};
BOOST_DESCRIBE_STRUCT(Child, (), (id, parent_id, grand_id))
DORM_TABLE(Child, "child", (parent_id, dorm::foreign_key(&Parent::id)), (grand_id, dorm::foreign_key(&Grand::id)))

struct CycB;
struct CycA {
    int id = 0;
    int b_id = 0;
};
struct CycB {
    int id = 0;
    int a_id = 0;
};
BOOST_DESCRIBE_STRUCT(CycA, (), (id, b_id))
BOOST_DESCRIBE_STRUCT(CycB, (), (id, a_id))
DORM_TABLE(CycA, "cyc_a", (b_id, dorm::foreign_key(&CycB::id)))
DORM_TABLE(CycB, "cyc_b", (a_id, dorm::foreign_key(&CycA::id)))
// depends on the cycle without being part of it
struct CycChild {
    int id = 0;
    int a_id = 0;
};
BOOST_DESCRIBE_STRUCT(CycChild, (), (id, a_id))
DORM_TABLE(CycChild, "cyc_child", (a_id, dorm::foreign_key(&CycA::id)))

struct UserAccount {
    int id = 0;
};
BOOST_DESCRIBE_STRUCT(UserAccount, (), (id))

// dorm::collation: MariaDB's collation of one column (the tables' own is utf8mb4_nopad_bin)
struct Nick {
    int id = 0;
    std::string nick;
    std::string exact;
};
BOOST_DESCRIBE_STRUCT(Nick, (), (id, nick, exact))
DORM_TABLE(Nick, "nick", (nick, dorm::varchar(20), dorm::collation("utf8mb4_general_ci")))

}  // namespace ddlt

using namespace sqlt;

namespace {

/// CREATE TABLE "name" (\n\t<line>, \n\t<line>\n)<suffix>, SQLite form, translated for `d`.
std::string create_table(dialect d, std::string_view name, std::initializer_list<std::string_view> lines,
                         std::string_view mysql_suffix = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin") {
    std::string sql = "CREATE TABLE \"" + std::string(name) + "\" (\n";
    bool first = true;
    for (auto l : lines) {
        if (!first) sql += ", \n";
        first = false;
        sql += '\t';
        sql += l;
    }
    sql += "\n)";
    std::string out = translate(sql, d);
    if (d == dialect::mysql) out += mysql_suffix;
    return out;
}

template <class T>
std::vector<std::string> create(dialect d) {
    return dorm::schema::create_statements(dorm::table_of<T>(), d);
}

/// The definition line of column `name` in a CREATE TABLE (without the trailing ", ").
std::string column_line(const std::string& create_sql, std::string_view name, dialect d) {
    const std::string start = "\t" + translate("\"" + std::string(name) + "\" ", d);
    const auto pos = create_sql.find(start);
    if (pos == std::string::npos) return "<no column " + std::string(name) + ">";
    auto end = create_sql.find('\n', pos);
    std::string line = create_sql.substr(pos + 1, end - pos - 1);
    if (line.size() >= 2 && line.compare(line.size() - 2, 2, ", ") == 0) line.resize(line.size() - 2);
    return line;
}

/// The names of the CREATE TABLE statements of a ddl() text, in order.
std::vector<std::string> created_tables(const std::string& ddl) {
    std::vector<std::string> out;
    const std::string key = "CREATE TABLE \"";
    for (auto pos = ddl.find(key); pos != std::string::npos; pos = ddl.find(key, pos + 1)) {
        auto start = pos + key.size();
        out.push_back(ddl.substr(start, ddl.find('"', start) - start));
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ddl)

BOOST_AUTO_TEST_CASE(tutorial_tables) {
    const auto d = dialect::sqlite;
    BOOST_TEST(create<User>(d) == (std::vector<std::string>{create_table(
                                      d, "user_table",
                                      {R"("id" INTEGER NOT NULL)", R"("name" VARCHAR(30) NOT NULL)",
                                       R"("age" INTEGER NOT NULL)", R"(PRIMARY KEY ("id"))"})}),
               boost::test_tools::per_element());
    BOOST_TEST(create<Comment>(d) == (std::vector<std::string>{create_table(
                                         d, "comment_table",
                                         {R"("id" INTEGER NOT NULL)", R"("comment" VARCHAR(30) NOT NULL)",
                                          R"("user_id" INTEGER NOT NULL)", R"(PRIMARY KEY ("id"))",
                                          R"(FOREIGN KEY("user_id") REFERENCES "user_table" ("id"))"})}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(tutorial_tables_other_dialects) {
    BOOST_TEST(create<Comment>(dialect::postgresql).at(0) ==
               create_table(dialect::postgresql, "comment_table",
                            {R"("id" SERIAL NOT NULL)", R"("comment" VARCHAR(30) NOT NULL)", R"("user_id" INTEGER NOT NULL)",
                             R"(PRIMARY KEY ("id"))", R"(FOREIGN KEY("user_id") REFERENCES "user_table" ("id"))"}));
    BOOST_TEST(create<Comment>(dialect::mysql).at(0) ==
               create_table(dialect::mysql, "comment_table",
                            {R"("id" INTEGER NOT NULL AUTO_INCREMENT)", R"("comment" VARCHAR(30) NOT NULL)",
                             R"("user_id" INTEGER NOT NULL)", R"(PRIMARY KEY ("id"))",
                             R"(FOREIGN KEY("user_id") REFERENCES "user_table" ("id"))"}));
    BOOST_TEST(create<Comment>(dialect::oracle).at(0) ==
               create_table(dialect::oracle, "comment_table",
                            {R"("id" NUMBER(10) GENERATED BY DEFAULT AS IDENTITY NOT NULL)",
                             R"("comment" VARCHAR2(30 CHAR) NOT NULL)", R"("user_id" NUMBER(10) NOT NULL)",
                             R"(PRIMARY KEY ("id"))", R"(FOREIGN KEY("user_id") REFERENCES "user_table" ("id"))"}));
}

BOOST_AUTO_TEST_CASE(column_types_per_dialect) {
    struct row {
        const char* column;
        const char* sqlite;
        const char* postgresql;
        const char* mysql;
        const char* oracle;
    };
    // clang-format off
    const row rows[] = {
        {"flag",         "BOOLEAN NOT NULL",     "BOOLEAN NOT NULL",                     "BOOL NOT NULL",        "NUMBER(1) NOT NULL"},
        {"i8",           "SMALLINT NOT NULL",    "SMALLINT NOT NULL",                    "TINYINT NOT NULL",     "NUMBER(3) NOT NULL"},
        {"u8",           "SMALLINT NOT NULL",    "SMALLINT NOT NULL",                    "SMALLINT NOT NULL",    "NUMBER(5) NOT NULL"},
        {"i16",          "SMALLINT NOT NULL",    "SMALLINT NOT NULL",                    "SMALLINT NOT NULL",    "NUMBER(5) NOT NULL"},
        {"u16",          "INTEGER NOT NULL",     "INTEGER NOT NULL",                     "INTEGER NOT NULL",     "NUMBER(10) NOT NULL"},
        {"i32",          "INTEGER NOT NULL",     "INTEGER NOT NULL",                     "INTEGER NOT NULL",     "NUMBER(10) NOT NULL"},
        {"u32",          "BIGINT NOT NULL",      "BIGINT NOT NULL",                      "BIGINT NOT NULL",      "NUMBER(19) NOT NULL"},
        {"i64",          "BIGINT NOT NULL",      "BIGINT NOT NULL",                      "BIGINT NOT NULL",      "NUMBER(19) NOT NULL"},
        {"u64",          "BIGINT NOT NULL",      "BIGINT NOT NULL",                      "BIGINT NOT NULL",      "NUMBER(19) NOT NULL"},
        {"f",            "REAL NOT NULL",        "REAL NOT NULL",                        "FLOAT NOT NULL",       "BINARY_FLOAT NOT NULL"},
        {"d",            "FLOAT NOT NULL",       "DOUBLE PRECISION NOT NULL",            "DOUBLE NOT NULL",      "BINARY_DOUBLE NOT NULL"},
        {"text",         "VARCHAR NOT NULL",     "TEXT NOT NULL",                        "LONGTEXT NOT NULL",    "CLOB NOT NULL"},
        {"code",         "VARCHAR(40) NOT NULL", "VARCHAR(40) NOT NULL",                 "VARCHAR(40) NOT NULL", "VARCHAR2(40 CHAR) NOT NULL"},
        {"data",         "BLOB NOT NULL",        "BYTEA NOT NULL",                       "LONGBLOB NOT NULL",    "BLOB NOT NULL"},
        {"maybe_i32",    "INTEGER",              "INTEGER",                              "INTEGER",              "NUMBER(10)"},
        {"maybe_text",   "VARCHAR",              "TEXT",                                 "LONGTEXT",             "CLOB"},
        {"at_s",         "DATETIME NOT NULL",    "TIMESTAMP WITHOUT TIME ZONE NOT NULL", "DATETIME(6) NOT NULL", "TIMESTAMP NOT NULL"},
        {"at_ms",        "DATETIME NOT NULL",    "TIMESTAMP WITHOUT TIME ZONE NOT NULL", "DATETIME(6) NOT NULL", "TIMESTAMP NOT NULL"},
        {"day",          "DATE NOT NULL",        "DATE NOT NULL",                        "DATE NOT NULL",        "DATE NOT NULL"},
        // a described enum is stored by name: VARCHAR(max(64, longest enumerator)), so that adding
        // an enumerator later does not outgrow the column
        {"color",        "VARCHAR(64) NOT NULL", "VARCHAR(64) NOT NULL",                 "VARCHAR(64) NOT NULL", "VARCHAR2(64 CHAR) NOT NULL"},
        {"maybe_color",  "VARCHAR(64)",          "VARCHAR(64)",                          "VARCHAR(64)",          "VARCHAR2(64 CHAR)"},
        // dorm::nullable on a plain member
        {"nullable_int", "INTEGER",              "INTEGER",                              "INTEGER",              "NUMBER(10)"},
    };
    // clang-format on
    for (auto d : all_dialects) {
        const std::string sql = create<AllTypes>(d).at(0);
        for (const auto& r : rows) {
            const char* type = d == dialect::sqlite       ? r.sqlite
                               : d == dialect::postgresql ? r.postgresql
                               : d == dialect::mysql      ? r.mysql
                                                          : r.oracle;
            BOOST_TEST_CONTEXT("dialect " << dorm::dialect_name(d) << ", column " << r.column) {
                BOOST_TEST(column_line(sql, r.column, d) == translate("\"" + std::string(r.column) + "\" ", d) + type);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(autoincrement_primary_key_per_dialect) {
    // std::int64_t id
    const std::string sqlite = create<AllTypes>(dialect::sqlite).at(0);
    // INTEGER PRIMARY KEY is SQLite's rowid alias: INTEGER whatever the width, no AUTOINCREMENT keyword
    BOOST_TEST(column_line(sqlite, "id", dialect::sqlite) == R"("id" INTEGER NOT NULL)");
    BOOST_TEST(sqlite.find("\tPRIMARY KEY (\"id\")") != std::string::npos);
    BOOST_TEST(sqlite.find("AUTOINCREMENT") == std::string::npos);
    BOOST_TEST(column_line(create<AllTypes>(dialect::postgresql).at(0), "id", dialect::postgresql) ==
               R"("id" BIGSERIAL NOT NULL)");
    BOOST_TEST(column_line(create<AllTypes>(dialect::mysql).at(0), "id", dialect::mysql) ==
               "`id` BIGINT NOT NULL AUTO_INCREMENT");
    BOOST_TEST(column_line(create<AllTypes>(dialect::oracle).at(0), "id", dialect::oracle) ==
               R"("id" NUMBER(19) GENERATED BY DEFAULT AS IDENTITY NOT NULL)");
    // int id (User)
    BOOST_TEST(column_line(create<User>(dialect::postgresql).at(0), "id", dialect::postgresql) == R"("id" SERIAL NOT NULL)");
    BOOST_TEST(column_line(create<User>(dialect::mysql).at(0), "id", dialect::mysql) == "`id` INTEGER NOT NULL AUTO_INCREMENT");
    // std::int16_t id
    BOOST_TEST(column_line(create<ddlt::Small>(dialect::sqlite).at(0), "id", dialect::sqlite) == R"("id" INTEGER NOT NULL)");
    BOOST_TEST(column_line(create<ddlt::Small>(dialect::postgresql).at(0), "id", dialect::postgresql) ==
               R"("id" SMALLSERIAL NOT NULL)");
    BOOST_TEST(column_line(create<ddlt::Small>(dialect::mysql).at(0), "id", dialect::mysql) ==
               "`id` SMALLINT NOT NULL AUTO_INCREMENT");
    // std::uint32_t id needs 64 bits
    BOOST_TEST(column_line(create<ddlt::Wide>(dialect::postgresql).at(0), "id", dialect::postgresql) ==
               R"("id" BIGSERIAL NOT NULL)");
    BOOST_TEST(column_line(create<ddlt::Wide>(dialect::sqlite).at(0), "id", dialect::sqlite) == R"("id" INTEGER NOT NULL)");
}

BOOST_AUTO_TEST_CASE(composite_primary_key_is_not_autoincrement) {
    for (auto d : all_dialects) {
        BOOST_TEST_CONTEXT("dialect " << dorm::dialect_name(d)) {
            const char* integer = d == dialect::oracle ? "NUMBER(10)" : "INTEGER";
            const char* text = d == dialect::sqlite       ? "VARCHAR"
                               : d == dialect::oracle     ? "CLOB"
                               : d == dialect::mysql      ? "LONGTEXT"
                                                          : "TEXT";
            const std::string user_id = translate(R"("user_id" )", d) + integer + " NOT NULL";
            const std::string group_id = translate(R"("group_id" )", d) + integer + " NOT NULL";
            const std::string role = translate(R"("role" )", d) + text;
            BOOST_TEST(create<ddlt::Membership>(d).at(0) ==
                       create_table(d, "membership",
                                    {user_id, group_id, role, R"(PRIMARY KEY ("user_id", "group_id"))",
                                     R"(FOREIGN KEY("user_id") REFERENCES "user_table" ("id"))"}));
        }
    }
}

BOOST_AUTO_TEST_CASE(primary_key_that_is_a_foreign_key_is_not_autoincrement) {
    for (auto d : all_dialects) {
        BOOST_TEST_CONTEXT("dialect " << dorm::dialect_name(d)) {
            const std::string sql = create<ddlt::Settings>(d).at(0);
            const char* integer = d == dialect::oracle ? "NUMBER(10)" : "INTEGER";
            BOOST_TEST(column_line(sql, "user_id", d) == translate(R"("user_id" )", d) + integer + " NOT NULL");
            BOOST_TEST(sql.find(translate(R"(PRIMARY KEY ("user_id"))", d)) != std::string::npos);
            BOOST_TEST(sql.find(translate(R"(FOREIGN KEY("user_id") REFERENCES "user_table" ("id"))", d)) != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(string_primary_key) {
    BOOST_TEST(create<ddlt::Country>(dialect::postgresql).at(0) ==
               create_table(dialect::postgresql, "country",
                            {R"("code" VARCHAR(2) NOT NULL)", R"("name" VARCHAR(50) NOT NULL)", R"(PRIMARY KEY ("code"))"}));
}

BOOST_AUTO_TEST_CASE(unique_index_default_column_name) {
    for (auto d : all_dialects) {
        BOOST_TEST_CONTEXT("dialect " << dorm::dialect_name(d)) {
            const auto stmts = create<ddlt::Tagged>(d);
            BOOST_REQUIRE(stmts.size() == 3u);
            const std::string& sql = stmts[0];
            const bool ora = d == dialect::oracle;
            const std::string vc20 = ora ? "VARCHAR2(20 CHAR)" : "VARCHAR(20)";
            const std::string integer = ora ? "NUMBER(10)" : "INTEGER";
            BOOST_TEST(column_line(sql, "nick", d) == translate(R"("nick" )", d) + vc20 + " NOT NULL");
            BOOST_TEST(column_line(sql, "score", d) == translate(R"("score" )", d) + integer + " DEFAULT 10 NOT NULL");
            BOOST_TEST(column_line(sql, "title", d) ==
                       translate(R"("title" )", d) + (ora ? "VARCHAR2(30 CHAR)" : "VARCHAR(30)") + " DEFAULT 'it''s' NOT NULL");
            BOOST_TEST(column_line(sql, "ratio", d).find(" DEFAULT 1.5 NOT NULL") != std::string::npos);
            BOOST_TEST(column_line(sql, "opt", d) == translate(R"("opt" )", d) + integer + " DEFAULT -1");
            // column_name renames the column; the member name does not appear
            BOOST_TEST(column_line(sql, "full_name", d) ==
                       translate(R"("full_name" )", d) + (ora ? "VARCHAR2(9 CHAR)" : "VARCHAR(9)") + " NOT NULL");
            BOOST_TEST(sql.find(translate(R"("full")", d)) == std::string::npos);
            // UNIQUE inside the table, for unique columns only (not for the primary key)
            BOOST_TEST(sql.find(translate(R"(, )" "\n\t" R"(UNIQUE ("nick"))", d)) != std::string::npos);
            BOOST_TEST(sql.find(translate(R"(UNIQUE ("both"))", d)) != std::string::npos);
            BOOST_TEST(sql.find(translate(R"(UNIQUE ("id"))", d)) == std::string::npos);
            BOOST_TEST(sql.find(translate(R"(UNIQUE ("email"))", d)) == std::string::npos);
            // a separate CREATE INDEX for index columns that are not already unique
            BOOST_TEST(stmts[1] == translate(R"(CREATE INDEX "ix_tagged_email" ON "tagged" ("email"))", d));
            BOOST_TEST(stmts[2] == translate(R"(CREATE INDEX "ix_tagged_opt" ON "tagged" ("opt"))", d));
        }
    }
}

// PostgreSQL has a real boolean type: `BOOLEAN DEFAULT 1` is rejected ("column is of type boolean but
// default expression is of type integer"); the literal must be true/false there.
BOOST_AUTO_TEST_CASE(bool_default_per_dialect) {
    BOOST_TEST(column_line(create<ddlt::BoolDefault>(dialect::sqlite).at(0), "active", dialect::sqlite) ==
               R"("active" BOOLEAN DEFAULT 1 NOT NULL)");
    BOOST_TEST(column_line(create<ddlt::BoolDefault>(dialect::mysql).at(0), "active", dialect::mysql) ==
               "`active` BOOL DEFAULT 1 NOT NULL");
    BOOST_TEST(column_line(create<ddlt::BoolDefault>(dialect::oracle).at(0), "active", dialect::oracle) ==
               R"("active" NUMBER(1) DEFAULT 1 NOT NULL)");
    const std::string pg = column_line(create<ddlt::BoolDefault>(dialect::postgresql).at(0), "active", dialect::postgresql);
    BOOST_TEST((pg == R"("active" BOOLEAN DEFAULT true NOT NULL)" || pg == R"("active" BOOLEAN DEFAULT TRUE NOT NULL)"),
               "got: " << pg);
}

BOOST_AUTO_TEST_CASE(string_default_with_backslash) {
    for (auto d : {dialect::sqlite, dialect::postgresql, dialect::oracle})
        BOOST_TEST(column_line(create<ddlt::Backslash>(d).at(0), "path", d).find(R"( DEFAULT 'C:\dir\' NOT NULL)") !=
                   std::string::npos);
    // MySQL (without NO_BACKSLASH_ESCAPES): each backslash doubled, else 'C:\dir\' is C:dir' and an open literal
    BOOST_TEST(column_line(create<ddlt::Backslash>(dialect::mysql).at(0), "path", dialect::mysql) ==
               R"(`path` VARCHAR(20) DEFAULT 'C:\\dir\\' NOT NULL)");
}

BOOST_AUTO_TEST_CASE(table_named_user_is_quoted) {
    BOOST_TEST(create<kw::User>(dialect::sqlite).at(0) ==
               create_table(dialect::sqlite, "user",
                            {R"("id" INTEGER NOT NULL)", R"("name" VARCHAR NOT NULL)", R"(PRIMARY KEY ("id"))"}));
    BOOST_TEST(create<kw::User>(dialect::postgresql).at(0).rfind("CREATE TABLE \"user\" (", 0) == 0u);
    BOOST_TEST(create<kw::User>(dialect::oracle).at(0).rfind("CREATE TABLE \"user\" (", 0) == 0u);
    BOOST_TEST(dorm::schema::drop_statement(dorm::table_of<kw::User>(), dialect::mysql) == "DROP TABLE `user`");
    BOOST_TEST(dorm::schema::drop_statement(dorm::table_of<kw::User>(), dialect::postgresql) == "DROP TABLE \"user\"");
}

BOOST_AUTO_TEST_CASE(default_table_name_is_snake_case) {
    BOOST_TEST(dorm::table_of<ddlt::UserAccount>().name == "user_account");
    BOOST_TEST(dorm::table_of<sqlt::Item>().name == "item");
    BOOST_TEST(dorm::table_of<AllTypes>().name == "all_types");
}

BOOST_AUTO_TEST_CASE(quotes_inside_identifiers_are_doubled) {
    BOOST_TEST(create<ddlt::Weird>(dialect::sqlite).at(0) ==
               "CREATE TABLE \"we\"\"ird`t\" (\n\t\"id\" INTEGER NOT NULL, \n\t\"a\"\"b`c\" INTEGER NOT NULL, "
               "\n\tPRIMARY KEY (\"id\")\n)");
    BOOST_TEST(create<ddlt::Weird>(dialect::mysql).at(0) ==
               "CREATE TABLE `we\"ird``t` (\n\t`id` INTEGER NOT NULL AUTO_INCREMENT, \n\t`a\"b``c` INTEGER NOT NULL, "
               "\n\tPRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin");
    // and in queries
    expect_exact(dorm::select(dorm::col(&ddlt::Weird::x)).where(dorm::col(&ddlt::Weird::id) == 1), dialect::postgresql,
                 R"(SELECT "we""ird`t"."a""b`c" FROM "we""ird`t" WHERE "we""ird`t"."id" = $1)", "(1,)");
    expect_exact(dorm::select(dorm::col(&ddlt::Weird::x)), dialect::mysql, "SELECT `we\"ird``t`.`a\"b``c` FROM `we\"ird``t`",
                 "()");
}

BOOST_AUTO_TEST_CASE(mysql_unbounded_string_key_is_an_error) {
    auto message_of = [](auto create_fn) -> std::string {
        try {
            create_fn();
        } catch (const dorm::argument_error& e) {
            return e.what();
        }
        return "<no argument_error>";
    };
    const std::string unique = message_of([] { return create<ddlt::LooseUnique>(dialect::mysql); });
    BOOST_TEST(unique.find("'handle'") != std::string::npos, unique);
    BOOST_TEST(unique.find("loose_unique") != std::string::npos, unique);
    BOOST_TEST(unique.find("dorm::varchar") != std::string::npos, unique);
    const std::string index = message_of([] { return create<ddlt::LooseIndex>(dialect::mysql); });
    BOOST_TEST(index.find("'handle'") != std::string::npos, index);
    const std::string key = message_of([] { return create<ddlt::LooseKey>(dialect::mysql); });
    BOOST_TEST(key.find("'code'") != std::string::npos, key);
    BOOST_CHECK_THROW((dorm::metadata<ddlt::LooseUnique>{}.ddl(dialect::mysql)), dorm::argument_error);
    // the other dialects accept them
    for (auto d : {dialect::sqlite, dialect::postgresql}) {
        BOOST_CHECK_NO_THROW(create<ddlt::LooseUnique>(d));
        BOOST_CHECK_NO_THROW(create<ddlt::LooseIndex>(d));
        BOOST_CHECK_NO_THROW(create<ddlt::LooseKey>(d));
    }
    // a plain (not indexed) unbounded string is LONGTEXT
    BOOST_CHECK_NO_THROW(create<AllTypes>(dialect::mysql));
}

// Oracle stores an unbounded string as CLOB, which cannot be a key, UNIQUE or indexed
// (ORA-02329 / ORA-02327): the same argument_error as on MySQL, naming the column.
BOOST_AUTO_TEST_CASE(oracle_unbounded_string_key_is_an_error) {
    auto message_of = [](auto create_fn) -> std::string {
        try {
            create_fn();
        } catch (const dorm::argument_error& e) {
            return e.what();
        }
        return "<no argument_error>";
    };
    const std::string unique = message_of([] { return create<ddlt::LooseUnique>(dialect::oracle); });
    BOOST_TEST(unique.find("'handle'") != std::string::npos, unique);
    const std::string index = message_of([] { return create<ddlt::LooseIndex>(dialect::oracle); });
    BOOST_TEST(index.find("'handle'") != std::string::npos, index);
    const std::string key = message_of([] { return create<ddlt::LooseKey>(dialect::oracle); });
    BOOST_TEST(key.find("'code'") != std::string::npos, key);
}

BOOST_AUTO_TEST_CASE(ddl_orders_parents_first) {
    const std::string ddl = dorm::metadata<Comment, Profile, User>{}.ddl(dialect::sqlite);
    BOOST_TEST(created_tables(ddl) == (std::vector<std::string>{"user_table", "comment_table", "profile_table"}),
               boost::test_tools::per_element());
    BOOST_TEST(ddl.find(";\n\nCREATE TABLE \"comment_table\"") != std::string::npos);

    const std::string chain = dorm::metadata<ddlt::Child, ddlt::Parent, ddlt::Grand>{}.ddl(dialect::postgresql);
    BOOST_TEST(created_tables(chain) == (std::vector<std::string>{"grand", "parent", "child"}),
               boost::test_tools::per_element());

    // already in order: unchanged
    const std::string same = dorm::metadata<User, Comment, Profile>{}.ddl(dialect::sqlite);
    BOOST_TEST(created_tables(same) == (std::vector<std::string>{"user_table", "comment_table", "profile_table"}),
               boost::test_tools::per_element());

    // CREATE INDEX follows its table
    const std::string with_index = dorm::metadata<ddlt::Tagged>{}.ddl(dialect::sqlite);
    BOOST_TEST(with_index.find("\n);\n\nCREATE INDEX \"ix_tagged_email\" ON \"tagged\" (\"email\");\n\n"
                               "CREATE INDEX \"ix_tagged_opt\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(foreign_key_cycle_is_an_error) {
    try {
        (void)dorm::metadata<ddlt::CycA, ddlt::CycB>{}.ddl(dialect::sqlite);
        BOOST_ERROR("no argument_error for a foreign-key cycle");
    } catch (const dorm::argument_error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("cyc_a") != std::string::npos, what);
        BOOST_TEST(what.find("cyc_b") != std::string::npos, what);
    }
    const std::array<const dorm::schema::table*, 2> tables{&dorm::table_of<ddlt::CycB>(), &dorm::table_of<ddlt::CycA>()};
    BOOST_CHECK_THROW(dorm::schema::sorted_by_dependency(tables), dorm::argument_error);
    // the message names the tables of the cycle, not the tables that merely depend on it
    try {
        (void)dorm::metadata<ddlt::CycChild, ddlt::CycA, ddlt::CycB>{}.ddl(dialect::sqlite);
        BOOST_ERROR("no argument_error for a foreign-key cycle");
    } catch (const dorm::argument_error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("cyc_a") != std::string::npos, what);
        BOOST_TEST(what.find("cyc_b") != std::string::npos, what);
        BOOST_TEST(what.find("cyc_child") == std::string::npos, what);
    }
    // each table alone is fine (the referenced table is outside the set)
    BOOST_CHECK_NO_THROW(dorm::metadata<ddlt::CycA>{}.ddl(dialect::sqlite));
}

BOOST_AUTO_TEST_CASE(self_reference_is_fine) {
    std::string ddl;
    BOOST_CHECK_NO_THROW(ddl = dorm::metadata<Node>{}.ddl(dialect::sqlite));
    BOOST_TEST(ddl == create_table(dialect::sqlite, "node",
                                   {R"("id" INTEGER NOT NULL)", R"("parent_id" INTEGER)", R"("label" VARCHAR(20) NOT NULL)",
                                    R"(PRIMARY KEY ("id"))", R"(FOREIGN KEY("parent_id") REFERENCES "node" ("id"))"}));
    BOOST_CHECK_NO_THROW((dorm::metadata<User, Node, Comment>{}.ddl(dialect::postgresql)));
}

BOOST_AUTO_TEST_CASE(a_collation_option_is_printed_for_mysql_only) {
    const auto my = create<ddlt::Nick>(dialect::mysql).front();
    BOOST_TEST(column_line(my, "nick", dialect::mysql) == "`nick` VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL");
    BOOST_TEST(column_line(my, "exact", dialect::mysql) == "`exact` LONGTEXT NOT NULL");
    BOOST_TEST(my.ends_with(") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin"), my);
    for (auto d : {dialect::sqlite, dialect::postgresql, dialect::oracle}) {
        const auto sql = create<ddlt::Nick>(d).front();
        BOOST_TEST(sql.find("COLLATE") == std::string::npos, sql);
    }
}

BOOST_AUTO_TEST_SUITE_END()
