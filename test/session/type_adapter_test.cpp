// dorm::type_adapter<T>: an application's own member types stored through a supported type, on
// every backend — round trips through a session, comparisons and bulk UPDATEs with adapted
// values, NULL through std::optional, and a conversion that throws: the adapter's exception (not
// a dorm::error) becomes a dorm::data_error naming the table, the column, the value and the C++
// type, while reading and while writing (the flush fails before the row is written, and the
// session rolls back as after any failed flush). SQLAlchemy's TypeDecorator
// (core/custom_types.rst, "Augmenting Existing Types") is the model.
#define BOOST_TEST_MODULE type_adapter
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "fixture.hpp"

using dorm::col;

namespace ta {
/// Money in cents, stored as an integer.
struct Money {
    std::int64_t cents = 0;
    friend bool operator==(const Money&, const Money&) = default;
};
/// An e-mail address, stored as text; the adapter refuses text without '@' both ways.
struct Email {
    std::string text;
    friend bool operator==(const Email&, const Email&) = default;
};
/// A code stored as text; a legacy conversion that throws an int (not a std::exception) for "bad".
struct Code {
    std::string text;
    friend bool operator==(const Code&, const Code&) = default;
};
}  // namespace ta

template <>
struct dorm::type_adapter<ta::Code> {
    using db_type = std::string;
    static db_type to_db(const ta::Code& c) {
        if (c.text == "bad") throw 42;
        return c.text;
    }
    static ta::Code from_db(db_type v) {
        if (v == "bad") throw 42;
        return ta::Code{std::move(v)};
    }
};

template <>
struct dorm::type_adapter<ta::Money> {
    using db_type = std::int64_t;
    static db_type to_db(const ta::Money& m) { return m.cents; }
    static ta::Money from_db(db_type v) { return ta::Money{v}; }
};

template <>
struct dorm::type_adapter<ta::Email> {
    using db_type = std::string;
    static db_type to_db(const ta::Email& e) {
        if (e.text.find('@') == std::string::npos) throw std::invalid_argument("not an e-mail address: " + e.text);
        return e.text;
    }
    static ta::Email from_db(db_type v) {
        if (v.find('@') == std::string::npos) throw std::invalid_argument("not an e-mail address");
        return ta::Email{std::move(v)};
    }
};

namespace ta {
struct Customer {
    int id = 0;
    Email email;
    Money balance;
    std::optional<Money> limit;
};
BOOST_DESCRIBE_STRUCT(Customer, (), (id, email, balance, limit))
DORM_TABLE(Customer, "ta_customer", (email, dorm::varchar(60)))

/// An adapted column read after another one (balance, then contact).
struct Account {
    int id = 0;
    Money balance;
    Email contact;
    Code code;
};
BOOST_DESCRIBE_STRUCT(Account, (), (id, balance, contact, code))
DORM_TABLE(Account, "ta_account", (contact, dorm::varchar(60)), (code, dorm::varchar(20)))
}  // namespace ta

using namespace ta;

namespace {
using db = dorm_test::database<Customer, Account>;
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

BOOST_FIXTURE_TEST_SUITE(type_adapter, db)

BOOST_AUTO_TEST_CASE(adapted_members_round_trip_and_compare) {
    int id = 0;
    {
        dorm::session s(engine);
        auto c = s.add(Customer{.email = {"ann@example.com"}, .balance = {12345}, .limit = std::nullopt});
        s.add(Customer{.email = {"bob@example.com"}, .balance = {-5}, .limit = Money{100}});
        s.commit();
        id = c->id;
    }
    dorm::session s(engine);
    auto c = s.get<Customer>(id);
    BOOST_REQUIRE(c);
    BOOST_CHECK(c->email == Email{"ann@example.com"});
    BOOST_CHECK(c->balance == Money{12345});
    BOOST_CHECK(!c->limit);
    // compared and ordered by the stored value
    auto bob = s.scalars(dorm::select<Customer>().where(col(&Customer::email) == Email{"bob@example.com"})).one();
    BOOST_CHECK(bob->balance == Money{-5});
    BOOST_CHECK(bob->limit == Money{100});
    BOOST_CHECK_EQUAL(s.scalars(dorm::select<Customer>().where(col(&Customer::balance) > Money{0})).all().size(), 1u);
    // a bulk UPDATE with an adapted value reaches the object held
    s.execute(dorm::update<Customer>().set(col(&Customer::balance), Money{7}).where(col(&Customer::id) == id));
    BOOST_CHECK(c->balance == Money{7});
    c->limit = Money{50};
    s.commit();
    dorm::session v(engine);
    auto again = v.get<Customer>(id);
    BOOST_CHECK(again->balance == Money{7});
    BOOST_CHECK(again->limit == Money{50});
}

BOOST_AUTO_TEST_CASE(a_from_db_that_throws_is_a_data_error_naming_the_column_and_value) {
    {
        auto conn = engine.connect();
        conn.execute("INSERT INTO " + dorm_test::q("ta_customer") + " (" + dorm_test::q("email") + ", " +
                     dorm_test::q("balance") + ") VALUES ('nobody', 1)");
    }
    dorm::session s(engine);
    try {
        (void)s.scalars(dorm::select<Customer>()).all();
        BOOST_FAIL("the row was read");
    } catch (const dorm::data_error& e) {
        const std::string m = e.what();
        BOOST_TEST_MESSAGE(m);
        BOOST_CHECK(contains(m, "ta_customer.email"));
        BOOST_CHECK(contains(m, "'nobody'"));
        BOOST_CHECK(contains(m, "Email"));
        BOOST_CHECK(contains(m, "not an e-mail address"));
        BOOST_CHECK_EQUAL(e.details().column, "email");
        BOOST_CHECK(!e.details().writing);
    }
}

BOOST_AUTO_TEST_CASE(a_to_db_that_throws_is_a_data_error_and_nothing_is_written) {
    dorm::session s(engine);
    s.add(Customer{.email = {"ann@example.com"}, .balance = {1}});
    s.add(Customer{.email = {"no address"}, .balance = {2}});
    try {
        s.commit();
        BOOST_FAIL("the row was written");
    } catch (const dorm::data_error& e) {
        const std::string m = e.what();
        BOOST_TEST_MESSAGE(m);
        BOOST_CHECK(contains(m, "ta_customer.email"));
        BOOST_CHECK(contains(m, "not an e-mail address: no address"));
        BOOST_CHECK(e.details().writing);
    }
    s.rollback();
    BOOST_CHECK_EQUAL(rows("ta_customer"), 0);
    // a comparison value that cannot be converted: the same error, before any SQL
    echo.clear();
    BOOST_CHECK_THROW((void)s.scalars(dorm::select<Customer>().where(col(&Customer::email) == Email{"x"})).all(),
                      dorm::data_error);
}

// A conversion that throws something not derived from std::exception is a data_error as well,
// and the session recovers after rollback(): the next commit writes. (Before, the failed flush
// left the session "flushing": every later flush returned at once, and commit() wrote nothing
// without an error; session 23's trial.)
BOOST_AUTO_TEST_CASE(a_conversion_that_throws_a_non_standard_exception_is_a_data_error) {
    dorm::session s(engine);
    s.add(Account{.balance = {1}, .contact = {"a@x"}, .code = {"bad"}});
    try {
        s.commit();
        BOOST_FAIL("the row was written");
    } catch (const dorm::data_error& e) {
        BOOST_TEST_MESSAGE(e.what());
        BOOST_CHECK(contains(e.what(), "ta_account.code"));
        BOOST_CHECK(contains(e.what(), "not derived from std::exception"));
    }
    s.rollback();
    auto ok = s.add(Account{.balance = {2}, .contact = {"b@x"}, .code = {"fine"}});
    s.commit();
    BOOST_CHECK(ok->id != 0);
    BOOST_CHECK_EQUAL(rows("ta_account"), 1);
    {
        auto conn = engine.connect();
        conn.execute("UPDATE " + dorm_test::q("ta_account") + " SET " + dorm_test::q("code") + " = 'bad'");
        conn.commit();
    }
    dorm::session r(engine);
    try {
        (void)r.get<Account>(ok->id);
        BOOST_FAIL("the row was read");
    } catch (const dorm::data_error& e) {
        BOOST_CHECK(contains(e.what(), "ta_account.code"));
        BOOST_CHECK(contains(e.what(), "'bad'"));
    }
    // a column select names the table too (the driver's origin of the result column: SQLite's
    // column metadata, PostgreSQL's PQftable, MariaDB's org_table), session 23's trial
    for (bool in_session : {true, false}) {
        try {
            if (in_session)
                (void)r.execute(dorm::select(col(&Account::code))).all();
            else {
                auto conn = engine.connect();
                (void)dorm::execute(conn, dorm::select(col(&Account::id), col(&Account::code))).all();
            }
            BOOST_FAIL("the column was read");
        } catch (const dorm::data_error& e) {
            BOOST_TEST_MESSAGE(e.what());
            BOOST_CHECK_MESSAGE(contains(e.what(), "ta_account.code"), e.what());
            BOOST_CHECK(contains(e.what(), "'bad'"));
        }
    }
    // an expression has no table: the message names the column as the result does
    try {
        (void)r.execute(dorm::text<Code>("SELECT lower(" + dorm_test::q("code") + ") AS c2 FROM " +
                                         dorm_test::q("ta_account")))
            .all();
        BOOST_FAIL("the column was read");
    } catch (const dorm::data_error& e) {
        BOOST_CHECK_MESSAGE(contains(e.what(), "c2") && !contains(e.what(), "ta_account"), e.what());
    }
}

// refresh() fails on a column it cannot convert after reading the ones before it: those hold
// what the database holds, so they are not changes, and the next commit writes nothing (before,
// they counted as the application's changes and the commit wrote them back over a concurrent
// update: a lost update, session 23's trial).
BOOST_AUTO_TEST_CASE(a_refresh_that_fails_part_way_leaves_nothing_to_write) {
    dorm::session s(engine);
    auto a = s.add(Account{.balance = {1}, .contact = {"a@x"}, .code = {"c"}});
    s.commit();
    {
        auto conn = engine.connect();
        conn.execute("UPDATE " + dorm_test::q("ta_account") + " SET " + dorm_test::q("balance") + " = 777, " +
                     dorm_test::q("contact") + " = 'broken'");
        conn.commit();
    }
    BOOST_CHECK_THROW(s.refresh(a), dorm::data_error);
    BOOST_CHECK(a->balance == Money{777});    // read before the failing column
    BOOST_CHECK(a->contact == Email{"a@x"});  // not converted: as it was
    BOOST_CHECK(!s.is_modified(a));
    echo.clear();
    s.commit();
    BOOST_CHECK_EQUAL(echo.count_statements("UPDATE"), 0u);
}

// Boundary values through adapters on every backend: the int64 limits, an empty string (not
// NULL), a string at its VARCHAR limit and one over it (characters, not bytes).
BOOST_AUTO_TEST_CASE(adapted_boundary_values_round_trip) {
    constexpr std::int64_t lo = std::numeric_limits<std::int64_t>::min(), hi = std::numeric_limits<std::int64_t>::max();
    const std::string at_limit = std::string(58, 'a') + "@\xc3\xa9";  // 60 characters, 61 bytes
    int id_lo = 0, id_hi = 0;
    {
        dorm::session s(engine);
        auto a = s.add(Account{.balance = {lo}, .contact = {at_limit}, .code = {""}});
        auto b = s.add(Account{.balance = {hi}, .contact = {"b@x"}, .code = {"z"}});
        s.commit();
        id_lo = a->id;
        id_hi = b->id;
    }
    dorm::session s(engine);
    auto a = s.get<Account>(id_lo);
    BOOST_CHECK(a->balance == Money{lo});
    BOOST_CHECK_EQUAL(a->contact.text, at_limit);
    BOOST_CHECK_EQUAL(a->code.text, "");
    BOOST_CHECK(s.get<Account>(id_hi)->balance == Money{hi});
    auto top = s.scalars(dorm::select<Account>().where(col(&Account::balance) == Money{hi})).all();
    BOOST_REQUIRE_EQUAL(top.size(), 1u);
    BOOST_CHECK_EQUAL(top[0]->id, id_hi);
    BOOST_CHECK_EQUAL(s.scalars(dorm::select<Account>().where(col(&Account::code) == Code{""})).all().size(), 1u);
    a->contact = Email{at_limit + "b"};  // 61 characters
    try {
        s.commit();
        BOOST_FAIL("a value over the VARCHAR limit was written");
    } catch (const dorm::data_error& e) {
        BOOST_CHECK(contains(e.what(), "ta_account.contact"));
    }
    s.rollback();
}

// A NUL byte inside text, through an adapter and a plain column alike: SQLite and MariaDB store
// and return all three bytes; PostgreSQL's text cannot hold one, so the write is a data_error
// naming the column (never a value cut at the NUL) and nothing is written.
BOOST_AUTO_TEST_CASE(a_nul_byte_in_text_round_trips_or_is_refused) {
    const std::string with_nul("a\0b", 3);
    int id = 0;
    {
        dorm::session s(engine);
        auto a = s.add(Account{.balance = {1}, .contact = {"n@x"}, .code = {with_nul}});
        if (dorm_test::is_postgresql()) {
            try {
                s.commit();
                BOOST_FAIL("PostgreSQL took text with a NUL byte");
            } catch (const dorm::data_error& e) {
                BOOST_CHECK_MESSAGE(contains(e.what(), "ta_account.code"), e.what());
            }
            s.rollback();
            BOOST_CHECK_EQUAL(rows("ta_account"), 0);
            return;
        }
        s.commit();
        id = a->id;
    }
    dorm::session s(engine);
    auto a = s.get<Account>(id);
    BOOST_REQUIRE(a);
    BOOST_CHECK_EQUAL(a->code.text.size(), 3u);
    BOOST_CHECK(a->code.text == with_nul);
    auto found = s.scalars(dorm::select<Account>().where(col(&Account::code) == Code{with_nul})).all();
    BOOST_CHECK_EQUAL(found.size(), 1u);
    BOOST_CHECK(s.scalars(dorm::select<Account>().where(col(&Account::code) == Code{"a"})).all().empty());
}

BOOST_AUTO_TEST_SUITE_END()
