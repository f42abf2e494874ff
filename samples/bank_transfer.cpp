// A small transfer service, written the way the README's "Concurrency" section says: each
// request is a function run by dorm::run_in_transaction, the accounts are locked with
// with_for_update(), a request that loses a race is run again. 8 worker threads share one engine.
// An optional argument names the database URL (default sqlite:///bank.db, in WAL mode).
#include <dorm/dorm.hpp>

#include <atomic>
#include <cstdint>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct Account {
    std::int64_t id = 0;
    std::string owner;
    std::int64_t balance = 0;  // cents
};
BOOST_DESCRIBE_STRUCT(Account, (), (id, owner, balance))
DORM_TABLE(Account, "bank_account", (id, dorm::primary_key), (owner, dorm::varchar(40)))

struct Movement {
    std::int64_t id = 0;
    std::int64_t account_id = 0;
    std::int64_t amount = 0;  // + credit, - debit
};
BOOST_DESCRIBE_STRUCT(Movement, (), (id, account_id, amount))
DORM_TABLE(Movement, "bank_movement", (account_id, dorm::foreign_key(&Account::id)))

struct insufficient_funds : std::runtime_error {
    insufficient_funds() : std::runtime_error("insufficient funds") {}
};

/// Moves `amount` from one account to another; the whole thing or nothing.
void transfer(const dorm::engine& engine, std::int64_t from, std::int64_t to, std::int64_t amount) {
    dorm::run_in_transaction(engine, [&](dorm::session& s) {
        auto rows = s.scalars(dorm::select<Account>()
                                  .where(dorm::col(&Account::id).in({from, to}))
                                  .order_by(dorm::col(&Account::id))  // always lock in the same order
                                  .with_for_update())
                        .all();
        if (rows.size() != 2) throw std::invalid_argument("no such account");
        auto& a = rows[0]->id == from ? rows[0] : rows[1];
        auto& b = rows[0]->id == from ? rows[1] : rows[0];
        if (a->balance < amount) throw insufficient_funds{};  // not retryable: the caller gets it
        a->balance -= amount;
        b->balance += amount;
        s.add(Movement{.account_id = from, .amount = -amount});
        s.add(Movement{.account_id = to, .amount = amount});
    });
}

int main(int argc, char** argv) {
    const std::string url = argc > 1 ? argv[1] : "sqlite:///bank.db?journal_mode=wal";
    auto engine = dorm::create_engine(url, {.pool_size = 8});
    dorm::metadata<Account, Movement> meta;
    meta.drop_all(engine);
    meta.create_all(engine);
    {
        dorm::session s(engine);
        for (int i = 1; i <= 5; ++i)
            s.add(Account{.id = i, .owner = "customer " + std::to_string(i), .balance = 10000});
        s.commit();
    }

    std::vector<std::thread> workers;
    std::atomic<int> done{0}, refused{0};
    for (int w = 0; w < 8; ++w) {
        workers.emplace_back([&, w] {
            std::mt19937 rng(static_cast<unsigned>(w));
            std::uniform_int_distribution<int> account(1, 5), cents(1, 3000);
            for (int i = 0; i < 100; ++i) {
                const int a = account(rng);
                int b = account(rng);
                while (b == a) b = account(rng);
                try {
                    transfer(engine, a, b, cents(rng));
                    ++done;
                } catch (const insufficient_funds&) {
                    ++refused;
                }
            }
        });
    }
    for (auto& t : workers) t.join();

    dorm::session s(engine);
    std::int64_t total = 0;
    bool books_balance = true;
    for (auto& acc : s.scalars(dorm::select<Account>().order_by(dorm::col(&Account::id))).all()) {
        const auto moved = s.execute(dorm::select(dorm::sum(dorm::col(&Movement::amount)))
                                         .where(dorm::col(&Movement::account_id) == acc->id))
                               .scalar_one();
        books_balance = books_balance && acc->balance == 10000 + moved.value_or(0);
        std::cout << acc->owner << ": " << acc->balance / 100 << "." << (acc->balance % 100) / 10
                  << acc->balance % 10 << "\n";
        total += acc->balance;
    }
    std::cout << done << " transfers, " << refused << " refused for insufficient funds\n";
    std::cout << (total == 50000 && books_balance && done + refused == 800 ? "the books balance"
                                                                           : "THE BOOKS DO NOT BALANCE")
              << "\n";
    return total == 50000 && books_balance ? 0 : 1;
}
