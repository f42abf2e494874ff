// dorm::inspect against a real database (DORM_TEST_URL): tables made by create_all from models
// and by raw DDL per dialect (what models cannot express yet: FK actions, CHECK constraints,
// multi-column UNIQUE and indexes, a composite key in non-declaration order, server defaults),
// every field asserted exactly as each catalog spells it; an empty database, odd names, and tables
// of other schemas / databases left out.
#define BOOST_TEST_MODULE inspect
#include <boost/test/unit_test.hpp>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"

using dorm::fk_action;
using dorm_test::is_mysql;
using dorm_test::is_postgresql;
using dorm_test::is_sqlite;

// ---- models ----------------------------------------------------------------------------------

struct InspOwner {
    int id = 0;
    std::string email;
};
BOOST_DESCRIBE_STRUCT(InspOwner, (), (id, email))
DORM_TABLE(InspOwner, "insp_owner", (email, dorm::varchar(60), dorm::unique))

struct InspItem {
    int id = 0;
    std::string title;
    int owner_id = 0;
    int qty = 0;
    std::string note;
    std::optional<double> price;
    bool active = true;
    std::int64_t big = 0;
};
BOOST_DESCRIBE_STRUCT(InspItem, (), (id, title, owner_id, qty, note, price, active, big))
DORM_TABLE(InspItem, "insp_item",
           (title, dorm::varchar(30), dorm::index),
           (owner_id, dorm::foreign_key(&InspOwner::id)),
           (qty, dorm::default_value(5)),
           (note, dorm::varchar(20), dorm::nullable, dorm::default_value("none")),
           (active, dorm::default_value(true)))

using items_meta = dorm::metadata<InspItem, InspOwner>;

// ---- helpers ---------------------------------------------------------------------------------

namespace {

/// The value for the backend under test.
std::string by_backend(std::string sqlite, std::string postgresql, std::string mysql) {
    return is_sqlite() ? sqlite : is_postgresql() ? postgresql : mysql;
}

/// An identifier quoted for the backend, with the quote character doubled inside.
std::string quoted(std::string_view ident) {
    const char quote = is_mysql() ? '`' : '"';
    std::string out(1, quote);
    for (char c : ident) {
        if (c == quote) out += quote;
        out += c;
    }
    return out + quote;
}

/// The action of a foreign key declared without one: MariaDB's catalog says RESTRICT.
fk_action mysql_default_action() { return is_mysql() ? fk_action::restrict : fk_action::no_action; }

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

std::string action(fk_action a) {
    switch (a) {
        case fk_action::no_action: return "no_action";
        case fk_action::restrict: return "restrict";
        case fk_action::cascade: return "cascade";
        case fk_action::set_null: return "set_null";
        case fk_action::set_default: return "set_default";
    }
    return "?";
}

/// The whole schema as text (in failure messages).
std::string dump(const dorm::live_schema& s) {
    std::ostringstream o;
    for (const auto& t : s.tables) {
        o << "table " << t.name << " pk(" << join(t.primary_key) << ")\n";
        for (const auto& c : t.columns)
            o << "  column " << c.name << " [" << c.type << "] " << (c.nullable ? "null" : "not null")
              << " default=" << c.default_sql.value_or("<none>") << (c.primary_key ? " pk" : "")
              << (c.autoincrement ? " autoincrement" : "") << "\n";
        for (const auto& u : t.uniques) o << "  unique " << u.name << " (" << join(u.columns) << ")\n";
        for (const auto& i : t.indexes)
            o << "  index " << i.name << " (" << join(i.columns) << ")" << (i.unique ? " unique" : "") << "\n";
        for (const auto& f : t.foreign_keys)
            o << "  fk " << f.name << " (" << join(f.columns) << ") -> " << f.referred_table << " ("
              << join(f.referred_columns) << ") delete " << action(f.on_delete) << " update " << action(f.on_update)
              << "\n";
        for (const auto& c : t.checks) o << "  check " << c.name << ": " << c.expression << "\n";
    }
    return o.str();
}

/// Runs DDL statements one by one on a connection of `e`.
void run(const dorm::engine& e, const std::vector<std::string>& statements) {
    auto c = e.connect();
    for (const auto& s : statements) c.execute_ddl(s);
}

/// Drops tables (children first) if they exist; errors are ignored (used in destructors too).
void drop(const dorm::engine& e, const std::vector<std::string>& tables) {
    for (const auto& t : tables) {
        try {
            run(e, {"DROP TABLE IF EXISTS " + quoted(t)});
        } catch (const dorm::error&) {
        }
    }
}

/// Runs each statement on its own, ignoring errors (clean-up of what may not exist).
void run_each_ignoring_errors(const dorm::engine& e, const std::vector<std::string>& statements) {
    for (const auto& s : statements) {
        try {
            run(e, {s});
        } catch (const dorm::error&) {
        }
    }
}

/// Tables created for one test and dropped after it (also before it: left over by a crashed run).
/// `cleanup` statements run before the drops (objects other than tables of the database).
struct scratch_tables {
    dorm::engine engine;
    std::vector<std::string> tables;  // children first
    std::vector<std::string> cleanup;

    explicit scratch_tables(std::vector<std::string> names, std::vector<std::string> cleanup_sql = {},
                            dorm::engine_options opts = {})
        : engine(dorm_test::make_engine(std::move(opts))), tables(std::move(names)), cleanup(std::move(cleanup_sql)) {
        clean();
    }
    ~scratch_tables() { clean(); }
    void clean() {
        run_each_ignoring_errors(engine, cleanup);
        drop(engine, tables);
    }
    scratch_tables(const scratch_tables&) = delete;
    scratch_tables& operator=(const scratch_tables&) = delete;
};

/// The table, or a failed test naming the schema.
const dorm::live_table& table_of(const dorm::live_schema& s, std::string_view name) {
    const auto* t = s.table(name);
    BOOST_TEST_REQUIRE(t != nullptr, "no table " << name << " in\n" << dump(s));
    return *t;
}

struct expected_column {
    std::string name, type;
    bool nullable;
    std::optional<std::string> default_sql;
    bool primary_key = false;
    bool autoincrement = false;
};

/// Every column of `t`, in order, field by field.
void check_columns(const dorm::live_table& t, const std::vector<expected_column>& expected) {
    std::vector<std::string> names, want;
    for (const auto& c : t.columns) names.push_back(c.name);
    for (const auto& c : expected) want.push_back(c.name);
    BOOST_TEST_CONTEXT("columns of " << t.name) { BOOST_TEST(join(names) == join(want)); }
    for (const auto& e : expected) {
        BOOST_TEST_CONTEXT("column " << t.name << "." << e.name) {
            const auto* c = t.column(e.name);
            BOOST_TEST_REQUIRE(c != nullptr);
            BOOST_TEST(c->type == e.type);
            BOOST_TEST(c->nullable == e.nullable);
            BOOST_TEST(c->default_sql.value_or("<none>") == e.default_sql.value_or("<none>"));
            BOOST_TEST(c->primary_key == e.primary_key);
            BOOST_TEST(c->autoincrement == e.autoincrement);
        }
    }
}

void check_unique(const dorm::live_unique& u, const std::string& name, const std::string& columns) {
    BOOST_TEST_CONTEXT("unique " << name) {
        BOOST_TEST(u.name == name);
        BOOST_TEST(join(u.columns) == columns);
    }
}

void check_index(const dorm::live_index& i, const std::string& name, const std::string& columns, bool unique) {
    BOOST_TEST_CONTEXT("index " << name) {
        BOOST_TEST(i.name == name);
        BOOST_TEST(join(i.columns) == columns);
        BOOST_TEST(i.unique == unique);
    }
}

void check_fk(const dorm::live_foreign_key& f, const std::string& name, const std::string& columns,
              const std::string& referred_table, const std::string& referred_columns, fk_action on_delete,
              fk_action on_update) {
    BOOST_TEST_CONTEXT("foreign key " << name << " (" << columns << ")") {
        BOOST_TEST(f.name == name);
        BOOST_TEST(join(f.columns) == columns);
        BOOST_TEST(f.referred_table == referred_table);
        BOOST_TEST(join(f.referred_columns) == referred_columns);
        BOOST_TEST(action(f.on_delete) == action(on_delete));
        BOOST_TEST(action(f.on_update) == action(on_update));
    }
}

void check_check(const dorm::live_check& c, const std::string& name, const std::string& expression) {
    BOOST_TEST_CONTEXT("check " << name) {
        BOOST_TEST(c.name == name);
        BOOST_TEST(c.expression == expression);
    }
}

// The tables every test of this suite creates, children first (dropped by the empty-database test
// too, in case a crashed run left them).
const std::vector<std::string> raw_tables = {"insp_ref", "insp_grandchild", "insp_child", "insp_parent"};
const std::string odd_table = "Odd \"Quoted\" Name's";

}  // namespace

// ---- tests -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(empty_database_has_no_tables) {
    auto e = dorm_test::make_engine();
    drop(e, raw_tables);
    drop(e, {odd_table, "insp_item", "insp_owner"});
    const auto s = dorm::inspect(e);
    BOOST_TEST(s.tables.empty(), "tables left:\n" << dump(s));
    BOOST_TEST(dorm::dialect_name(s.dialect) == dorm_test::backend());
}

BOOST_AUTO_TEST_CASE(tables_from_models) {
    scratch_tables scratch({"insp_item", "insp_owner"});
    items_meta{}.create_all(scratch.engine);
    const auto s = dorm::inspect(scratch.engine);
    BOOST_TEST_MESSAGE(dump(s));

    const auto& owner = table_of(s, "insp_owner");
    check_columns(owner, {
        {"id", by_backend("INTEGER", "integer", "int(11)"), false, std::nullopt, true, true},
        {"email", by_backend("VARCHAR(60)", "character varying(60)", "varchar(60)"), false, std::nullopt},
    });
    BOOST_TEST(join(owner.primary_key) == "id");
    BOOST_TEST_REQUIRE(owner.uniques.size() == 1u);
    check_unique(owner.uniques[0], by_backend("", "insp_owner_email_key", "email"), "email");
    BOOST_TEST(owner.indexes.empty());
    BOOST_TEST(owner.foreign_keys.empty());
    BOOST_TEST(owner.checks.empty());

    const auto& item = table_of(s, "insp_item");
    check_columns(item, {
        {"id", by_backend("INTEGER", "integer", "int(11)"), false, std::nullopt, true, true},
        {"title", by_backend("VARCHAR(30)", "character varying(30)", "varchar(30)"), false, std::nullopt},
        {"owner_id", by_backend("INTEGER", "integer", "int(11)"), false, std::nullopt},
        {"qty", by_backend("INTEGER", "integer", "int(11)"), false, "5"},
        {"note", by_backend("VARCHAR(20)", "character varying(20)", "varchar(20)"), true,
         by_backend("'none'", "'none'::character varying", "'none'")},
        {"price", by_backend("FLOAT", "double precision", "double"), true, std::nullopt},
        {"active", by_backend("BOOLEAN", "boolean", "tinyint(1)"), false, by_backend("1", "true", "1")},
        {"big", by_backend("BIGINT", "bigint", "bigint(20)"), false, std::nullopt},
    });
    BOOST_TEST(join(item.primary_key) == "id");
    BOOST_TEST(item.uniques.empty());
    // MariaDB's own index for the unnamed foreign key (named `owner_id`) is not listed
    BOOST_TEST_REQUIRE(item.indexes.size() == 1u, dump(s));
    check_index(item.indexes[0], "ix_insp_item_title", "title", false);
    BOOST_TEST_REQUIRE(item.foreign_keys.size() == 1u);
    check_fk(item.foreign_keys[0], by_backend("", "insp_item_owner_id_fkey", "insp_item_ibfk_1"), "owner_id",
             "insp_owner", "id", mysql_default_action(), mysql_default_action());
    BOOST_TEST(item.checks.empty());

    BOOST_TEST(item.sql.starts_with(is_sqlite() ? "CREATE TABLE \"insp_item\"" : ""));
    BOOST_TEST(item.sql.empty() == !is_sqlite());
    // stable: a second inspection is equal
    BOOST_TEST((dorm::inspect(scratch.engine) == s));
}

// ---- raw DDL: what models cannot express yet -------------------------------------------------

namespace {

std::vector<std::string> raw_ddl() {
    if (is_sqlite())
        return {
            "CREATE TABLE insp_parent (id INTEGER PRIMARY KEY, code VARCHAR(10) NOT NULL, "
            "CONSTRAINT uq_parent_code UNIQUE (code))",
            "CREATE TABLE insp_child (part INTEGER NOT NULL, seq INTEGER NOT NULL, parent_id INTEGER, other_id INTEGER, "
            "label VARCHAR(40) NOT NULL DEFAULT 'x', qty INTEGER DEFAULT 0 CHECK (qty >= 0), "
            "created TIMESTAMP DEFAULT CURRENT_TIMESTAMP, note VARCHAR(20) DEFAULT NULL, a INTEGER, b INTEGER, "
            "PRIMARY KEY (seq, part), CONSTRAINT uq_child_ba UNIQUE (b, a), "
            "CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES insp_parent (id) ON DELETE CASCADE ON UPDATE CASCADE, "
            "CONSTRAINT fk_child_other FOREIGN KEY (other_id) REFERENCES insp_parent (id) ON DELETE SET NULL ON UPDATE RESTRICT, "
            "CONSTRAINT ck_child_label CHECK (label <> ')'), CHECK (a < b))",
            "CREATE INDEX ix_child_label_created ON insp_child (label, created DESC)",
            "CREATE INDEX ix_child_lower ON insp_child (lower(label), a)",
            "CREATE UNIQUE INDEX ux_child_note ON insp_child (note)",
            "CREATE TABLE insp_grandchild (x INTEGER NOT NULL, y INTEGER NOT NULL, "
            "FOREIGN KEY (y, x) REFERENCES insp_child (seq, part) ON UPDATE CASCADE)",
            // what only the CREATE TABLE text tells: names of column constraints, a comment, a
            // parenthesis in a string; REFERENCES without columns and in other letter case
            "CREATE TABLE insp_ref (id INTEGER NOT NULL PRIMARY KEY, -- the key (not a constraint\n"
            "p INTEGER CONSTRAINT fk_ref_parent REFERENCES INSP_PARENT ON DELETE SET DEFAULT, "
            "\"w \"\"x\"\" y\" VARCHAR(30) CONSTRAINT \"uq ref\" UNIQUE /* CHECK (no) */ "
            "CONSTRAINT ck_ref_w CHECK (\"w \"\"x\"\" y\" <> 'CHECK ('))",
        };
    if (is_postgresql())
        return {
            "CREATE TABLE insp_parent (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, code VARCHAR(10) NOT NULL, "
            "CONSTRAINT uq_parent_code UNIQUE (code))",
            "CREATE TABLE insp_child (part INTEGER NOT NULL, seq INTEGER NOT NULL, parent_id INTEGER, other_id INTEGER, "
            "label VARCHAR(40) NOT NULL DEFAULT 'x', qty INTEGER DEFAULT 0 CHECK (qty >= 0), "
            "created TIMESTAMP DEFAULT CURRENT_TIMESTAMP, note VARCHAR(20) DEFAULT NULL, a INTEGER, b INTEGER, "
            "PRIMARY KEY (seq, part), CONSTRAINT uq_child_ba UNIQUE (b, a), "
            "CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES insp_parent (id) ON DELETE CASCADE ON UPDATE CASCADE, "
            "CONSTRAINT fk_child_other FOREIGN KEY (other_id) REFERENCES insp_parent (id) ON DELETE SET NULL ON UPDATE RESTRICT, "
            "CONSTRAINT ck_child_label CHECK (label <> ')'), CHECK (a < b))",
            "CREATE INDEX ix_child_label_created ON insp_child (label, created DESC)",
            "CREATE INDEX ix_child_lower ON insp_child (lower(label), a)",
            "CREATE UNIQUE INDEX ux_child_note ON insp_child (note)",
            "CREATE TABLE insp_grandchild (x INTEGER NOT NULL, y INTEGER NOT NULL, "
            "FOREIGN KEY (y, x) REFERENCES insp_child (seq, part) ON UPDATE CASCADE)",
            "CREATE TABLE insp_ref (id INTEGER NOT NULL PRIMARY KEY, "
            "p INTEGER CONSTRAINT fk_ref_parent REFERENCES insp_parent ON DELETE SET DEFAULT, "
            "\"w \"\"x\"\" y\" VARCHAR(30) CONSTRAINT \"uq ref\" UNIQUE "
            "CONSTRAINT ck_ref_w CHECK (\"w \"\"x\"\" y\" <> 'CHECK ('))",
            // tables of another schema are not listed, nor mixed with those of the current one
            "CREATE SCHEMA insp_other",
            "CREATE TABLE insp_other.insp_parent (other_col integer PRIMARY KEY)",
            "CREATE TABLE insp_other.insp_hidden (id integer, FOREIGN KEY (id) REFERENCES insp_other.insp_parent)",
        };
    // MariaDB: column-level REFERENCES is parsed and ignored, so every foreign key is table-level;
    // no expression indexes; DATETIME (a TIMESTAMP column gets implicit attributes)
    return {
        "CREATE TABLE insp_parent (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10) NOT NULL, "
        "CONSTRAINT uq_parent_code UNIQUE (code))",
        "CREATE TABLE insp_child (part INTEGER NOT NULL, seq INTEGER NOT NULL, parent_id INTEGER, other_id INTEGER, "
        "label VARCHAR(40) NOT NULL DEFAULT 'x', qty INTEGER DEFAULT 0 CHECK (qty >= 0), "
        "created DATETIME DEFAULT CURRENT_TIMESTAMP, note VARCHAR(20) DEFAULT NULL, a INTEGER, b INTEGER, "
        "PRIMARY KEY (seq, part), CONSTRAINT uq_child_ba UNIQUE (b, a), "
        "CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES insp_parent (id) ON DELETE CASCADE ON UPDATE CASCADE, "
        "CONSTRAINT fk_child_other FOREIGN KEY (other_id) REFERENCES insp_parent (id) ON DELETE SET NULL ON UPDATE RESTRICT, "
        "CONSTRAINT ck_child_label CHECK (label <> ')'), CHECK (a < b)) ENGINE=InnoDB",
        "CREATE INDEX ix_child_label_created ON insp_child (label, created DESC)",
        "CREATE UNIQUE INDEX ux_child_note ON insp_child (note)",
        "CREATE TABLE insp_grandchild (x INTEGER NOT NULL, y INTEGER NOT NULL, "
        "FOREIGN KEY (y, x) REFERENCES insp_child (seq, part) ON UPDATE CASCADE) ENGINE=InnoDB",
        "CREATE TABLE insp_ref (id INTEGER NOT NULL PRIMARY KEY, p INTEGER, `w \"x\" y` VARCHAR(30), "
        "CONSTRAINT fk_ref_parent FOREIGN KEY (p) REFERENCES insp_parent (id) ON DELETE NO ACTION, "
        "CONSTRAINT `uq ref` UNIQUE (`w \"x\" y`), CONSTRAINT ck_ref_w CHECK (`w \"x\" y` <> 'CHECK (')) ENGINE=InnoDB",
        // tables of another database are not listed, nor mixed with those of the current one
        "CREATE DATABASE insp_other",
        "CREATE TABLE insp_other.insp_parent (other_col INT PRIMARY KEY) ENGINE=InnoDB",
        "CREATE TABLE insp_other.insp_hidden (id INT, FOREIGN KEY (id) REFERENCES insp_other.insp_parent (other_col)) "
        "ENGINE=InnoDB",
    };
}

/// What is not a table of the database under test: another schema / database (dropped before the
/// tables), SQLite's TEMP and ATTACHed tables (on the one connection of the engine's pool).
std::vector<std::string> raw_cleanup() {
    if (is_postgresql()) return {"DROP SCHEMA IF EXISTS insp_other CASCADE"};
    if (is_mysql()) return {"DROP DATABASE IF EXISTS insp_other"};
    return {"DROP TABLE IF EXISTS temp.insp_parent", "DETACH DATABASE insp_other"};
}

}  // namespace

BOOST_AUTO_TEST_CASE(tables_from_raw_ddl) {
    // one connection in the pool: SQLite's TEMP and ATTACHed tables live on a connection
    scratch_tables scratch(raw_tables, raw_cleanup(), {.pool_size = 1, .max_overflow = 0});
    run(scratch.engine, raw_ddl());
    if (is_sqlite())  // a TEMP table shadows the main one of the same name; attached ones are not main's
        run(scratch.engine, {"CREATE TEMP TABLE insp_parent (temp_col INTEGER)",
                             "ATTACH DATABASE ':memory:' AS insp_other",
                             "CREATE TABLE insp_other.insp_hidden (id INTEGER)"});
    const auto s = dorm::inspect(scratch.engine);
    BOOST_TEST_MESSAGE(dump(s));
    std::vector<std::string> names;
    for (const auto& t : s.tables) names.push_back(t.name);
    BOOST_TEST(join(names) == "insp_child,insp_grandchild,insp_parent,insp_ref");

    const std::string integer = by_backend("INTEGER", "integer", "int(11)");
    const std::string varchar10 = by_backend("VARCHAR(10)", "character varying(10)", "varchar(10)");

    const auto& parent = table_of(s, "insp_parent");
    check_columns(parent, {{"id", integer, false, std::nullopt, true, true}, {"code", varchar10, false, std::nullopt}});
    BOOST_TEST(join(parent.primary_key) == "id");
    BOOST_TEST_REQUIRE(parent.uniques.size() == 1u);
    check_unique(parent.uniques[0], "uq_parent_code", "code");
    BOOST_TEST(parent.indexes.empty());
    BOOST_TEST(parent.foreign_keys.empty());
    BOOST_TEST(parent.checks.empty());

    const auto& child = table_of(s, "insp_child");
    check_columns(child, {
        {"part", integer, false, std::nullopt, true},
        {"seq", integer, false, std::nullopt, true},
        {"parent_id", integer, true, std::nullopt},
        {"other_id", integer, true, std::nullopt},
        {"label", by_backend("VARCHAR(40)", "character varying(40)", "varchar(40)"), false,
         by_backend("'x'", "'x'::character varying", "'x'")},
        {"qty", integer, true, "0"},
        {"created", by_backend("TIMESTAMP", "timestamp without time zone", "datetime"), true,
         by_backend("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", "current_timestamp()")},
        {"note", by_backend("VARCHAR(20)", "character varying(20)", "varchar(20)"), true, std::nullopt},
        {"a", integer, true, std::nullopt},
        {"b", integer, true, std::nullopt},
    });
    BOOST_TEST(join(child.primary_key) == "seq,part");  // key order, not table order
    if (is_mysql()) {  // every unique index is a unique constraint
        BOOST_TEST_REQUIRE(child.uniques.size() == 2u);
        check_unique(child.uniques[0], "uq_child_ba", "b,a");
        check_unique(child.uniques[1], "ux_child_note", "note");
        // InnoDB's own indexes for fk_child_parent and fk_child_other are not listed
        BOOST_TEST_REQUIRE(child.indexes.size() == 1u, dump(s));
        check_index(child.indexes[0], "ix_child_label_created", "label,created", false);
    } else {
        BOOST_TEST_REQUIRE(child.uniques.size() == 1u);
        check_unique(child.uniques[0], "uq_child_ba", "b,a");
        BOOST_TEST_REQUIRE(child.indexes.size() == 3u, dump(s));
        check_index(child.indexes[0], "ix_child_label_created", "label,created", false);
        // PostgreSQL prints the expression with the cast it applies
        check_index(child.indexes[1], "ix_child_lower", by_backend("(lower(label)),a", "(lower(label::text)),a", ""),
                    false);
        check_index(child.indexes[2], "ux_child_note", "note", true);
    }
    BOOST_TEST_REQUIRE(child.foreign_keys.size() == 2u);
    check_fk(child.foreign_keys[0], "fk_child_other", "other_id", "insp_parent", "id", fk_action::set_null,
             fk_action::restrict);
    check_fk(child.foreign_keys[1], "fk_child_parent", "parent_id", "insp_parent", "id", fk_action::cascade,
             fk_action::cascade);
    BOOST_TEST_REQUIRE(child.checks.size() == 3u, dump(s));
    if (is_sqlite()) {  // as written; unnamed ones have no name
        check_check(child.checks[0], "", "a < b");
        check_check(child.checks[1], "", "qty >= 0");
        check_check(child.checks[2], "ck_child_label", "label <> ')'");
    } else if (is_postgresql()) {  // normalised by pg_get_expr; generated names
        check_check(child.checks[0], "ck_child_label", "((label)::text <> ')'::text)");
        check_check(child.checks[1], "insp_child_check", "(a < b)");
        check_check(child.checks[2], "insp_child_qty_check", "(qty >= 0)");
    } else {  // normalised with backquotes; a column-level check is named after its column
        check_check(child.checks[0], "CONSTRAINT_1", "`a` < `b`");
        check_check(child.checks[1], "ck_child_label", "`label` <> ')'");
        check_check(child.checks[2], "qty", "`qty` >= 0");
    }

    const auto& grandchild = table_of(s, "insp_grandchild");
    check_columns(grandchild, {{"x", integer, false, std::nullopt}, {"y", integer, false, std::nullopt}});
    BOOST_TEST(grandchild.primary_key.empty());
    BOOST_TEST(grandchild.uniques.empty());
    BOOST_TEST(grandchild.indexes.empty(), dump(s));  // MariaDB's own index `y` (y, x) is not listed
    BOOST_TEST_REQUIRE(grandchild.foreign_keys.size() == 1u);
    check_fk(grandchild.foreign_keys[0], by_backend("", "insp_grandchild_y_x_fkey", "insp_grandchild_ibfk_1"), "y,x",
             "insp_child", "seq,part", mysql_default_action(), fk_action::cascade);
    BOOST_TEST(grandchild.checks.empty());

    const auto& ref = table_of(s, "insp_ref");
    check_columns(ref, {
        {"id", integer, false, std::nullopt, true, is_sqlite()},  // SQLite: the rowid
        {"p", integer, true, std::nullopt},
        {"w \"x\" y", by_backend("VARCHAR(30)", "character varying(30)", "varchar(30)"), true, std::nullopt},
    });
    BOOST_TEST_REQUIRE(ref.uniques.size() == 1u);
    check_unique(ref.uniques[0], "uq ref", "w \"x\" y");
    BOOST_TEST(ref.indexes.empty(), dump(s));
    BOOST_TEST_REQUIRE(ref.foreign_keys.size() == 1u);
    // SQLite: REFERENCES INSP_PARENT (no columns) is the table insp_parent's primary key
    check_fk(ref.foreign_keys[0], "fk_ref_parent", "p", "insp_parent", "id",
             is_mysql() ? fk_action::no_action : fk_action::set_default, mysql_default_action());
    BOOST_TEST_REQUIRE(ref.checks.size() == 1u);
    check_check(ref.checks[0], "ck_ref_w",
                by_backend("\"w \"\"x\"\" y\" <> 'CHECK ('", "((\"w \"\"x\"\" y\")::text <> 'CHECK ('::text)",
                           "`w \"x\" y` <> 'CHECK ('"));

    for (const auto& t : s.tables) BOOST_TEST(t.sql.empty() == !is_sqlite(), t.name);
    if (is_sqlite()) BOOST_TEST(ref.sql.find("-- the key (not a constraint") != std::string::npos);
}

// ---- names -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(names_with_capitals_spaces_and_quotes) {
    scratch_tables scratch({odd_table});
    const std::string t = quoted(odd_table);
    const std::string varchar10 = by_backend("VARCHAR(10)", "character varying(10)", "varchar(10)");
    run(scratch.engine,
        {"CREATE TABLE " + t + " (" + quoted("Mixed Case") + " INTEGER NOT NULL, " + quoted("it's") +
             " VARCHAR(10) DEFAULT 'it''s', " + quoted("Parent Ref") + " INTEGER, PRIMARY KEY (" + quoted("Mixed Case") +
             "), CONSTRAINT " + quoted("fk Odd") + " FOREIGN KEY (" + quoted("Parent Ref") + ") REFERENCES " + t + " (" +
             quoted("Mixed Case") + "))",
         "CREATE INDEX " + quoted("ix Odd") + " ON " + t + " (" + quoted("it's") + ", " + quoted("Parent Ref") + ")"});
    const auto s = dorm::inspect(scratch.engine);
    BOOST_TEST_MESSAGE(dump(s));
    const auto& odd = table_of(s, odd_table);
    check_columns(odd, {
        {"Mixed Case", by_backend("INTEGER", "integer", "int(11)"), false, std::nullopt, true, is_sqlite()},
        {"it's", varchar10, true, by_backend("'it''s'", "'it''s'::character varying", "'it''s'")},
        {"Parent Ref", by_backend("INTEGER", "integer", "int(11)"), true, std::nullopt},
    });
    BOOST_TEST(join(odd.primary_key) == "Mixed Case");
    BOOST_TEST_REQUIRE(odd.indexes.size() == 1u, dump(s));  // not MariaDB's own `fk Odd`
    check_index(odd.indexes[0], "ix Odd", "it's,Parent Ref", false);
    BOOST_TEST_REQUIRE(odd.foreign_keys.size() == 1u);
    check_fk(odd.foreign_keys[0], "fk Odd", "Parent Ref", odd_table, "Mixed Case", mysql_default_action(),
             mysql_default_action());
}
