// The per-connection prepared-statement cache (dorm::connection::prepare, eviction, the schema
// epoch) and dorm::statement_lease.
#include <dorm/engine/engine.hpp>

#include <utility>

#include "connection_guard.hpp"
#include "echo.hpp"
#include "engine_impl.hpp"

namespace dorm {

namespace detail {

namespace {

/// Statements cached per connection before idle ones are evicted.
constexpr std::size_t statement_cache_limit = 512;

/// Drops idle cached statements once the cache is full (leased ones stay).
void evict(pooled_connection& pc) {
    pc.last_entry_ = nullptr;
    pc.last_sql_ = {};
    for (auto it = pc.cache_.begin(); it != pc.cache_.end() && pc.cache_.size() > statement_cache_limit / 2;) {
        if (it->second.leased)
            ++it;
        else
            it = pc.cache_.erase(it);
    }
}

}  // namespace

void drop_cached_statements(pooled_connection& pc) noexcept {
    pc.last_entry_ = nullptr;
    pc.last_sql_ = {};
    std::erase_if(pc.cache_, [](const auto& entry) { return !entry.second.leased; });
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// statement_lease

void statement_lease::give_back() noexcept {
    try {
        stmt_->reset();
    } catch (...) {
        // reset() reports the last execution's error again; the statement is reset anyway
    }
    if (entry_) entry_->leased = false;
    owned_.reset();
    stmt_ = nullptr;
    entry_ = nullptr;
}

std::string statement_lease::badge() const {
    switch (badge_.k) {
        case detail::statement_badge_info::kind::generated: return detail::badge_generated(badge_.seconds);
        case detail::statement_badge_info::kind::cached: return detail::badge_cached(badge_.seconds);
        case detail::statement_badge_info::kind::none: break;
    }
    return {};
}

statement_lease connection::prepare(std::string_view sql) {
    auto& pc = detail::checked(impl_);
    detail::engine_impl::clock::time_point started{};
    if (pc.echo_) started = detail::engine_impl::clock::now();
    auto badge = [&] {
        return pc.echo_ ? pc.engine_->statement_badge(sql, started) : detail::statement_badge_info{};
    };

    if (pc.last_entry_ && !pc.last_entry_->leased && sql == pc.last_sql_) {
        pc.last_entry_->leased = true;
        return statement_lease(pc.last_entry_->stmt.get(), pc.last_entry_, nullptr, badge());
    }
    if (auto it = pc.cache_.find(sql); it != pc.cache_.end()) {
        auto& entry = it->second;
        if (!entry.leased) {
            entry.leased = true;
            pc.last_sql_ = it->first;
            pc.last_entry_ = &entry;
            return statement_lease(entry.stmt.get(), &entry, nullptr, badge());
        }
        // Still leased (a result is being read): a temporary statement, not cached.
        auto stmt = detail::guarded(pc, [&] { return pc.conn_->prepare(sql); });
        auto* raw = stmt.get();
        return statement_lease(raw, nullptr, stmt.release(), badge());
    }
    auto stmt = detail::guarded(pc, [&] { return pc.conn_->prepare(sql); });
    if (pc.cache_.size() >= detail::statement_cache_limit) detail::evict(pc);
    auto [it, inserted] = pc.cache_.try_emplace(std::string(sql));
    it->second.stmt = std::move(stmt);
    it->second.leased = true;
    pc.last_sql_ = it->first;
    pc.last_entry_ = &it->second;
    return statement_lease(it->second.stmt.get(), &it->second, nullptr, badge());
}

void connection::schema_changed() noexcept {
    if (!impl_) return;
    if (impl_->engine_) {
        impl_->engine_->schema_changed();
        impl_->schema_epoch_ = impl_->engine_->schema_epoch();
    }
    detail::drop_cached_statements(*impl_);
}

}  // namespace dorm
