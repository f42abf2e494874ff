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
}  // namespace ta

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
}  // namespace ta

using namespace ta;

namespace {
using db = dorm_test::database<Customer>;
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

BOOST_AUTO_TEST_SUITE_END()
