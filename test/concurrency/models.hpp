#pragma once
// The bank of the concurrency suite: accounts and a journal of the transfers between them.
#include <cstdint>
#include <string>

#include <boost/describe.hpp>

#include <dorm/reflect/table_macro.hpp>

namespace bank {

struct Account {
    std::int64_t id = 0;
    std::string owner;
    std::int64_t balance = 0;
};
BOOST_DESCRIBE_STRUCT(Account, (), (id, owner, balance))
DORM_TABLE(Account, "cc_account", (id, dorm::primary_key), (owner, dorm::varchar(40)))

/// The same account with optimistic versioning (dorm::version): no locks, a lost race is a
/// stale_data_error at the UPDATE.
struct VersionedAccount {
    std::int64_t id = 0;
    std::string owner;
    std::int64_t balance = 0;
    int version = 0;
};
BOOST_DESCRIBE_STRUCT(VersionedAccount, (), (id, owner, balance, version))
DORM_TABLE(VersionedAccount, "cc_vaccount", (id, dorm::primary_key), (owner, dorm::varchar(40)),
           (version, dorm::version))

/// One row per committed transfer (of either kind of account): a transfer that was lost or
/// applied twice shows up here.
struct Transfer {
    std::int64_t id = 0;
    std::int64_t from_id = 0;
    std::int64_t to_id = 0;
    std::int64_t amount = 0;
    int attempt = 0;  ///< which attempt of run_in_transaction committed it
};
BOOST_DESCRIBE_STRUCT(Transfer, (), (id, from_id, to_id, amount, attempt))
DORM_TABLE(Transfer, "cc_transfer")

/// A plain counter row for the lock / isolation cases.
struct Counter {
    int id = 0;
    std::string name;
    std::int64_t value = 0;
};
BOOST_DESCRIBE_STRUCT(Counter, (), (id, name, value))
DORM_TABLE(Counter, "cc_counter", (id, dorm::primary_key), (name, dorm::varchar(20)))

}  // namespace bank
