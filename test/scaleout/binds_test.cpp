// Binds per model (issue 18, item 1): dorm::session(dorm::binds{.default_engine = main}.bind<Invoice,
// Payment>(billing)) sends each model's statements and its part of a flush to its engine, commits
// every engine, says which engines committed when a later one fails, and loads relationships
// across engines lazily. As SQLAlchemy's Session(binds={...}) (test/orm/test_bind.py).
// Runs once per backend (DORM_TEST_URL): the second database is another SQLite file (or memory
// database), or a database of its own on the same server.
#define BOOST_TEST_MODULE binds
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "databases.hpp"
#include "preconditions.hpp"

namespace shop {

struct Customer {
    std::int64_t id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(Customer, (), (id, name))
DORM_TABLE(Customer, "bind_customer", (id, dorm::primary_key), (name, dorm::varchar(60)))

struct Payment;

struct Invoice {
    std::int64_t id = 0;
    std::int64_t customer_id = 0;  ///< a customer on the main engine: no constraint across databases
    std::int64_t amount = 0;
    dorm::one<Customer> customer;
    dorm::many<Payment> payments;
};
BOOST_DESCRIBE_STRUCT(Invoice, (), (id, customer_id, amount, customer, payments))
DORM_TABLE(Invoice, "bind_invoice", (id, dorm::primary_key), (customer_id, dorm::foreign_key(&Customer::id)),
           (payments, dorm::back_populates("invoice")))

struct Payment {
    std::int64_t id = 0;
    std::int64_t invoice_id = 0;
    std::int64_t amount = 0;
    dorm::one<Invoice> invoice;
};
BOOST_DESCRIBE_STRUCT(Payment, (), (id, invoice_id, amount, invoice))
DORM_TABLE(Payment, "bind_payment", (id, dorm::primary_key), (invoice_id, dorm::foreign_key(&Invoice::id)),
           (invoice, dorm::back_populates("payments")))

}  // namespace shop

using dorm::col;
using shop::Customer;
using shop::Invoice;
using shop::Payment;

namespace {

/// The customer table on the main engine (by metadata), the billing tables on the billing engine
/// by hand: their foreign key to the customer cannot be a constraint across databases.
struct databases {
    dorm::engine main = dorm_test::make_engine();
    dorm::engine billing;
    std::vector<std::string> echo;
    dorm::metadata<Customer> main_meta;

    explicit databases(bool echo_on = false) {
        dorm::engine_options o;
        if (echo_on) {
            o.echo = true;
            o.echo_sink = [this](std::string_view l) { echo.emplace_back(l); };
        }
        billing = dorm::create_engine(dorm_test::other_database_url("billing"), o);
        main_meta.drop_all(main);
        main_meta.create_all(main);
        dorm_test::drop_tables(billing, {"bind_payment", "bind_invoice"});
        auto c = billing.connect();
        c.execute_ddl("CREATE TABLE bind_invoice (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, amount BIGINT NOT NULL)");
        // checked at COMMIT where the backend can defer it (SQLite, PostgreSQL; MariaDB cannot)
        const std::string deferred = dorm_test::is_mysql() ? "" : " DEFERRABLE INITIALLY DEFERRED";
        c.execute_ddl("CREATE TABLE bind_payment (id BIGINT PRIMARY KEY, invoice_id BIGINT NOT NULL REFERENCES bind_invoice (id)" +
                      deferred + ", amount BIGINT NOT NULL)");
        echo.clear();
    }
    ~databases() {
        try {
            dorm_test::drop_tables(billing, {"bind_payment", "bind_invoice"});
            main_meta.drop_all(main);
        } catch (...) {
        }
    }
    dorm::binds binds() const { return dorm::binds{.default_engine = main}.bind<Invoice, Payment>(billing); }

    std::int64_t rows(const dorm::engine& e, const char* table) const {
        auto c = e.connect();
        return dorm::execute(c, dorm::text<std::int64_t>(std::string("SELECT count(*) FROM ") + table)).scalar_one();
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(binds)

BOOST_AUTO_TEST_CASE(each_model_is_written_to_and_read_from_its_engine) {
    databases db;
    {
        dorm::session s(db.binds());
        auto ann = s.add(Customer{.id = 1, .name = "Ann"});
        auto inv = s.add(Invoice{.id = 10, .customer_id = 1, .amount = 250});
        inv->payments.push_back(std::make_shared<Payment>(Payment{.id = 100, .invoice_id = 0, .amount = 100}));
        s.commit();
    }
    BOOST_TEST(db.rows(db.main, "bind_customer") == 1);
    BOOST_TEST(db.rows(db.billing, "bind_invoice") == 1);
    BOOST_TEST(db.rows(db.billing, "bind_payment") == 1);

    dorm::session s(db.binds());
    auto inv = s.get<Invoice>(10);  // from the billing engine
    BOOST_TEST_REQUIRE(inv);
    BOOST_TEST(inv->amount == 250);
    auto ann = s.scalars(dorm::select<Customer>().where(col(&Customer::name) == "Ann")).one();  // main engine
    BOOST_TEST(ann->id == 1);
    const auto paid = s.execute(dorm::select(dorm::sum(col(&Payment::amount))).where(col(&Payment::invoice_id) == 10))
                          .scalar_one();
    BOOST_TEST(paid.value_or(0) == 100);
}

BOOST_AUTO_TEST_CASE(relationships_across_engines_load_lazily) {
    databases db;
    {
        dorm::session s(db.binds());
        s.add(Customer{.id = 1, .name = "Ann"});
        s.add(Invoice{.id = 10, .customer_id = 1, .amount = 250});
        s.commit();
    }
    dorm::session s(db.binds());
    auto inv = s.get<Invoice>(10);
    auto customer = inv->customer.get();  // a lazy load on the main engine
    BOOST_TEST_REQUIRE(customer);
    BOOST_TEST(customer->name == "Ann");
    inv->payments.push_back(std::make_shared<Payment>(Payment{.id = 101, .amount = 250}));
    s.commit();
    BOOST_TEST(db.rows(db.billing, "bind_payment") == 1);
    dorm::session check(db.binds());
    auto p = check.get<Payment>(101);
    BOOST_TEST(p->invoice_id == 10);
    BOOST_TEST(p->invoice.get()->amount == 250);
    // selectin loading runs one SELECT per engine
    auto invoices = check.scalars(dorm::select<Invoice>().options(dorm::selectinload(&Invoice::customer))).all();
    BOOST_TEST_REQUIRE(invoices.size() == 1u);
    BOOST_TEST(invoices[0]->customer.get()->name == "Ann");
}

BOOST_AUTO_TEST_CASE(one_statement_reads_one_engine) {
    databases db;
    dorm::session s(db.binds());
    try {
        s.execute(dorm::select(col(&Invoice::amount), col(&Customer::name))).all();
        BOOST_FAIL("a SELECT across two engines was run");
    } catch (const dorm::argument_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("bind_invoice") != std::string::npos, m);
        BOOST_TEST(m.find("bind_customer") != std::string::npos, m);
        BOOST_TEST(m.find("one engine") != std::string::npos, m);
    }
    BOOST_CHECK_THROW(s.scalars(dorm::select<Invoice>().options(dorm::joinedload(&Invoice::customer))).all(),
                      dorm::argument_error);
}

BOOST_AUTO_TEST_CASE(a_rollback_undoes_every_engine) {
    databases db;
    {
        dorm::session s(db.binds());
        s.add(Customer{.id = 1, .name = "Ann"});
        s.add(Invoice{.id = 10, .customer_id = 1, .amount = 250});
        s.flush();
        BOOST_TEST(s.in_transaction());
        s.rollback();
    }
    BOOST_TEST(db.rows(db.main, "bind_customer") == 0);
    BOOST_TEST(db.rows(db.billing, "bind_invoice") == 0);
}

BOOST_AUTO_TEST_CASE(a_failed_flush_commits_no_engine) {
    databases db;
    {
        dorm::session s(db.binds());
        s.add(Invoice{.id = 10, .customer_id = 1, .amount = 250});
        s.commit();
    }
    dorm::session s(db.binds());
    s.add(Customer{.id = 1, .name = "Ann"});                  // main: fine
    s.add(Invoice{.id = 10, .customer_id = 1, .amount = 5});  // billing: the key exists
    BOOST_CHECK_THROW(s.commit(), dorm::integrity_error);     // the flush fails before any COMMIT
    s.rollback();
    BOOST_TEST(db.rows(db.main, "bind_customer") == 0);
    BOOST_TEST(db.rows(db.billing, "bind_invoice") == 1);
}

BOOST_AUTO_TEST_CASE(a_failed_second_commit_says_which_engine_committed, *dorm_test::except_on("mysql")) {
    databases db;
    dorm::session s(db.binds());
    s.add(Customer{.id = 1, .name = "Ann"});                             // main engine: commits first
    s.add(Payment{.id = 100, .invoice_id = 999, .amount = 5});          // billing: no invoice 999, checked at COMMIT
    try {
        s.commit();
        BOOST_FAIL("a payment of no invoice was committed");
    } catch (const dorm::foreign_key_violation& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("commit failed on " + db.billing.repr() + " after " + db.main.repr() + " committed") !=
                       std::string::npos,
                   m);
    }
    BOOST_TEST(db.rows(db.main, "bind_customer") == 1);  // as the message says
    BOOST_TEST(db.rows(db.billing, "bind_payment") == 0);
    BOOST_CHECK_THROW(s.add(Customer{.id = 2, .name = "Bob"}), dorm::pending_rollback_error);
    s.rollback();
}

BOOST_AUTO_TEST_CASE(binds_are_checked) {
    databases db;
    BOOST_CHECK_THROW(dorm::session(dorm::binds{}), dorm::argument_error);
    BOOST_CHECK_THROW(dorm::session(dorm::binds{.default_engine = db.main}.bind<Invoice>(dorm::engine{})),
                      dorm::argument_error);
    const std::string other = dorm_test::is_sqlite() ? "postgresql://u@h/db" : "sqlite://";
    try {
        dorm::session s(dorm::binds{.default_engine = db.main}.bind<Invoice>(dorm::create_engine(other)));
        BOOST_FAIL("engines of two backends were accepted");
    } catch (const dorm::argument_error& e) {
        BOOST_TEST(std::string(e.what()).find("one SQL dialect") != std::string::npos, e.what());
    } catch (const dorm::unsupported_error& e) {  // a build without that backend's driver says so
        BOOST_TEST(std::string(e.what()).find(other.substr(0, other.find(':'))) != std::string::npos, e.what());
    }
    if (!dorm_test::is_postgresql())
        BOOST_CHECK_THROW(dorm::session(dorm::binds{.default_engine = db.main, .two_phase = true}.bind<Invoice>(db.billing)),
                          dorm::argument_error);
}

BOOST_AUTO_TEST_CASE(echo_shows_each_engine_commit) {
    databases db(true);
    dorm::session s(db.binds());
    s.add(Customer{.id = 1, .name = "Ann"});
    s.add(Invoice{.id = 10, .customer_id = 1, .amount = 250});
    s.commit();
    // the billing engine echoes: its BEGIN, INSERT and COMMIT, and nothing of the main engine
    int begins = 0, commits = 0, inserts = 0;
    for (const auto& l : db.echo) {
        begins += l.rfind("BEGIN", 0) == 0;
        commits += l == "COMMIT";
        inserts += l.find("INSERT INTO") != std::string::npos;
        BOOST_TEST(l.find("bind_customer") == std::string::npos, l);
    }
    BOOST_TEST(begins == 1);
    BOOST_TEST(commits == 1);
    BOOST_TEST(inserts == 1);
}

BOOST_AUTO_TEST_CASE(two_phase_commit_prepares_every_engine, *dorm_test::only_on("postgresql")) {
    databases db(true);
    {
        dorm::session s(dorm::binds{.default_engine = db.main, .two_phase = true}.bind<Invoice, Payment>(db.billing));
        s.add(Customer{.id = 1, .name = "Ann"});
        s.add(Invoice{.id = 10, .customer_id = 1, .amount = 250});
        s.commit();
    }
    BOOST_TEST(db.rows(db.main, "bind_customer") == 1);
    BOOST_TEST(db.rows(db.billing, "bind_invoice") == 1);
    int prepares = 0, commits = 0;
    for (const auto& l : db.echo) {
        prepares += l.rfind("PREPARE TRANSACTION 'dorm-", 0) == 0;
        commits += l.rfind("COMMIT PREPARED 'dorm-", 0) == 0;
    }
    BOOST_TEST(prepares == 1);  // the billing engine's (the main engine does not echo)
    BOOST_TEST(commits == 1);
    // nothing stays prepared
    auto c = db.main.connect();
    BOOST_TEST(dorm::execute(c, dorm::text<std::int64_t>("SELECT count(*) FROM pg_prepared_xacts")).scalar_one() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
