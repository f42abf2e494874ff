#pragma once
// What a dorm::sharded_engine holds (include/dorm/session/sharded_engine.hpp keeps it out of user
// translation units): the shards, the rule of each sharded table, the key generator.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <dorm/session/sharded_engine.hpp>

namespace dorm {

struct sharded_engine::rule {
    const schema::table* table;
    int column;          ///< the shard-key column
    table_rule_fn pick;  ///< shard-key value -> shard index (checked by add_rule)
};

namespace detail {

struct sharding_state {
    std::vector<std::pair<std::string, engine>> shards;
    std::vector<sharded_engine::rule> rules;
    std::function<std::int64_t(const schema::table&)> key_generator;
    bool two_phase = false;
};

}  // namespace detail
}  // namespace dorm
