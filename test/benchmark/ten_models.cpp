// ten_models.cpp: a translation unit of typical application size for the compile-time figures of
// compile_time.sh: ten mapped structs with every kind of relationship and every query shape of the
// DSL (selects with where/order/limit, joins, column selects, aggregates with group_by/having,
// subqueries, bulk update/delete/insert, text(), loader options). It is also a program: it runs
// everything once against an in-memory database (or the URL given as argument) and checks a few
// results, so that it keeps compiling and working.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <dorm/dorm.hpp>

using dorm::col;

namespace shop {

enum class tier { basic, silver, gold };
BOOST_DESCRIBE_ENUM(tier, basic, silver, gold)
enum class order_status { pending, paid, shipped };
BOOST_DESCRIBE_ENUM(order_status, pending, paid, shipped)

struct Address;
struct Order;
struct Review;
struct Product;
struct OrderLine;
struct Payment;
struct Tag;
struct ProductTag;

// 1. customers: one-to-one (Address), one-to-many (Order, Review)
struct Customer {
    std::int64_t id = 0;
    std::string name;
    std::string email;
    bool vip = false;
    tier level = tier::basic;
    std::chrono::sys_seconds created{};
    dorm::one<Address> address;
    dorm::many<Order> orders;
    dorm::many<Review> reviews;
};
BOOST_DESCRIBE_STRUCT(Customer, (), (id, name, email, vip, level, created, address, orders, reviews))
DORM_TABLE(Customer, "customer",
           (name, dorm::varchar(60)),
           (email, dorm::varchar(120), dorm::unique),
           (address, dorm::back_populates("customer")),
           (orders, dorm::back_populates("customer")),
           (reviews, dorm::back_populates("customer")))

// 2. addresses: the many-to-one side of the 1:1
struct Address {
    std::int64_t id = 0;
    std::int64_t customer_id = 0;
    std::string city;
    std::optional<std::string> zip;
    dorm::one<Customer> customer;
};
BOOST_DESCRIBE_STRUCT(Address, (), (id, customer_id, city, zip, customer))
DORM_TABLE(Address, "address",
           (customer_id, dorm::foreign_key(&Customer::id)),
           (city, dorm::varchar(60), dorm::index),
           (customer, dorm::back_populates("address")))

// 3. categories: self-referential tree
struct Category {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::int64_t> parent_id;
    dorm::one<Category> parent;
    dorm::many<Category> children;
    dorm::many<Product> products;
};
BOOST_DESCRIBE_STRUCT(Category, (), (id, name, parent_id, parent, children, products))
DORM_TABLE(Category, "category",
           (name, dorm::varchar(60)),
           (parent_id, dorm::foreign_key(&Category::id)),
           (parent, dorm::back_populates("children")),
           (children, dorm::back_populates("parent")),
           (products, dorm::back_populates("category")))

// 4. products: many-to-one (Category), many-to-many (Tag), one-to-many (OrderLine, Review)
struct Product {
    std::int64_t id = 0;
    std::string name;
    double price = 0;
    std::int64_t category_id = 0;
    dorm::blob image;
    int stock = 0;
    dorm::one<Category> category;
    dorm::many<Tag> tags;
    dorm::many<OrderLine> lines;
    dorm::many<Review> reviews;
};
BOOST_DESCRIBE_STRUCT(Product, (), (id, name, price, category_id, image, stock, category, tags, lines, reviews))
DORM_TABLE(Product, "product",
           (name, dorm::varchar(80), dorm::unique),
           (category_id, dorm::foreign_key(&Category::id)),
           (stock, dorm::default_value(0)),
           (category, dorm::back_populates("products")),
           (tags, dorm::secondary<ProductTag>, dorm::back_populates("products")),
           (lines, dorm::back_populates("product")),
           (reviews, dorm::cascade("all, delete-orphan"), dorm::back_populates("product")))

// 5. tags: the other side of the many-to-many
struct Tag {
    std::int64_t id = 0;
    std::string label;
    dorm::many<Product> products;
};
BOOST_DESCRIBE_STRUCT(Tag, (), (id, label, products))
DORM_TABLE(Tag, "tag",
           (label, dorm::varchar(30), dorm::unique),
           (products, dorm::secondary<ProductTag>, dorm::back_populates("tags")))

// 6. the association table (composite primary key of two foreign keys)
struct ProductTag {
    std::int64_t product_id = 0;
    std::int64_t tag_id = 0;
};
BOOST_DESCRIBE_STRUCT(ProductTag, (), (product_id, tag_id))
DORM_TABLE(ProductTag, "product_tag",
           (product_id, dorm::primary_key, dorm::foreign_key(&Product::id)),
           (tag_id, dorm::primary_key, dorm::foreign_key(&Tag::id)))

// 7. orders: lines are owned (delete-orphan), one payment
struct Order {
    std::int64_t id = 0;
    std::int64_t customer_id = 0;
    std::chrono::year_month_day placed{};
    order_status status = order_status::pending;
    std::optional<std::string> note;
    dorm::one<Customer> customer;
    dorm::many<OrderLine> lines;
    dorm::one<Payment> payment;
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, customer_id, placed, status, note, customer, lines, payment))
DORM_TABLE(Order, "orders",
           (customer_id, dorm::foreign_key(&Customer::id)),
           (note, dorm::varchar(200)),
           (customer, dorm::back_populates("orders")),
           (lines, dorm::cascade("all, delete-orphan"), dorm::back_populates("order")),
           (payment, dorm::cascade("all"), dorm::back_populates("order")))

// 8. order lines: two foreign keys
struct OrderLine {
    std::int64_t id = 0;
    std::int64_t order_id = 0;
    std::int64_t product_id = 0;
    int quantity = 1;
    double unit_price = 0;
    dorm::one<Order> order;
    dorm::one<Product> product;
};
BOOST_DESCRIBE_STRUCT(OrderLine, (), (id, order_id, product_id, quantity, unit_price, order, product))
DORM_TABLE(OrderLine, "order_line",
           (order_id, dorm::foreign_key(&Order::id)),
           (product_id, dorm::foreign_key(&Product::id)),
           (order, dorm::back_populates("lines")),
           (product, dorm::back_populates("lines")))

// 9. payments
struct Payment {
    std::int64_t id = 0;
    std::int64_t order_id = 0;
    double amount = 0;
    std::optional<std::chrono::sys_seconds> paid_at;
    dorm::one<Order> order;
};
BOOST_DESCRIBE_STRUCT(Payment, (), (id, order_id, amount, paid_at, order))
DORM_TABLE(Payment, "payment",
           (order_id, dorm::foreign_key(&Order::id), dorm::unique),
           (order, dorm::back_populates("payment")))

// 10. reviews: two many-to-one relationships
struct Review {
    std::int64_t id = 0;
    std::int64_t product_id = 0;
    std::int64_t customer_id = 0;
    std::int16_t stars = 0;
    std::string body;
    dorm::one<Product> product;
    dorm::one<Customer> customer;
};
BOOST_DESCRIBE_STRUCT(Review, (), (id, product_id, customer_id, stars, body, product, customer))
DORM_TABLE(Review, "review",
           (product_id, dorm::foreign_key(&Product::id)),
           (customer_id, dorm::foreign_key(&Customer::id)),
           (body, dorm::varchar(500)),
           (product, dorm::back_populates("reviews")),
           (customer, dorm::back_populates("reviews")))

inline dorm::metadata<Customer, Address, Category, Product, Tag, ProductTag, Order, OrderLine, Payment, Review> Base;

// a described row type for text()
struct CityCount {
    std::string city;
    std::int64_t n = 0;
};
BOOST_DESCRIBE_STRUCT(CityCount, (), (city, n))

}  // namespace shop

using namespace shop;

namespace {

int failures = 0;
void expect(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "ten_models: FAILED: %s\n", what);
        ++failures;
    }
}

void populate(dorm::session& s) {
    using namespace std::chrono;
    auto root = s.add(Category{.name = "all"});
    auto books = std::make_shared<Category>(Category{.name = "books"});
    auto games = std::make_shared<Category>(Category{.name = "games"});
    root->children.push_back(books);
    root->children.push_back(games);
    auto fiction = s.add(Tag{.label = "fiction"});
    auto sale = s.add(Tag{.label = "sale"});
    for (int i = 1; i <= 6; ++i) {
        auto p = std::make_shared<Product>(Product{.name = "product" + std::to_string(i), .price = 2.5 * i,
                                                   .image = dorm::blob(static_cast<std::size_t>(i), std::byte{7}),
                                                   .stock = 10 * i});
        (i % 2 ? books : games)->products.push_back(p);
        p->tags.push_back(i % 2 ? fiction : sale);
        if (i == 3) p->tags.push_back(sale);
    }
    s.flush();
    for (int c = 1; c <= 4; ++c) {
        auto cust = s.add(Customer{.name = "customer" + std::to_string(c), .email = "c" + std::to_string(c) + "@x.org",
                                   .vip = c == 2, .level = c == 2 ? tier::gold : tier::basic,
                                   .created = sys_seconds{seconds{1700000000 + c}}});
        cust->address = std::make_shared<Address>(
            Address{.city = c % 2 ? "Lyon" : "Porto", .zip = c == 4 ? std::nullopt : std::optional<std::string>("0100" + std::to_string(c))});
        for (int o = 0; o < c; ++o) {
            auto order = std::make_shared<Order>(Order{.placed = year_month_day{year{2024}, month{3}, day{unsigned(1 + o)}},
                                                       .status = o % 2 ? order_status::paid : order_status::pending});
            cust->orders.push_back(order);
            for (int l = 1; l <= 2; ++l) {
                auto line = std::make_shared<OrderLine>(OrderLine{.quantity = l, .unit_price = 1.5 * l});
                line->product = s.get<Product>(std::int64_t{1 + (o + l) % 6});
                order->lines.push_back(line);
            }
            if (o % 2) order->payment = std::make_shared<Payment>(Payment{.amount = 3.0, .paid_at = sys_seconds{seconds{1700100000}}});
        }
        auto review = std::make_shared<Review>(Review{.stars = static_cast<std::int16_t>(c), .body = "ok"});
        review->product = s.get<Product>(std::int64_t{c});
        cust->reviews.push_back(review);
    }
    s.commit();
}

void entity_selects(dorm::session& s) {
    auto adults = s.execute(dorm::select<Customer>()
                                .where(col(&Customer::vip) == false && !col(&Customer::name).like("test%"))
                                .where(col(&Customer::level).in({tier::basic, tier::silver}))
                                .order_by(col(&Customer::created).desc(), col(&Customer::name))
                                .limit(10)
                                .offset(0))
                      .all();
    expect(adults.size() == 3, "where/order_by/limit");
    std::vector<std::int64_t> ids{1, 2, 3};
    auto cheap = s.scalars(dorm::select<Product>()
                               .where(col(&Product::id).in(ids) || col(&Product::price).between(10.0, 20.0))
                               .where(col(&Product::name).starts_with("prod") && col(&Product::name).contains("uct"))
                               .where(col(&Product::stock) * 2 + 1 > col(&Product::id))
                               .order_by(col(&Product::price)))
                     .all();
    expect(cheap.size() == 6, "in/between/arithmetic");
    auto no_zip = s.execute(dorm::select<Address>().where(col(&Address::zip).is_null())).one();
    expect(no_zip->city == "Porto", "is_null/one");
    auto some = s.execute(dorm::select<Address>().where(col(&Address::zip).is_not_null() &&
                                                        col(&Address::city).ilike("LY%")))
                    .first();
    expect(some != nullptr, "ilike/first");
    auto none = s.execute(dorm::select<Customer>().where(col(&Customer::email).ends_with("@nowhere"))).one_or_none();
    expect(none == nullptr, "one_or_none");
    auto by_key = s.get<Customer>(std::int64_t{2});
    expect(by_key && by_key->level == tier::gold, "get");
    auto pt = s.get<ProductTag>(std::int64_t{3}, std::int64_t{2});
    expect(pt != nullptr, "get composite key");
    int streamed = 0;
    for (auto& o : s.execute(dorm::select<Order>().where(col(&Order::status) != order_status::shipped &&
                                                         col(&Order::note).is_distinct_from(std::string("x")))))
        streamed += o->customer_id > 0;
    expect(streamed == 10, "streaming");
}

void joins(dorm::session& s) {
    auto buyers = s.execute(dorm::select<Customer>()
                                .join<Order>()
                                .join<OrderLine>()
                                .where(col(&OrderLine::quantity) == 2)
                                .distinct())
                      .all();
    expect(buyers.size() == 4, "join<U>() chain");
    auto with_reviews = s.execute(dorm::select<Product>()
                                      .outer_join<Review>(col(&Review::product_id) == col(&Product::id))
                                      .where(col(&Review::id).is_null()))
                            .all();
    expect(with_reviews.size() == 2, "outer_join on");
    auto paid = s.execute(dorm::select<Order>().outer_join<Payment>().where(col(&Payment::amount) > 1.0)).all();
    expect(paid.size() == 4, "outer_join inferred");
    auto parent = dorm::aliased<Category>("parent");
    auto tree = s.execute(dorm::select(col(&Category::name), parent.col(&Category::name))
                              .join(parent, col(&Category::parent_id) == parent.col(&Category::id))
                              .order_by(col(&Category::name)))
                    .all();
    expect(tree.size() == 2 && std::get<1>(tree[0]) == "all", "aliased self-join");
    auto tagged = s.execute(dorm::select(col(&Product::name), col(&Tag::label))
                                .join<ProductTag>(col(&ProductTag::product_id) == col(&Product::id))
                                .join<Tag>(col(&Tag::id) == col(&ProductTag::tag_id))
                                .where(col(&Tag::label) == "sale"))
                      .all();
    expect(tagged.size() == 4, "join through association");
}

void column_selects_and_aggregates(dorm::session& s) {
    auto pairs = s.execute(dorm::select(col(&Customer::name), col(&Customer::vip), col(&Customer::created))
                               .order_by(col(&Customer::id)))
                     .all();
    expect(pairs.size() == 4 && std::get<1>(pairs[1]), "column select tuples");
    const std::int64_t n = s.execute(dorm::select(dorm::count()).select_from<Order>()).scalar_one();
    expect(n == 10, "count(*)");
    auto stats = s.execute(dorm::select(dorm::count(col(&Product::id)), dorm::sum(col(&Product::stock)),
                                        dorm::avg(col(&Product::price)), dorm::min(col(&Product::name)),
                                        dorm::max(col(&Product::price))))
                     .one();
    expect(std::get<0>(stats) == 6 && std::get<1>(stats) == 210, "aggregates");
    auto per_customer = s.execute(dorm::select(col(&Order::customer_id), dorm::count().label("n"))
                                      .group_by(col(&Order::customer_id))
                                      .having(dorm::count() > 1)
                                      .order_by(col(&Order::customer_id)))
                            .all();
    expect(per_customer.size() == 3, "group_by/having");
    auto per_city = s.execute(dorm::select(dorm::upper(col(&Address::city)), dorm::length(col(&Address::city)),
                                           dorm::coalesce(col(&Address::zip), std::string("-")))
                                  .where(dorm::lower(col(&Address::city)) == "lyon"))
                        .all();
    expect(per_city.size() == 2 && std::get<1>(per_city[0]) == 4, "functions");
    auto revenue = s.execute(dorm::select(col(&OrderLine::order_id),
                                          dorm::sum(col(&OrderLine::unit_price) * col(&OrderLine::quantity)))
                                 .group_by(col(&OrderLine::order_id))
                                 .having(dorm::sum(col(&OrderLine::quantity)) >= 3)
                                 .order_by(col(&OrderLine::order_id).desc())
                                 .limit(3))
                       .all();
    expect(revenue.size() == 3, "sum of an expression");
}

void subqueries(dorm::session& s) {
    auto reviewers = s.execute(dorm::select<Customer>().where(
                                   col(&Customer::id).in(dorm::select(col(&Review::customer_id)).where(col(&Review::stars) >= 3))))
                         .all();
    expect(reviewers.size() == 2, "in(subquery)");
    auto never = s.execute(dorm::select<Product>().where(
                               col(&Product::id).not_in(dorm::select(col(&OrderLine::product_id)))))
                     .all();
    expect(never.size() == 1, "not_in(subquery)");
    auto with_payment = s.execute(dorm::select<Order>().where(dorm::exists(
                                      dorm::select(col(&Payment::id)).correlate<Order>().where(col(&Payment::order_id) == col(&Order::id)))))
                            .all();
    expect(with_payment.size() == 4, "correlated exists");
    auto order_count = dorm::select(dorm::count())
                           .select_from<Order>()
                           .correlate<Customer>()
                           .where(col(&Order::customer_id) == col(&Customer::id))
                           .scalar_subquery();
    auto busy = s.execute(dorm::select(col(&Customer::name), order_count).where(order_count > 2)).all();
    expect(busy.size() == 2, "scalar subquery");
    auto counts = dorm::select(col(&Review::product_id), dorm::count().label("n"))
                      .group_by(col(&Review::product_id))
                      .subquery("counts");
    auto rated = s.execute(dorm::select(col(&Product::name), counts.c<std::int64_t>("n"))
                               .join(counts, col(&Product::id) == counts.c<std::int64_t>("product_id")))
                     .all();
    expect(rated.size() == 4, "subquery as a join source");
}

void loaders(dorm::session& s) {
    auto customers = s.execute(dorm::select<Customer>().options(
                                   dorm::selectinload(&Customer::orders)
                                       .then(dorm::selectinload(&Order::lines).then(dorm::joinedload(&OrderLine::product)),
                                             dorm::joinedload(&Order::payment)),
                                   dorm::joinedload(&Customer::address), dorm::raiseload(&Customer::reviews)))
                         .all();
    std::size_t lines = 0;
    for (auto& c : customers)
        for (auto& o : c->orders) lines += o->lines.size();
    expect(lines == 20, "selectinload/joinedload/then");
    bool raised = false;
    try {
        (void)customers.front()->reviews.size();
    } catch (const dorm::error&) {
        raised = true;
    }
    expect(raised, "raiseload");
    auto cats = s.execute(dorm::select<Category>().options(dorm::selectinload(&Category::children),
                                                           dorm::selectinload(&Category::products).then(
                                                               dorm::selectinload(&Product::tags))))
                    .all();
    expect(cats.size() == 3, "self-referential and many-to-many loaders");
}

void unit_of_work(dorm::session& s) {
    auto c = s.get<Customer>(std::int64_t{1});
    c->name = "renamed";
    auto order = c->orders.begin()->get();
    order->status = order_status::shipped;
    s.flush();
    s.refresh(c);
    expect(c->name == "renamed", "flush/refresh");
    auto p = s.get<Product>(std::int64_t{6});
    if (!p->reviews.empty()) p->reviews.erase(p->reviews.begin());
    s.rollback();
    expect(s.get<Customer>(std::int64_t{1})->name == "customer1", "rollback");
    auto extra = s.add(Tag{.label = "temp"});
    s.commit();
    s.remove(extra);
    s.commit();
    s.expunge(c);
    expect(!s.contains(c), "expunge");
}

void bulk_and_text(dorm::session& s, dorm::engine& engine) {
    auto up = s.execute(dorm::update<Product>()
                            .set(col(&Product::stock), col(&Product::stock) + 1)
                            .set(col(&Product::price), 9.5)
                            .where(col(&Product::category_id) == std::int64_t{2}));
    expect(up.rowcount() == 3, "bulk update");
    std::vector<Tag> new_tags{Tag{.label = "new"}, Tag{.label = "hot"}, Tag{.label = "sale"}};
    auto ins = s.execute(dorm::insert<Tag>().values(new_tags).on_conflict(col(&Tag::label)).do_nothing());
    expect(ins.rowcount() == 2, "insert on conflict do nothing");
    std::vector<Product> upserts{Product{.name = "product1", .price = 1.0, .category_id = 2, .stock = 99}};
    s.execute(dorm::insert<Product>().values(upserts).on_conflict(col(&Product::name)).do_update(col(&Product::stock)));
    auto del = s.execute(dorm::delete_from<Tag>().where(col(&Tag::label).in({"new", "hot"})));
    expect(del.rowcount() == 2, "bulk delete");
    auto rows = s.execute(dorm::text<CityCount>("SELECT city, count(*) AS n FROM address GROUP BY city HAVING n > :min",
                                                {{"min", 1}}))
                    .all();
    expect(rows.size() == 2, "text<described struct>");
    auto t = s.execute(dorm::text<std::tuple<std::string, double>>("SELECT name, price FROM product WHERE id = :id",
                                                                   {{"id", 1}}))
                 .one();
    expect(std::get<0>(t) == "product1", "text<tuple>");
    s.execute(dorm::text("UPDATE customer SET vip = 1 WHERE email = :e", {{"e", "c1@x.org"}}));
    s.commit();

    auto conn = engine.connect();
    std::vector<Customer> plain = dorm::execute(conn, dorm::select<Customer>().where(col(&Customer::vip) == true)).all();
    expect(plain.size() == 2, "execute on a connection");
    auto names = dorm::execute(conn, dorm::select(col(&Tag::label)).order_by(col(&Tag::label))).all();
    expect(names.size() == 2, "column select on a connection");
    for (auto d : {dorm::dialect::sqlite, dorm::dialect::postgresql, dorm::dialect::mysql, dorm::dialect::oracle}) {
        auto c = dorm::compile(dorm::select<Order>().join<Customer>().where(col(&Customer::name) == "x").limit(5), d);
        expect(!c.sql.empty() && c.params.size() >= 1, "compile for each dialect");
    }
}

}  // namespace

int main(int argc, char** argv) try {
    auto engine = dorm::create_engine(argc > 1 ? argv[1] : "sqlite://");
    Base.drop_all(engine);
    Base.create_all(engine);
    {
        dorm::session s(engine);
        populate(s);
    }
    dorm::session s(engine);
    entity_selects(s);
    joins(s);
    column_selects_and_aggregates(s);
    subqueries(s);
    loaders(s);
    s.close();
    unit_of_work(s);
    bulk_and_text(s, engine);
    std::printf("ten_models: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "ten_models: error: %s\n", e.what());
    return 1;
}
