// Schema against a real database (DORM_TEST_URL): create_all / drop_all order and existence
// checks, the table created matches the model (a round trip of every column type), column and
// table naming, composite primary keys, and constraint violations mapped to integrity_error
// subclasses.
#define BOOST_TEST_MODULE schema
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "all_types.hpp"
#include "backend.hpp"
#include "fixture.hpp"

using all_types::AllTypes;
using all_types::Color;
using dorm::col;
using dorm_test::database;
using dorm_test::q;
using namespace std::chrono;
using namespace std::chrono_literals;

// ---- models ------------------------------------------------------------------------------------

// FK chain: PetVisit -> Pet -> Owner (listed children first in the metadata below).
struct Owner {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Owner, (), (id, name))
DORM_TABLE(Owner, "owner", (name, dorm::varchar(40)))

struct Pet {
    int id = 0;
    std::string name;
    int owner_id = 0;
};
BOOST_DESCRIBE_STRUCT(Pet, (), (id, name, owner_id))
DORM_TABLE(Pet, "pet", (name, dorm::varchar(40)), (owner_id, dorm::foreign_key(&Owner::id)))

struct PetVisit {
    int id = 0;
    int pet_id = 0;
    std::string note;
};
BOOST_DESCRIBE_STRUCT(PetVisit, (), (id, pet_id, note))
DORM_TABLE(PetVisit, "pet_visit", (pet_id, dorm::foreign_key(&Pet::id)))

using pets_meta = dorm::metadata<PetVisit, Pet, Owner>;

// No DORM_TABLE: the table is `audit_log_entry` and `id` is the primary key.
struct AuditLogEntry {
    int id = 0;
    std::string message;
};
BOOST_DESCRIBE_STRUCT(AuditLogEntry, (), (id, message))

// A member stored under another column name.
struct Renamed {
    int id = 0;
    std::string display_name;
    int rank = 0;
};
BOOST_DESCRIBE_STRUCT(Renamed, (), (id, display_name, rank))
DORM_TABLE(Renamed, "renamed",
           (display_name, dorm::column_name("shown_as"), dorm::varchar(40)),
           (rank, dorm::column_name("position")))

// Composite primary key (no autoincrement).
struct Enrollment {
    int student = 0;
    int course = 0;
    std::string grade;
};
BOOST_DESCRIBE_STRUCT(Enrollment, (), (student, course, grade))
DORM_TABLE(Enrollment, "enrollment",
           (student, dorm::primary_key),
           (course, dorm::primary_key),
           (grade, dorm::varchar(2)))

// Unique column.
struct Account {
    int id = 0;
    std::string email;
};
BOOST_DESCRIBE_STRUCT(Account, (), (id, email))
DORM_TABLE(Account, "account", (email, dorm::varchar(100), dorm::unique))

// NOT NULL column, and a second mapping of the same table that lets the ORM send a NULL.
struct StrictRow {
    int id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(StrictRow, (), (id, name))
DORM_TABLE(StrictRow, "strict_row", (name, dorm::varchar(40)))

struct LooseRow {
    int id = 0;
    std::optional<std::string> name;
};
BOOST_DESCRIBE_STRUCT(LooseRow, (), (id, name))
DORM_TABLE(LooseRow, "strict_row", (name, dorm::varchar(40)))

// ---- helpers -----------------------------------------------------------------------------------

namespace {

bool table_exists(const dorm::engine& e, const std::string& name) {
    auto c = e.connect();
    return c.raw().table_exists(name);
}

std::vector<std::string> create_tables_in_echo(const dorm_test::echo_capture& echo) {
    std::vector<std::string> out;
    for (auto& s : echo.statements()) {
        for (const char* t : {"owner", "pet_visit", "pet"}) {  // pet_visit before pet: prefix match
            if (s.starts_with("CREATE TABLE " + q(t)) || s.starts_with("DROP TABLE " + q(t))) {
                out.push_back(t);
                break;
            }
        }
    }
    return out;
}

dorm::blob bytes(std::initializer_list<int> v) {
    dorm::blob b;
    for (int x : v) b.push_back(static_cast<std::byte>(x));
    return b;
}

AllTypes max_row() {
    AllTypes t;
    t.flag = true;
    t.i8 = std::numeric_limits<std::int8_t>::max();
    t.i16 = std::numeric_limits<std::int16_t>::max();
    t.i32 = std::numeric_limits<std::int32_t>::max();
    t.i64 = std::numeric_limits<std::int64_t>::max();
    t.u8 = std::numeric_limits<std::uint8_t>::max();
    t.u16 = std::numeric_limits<std::uint16_t>::max();
    t.u32 = std::numeric_limits<std::uint32_t>::max();
    t.u64 = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    t.f = std::numeric_limits<float>::max();
    t.d = std::numeric_limits<double>::max();
    t.text = std::string(5000, 'x') + "\xF0\x9F\x8C\x8D";
    t.code = "max";
    t.maybe_text = "set";
    t.maybe_int = std::numeric_limits<std::int64_t>::max();
    t.maybe_real = 2.5;
    t.maybe_flag = true;
    dorm::blob all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::byte>(i));
    t.data = all;
    t.maybe_data = bytes({0, 1, 0, 255});
    t.at_s = sys_days{year(2038) / 1 / 19} + 3h + 14min + 8s;
    t.at_ms = sys_days{year(1999) / 12 / 31} + 23h + 59min + 59s + 999ms;
    t.maybe_at = sys_days{year(2024) / 2 / 29} + 12h;
    t.day = year(2024) / 2 / 29;
    t.maybe_day = year(9999) / 12 / 31;
    t.color = Color::blue;
    t.maybe_color = Color::green;
    return t;
}

AllTypes min_row() {
    AllTypes t;
    t.flag = false;
    t.i8 = std::numeric_limits<std::int8_t>::min();
    t.i16 = std::numeric_limits<std::int16_t>::min();
    t.i32 = std::numeric_limits<std::int32_t>::min();
    t.i64 = std::numeric_limits<std::int64_t>::min();
    t.u8 = 0;
    t.u16 = 0;
    t.u32 = 0;
    t.u64 = 0;
    t.f = std::numeric_limits<float>::lowest();
    t.d = std::numeric_limits<double>::lowest();
    t.text = "";  // empty, not NULL
    t.code = "min";
    t.maybe_text = std::nullopt;
    t.maybe_int = std::nullopt;
    t.maybe_real = std::nullopt;
    t.maybe_flag = std::nullopt;
    t.data = {};  // zero bytes
    t.maybe_data = std::nullopt;
    t.at_s = sys_days{year(1969) / 7 / 20} + 20h + 17min + 40s;  // before the epoch
    t.at_ms = sys_days{year(1970) / 1 / 1} + 1ms;
    t.maybe_at = std::nullopt;
    t.day = year(1900) / 1 / 1;
    t.maybe_day = std::nullopt;
    t.color = Color::red;
    t.maybe_color = std::nullopt;
    return t;
}

AllTypes fraction_row() {
    AllTypes t = min_row();
    t.code = "fractions";
    t.i64 = std::numeric_limits<std::int64_t>::min() + 1;
    t.f = 0.1f;
    t.d = 0.1;
    t.text = "'; DROP TABLE all_types; --";
    t.maybe_text = "";  // an empty string is not NULL
    t.maybe_int = 0;
    t.maybe_real = 1.0 / 3.0;
    t.maybe_flag = false;
    t.maybe_data = dorm::blob{};  // zero bytes, not NULL
    t.at_ms = sys_days{year(2001) / 9 / 9} + 1h + 46min + 40s + 123ms;
    t.maybe_color = Color::red;
    return t;
}

AllTypes small_floats_row() {
    AllTypes t = min_row();
    t.code = "small";
    t.f = std::numeric_limits<float>::min();  // smallest normal
    t.d = std::numeric_limits<double>::min();
    t.maybe_real = -0.000123456789012345;
    return t;
}

void check_same(const AllTypes& a, const AllTypes& e) {
    BOOST_TEST_CONTEXT("row " << e.code) {
        BOOST_CHECK_EQUAL(a.flag, e.flag);
        BOOST_CHECK_EQUAL(static_cast<int>(a.i8), static_cast<int>(e.i8));
        BOOST_CHECK_EQUAL(a.i16, e.i16);
        BOOST_CHECK_EQUAL(a.i32, e.i32);
        BOOST_CHECK_EQUAL(a.i64, e.i64);
        BOOST_CHECK_EQUAL(static_cast<unsigned>(a.u8), static_cast<unsigned>(e.u8));
        BOOST_CHECK_EQUAL(a.u16, e.u16);
        BOOST_CHECK_EQUAL(a.u32, e.u32);
        BOOST_CHECK_EQUAL(a.u64, e.u64);
        BOOST_CHECK_EQUAL(a.f, e.f);  // exact, not close
        BOOST_CHECK_EQUAL(a.d, e.d);
        BOOST_CHECK(a.text == e.text);
        BOOST_CHECK_EQUAL(a.code, e.code);
        BOOST_CHECK(a.maybe_text == e.maybe_text);
        BOOST_CHECK(a.maybe_int == e.maybe_int);
        BOOST_CHECK(a.maybe_real == e.maybe_real);
        BOOST_CHECK(a.maybe_flag == e.maybe_flag);
        BOOST_CHECK(a.data == e.data);
        BOOST_CHECK_EQUAL(a.data.size(), e.data.size());
        BOOST_CHECK(a.maybe_data == e.maybe_data);
        BOOST_CHECK_MESSAGE(a.at_s == e.at_s, "at_s: " << a.at_s.time_since_epoch().count() << " != "
                                                       << e.at_s.time_since_epoch().count());
        BOOST_CHECK_MESSAGE(a.at_ms == e.at_ms, "at_ms: " << a.at_ms.time_since_epoch().count() << " != "
                                                          << e.at_ms.time_since_epoch().count());
        BOOST_CHECK(a.maybe_at == e.maybe_at);
        BOOST_CHECK(a.day == e.day);
        BOOST_CHECK(a.maybe_day == e.maybe_day);
        BOOST_CHECK(a.color == e.color);
        BOOST_CHECK(a.maybe_color == e.maybe_color);
    }
}

}  // namespace

// ---- create_all / drop_all ---------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(create_and_drop)

struct pets_fixture {
    dorm_test::echo_capture echo;
    dorm::engine engine = dorm_test::make_engine(dorm::engine_options{.echo = true, .echo_sink = echo.sink()});
    pets_meta meta;
    pets_fixture() {
        meta.drop_all(engine);
        echo.clear();
    }
    ~pets_fixture() {
        try {
            meta.drop_all(engine);
        } catch (...) {
        }
    }
};

BOOST_FIXTURE_TEST_CASE(create_all_creates_parents_first, pets_fixture) {
    meta.create_all(engine);
    const std::vector<std::string> expected{"owner", "pet", "pet_visit"};
    const auto created = create_tables_in_echo(echo);
    BOOST_CHECK_EQUAL_COLLECTIONS(created.begin(), created.end(), expected.begin(), expected.end());
    BOOST_CHECK(table_exists(engine, "owner"));
    BOOST_CHECK(table_exists(engine, "pet"));
    BOOST_CHECK(table_exists(engine, "pet_visit"));
    // in one transaction
    BOOST_CHECK_EQUAL(echo.count_entries("BEGIN (implicit)"), 1u);
    BOOST_CHECK_EQUAL(echo.count_entries("COMMIT"), 1u);
}

BOOST_FIXTURE_TEST_CASE(create_all_skips_existing_tables, pets_fixture) {
    meta.create_all(engine);
    {
        dorm::session s(engine);
        auto o = s.add(Owner{.name = "kept"});
        s.commit();
    }
    echo.clear();
    meta.create_all(engine);  // everything exists: no CREATE, no error, data kept
    BOOST_CHECK_EQUAL(echo.count_statements("CREATE"), 0u);
    dorm::session s(engine);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(dorm::count()).select_from<Owner>()).scalar_one(), 1);
}

BOOST_FIXTURE_TEST_CASE(create_all_creates_only_missing_tables, pets_fixture) {
    dorm::metadata<Owner>{}.create_all(engine);
    echo.clear();
    meta.create_all(engine);
    const std::vector<std::string> expected{"pet", "pet_visit"};
    const auto created = create_tables_in_echo(echo);
    BOOST_CHECK_EQUAL_COLLECTIONS(created.begin(), created.end(), expected.begin(), expected.end());
}

BOOST_FIXTURE_TEST_CASE(drop_all_drops_children_first, pets_fixture) {
    meta.create_all(engine);
    echo.clear();
    meta.drop_all(engine);
    const std::vector<std::string> expected{"pet_visit", "pet", "owner"};
    const auto dropped = create_tables_in_echo(echo);
    BOOST_CHECK_EQUAL_COLLECTIONS(dropped.begin(), dropped.end(), expected.begin(), expected.end());
    BOOST_CHECK(!table_exists(engine, "owner"));
    BOOST_CHECK(!table_exists(engine, "pet"));
    BOOST_CHECK(!table_exists(engine, "pet_visit"));
}

BOOST_FIXTURE_TEST_CASE(drop_all_with_rows_in_every_table, pets_fixture) {
    meta.create_all(engine);
    {
        dorm::session s(engine);
        auto o = s.add(Owner{.name = "o"});
        s.flush();
        auto p = s.add(Pet{.name = "p", .owner_id = o->id});
        s.flush();
        s.add(PetVisit{.pet_id = p->id, .note = "n"});
        s.commit();
    }
    BOOST_CHECK_NO_THROW(meta.drop_all(engine));  // children first, so no FK stops it
    BOOST_CHECK(!table_exists(engine, "owner"));
}

BOOST_FIXTURE_TEST_CASE(drop_all_skips_missing_tables, pets_fixture) {
    BOOST_CHECK_NO_THROW(meta.drop_all(engine));  // nothing exists
    BOOST_CHECK_EQUAL(echo.count_statements("DROP"), 0u);

    meta.create_all(engine);
    dorm::metadata<PetVisit>{}.drop_all(engine);
    echo.clear();
    BOOST_CHECK_NO_THROW(meta.drop_all(engine));
    const std::vector<std::string> expected{"pet", "owner"};
    const auto dropped = create_tables_in_echo(echo);
    BOOST_CHECK_EQUAL_COLLECTIONS(dropped.begin(), dropped.end(), expected.begin(), expected.end());
}

BOOST_FIXTURE_TEST_CASE(ddl_lists_parents_first, pets_fixture) {
    const std::string ddl = meta.ddl(engine.dialect());
    const auto owner = ddl.find("CREATE TABLE " + q("owner"));
    const auto pet = ddl.find("CREATE TABLE " + q("pet") + " ");
    const auto visit = ddl.find("CREATE TABLE " + q("pet_visit"));
    BOOST_REQUIRE(owner != std::string::npos);
    BOOST_REQUIRE(pet != std::string::npos);
    BOOST_REQUIRE(visit != std::string::npos);
    BOOST_CHECK(owner < pet);
    BOOST_CHECK(pet < visit);
    BOOST_CHECK(echo.statements().empty());  // ddl() runs nothing
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the table matches the model ---------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(round_trip)

using types_db = database<AllTypes>;

BOOST_FIXTURE_TEST_CASE(every_column_type_round_trips, types_db) {
    const std::vector<AllTypes> rows{max_row(), min_row(), fraction_row(), small_floats_row()};
    std::vector<std::int64_t> ids;
    {
        dorm::session s(engine);
        for (auto& r : rows) ids.push_back(s.add(AllTypes(r))->id);
        s.commit();
    }
    {
        dorm::session s(engine);
        std::vector<std::int64_t> got_ids;
        for (auto& r : rows) {
            auto obj = s.execute(dorm::select<AllTypes>().where(col(&AllTypes::code) == r.code)).scalar_one();
            BOOST_REQUIRE(obj);
            got_ids.push_back(obj->id);
            check_same(*obj, r);
        }
        // distinct generated keys
        std::sort(got_ids.begin(), got_ids.end());
        BOOST_CHECK(std::adjacent_find(got_ids.begin(), got_ids.end()) == got_ids.end());
        BOOST_CHECK(got_ids.front() != 0);
    }
    {
        // get() reads the same values
        dorm::session s(engine);
        auto all = s.execute(dorm::select<AllTypes>().order_by(col(&AllTypes::id))).all();
        BOOST_REQUIRE_EQUAL(all.size(), rows.size());
        for (auto& obj : all) {
            auto again = s.get<AllTypes>(obj->id);
            BOOST_CHECK(again.get() == obj.get());
        }
    }
}

BOOST_FIXTURE_TEST_CASE(extreme_integers_compare_in_sql, types_db) {
    {
        dorm::session s(engine);
        s.add(max_row());
        s.add(min_row());
        s.commit();
    }
    dorm::session s(engine);
    constexpr auto i64_min = std::numeric_limits<std::int64_t>::min();
    constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
    BOOST_CHECK_EQUAL(s.execute(dorm::select<AllTypes>().where(col(&AllTypes::i64) == i64_min)).scalar_one()->code,
                      "min");
    BOOST_CHECK_EQUAL(s.execute(dorm::select<AllTypes>().where(col(&AllTypes::i64) == i64_max)).scalar_one()->code,
                      "max");
    BOOST_CHECK_EQUAL(
        s.execute(dorm::select<AllTypes>().where(col(&AllTypes::u32) == std::numeric_limits<std::uint32_t>::max()))
            .scalar_one()
            ->code,
        "max");
    BOOST_CHECK_EQUAL(s.execute(dorm::select(col(&AllTypes::i64)).where(col(&AllTypes::code) == "min")).scalar_one(),
                      i64_min);
    BOOST_CHECK_EQUAL(s.execute(dorm::select(col(&AllTypes::i64)).where(col(&AllTypes::code) == "max")).scalar_one(),
                      i64_max);
}

BOOST_FIXTURE_TEST_CASE(unsigned_64_above_int64_max_is_refused, types_db) {
    dorm::session s(engine);
    auto t = max_row();
    t.u64 = std::numeric_limits<std::uint64_t>::max();
    s.add(std::move(t));
    BOOST_CHECK_THROW(s.commit(), dorm::error);
    s.rollback();
    BOOST_CHECK_EQUAL(rows("all_types"), 0);
}

BOOST_FIXTURE_TEST_CASE(enum_is_stored_by_name, types_db) {
    {
        dorm::session s(engine);
        auto t = min_row();
        t.color = Color::green;
        t.maybe_color = Color::blue;
        s.add(std::move(t));
        s.commit();
    }
    auto c = engine.connect();
    auto st = c.prepare("SELECT " + q("color") + ", " + q("maybe_color") + " FROM " + q("all_types"));
    BOOST_REQUIRE(st->step());
    BOOST_CHECK_EQUAL(std::string(st->get_text(0)), "green");
    BOOST_CHECK_EQUAL(std::string(st->get_text(1)), "blue");
}

BOOST_FIXTURE_TEST_CASE(an_unknown_enumerator_in_the_database_is_a_data_error, types_db) {
    {
        dorm::session s(engine);
        s.add(min_row());
        s.commit();
    }
    {
        auto c = engine.connect();
        c.execute("UPDATE " + q("all_types") + " SET " + q("color") + " = 'pink'");  // fits the column, names no enumerator
    }
    dorm::session s(engine);
    BOOST_CHECK_THROW(s.execute(dorm::select<AllTypes>()).all(), dorm::data_error);
}

BOOST_FIXTURE_TEST_CASE(values_that_look_like_sql_round_trip, types_db) {
    const std::vector<std::string> nasty{
        "'; DROP TABLE all_types; --",
        "Robert'); DROP TABLE students;--",
        "\" OR \"1\"=\"1",
        "back\\slash \\' \\\" \\0",
        "100% _match_ [x]",
        "$1 ? :name @p",
        "",
        "Grüße, 世界 🌍 — ☃",
        "line\nbreak\ttab\rcr",
    };
    {
        dorm::session s(engine);
        int i = 0;
        for (auto& v : nasty) {
            auto t = min_row();
            t.code = "c" + std::to_string(i++);
            t.text = v;
            t.maybe_text = v;
            s.add(std::move(t));
        }
        s.commit();
    }
    BOOST_CHECK(table_exists(engine, "all_types"));
    dorm::session s(engine);
    int i = 0;
    for (auto& v : nasty) {
        BOOST_TEST_CONTEXT("value #" << i) {
            auto obj = s.execute(dorm::select<AllTypes>().where(col(&AllTypes::code) == "c" + std::to_string(i)))
                           .scalar_one();
            BOOST_CHECK(obj->text == v);
            BOOST_CHECK(obj->maybe_text == std::optional<std::string>(v));
            // the value used as a filter finds exactly its own row
            auto same = s.execute(dorm::select<AllTypes>().where(col(&AllTypes::text) == v)).all();
            BOOST_REQUIRE_EQUAL(same.size(), 1u);
            BOOST_CHECK(same.front().get() == obj.get());
        }
        ++i;
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---- naming ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(naming)

using audit_db = database<AuditLogEntry>;

BOOST_FIXTURE_TEST_CASE(default_table_name_is_snake_case_and_id_is_the_key, audit_db) {
    BOOST_CHECK_EQUAL(dorm::table_of<AuditLogEntry>().name, "audit_log_entry");
    BOOST_CHECK(table_exists(engine, "audit_log_entry"));
    BOOST_CHECK(meta.ddl(engine.dialect()).find("CREATE TABLE " + q("audit_log_entry")) != std::string::npos);

    int a = 0, b = 0;
    {
        dorm::session s(engine);
        auto x = s.add(AuditLogEntry{.message = "first"});
        auto y = s.add(AuditLogEntry{.message = "second"});
        s.commit();
        a = x->id;
        b = y->id;
    }
    BOOST_CHECK(a != 0);
    BOOST_CHECK(b != 0);
    BOOST_CHECK(a != b);
    dorm::session s(engine);
    auto x = s.get<AuditLogEntry>(a);
    BOOST_REQUIRE(x);
    BOOST_CHECK_EQUAL(x->message, "first");
    BOOST_REQUIRE(s.get<AuditLogEntry>(b));
    BOOST_CHECK_EQUAL(s.get<AuditLogEntry>(b)->message, "second");
}

using renamed_db = database<Renamed>;

BOOST_FIXTURE_TEST_CASE(column_name_renames_the_column, renamed_db) {
    {
        dorm::session s(engine);
        s.add(Renamed{.display_name = "shown", .rank = 7});
        s.commit();
    }
    {
        auto c = engine.connect();
        auto st = c.prepare("SELECT " + q("shown_as") + ", " + q("position") + " FROM " + q("renamed"));
        BOOST_REQUIRE(st->step());
        BOOST_CHECK_EQUAL(std::string(st->get_text(0)), "shown");
        BOOST_CHECK_EQUAL(st->get_int(1), 7);
    }
    dorm::session s(engine);
    auto r = s.execute(dorm::select<Renamed>().where(col(&Renamed::display_name) == "shown")).scalar_one();
    BOOST_CHECK_EQUAL(r->rank, 7);
    r->rank = 8;
    s.commit();
    echo.clear();
    BOOST_CHECK_EQUAL(s.execute(dorm::select(col(&Renamed::rank))).scalar_one(), 8);
    BOOST_CHECK(echo.count_containing(q("position")) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- composite primary key ---------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(composite_key)

using enrollment_db = database<Enrollment>;

BOOST_FIXTURE_TEST_CASE(get_by_composite_key, enrollment_db) {
    {
        dorm::session s(engine);
        s.add(Enrollment{.student = 1, .course = 2, .grade = "A"});
        s.add(Enrollment{.student = 2, .course = 1, .grade = "B"});
        s.add(Enrollment{.student = 1, .course = 1, .grade = "C"});
        s.commit();
    }
    dorm::session s(engine);
    auto e12 = s.get<Enrollment>(1, 2);
    auto e21 = s.get<Enrollment>(2, 1);
    auto e11 = s.get<Enrollment>(1, 1);
    BOOST_REQUIRE(e12);
    BOOST_REQUIRE(e21);
    BOOST_REQUIRE(e11);
    BOOST_CHECK_EQUAL(e12->grade, "A");
    BOOST_CHECK_EQUAL(e21->grade, "B");
    BOOST_CHECK_EQUAL(e11->grade, "C");
    BOOST_CHECK(!s.get<Enrollment>(2, 2));

    // identity map: the same object, without SQL
    echo.clear();
    BOOST_CHECK(s.get<Enrollment>(1, 2).get() == e12.get());
    BOOST_CHECK_EQUAL(echo.count_statements("SELECT"), 0u);
    auto by_query = s.execute(dorm::select<Enrollment>().where(col(&Enrollment::student) == 1 &&
                                                               col(&Enrollment::course) == 2))
                        .scalar_one();
    BOOST_CHECK(by_query.get() == e12.get());

    // an UPDATE identifies the row by both key columns
    e12->grade = "A+";
    s.commit();
    dorm::session s2(engine);
    BOOST_CHECK_EQUAL(s2.get<Enrollment>(1, 2)->grade, "A+");
    BOOST_CHECK_EQUAL(s2.get<Enrollment>(2, 1)->grade, "B");
    BOOST_CHECK_EQUAL(s2.get<Enrollment>(1, 1)->grade, "C");

    // and a DELETE too
    s2.remove(s2.get<Enrollment>(1, 1));
    s2.commit();
    BOOST_CHECK_EQUAL(rows("enrollment"), 2);
}

BOOST_FIXTURE_TEST_CASE(duplicate_composite_key_is_a_unique_violation, enrollment_db) {
    {
        dorm::session s(engine);
        s.add(Enrollment{.student = 1, .course = 2, .grade = "A"});
        s.commit();
    }
    dorm::session s(engine);
    s.add(Enrollment{.student = 1, .course = 2, .grade = "B"});
    BOOST_CHECK_THROW(s.commit(), dorm::unique_violation);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- constraints -------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(constraints)

using account_db = database<Account>;

BOOST_FIXTURE_TEST_CASE(unique_violation_on_flush, account_db) {
    {
        dorm::session s(engine);
        s.add(Account{.email = "a@example.com"});
        s.commit();
    }
    dorm::session s(engine);
    s.add(Account{.email = "a@example.com"});
    try {
        s.commit();
        BOOST_ERROR("a duplicate unique value was committed");
    } catch (const dorm::unique_violation& e) {
        BOOST_CHECK(dynamic_cast<const dorm::integrity_error*>(&e) != nullptr);
        BOOST_CHECK(std::string(e.what()).size() > 0);
        if (dorm_test::is_postgresql()) BOOST_CHECK_EQUAL(e.sqlstate(), "23505");
        if (dorm_test::is_mysql()) BOOST_CHECK_EQUAL(e.code(), 1062);
    } catch (const std::exception& e) {
        BOOST_ERROR("expected dorm::unique_violation, got: " << e.what());
    }
    s.rollback();
    BOOST_CHECK_EQUAL(rows("account"), 1);
}

BOOST_FIXTURE_TEST_CASE(unique_violation_within_one_flush, account_db) {
    dorm::session s(engine);
    s.add(Account{.email = "same@example.com"});
    s.add(Account{.email = "same@example.com"});
    BOOST_CHECK_THROW(s.commit(), dorm::unique_violation);
    s.rollback();
    BOOST_CHECK_EQUAL(rows("account"), 0);
}

using strict_db = database<StrictRow>;

BOOST_FIXTURE_TEST_CASE(not_null_violation_on_flush, strict_db) {
    dorm::session s(engine);
    s.add(LooseRow{.name = std::nullopt});
    try {
        s.commit();
        BOOST_ERROR("NULL was stored in a NOT NULL column");
    } catch (const dorm::not_null_violation& e) {
        BOOST_CHECK(dynamic_cast<const dorm::integrity_error*>(&e) != nullptr);
        if (dorm_test::is_postgresql()) BOOST_CHECK_EQUAL(e.sqlstate(), "23502");
    } catch (const std::exception& e) {
        BOOST_ERROR("expected dorm::not_null_violation, got: " << e.what());
    }
    s.rollback();
    BOOST_CHECK_EQUAL(rows("strict_row"), 0);
    // a value goes in
    s.add(LooseRow{.name = "ok"});
    BOOST_CHECK_NO_THROW(s.commit());
    BOOST_CHECK_EQUAL(rows("strict_row"), 1);
}

using pets_db = database<PetVisit, Pet, Owner>;

BOOST_FIXTURE_TEST_CASE(foreign_key_violation_on_flush, pets_db) {
    dorm::session s(engine);
    s.add(Pet{.name = "stray", .owner_id = 424242});
    try {
        s.commit();
        BOOST_ERROR("a row referencing a missing parent was committed");
    } catch (const dorm::foreign_key_violation& e) {
        BOOST_CHECK(dynamic_cast<const dorm::integrity_error*>(&e) != nullptr);
        if (dorm_test::is_postgresql()) BOOST_CHECK_EQUAL(e.sqlstate(), "23503");
    } catch (const std::exception& e) {
        BOOST_ERROR("expected dorm::foreign_key_violation, got: " << e.what());
    }
    s.rollback();
    BOOST_CHECK_EQUAL(rows("pet"), 0);
}

BOOST_FIXTURE_TEST_CASE(deleting_a_referenced_parent_is_a_foreign_key_violation, pets_db) {
    int owner_id = 0;
    {
        dorm::session s(engine);
        auto o = s.add(Owner{.name = "o"});
        s.flush();
        s.add(Pet{.name = "p", .owner_id = o->id});
        s.commit();
        owner_id = o->id;
    }
    dorm::session s(engine);
    s.remove(s.get<Owner>(owner_id));  // Owner has no relationship: the database refuses
    BOOST_CHECK_THROW(s.commit(), dorm::foreign_key_violation);
    s.rollback();
    BOOST_CHECK_EQUAL(rows("owner"), 1);
}

BOOST_AUTO_TEST_SUITE_END()

// Every table create_all makes diffs empty against its model (issue 15): every column type,
// a renamed column, a composite key, a unique column, a table without DORM_TABLE, FK chains.
BOOST_AUTO_TEST_CASE(tables_made_by_create_all_match_their_models) {
    auto engine = dorm_test::make_engine();
    dorm::metadata<PetVisit, Pet, Owner, AllTypes, AuditLogEntry, Renamed, Enrollment, Account> meta;
    meta.drop_all(engine);
    meta.create_all(engine);
    auto d = meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(d.empty(), d.report());
    BOOST_TEST(meta.upgrade(engine, {.drop_unknown_tables = false}).empty());
    meta.drop_all(engine);
    // and upgrade() of an empty database creates them all, after which the diff is empty too
    meta.upgrade(engine, {.drop_unknown_tables = false});
    auto again = meta.diff(engine, {.drop_unknown_tables = false});
    BOOST_TEST(again.empty(), again.report());
    meta.drop_all(engine);
}
