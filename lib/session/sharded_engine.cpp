// dorm::sharded_engine: the shards, the rule of each sharded table, the stable hash and ranges.
#include <dorm/session/sharded_engine.hpp>
#include "session/sharding_state.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include <dorm/error.hpp>

#include "session/rethrow.hpp"

namespace dorm {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

std::uint64_t fnv1a(const unsigned char* p, std::size_t n) {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (std::size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 0x100000001B3ULL;
    }
    return h;
}

std::string names_text(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

}  // namespace

std::size_t shard_hash(const value& v, std::size_t n) {
    if (n == 0) throw argument_error("dorm::shard_hash: no shards");
    std::uint64_t h = 0;
    switch (v.kind()) {
        case value_kind::null:
            throw argument_error("dorm::shard_hash: a NULL shard key has no shard");
        case value_kind::integer: h = splitmix64(static_cast<std::uint64_t>(v.as_int())); break;
        case value_kind::real: {
            const double d = v.as_double();
            if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18) {
                h = splitmix64(static_cast<std::uint64_t>(static_cast<std::int64_t>(d)));  // 5.0 goes where 5 goes
            } else {
                h = splitmix64(std::bit_cast<std::uint64_t>(d));
            }
            break;
        }
        case value_kind::text: {
            const std::string& s = v.as_text();
            h = fnv1a(reinterpret_cast<const unsigned char*>(s.data()), s.size());
            break;
        }
        case value_kind::blob: {
            const auto& b = v.as_blob();
            h = fnv1a(reinterpret_cast<const unsigned char*>(b.data()), b.size());
            break;
        }
    }
    return static_cast<std::size_t>(h % n);
}

// (a class template only to be lazy in user code: dorm/detail/lazy.hpp; its one instantiation is below)
template <class V>
std::string basic_shard_ranges<V>::operator()(std::int64_t key) const {
    const std::pair<std::int64_t, std::string>* best = nullptr;
    for (const auto& r : starts)
        if (r.first <= key && (!best || r.first > best->first)) best = &r;
    if (!best) {
        std::string bounds;
        for (const auto& r : starts) bounds += (bounds.empty() ? "" : ", ") + std::to_string(r.first);
        throw argument_error("dorm::shard_ranges: key " + std::to_string(key) + " is below every range (starts: " +
                             (bounds.empty() ? "none" : bounds) + ")");
    }
    return best->second;
}
template struct basic_shard_ranges<void>;

sharded_engine::sharded_engine(std::vector<std::pair<std::string, engine>> shards)
    : state_(new detail::sharding_state{std::move(shards), {}, {}, false}) {
    const auto& list = state_->shards;
    if (list.empty()) throw argument_error("dorm::sharded_engine: no shards");
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& [name, e] = list[i];
        if (name.empty()) throw argument_error("dorm::sharded_engine: shard " + std::to_string(i) + " has no name");
        if (!e) throw argument_error("dorm::sharded_engine: the engine of shard '" + name + "' is empty");
        for (std::size_t j = 0; j < i; ++j) {
            if (list[j].first == name) throw argument_error("dorm::sharded_engine: shard name '" + name + "' given twice");
            if (list[j].second == e)
                throw argument_error("dorm::sharded_engine: shards '" + list[j].first + "' and '" + name +
                                     "' are the same engine (" + e.repr() + ")");
        }
        if (e.dialect() != list[0].second.dialect())
            throw argument_error("dorm::sharded_engine: shard '" + name + "' (" + e.repr() +
                                 ") has another backend than shard '" + list[0].first + "' (" +
                                 list[0].second.repr() + "): one session speaks one SQL dialect");
    }
}

sharded_engine::sharded_engine(const sharded_engine& o) : state_(new detail::sharding_state(*o.state_)) {}

sharded_engine& sharded_engine::operator=(const sharded_engine& o) {
    if (this != &o) *state_ = *o.state_;
    return *this;
}

sharded_engine::~sharded_engine() = default;

sharded_engine& sharded_engine::key_generator(std::function<std::int64_t(const schema::table&)> next) {
    state_->key_generator = std::move(next);
    return *this;
}

sharded_engine& sharded_engine::two_phase(bool on) {
    state_->two_phase = on;
    return *this;
}

const std::vector<std::pair<std::string, engine>>& sharded_engine::shards() const noexcept { return state_->shards; }
std::size_t sharded_engine::shard_count() const noexcept { return state_->shards.size(); }
const std::function<std::int64_t(const schema::table&)>& sharded_engine::generator() const noexcept {
    return state_->key_generator;
}
bool sharded_engine::uses_two_phase() const noexcept { return state_->two_phase; }

std::vector<std::string> sharded_engine::names() const {
    std::vector<std::string> out;
    for (const auto& s : state_->shards) out.push_back(s.first);
    return out;
}

std::size_t sharded_engine::index_of_name(const std::vector<std::string>& names, std::string_view name) {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return i;
    throw argument_error("the chooser returned '" + std::string(name) + "', which is not a shard (" +
                         names_text(names) + ")");
}

sharded_engine& sharded_engine::add_rule(const schema::table* t, int column, table_rule_fn pick) {
    // the checks happen here, once, so that every caller gets an index in range or an error that
    // names the table, the column and the value
    table_rule_fn checked = [t, column, pick = std::move(pick), names = names()](const value& v) -> std::size_t {
        auto where = [&] {  // built only for an error
            return "dorm::sharded_engine: " + t->name + "." + t->columns[static_cast<std::size_t>(column)].name + " = " +
                   v.repr() + ": ";
        };
        std::size_t i = 0;
        try {
            i = pick(v);
        } catch (const dorm::error& e) {
            detail::rethrow_any_prefixed(e, where());  // the same dorm type (a value the member cannot hold: data_error)
        } catch (const std::exception& e) {
            throw argument_error(where() + "the chooser failed: " + e.what());
        } catch (...) {
            throw argument_error(where() + "the chooser failed with an exception not derived from std::exception");
        }
        if (i >= names.size())
            throw argument_error(where() + "the chooser returned shard index " +
                                 std::to_string(static_cast<std::ptrdiff_t>(i)) + " of " + std::to_string(names.size()) +
                                 " shards (" + names_text(names) + ")");
        return i;
    };
    auto& rules = state_->rules;
    auto it = std::find_if(rules.begin(), rules.end(), [&](const rule& r) { return r.table == t; });
    if (it != rules.end())
        *it = rule{t, column, std::move(checked)};  // the last rule wins
    else
        rules.push_back(rule{t, column, std::move(checked)});
    return *this;
}

const sharded_engine::rule* sharded_engine::rule_for(const schema::table* t) const noexcept {
    for (const auto& r : state_->rules)
        if (r.table == t) return &r;
    return nullptr;
}

}  // namespace dorm
