// Horizontal sharding (issue 18, item 3): a dorm::sharded_engine over N databases (three on SQLite
// and PostgreSQL, two on MariaDB). Customers live on the shard the stable hash of their key picks,
// their orders next to them (the same rule over customer_id), order lines follow their order (no
// rule: the parent's shard); events are sharded by a region name and keep database-generated keys,
// which repeat across shards (the identity of an object includes its shard). Reads go to the
// shards their WHERE names or to all, and the merged rows are checked against the same query on
// one database holding every row. As SQLAlchemy's ext.horizontal_shard (test/ext/test_horizontal_shard.py).
#define BOOST_TEST_MODULE shards
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <dorm/dorm.hpp>

#include "backend.hpp"
#include "databases.hpp"
#include "preconditions.hpp"

namespace store {

struct Order;
struct OrderLine;

struct Customer {
    std::int64_t id = 0;
    std::string name;
    std::string country;
    dorm::many<Order> orders;
};
BOOST_DESCRIBE_STRUCT(Customer, (), (id, name, country, orders))
DORM_TABLE(Customer, "shard_customer", (id, dorm::primary_key), (name, dorm::varchar(60)),
           (country, dorm::varchar(2)), (orders, dorm::back_populates("customer")))

struct Order {
    std::int64_t id = 0;
    std::int64_t customer_id = 0;
    std::int64_t total = 0;
    std::optional<std::string> note;
    dorm::one<Customer> customer;
    dorm::many<OrderLine> lines;
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, customer_id, total, note, customer, lines))
DORM_TABLE(Order, "shard_order", (id, dorm::primary_key), (customer_id, dorm::foreign_key(&Customer::id)),
           (note, dorm::varchar(40)), (customer, dorm::back_populates("orders")), (lines, dorm::back_populates("order")))

struct OrderLine {
    std::int64_t id = 0;
    std::int64_t order_id = 0;
    std::string sku;
    std::int32_t qty = 0;
    dorm::one<Order> order;
};
BOOST_DESCRIBE_STRUCT(OrderLine, (), (id, order_id, sku, qty, order))
DORM_TABLE(OrderLine, "shard_order_line", (id, dorm::primary_key), (order_id, dorm::foreign_key(&Order::id)),
           (sku, dorm::varchar(20)), (order, dorm::back_populates("lines")))

/// Keys from each shard's own sequence (the key generator leaves them to the database).
struct Event {
    std::int64_t id = 0;
    std::string region;
    std::string what;
};
BOOST_DESCRIBE_STRUCT(Event, (), (id, region, what))
DORM_TABLE(Event, "shard_event", (id, dorm::primary_key), (region, dorm::varchar(10)), (what, dorm::varchar(40)))

/// Sharded by ranges of its key.
struct Ticket {
    std::int64_t id = 0;
    std::string title;
};
BOOST_DESCRIBE_STRUCT(Ticket, (), (id, title))
DORM_TABLE(Ticket, "shard_ticket", (id, dorm::primary_key), (title, dorm::varchar(40)))

}  // namespace store

using dorm::col;
using store::Customer;
using store::Event;
using store::Order;
using store::OrderLine;
using store::Ticket;

namespace {

using all_tables = dorm::metadata<Customer, Order, OrderLine, Event, Ticket>;

std::size_t shard_count() { return dorm_test::is_mysql() ? 2 : 3; }
const char* const shard_names[] = {"a", "b", "c"};

/// The shards (fresh tables on each), the statements each one ran (echo), and a key generator.
struct shards {
    std::vector<dorm::engine> engines;
    std::vector<std::vector<std::string>> echo;
    std::int64_t next_key = 1000;
    dorm::sharded_engine sharded = make();

    dorm::sharded_engine make() {
        std::vector<std::pair<std::string, dorm::engine>> list;
        echo.resize(shard_count());
        for (std::size_t i = 0; i < shard_count(); ++i) {
            dorm::engine_options o;
            o.echo = true;
            o.echo_sink = [this, i](std::string_view l) { echo[i].emplace_back(l); };
            engines.push_back(dorm::create_engine(dorm_test::other_database_url("shard" + std::to_string(i)), o));
            all_tables m;
            m.drop_all(engines.back());
            m.create_all(engines.back());
            list.emplace_back(shard_names[i], engines.back());
        }
        return dorm::sharded_engine(std::move(list))
            .shard_by(&Customer::id)
            .shard_by(&Order::customer_id)
            .shard_by(&Event::region,
                      [](const std::string& r) -> std::string {
                          if (r == "boom") throw 42;  // a chooser's own exception type
                          return r == "eu" ? "a" : r == "us" ? "b" : "c-or-b";
                      })
            .shard_by(&Ticket::id, dorm::shard_ranges{{{1, "a"}, {100, "b"}}})
            .key_generator([this](const dorm::schema::table& t) -> std::int64_t {
                return t.name == "shard_event" ? 0 : next_key++;  // 0: the shard's database makes the key
            });
    }
    ~shards() {
        try {
            for (auto& e : engines) all_tables().drop_all(e);
        } catch (...) {
        }
    }
    void clear_echo() {
        for (auto& e : echo) e.clear();
    }
    /// SELECT statements each shard ran since clear_echo().
    std::vector<std::size_t> selects() const {
        std::vector<std::size_t> n;
        for (const auto& lines : echo)
            n.push_back(static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
                return l.find("SELECT") != std::string::npos && l.find("[") != 0;
            })));
        return n;
    }
    std::int64_t count(std::size_t shard, const std::string& sql) {
        auto c = engines[shard].connect();
        return dorm::execute(c, dorm::text<std::int64_t>(sql)).scalar_one();
    }
};

/// Customers 0..n-1, each with `i % 3` orders of two lines; returns the customers.
std::vector<std::shared_ptr<Customer>> seed(dorm::session& s, int n) {
    std::vector<std::shared_ptr<Customer>> out;
    for (int i = 0; i < n; ++i) {
        auto c = std::make_shared<Customer>();
        c->name = "cust" + std::to_string(100 + (i * 37) % n);  // names not in key order
        c->country = i % 2 ? "de" : "fr";
        for (int k = 0; k < i % 3; ++k) {
            auto o = std::make_shared<Order>();
            o->total = (i * 7 + k * 13) % 50;
            if (i % 4) o->note = "n" + std::to_string(i % 5);
            for (int l = 0; l < 2; ++l) {
                auto line = std::make_shared<OrderLine>();
                line->sku = "sku" + std::to_string(l);
                line->qty = l + 1;
                o->lines.push_back(line);
            }
            c->orders.push_back(o);
        }
        s.add(c);
        out.push_back(c);
    }
    s.commit();
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_row_is_written_to_its_shard) {
    shards db;
    dorm::session s(db.sharded);
    auto customers = seed(s, 30);
    std::int64_t total_customers = 0, total_orders = 0, total_lines = 0;
    for (std::size_t i = 0; i < shard_count(); ++i) {
        total_customers += db.count(i, "SELECT count(*) FROM shard_customer");
        total_orders += db.count(i, "SELECT count(*) FROM shard_order");
        total_lines += db.count(i, "SELECT count(*) FROM shard_order_line");
    }
    BOOST_TEST(total_customers == 30);
    BOOST_TEST(total_orders == 30);  // 0 + 1 + 2 per three customers
    BOOST_TEST(total_lines == 60);
    std::set<std::size_t> used;
    for (const auto& c : customers) {
        BOOST_TEST(c->id >= 1000);  // from the key generator
        const std::size_t home = dorm::shard_hash(dorm::value(c->id), shard_count());
        used.insert(home);
        const std::string id = std::to_string(c->id);
        BOOST_TEST(db.count(home, "SELECT count(*) FROM shard_customer WHERE id = " + id) == 1);
        // its orders and their lines are next to it (the orders' rule; the lines follow their order)
        BOOST_TEST(db.count(home, "SELECT count(*) FROM shard_order WHERE customer_id = " + id) ==
                   static_cast<std::int64_t>(c->orders.size()));
        for (const auto& o : c->orders)
            BOOST_TEST(db.count(home, "SELECT count(*) FROM shard_order_line WHERE order_id = " + std::to_string(o->id)) == 2);
    }
    BOOST_TEST(used.size() == shard_count());  // 30 keys spread over every shard
}

BOOST_AUTO_TEST_CASE(get_reads_the_one_shard_of_its_key) {
    shards db;
    std::vector<std::int64_t> ids;
    {
        dorm::session s(db.sharded);
        for (const auto& c : seed(s, 12)) ids.push_back(c->id);
    }
    dorm::session s(db.sharded);
    for (std::int64_t id : ids) {
        db.clear_echo();
        auto c = s.get<Customer>(id);
        BOOST_REQUIRE(c);
        BOOST_TEST(c->id == id);
        const auto n = db.selects();
        const std::size_t home = dorm::shard_hash(dorm::value(id), shard_count());
        for (std::size_t i = 0; i < shard_count(); ++i) BOOST_TEST(n[i] == (i == home ? 1u : 0u), "shard " << i);
        db.clear_echo();
        BOOST_TEST(s.get<Customer>(id) == c);  // the identity map, no SQL
        BOOST_TEST(db.selects() == std::vector<std::size_t>(shard_count(), 0), boost::test_tools::per_element());
    }
    db.clear_echo();
    BOOST_TEST(!s.get<Customer>(std::int64_t{1}));  // no such key: still one shard asked
    BOOST_TEST(db.selects()[dorm::shard_hash(dorm::value(std::int64_t{1}), shard_count())] == 1u);
}

BOOST_AUTO_TEST_CASE(a_query_runs_on_the_shards_its_where_names) {
    shards db;
    std::vector<std::shared_ptr<Customer>> customers;
    dorm::session s(db.sharded);
    customers = seed(s, 12);
    s.expunge_all();
    const std::int64_t one = customers[5]->id, other = customers[7]->id;
    const std::size_t one_home = dorm::shard_hash(dorm::value(one), shard_count());
    const std::size_t other_home = dorm::shard_hash(dorm::value(other), shard_count());

    db.clear_echo();
    auto orders = s.scalars(dorm::select<Order>().where(col(&Order::customer_id) == one)).all();
    BOOST_TEST(orders.size() == 2u);  // customer 5 has 5 % 3 orders
    for (std::size_t i = 0; i < shard_count(); ++i) BOOST_TEST(db.selects()[i] == (i == one_home ? 1u : 0u));

    db.clear_echo();
    orders = s.scalars(dorm::select<Order>().where(col(&Order::customer_id).in({one, other}) && col(&Order::total) >= 0))
                 .all();
    BOOST_TEST(orders.size() == 3u);  // 2 + 1
    for (std::size_t i = 0; i < shard_count(); ++i)
        BOOST_TEST(db.selects()[i] == (i == one_home || i == other_home ? 1u : 0u));

    db.clear_echo();
    const dorm::text_params by_name{{"cid", dorm::value(other)}};
    orders = s.execute(dorm::select<Order>().where(col(&Order::customer_id) == dorm::bindparam<std::int64_t>("cid")), by_name)
                 .scalars()
                 .all();
    BOOST_TEST(orders.size() == 1u);
    for (std::size_t i = 0; i < shard_count(); ++i) BOOST_TEST(db.selects()[i] == (i == other_home ? 1u : 0u));

    db.clear_echo();
    orders = s.scalars(dorm::select<Order>().where(col(&Order::total) >= 0)).all();  // no shard key: every shard
    BOOST_TEST(orders.size() == 12u);
    BOOST_TEST(db.selects() == std::vector<std::size_t>(shard_count(), 1), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(merged_rows_are_ordered_and_limited_as_on_one_database) {
    shards db;
    // the oracle: every row on one database of the same backend
    dorm::engine single = dorm::create_engine(dorm_test::other_database_url("single"));
    all_tables().drop_all(single);
    all_tables().create_all(single);
    {
        dorm::session s(db.sharded);
        seed(s, 25);
        dorm::session one(single);
        for (const auto& c : s.scalars(dorm::select<Customer>()).all())
            one.add(std::make_shared<Customer>(Customer{.id = c->id, .name = c->name, .country = c->country}));
        one.flush();
        for (const auto& o : s.scalars(dorm::select<Order>()).all())
            one.add(std::make_shared<Order>(Order{.id = o->id, .customer_id = o->customer_id, .total = o->total, .note = o->note}));
        one.commit();
    }
    auto ids = [](const std::vector<std::shared_ptr<Order>>& v) {
        std::vector<std::int64_t> out;
        for (const auto& o : v) out.push_back(o->id);
        return out;
    };
    dorm::session s(db.sharded);
    dorm::session one(single);
    const std::vector<decltype(dorm::select<Order>())> queries{
        dorm::select<Order>().order_by(col(&Order::total), col(&Order::id)),
        dorm::select<Order>().order_by(col(&Order::total).desc(), col(&Order::id)).limit(7),
        dorm::select<Order>().order_by(col(&Order::id)).limit(5).offset(4),
        dorm::select<Order>().order_by(col(&Order::note), col(&Order::id).desc()),  // NULLs where the backend puts them
        dorm::select<Order>().order_by(col(&Order::note).desc(), col(&Order::id)).offset(3),
        dorm::select<Order>().order_by(col(&Order::note).nulls_first(), col(&Order::id)).limit(9),
        dorm::select<Order>().order_by(col(&Order::note).nulls_last(), col(&Order::id).desc()),
        dorm::select<Order>().order_by(col(&Order::note).desc().nulls_first(), col(&Order::id)).limit(8),
        dorm::select<Order>().order_by(col(&Order::note).desc().nulls_last(), col(&Order::id)).offset(2),
        dorm::select<Order>().where(col(&Order::total) > 10).order_by(col(&Order::total) + col(&Order::id), col(&Order::id)).limit(6),
    };
    for (std::size_t q = 0; q < queries.size(); ++q) {
        BOOST_TEST_CONTEXT("query " << q << ": " << dorm::compile(queries[q], single.dialect()).sql) {
            const auto sharded = ids(s.scalars(queries[q]).all());
            const auto expected = ids(one.scalars(queries[q]).all());
            BOOST_TEST(!expected.empty());
            BOOST_TEST(sharded == expected, boost::test_tools::per_element());
        }
    }
    // column rows: tuples merged the same way
    const auto stmt = dorm::select(col(&Customer::country), col(&Customer::name), col(&Customer::id))
                          .order_by(col(&Customer::country).desc(), col(&Customer::name))
                          .limit(9)
                          .offset(2);
    const auto sharded_rows = s.execute(stmt).all();
    const auto expected_rows = one.execute(stmt).all();
    BOOST_TEST(sharded_rows.size() == 9u);
    BOOST_TEST((sharded_rows == expected_rows));
    // an eager loader runs on each shard: every customer gets its own orders
    const auto customers =
        s.scalars(dorm::select<Customer>().options(dorm::selectinload(&Customer::orders)).order_by(col(&Customer::name)))
            .all();
    BOOST_TEST(customers.size() == 25u);
    for (std::size_t i = 0; i + 1 < customers.size(); ++i) BOOST_TEST(customers[i]->name <= customers[i + 1]->name);
    for (const auto& c : customers) {
        BOOST_TEST(c->orders.size() == static_cast<std::size_t>(one.scalars(dorm::select<Order>().where(
                                                                                col(&Order::customer_id) == c->id))
                                                                     .all()
                                                                     .size()));
        for (const auto& o : c->orders) BOOST_TEST(o->customer_id == c->id);
    }
    s.close();
    one.close();
    all_tables().drop_all(single);
}

BOOST_AUTO_TEST_CASE(identity_includes_the_shard) {
    shards db;
    dorm::session s(db.sharded);
    auto eu = std::make_shared<Event>(Event{.region = "eu", .what = "launch"});
    auto us = std::make_shared<Event>(Event{.region = "us", .what = "launch"});
    s.add_all({eu, us});
    s.commit();
    BOOST_TEST(eu->id == us->id);  // each shard's own sequence: the same key twice
    BOOST_TEST(eu != us);
    s.expunge_all();
    auto events = s.scalars(dorm::select<Event>().order_by(col(&Event::region))).all();
    BOOST_REQUIRE(events.size() == 2u);
    BOOST_TEST(events[0] != events[1]);  // two objects: same key, two shards
    BOOST_TEST(events[0]->region == "eu");
    BOOST_TEST(events[1]->region == "us");
    events[1]->what = "relaunch";
    s.commit();  // the UPDATE goes to the "us" shard only
    BOOST_TEST(db.count(0, "SELECT count(*) FROM shard_event WHERE what = 'launch'") == 1);
    BOOST_TEST(db.count(1, "SELECT count(*) FROM shard_event WHERE what = 'relaunch'") == 1);
    // a region no shard has: the chooser's answer is named in the error
    s.add(std::make_shared<Event>(Event{.region = "apac", .what = "x"}));
    try {
        s.flush();
        BOOST_FAIL("a chooser answer that is no shard was accepted");
    } catch (const dorm::argument_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("shard_event.region") != std::string::npos, m);
        BOOST_TEST(m.find("'apac'") != std::string::npos, m);
        BOOST_TEST(m.find("c-or-b") != std::string::npos, m);
    }
    s.rollback();
    // a chooser that throws something not derived from std::exception: an argument_error as
    // well, and the session writes again after rollback()
    s.add(std::make_shared<Event>(Event{.region = "boom", .what = "x"}));
    try {
        s.flush();
        BOOST_FAIL("a failing chooser was ignored");
    } catch (const dorm::argument_error& e) {
        BOOST_TEST(std::string(e.what()).find("not derived from std::exception") != std::string::npos, e.what());
    }
    s.rollback();
    auto later = std::make_shared<Event>(Event{.region = "eu", .what = "after"});
    s.add(later);
    s.commit();
    BOOST_TEST(db.count(0, "SELECT count(*) FROM shard_event WHERE what = 'after'") == 1);
}

BOOST_AUTO_TEST_CASE(on_shard_runs_a_select_on_that_shard_only) {
    shards db;
    std::int64_t total = 0;
    {
        dorm::session s(db.sharded);
        seed(s, 15);
    }
    dorm::session s(db.sharded);
    for (std::size_t i = 0; i < shard_count(); ++i) {
        db.clear_echo();
        // per-shard aggregates: what select(count()) over every shard returns one row each for
        const auto n = s.execute(dorm::select(dorm::count()).select_from<Customer>(), dorm::on_shard(shard_names[i]))
                           .scalar_one();
        for (std::size_t k = 0; k < shard_count(); ++k) BOOST_TEST(db.selects()[k] == (k == i ? 1u : 0u));
        BOOST_TEST(n == db.count(i, "SELECT count(*) FROM shard_customer"));
        total += n;
        // the WHERE names another shard's key: on_shard wins (and finds nothing there)
        for (const auto& c : s.scalars(dorm::select<Customer>(), dorm::on_shard(shard_names[i])).all())
            BOOST_TEST(dorm::shard_hash(dorm::value(c->id), shard_count()) == i);
    }
    BOOST_TEST(total == 15);
    BOOST_TEST(s.execute(dorm::select(dorm::count()).select_from<Customer>()).all().size() == shard_count());
    try {
        (void)s.scalars(dorm::select<Customer>(), dorm::on_shard("mars"));
        BOOST_FAIL("an unknown shard was accepted");
    } catch (const dorm::argument_error& e) {
        BOOST_TEST(std::string(e.what()).find("no such shard (a, b") != std::string::npos, e.what());
    }
    dorm::session plain(db.engines[0]);
    BOOST_CHECK_THROW((void)plain.scalars(dorm::select<Customer>(), dorm::on_shard("a")), dorm::invalid_request_error);
}

BOOST_AUTO_TEST_CASE(relationships_load_from_the_owners_shard) {
    shards db;
    std::vector<std::int64_t> ids;
    {
        dorm::session s(db.sharded);
        for (const auto& c : seed(s, 9)) ids.push_back(c->id);
    }
    dorm::session s(db.sharded);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto c = s.get<Customer>(ids[i]);
        BOOST_REQUIRE(c);
        const std::size_t home = dorm::shard_hash(dorm::value(ids[i]), shard_count());
        db.clear_echo();
        BOOST_TEST(c->orders.size() == i % 3);  // lazy load: the customer's shard only
        const auto n = db.selects();
        for (std::size_t k = 0; k < shard_count(); ++k) BOOST_TEST(n[k] == (k == home ? 1u : 0u));
        for (const auto& o : c->orders) {
            BOOST_TEST(o->customer.get() == c);
            BOOST_TEST(o->lines.size() == 2u);
            for (const auto& l : o->lines) BOOST_TEST(l->order.get() == o);
        }
    }
}

BOOST_AUTO_TEST_CASE(writes_span_shards_in_one_commit_and_roll_back_together) {
    shards db;
    dorm::session s(db.sharded);
    auto customers = seed(s, 6);
    for (auto& c : customers) c->name += "!";
    s.add(std::make_shared<Customer>(Customer{.name = "late", .country = "it"}));
    s.flush();
    s.rollback();  // every shard's transaction
    for (const auto& c : customers) BOOST_TEST(c->name.back() != '!');
    std::int64_t n = 0;
    for (std::size_t i = 0; i < shard_count(); ++i) n += db.count(i, "SELECT count(*) FROM shard_customer WHERE name LIKE '%!'");
    BOOST_TEST(n == 0);
    for (auto& c : customers) c->name += "?";
    s.commit();
    n = 0;
    for (std::size_t i = 0; i < shard_count(); ++i) n += db.count(i, "SELECT count(*) FROM shard_customer WHERE name LIKE '%?'");
    BOOST_TEST(n == 6);
}

BOOST_AUTO_TEST_CASE(bulk_statements_run_on_the_shards_they_name) {
    shards db;
    dorm::session s(db.sharded);
    auto customers = seed(s, 12);
    const std::int64_t one = customers[4]->id;
    db.clear_echo();
    auto r = s.execute(dorm::update<Order>().set(col(&Order::total), col(&Order::total) + 100).where(col(&Order::customer_id) == one));
    BOOST_TEST(r.rowcount() == 1);
    std::size_t shards_written = 0;
    for (const auto& lines : db.echo)
        shards_written += std::count_if(lines.begin(), lines.end(), [](const std::string& l) { return l.rfind("UPDATE", 0) == 0; }) > 0;
    BOOST_TEST(shards_written == 1u);
    BOOST_TEST((*customers[4]->orders.begin())->total >= 100);  // the session's object was re-read
    r = s.execute(dorm::delete_from<OrderLine>().where(col(&OrderLine::qty) == 2));  // no shard key: every shard
    BOOST_TEST(r.rowcount() == 12);
    s.commit();
    std::int64_t lines = 0;
    for (std::size_t i = 0; i < shard_count(); ++i) lines += db.count(i, "SELECT count(*) FROM shard_order_line");
    BOOST_TEST(lines == 12);
    // a bulk INSERT splits its rows by shard key
    std::vector<Customer> many;
    for (int i = 0; i < 10; ++i) many.push_back(Customer{.id = 5000 + i, .name = "bulk", .country = "nl"});
    r = s.execute(dorm::insert<Customer>().values(many));
    s.commit();
    for (const auto& c : many)
        BOOST_TEST(db.count(dorm::shard_hash(dorm::value(c.id), shard_count()),
                            "SELECT count(*) FROM shard_customer WHERE id = " + std::to_string(c.id)) == 1);
}

BOOST_AUTO_TEST_CASE(a_row_does_not_move_between_shards) {
    shards db;
    dorm::session s(db.sharded);
    auto customers = seed(s, 12);
    // an order whose customer is on another shard
    std::shared_ptr<Order> order;
    std::shared_ptr<Customer> elsewhere;
    for (const auto& c : customers)
        if (!c->orders.empty()) order = *c->orders.begin();
    for (const auto& c : customers)
        if (dorm::shard_hash(dorm::value(c->id), shard_count()) != dorm::shard_hash(dorm::value(order->customer_id), shard_count()))
            elsewhere = c;
    BOOST_REQUIRE(elsewhere);
    order->customer_id = elsewhere->id;
    try {
        s.flush();
        BOOST_FAIL("a row moved between shards");
    } catch (const dorm::invalid_request_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("shard_order") != std::string::npos, m);
        BOOST_TEST(m.find("does not move between shards") != std::string::npos, m);
    }
    s.rollback();
    // a row without a rule moved under a parent on another shard
    std::shared_ptr<OrderLine> line = *order->lines.begin();
    std::shared_ptr<Order> other_order;
    for (const auto& c : customers)
        for (const auto& o : c->orders)
            if (dorm::shard_hash(dorm::value(o->customer_id), shard_count()) !=
                dorm::shard_hash(dorm::value(order->customer_id), shard_count()))
                other_order = o;
    BOOST_REQUIRE(other_order);
    line->order = other_order;
    try {
        s.flush();
        BOOST_FAIL("a row without a rule moved to another shard's parent");
    } catch (const dorm::invalid_request_error& e) {
        BOOST_TEST(std::string(e.what()).find("shard_order_line") != std::string::npos, e.what());
    }
    s.rollback();
    // a bulk UPDATE may not set a shard key
    BOOST_CHECK_THROW(s.execute(dorm::update<Order>().set(col(&Order::customer_id), elsewhere->id)),
                      dorm::invalid_request_error);
    // a new row without a rule and without a parent: no shard
    s.add(std::make_shared<OrderLine>(OrderLine{.order_id = 1, .sku = "x", .qty = 1}));
    BOOST_CHECK_THROW(s.flush(), dorm::invalid_request_error);
    s.rollback();
}

BOOST_AUTO_TEST_CASE(a_rule_on_a_generated_key_needs_a_key_generator) {
    shards db;
    std::vector<std::pair<std::string, dorm::engine>> list{{"a", db.engines[0]}, {"b", db.engines[1]}};
    auto no_generator = dorm::sharded_engine(list).shard_by(&Ticket::id);
    dorm::session s(no_generator);
    s.add(std::make_shared<Ticket>(Ticket{.title = "no key yet"}));
    try {
        s.flush();
        BOOST_FAIL("a row was placed by a key the database had not made yet");
    } catch (const dorm::invalid_request_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("shard_ticket") != std::string::npos, m);
        BOOST_TEST(m.find("key_generator") != std::string::npos, m);
    }
    s.rollback();
}

BOOST_AUTO_TEST_CASE(objects_read_elsewhere_join_on_their_rules_shard) {
    shards db;
    std::vector<std::shared_ptr<Customer>> customers;
    {
        dorm::session s(db.sharded);
        customers = seed(s, 6);
    }
    const auto& c = customers[2];
    const std::size_t home = dorm::shard_hash(dorm::value(c->id), shard_count());
    std::shared_ptr<Customer> read_plainly;
    {
        dorm::session plain(db.engines[home]);  // a plain session on that shard's engine
        read_plainly = plain.get<Customer>(c->id);
        BOOST_REQUIRE(read_plainly);
    }
    dorm::session s(db.sharded);
    s.add(read_plainly);  // persistent again, on the shard its key names
    read_plainly->name = "renamed";
    s.commit();
    BOOST_TEST(db.count(home, "SELECT count(*) FROM shard_customer WHERE name = 'renamed'") == 1);
    // a row of a model without a rule, read elsewhere, with no parent here: its shard is unknown
    std::shared_ptr<OrderLine> line;
    for (std::size_t i = 0; i < shard_count() && !line; ++i) {
        dorm::session plain(db.engines[i]);
        line = plain.scalars(dorm::select<OrderLine>()).first();
    }
    BOOST_REQUIRE(line);
    dorm::session t(db.sharded);
    BOOST_CHECK_THROW(t.add(line), dorm::invalid_request_error);
}

BOOST_AUTO_TEST_CASE(reads_of_keys_no_shard_holds_find_nothing) {
    shards db;
    dorm::session s(db.sharded);
    seed(s, 6);
    // shard_ranges has no shard below 1: a read finds nothing (a write would be an error)
    BOOST_TEST(s.scalars(dorm::select<Ticket>().where(col(&Ticket::id) == -5)).all().empty());
    BOOST_TEST(!s.get<Ticket>(std::int64_t{-5}));
    BOOST_TEST(s.scalars(dorm::select<Event>().where(col(&Event::region) == "apac")).all().empty());
    // an aggregate whose WHERE names no shard still answers as on one database: one row
    const std::vector<std::int64_t> none;
    BOOST_TEST(s.execute(dorm::select(dorm::count()).select_from<Order>().where(col(&Order::customer_id).in(none)))
                   .scalar_one() == 0);
    // the shard key of the first column's table routes a select without select_from
    const auto some = s.scalars(dorm::select<Customer>().where(col(&Customer::name) == "cust101")).one();
    const std::size_t expected = some->orders.size();  // (a lazy load)
    db.clear_echo();
    const auto n = s.execute(dorm::select(col(&Order::total)).where(col(&Order::customer_id) == some->id)).all().size();
    BOOST_TEST(n == expected);
    const std::size_t home = dorm::shard_hash(dorm::value(some->id), shard_count());
    for (std::size_t k = 0; k < shard_count(); ++k) BOOST_TEST(db.selects()[k] == (k == home ? 1u : 0u));
}

BOOST_AUTO_TEST_CASE(range_rules_and_bad_engines) {
    shards db;
    {
        dorm::session s(db.sharded);
        s.add_all({std::make_shared<Ticket>(Ticket{.id = 5, .title = "low"}),
                   std::make_shared<Ticket>(Ticket{.id = 150, .title = "high"})});
        s.commit();
        BOOST_TEST(db.count(0, "SELECT count(*) FROM shard_ticket WHERE id = 5") == 1);
        BOOST_TEST(db.count(1, "SELECT count(*) FROM shard_ticket WHERE id = 150") == 1);
        s.add(std::make_shared<Ticket>(Ticket{.id = -3, .title = "below"}));
        BOOST_CHECK_THROW(s.flush(), dorm::argument_error);
        s.rollback();
    }
    BOOST_CHECK_THROW(dorm::sharded_engine(std::vector<std::pair<std::string, dorm::engine>>{}), dorm::argument_error);
    BOOST_CHECK_THROW(dorm::sharded_engine({{"a", db.engines[0]}, {"a", db.engines[1]}}), dorm::argument_error);
    BOOST_CHECK_THROW(dorm::sharded_engine({{"a", db.engines[0]}, {"b", db.engines[0]}}), dorm::argument_error);
    BOOST_CHECK_THROW(dorm::sharded_engine({{"a", db.engines[0]}, {"b", dorm::engine{}}}), dorm::argument_error);
    const std::string other = dorm_test::is_sqlite() ? "postgresql://u@h/db" : "sqlite://";
    try {
        dorm::sharded_engine e({{"a", db.engines[0]}, {"b", dorm::create_engine(other)}});
        BOOST_FAIL("shards of two backends were accepted");
    } catch (const dorm::argument_error& e) {
        BOOST_TEST(std::string(e.what()).find("one SQL dialect") != std::string::npos, e.what());
    } catch (const dorm::unsupported_error& e) {  // a build without that backend's driver says so
        BOOST_TEST(std::string(e.what()).find(other.substr(0, other.find(':'))) != std::string::npos, e.what());
    }
    // an index out of range names the table, the column and the value
    auto bad = dorm::sharded_engine({{"a", db.engines[0]}, {"b", db.engines[1]}}).shard_by(&Ticket::id, [](std::int64_t) {
        return 7;
    });
    dorm::session s(bad);
    s.add(std::make_shared<Ticket>(Ticket{.id = 9, .title = "x"}));
    try {
        s.flush();
        BOOST_FAIL("shard index 7 of 2 was accepted");
    } catch (const dorm::argument_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("shard_ticket.id = 9") != std::string::npos, m);
        BOOST_TEST(m.find("index 7 of 2") != std::string::npos, m);
    }
}

BOOST_AUTO_TEST_CASE(a_copied_sharded_engine_is_a_value) {
    // copies and assignments are independent (the state lives in lib/): a rule added to one is
    // not in the other, and a copy outlives its original
    shards db;
    auto base = dorm::sharded_engine({{"a", db.engines[0]}, {"b", db.engines[1]}});
    auto copy = base;  // no rules yet
    copy.shard_by(&Ticket::id, dorm::shard_ranges{{{1, "b"}}}).two_phase(db.engines[0].dialect() == dorm::dialect::postgresql);
    BOOST_TEST(copy.rule_for(&dorm::table_of<Ticket>()) != nullptr);
    BOOST_TEST(base.rule_for(&dorm::table_of<Ticket>()) == nullptr);
    BOOST_TEST(!base.uses_two_phase());
    BOOST_TEST(copy.shard_count() == 2u);
    std::optional<dorm::sharded_engine> later;
    {
        dorm::sharded_engine scoped = copy;
        later.emplace(std::move(scoped));  // a move is a copy: `scoped` stays usable
        BOOST_TEST(scoped.rule_for(&dorm::table_of<Ticket>()) != nullptr);
    }
    base = *later;  // assignment takes the rules
    BOOST_TEST(base.rule_for(&dorm::table_of<Ticket>()) != nullptr);
    BOOST_TEST(base.uses_two_phase() == copy.uses_two_phase());
    {
        dorm::session s(base);
        s.add(std::make_shared<Ticket>(Ticket{.id = 7, .title = "seven"}));
        s.commit();
    }
    BOOST_TEST(db.count(1, "SELECT count(*) FROM shard_ticket WHERE id = 7") == 1);  // shard_ranges: all on "b"
    BOOST_TEST(db.count(0, "SELECT count(*) FROM shard_ticket WHERE id = 7") == 0);
}

BOOST_AUTO_TEST_CASE(shard_hash_is_stable) {
    // the same shards on every machine and in every version: pinned values (splitmix64 of the
    // integer, FNV-1a 64 of the text's bytes, modulo the shard count; checked by a Python one-liner)
    const std::int64_t keys[] = {1, 2, 3, 42, 1000, -7};
    const std::size_t of_3[] = {2, 1, 0, 1, 1, 0};
    for (std::size_t i = 0; i < 6; ++i) BOOST_TEST(dorm::shard_hash(dorm::value(keys[i]), 3) == of_3[i], keys[i]);
    BOOST_TEST(dorm::shard_hash(dorm::value("alice"), 5) == 3u);
    BOOST_TEST(dorm::shard_hash(dorm::value("bob"), 5) == 2u);
    BOOST_TEST(dorm::shard_hash(dorm::value(""), 5) == 2u);
    BOOST_TEST(dorm::shard_hash(dorm::value(std::int64_t{5}), 3) == dorm::shard_hash(dorm::value(5.0), 3));
    BOOST_TEST(dorm::shard_hash(dorm::value(std::int64_t{42}), 1) == 0u);
    std::vector<std::size_t> counts(4);
    for (std::int64_t i = 0; i < 4000; ++i) ++counts[dorm::shard_hash(dorm::value(i), 4)];
    for (auto n : counts) BOOST_TEST((n > 900 && n < 1100), n);  // spread evenly
    BOOST_CHECK_THROW(dorm::shard_hash(dorm::value(), 3), dorm::argument_error);
}

// Text order keys: the shards' rows are merged by the bytes of the text, which is the order a
// database with a byte-order collation gives (SQLite's BINARY, MariaDB's utf8mb4_nopad_bin,
// PostgreSQL under C). Where a shard's database orders text by a linguistic collation (a
// PostgreSQL database created with an ICU or en_US locale, a MariaDB column with a _ci collation),
// a byte merge would return other rows than one database, silently (session 23's trial): the
// query is refused with a clear error instead.
namespace lexicon {
struct Word {
    std::int64_t id = 0;
    std::string text;
};
BOOST_DESCRIBE_STRUCT(Word, (), (id, text))
DORM_TABLE(Word, "shard_word", (id, dorm::primary_key), (text, dorm::varchar(20)))
/// A MariaDB column that ignores case (the option is MariaDB's: other backends order it by bytes).
struct FoldedWord {
    std::int64_t id = 0;
    std::string text;
};
BOOST_DESCRIBE_STRUCT(FoldedWord, (), (id, text))
DORM_TABLE(FoldedWord, "shard_folded_word", (id, dorm::primary_key),
           (text, dorm::varchar(20), dorm::collation("utf8mb4_general_ci")))
using tables = dorm::metadata<Word, FoldedWord>;
const std::vector<std::string> words = {"apple", "Banana", "cherry", "Date", "elder", "Fig"};

/// Two shards on databases `suffix`0 and `suffix`1 (made by `make_url`), the words on both.
struct word_shards {
    std::vector<dorm::engine> engines;
    std::optional<dorm::sharded_engine> sharded;
    explicit word_shards(const std::function<std::string(const std::string&)>& make_url, const std::string& suffix) {
        std::vector<std::pair<std::string, dorm::engine>> list;
        for (int i = 0; i < 2; ++i) {
            engines.push_back(dorm::create_engine(make_url(suffix + std::to_string(i))));
            tables().drop_all(engines.back());
            tables().create_all(engines.back());
            list.emplace_back(i ? "b" : "a", engines.back());
        }
        sharded.emplace(std::move(list));
        sharded->shard_by(&Word::id).shard_by(&FoldedWord::id);
        dorm::session s(*sharded);
        for (std::size_t i = 0; i < words.size(); ++i) {
            s.add(Word{.id = static_cast<std::int64_t>(i + 1), .text = words[i]});
            s.add(FoldedWord{.id = static_cast<std::int64_t>(i + 1), .text = words[i]});
        }
        s.commit();
    }
    ~word_shards() {
        try {
            for (auto& e : engines) tables().drop_all(e);
        } catch (...) {
        }
    }
};

std::vector<std::string> texts(const std::vector<std::shared_ptr<Word>>& ws) {
    std::vector<std::string> out;
    for (const auto& w : ws) out.push_back(w->text);
    return out;
}
}  // namespace lexicon

BOOST_AUTO_TEST_CASE(text_keys_merge_in_byte_order_and_a_linguistic_collation_is_refused) {
    using namespace lexicon;
    word_shards db([](const std::string& suffix) { return dorm_test::other_database_url(suffix); }, "words");
    dorm::session s(*db.sharded);
    // byte order: upper case before lower case, as one database with a byte-order collation
    const std::vector<std::string> first4 = {"Banana", "Date", "Fig", "apple"};
    BOOST_TEST(texts(s.scalars(dorm::select<Word>().order_by(col(&Word::text)).limit(4)).all()) == first4,
               boost::test_tools::per_element());
    const auto desc = texts(s.scalars(dorm::select<Word>().order_by(col(&Word::text).desc()).limit(2)).all());
    BOOST_TEST(desc == (std::vector<std::string>{"elder", "cherry"}), boost::test_tools::per_element());
    if (dorm_test::is_mysql()) {
        // utf8mb4_general_ci orders apple, Banana, cherry, ...: refused, naming the column
        try {
            (void)s.scalars(dorm::select<FoldedWord>().order_by(col(&FoldedWord::text)).limit(4)).all();
            BOOST_FAIL("a case-insensitive column was merged by bytes");
        } catch (const dorm::invalid_request_error& e) {
            const std::string m = e.what();
            BOOST_TEST(m.find("shard_folded_word.text") != std::string::npos, m);
            BOOST_TEST(m.find("utf8mb4_general_ci") != std::string::npos, m);
        }
        // one shard orders it itself
        auto one = s.scalars(dorm::select<FoldedWord>().order_by(col(&FoldedWord::text)), dorm::on_shard("a")).all();
        BOOST_TEST(!one.empty());
        // a key that is not text still merges
        BOOST_TEST(s.scalars(dorm::select<FoldedWord>().order_by(col(&FoldedWord::id)).limit(3)).all().size() == 3u);
        // so does a text key after one that decides every comparison (distinct ids)
        auto by_id = s.scalars(dorm::select<FoldedWord>().order_by(col(&FoldedWord::id).desc(), col(&FoldedWord::text)).limit(3)).all();
        std::vector<std::string> got;
        for (const auto& w : by_id) got.push_back(w->text);
        BOOST_TEST(got == (std::vector<std::string>{"Fig", "elder", "Date"}), boost::test_tools::per_element());
    } else {
        auto folded = s.scalars(dorm::select<FoldedWord>().order_by(col(&FoldedWord::text)).limit(4)).all();
        std::vector<std::string> got;
        for (const auto& w : folded) got.push_back(w->text);
        BOOST_TEST(got == first4, boost::test_tools::per_element());
    }
    if (dorm_test::is_postgresql()) {
        // databases created with an ICU locale: refused, naming the shard
        word_shards icu(
            [](const std::string& suffix) {
                auto u = dorm::url::parse(dorm_test::url());
                const std::string name = u.database.value_or("postgres") + "_" + suffix;
                auto main = dorm::create_engine(dorm_test::url());
                auto c = main.connect();
                c.execute_ddl("DROP DATABASE IF EXISTS " + name);
                c.execute_ddl("CREATE DATABASE " + name +
                              " TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
                u.database = name;
                return u.render(false);
            },
            "icu_words");
        dorm::session t(*icu.sharded);
        try {
            (void)t.scalars(dorm::select<Word>().order_by(col(&Word::text)).limit(4)).all();
            BOOST_FAIL("text ordered by an ICU collation was merged by bytes");
        } catch (const dorm::invalid_request_error& e) {
            const std::string m = e.what();
            BOOST_TEST(m.find("shard_word.text") != std::string::npos, m);
            BOOST_TEST(m.find("shard 'a'") != std::string::npos, m);
        }
        t.rollback();
        // a text key that no comparison reaches (the ids before it are distinct) merges
        auto by_id = t.scalars(dorm::select<Word>().order_by(col(&Word::id), col(&Word::text)).limit(2)).all();
        BOOST_TEST(texts(by_id) == (std::vector<std::string>{"apple", "Banana"}), boost::test_tools::per_element());
        // each database alone orders by its collation: apple, Banana, ...
        auto one = t.scalars(dorm::select<Word>().order_by(col(&Word::text)), dorm::on_shard("a")).all();
        BOOST_REQUIRE(one.size() >= 2u);
        for (std::size_t i = 1; i < one.size(); ++i) {
            std::string a = one[i - 1]->text, b = one[i]->text;
            std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            std::transform(b.begin(), b.end(), b.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            BOOST_TEST_MESSAGE("shard a: " << one[i - 1]->text << " then " << one[i]->text);
            BOOST_TEST((a.compare(b) < 0), one[i - 1]->text << " before " << one[i]->text);
        }
        BOOST_TEST(t.scalars(dorm::select<Word>().order_by(col(&Word::id)).limit(3)).all().size() == 3u);
    }
}
