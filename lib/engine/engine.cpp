// dorm::engine and create_engine: option checks, the URL checks, and the pool behind it.
#include <dorm/engine/engine.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <dorm/error.hpp>

#include "engine_impl.hpp"

namespace dorm {

// ---------------------------------------------------------------------------------------------
// engine

namespace {

detail::engine_impl& checked(const std::shared_ptr<detail::engine_impl>& impl) {
    if (!impl) throw argument_error("dorm::engine: this engine is empty (create one with dorm::create_engine)");
    return *impl;
}

}  // namespace

dorm::dialect engine::dialect() const { return checked(impl_).dialect(); }

const dorm::url& engine::url() const { return checked(impl_).url(); }

const engine_options& engine::options() const { return checked(impl_).options(); }

connection engine::connect() const { return connection(checked(impl_).checkout()); }

connection engine::connect_for_read() const { return connection(checked(impl_).checkout_for_read()); }

std::size_t engine::replica_count() const { return checked(impl_).replica_count(); }

engine::pool_status engine::replica_status(std::size_t i) const { return checked(impl_).replica(i).status(); }

std::string engine::repr() const { return "Engine(" + checked(impl_).url().render() + ")"; }

engine::pool_status engine::status() const { return checked(impl_).status(); }

void engine::dispose() { checked(impl_).dispose(); }

namespace {

/// The URL checks create_engine makes for the primary and for each replica.
void check_engine_url(const url& u) {
    // as SQLAlchemy's pysqlite dialect: `sqlite://file.db` (two slashes) names a host, which would
    // silently give an in-memory database
    if (u.backend == "sqlite" && (u.username || u.password || u.host || u.port))
        throw argument_error("Invalid SQLite URL: " + u.render() +
                             "\nValid SQLite URL forms are:\n"
                             " sqlite:///:memory: (or, sqlite://)\n"
                             " sqlite:///relative/path/to/file.db\n"
                             " sqlite:////absolute/path/to/file.db");
    // a backend this build has no driver for, an unknown or malformed parameter: an error now,
    // not at first use
    driver::check_url(u);
}

}  // namespace

engine create_engine(std::string_view url_text, engine_options options) {
    auto u = url::parse(url_text);
    if (options.isolation) check_isolation(u.dialect(), *options.isolation, "create_engine");
    if (options.pool_size < 1)
        throw argument_error("create_engine: pool_size must be at least 1 (got " + std::to_string(options.pool_size) +
                             ")");
    if (options.max_overflow < 0)
        throw argument_error("create_engine: max_overflow must not be negative (got " +
                             std::to_string(options.max_overflow) + ")");
    if (!(options.pool_timeout > 0))
        throw argument_error("create_engine: pool_timeout must be a positive number of seconds");
    if (!(options.statement_timeout >= 0) || !std::isfinite(options.statement_timeout))
        throw argument_error("create_engine: statement_timeout must be a finite number of seconds, 0 for no limit "
                             "(got " + std::to_string(options.statement_timeout) + ")");
    if (!(options.replica_retry_interval >= 0) || !std::isfinite(options.replica_retry_interval))
        throw argument_error("create_engine: replica_retry_interval must be a finite number of seconds (got " +
                             std::to_string(options.replica_retry_interval) + ")");
    check_engine_url(u);

    std::vector<url> replica_urls;
    for (const std::string& text : options.replicas) {
        auto r = url::parse(text);
        if (r.backend != u.backend)
            throw argument_error("create_engine: the replica " + r.render() + " is a " + r.backend +
                                 " URL; the replicas of " + u.render() + " must be " + u.backend + " URLs too");
        if (r.is_memory())
            throw argument_error("create_engine: the replica " + r.render() +
                                 " is an in-memory SQLite database, which nothing replicates to");
        check_engine_url(r);
        replica_urls.push_back(std::move(r));
    }
    engine_options replica_options = options;
    replica_options.replicas.clear();
    replica_options.pool_pre_ping = true;  // a replica that went away is found at checkout

    auto impl = std::make_shared<detail::engine_impl>(std::move(u), std::move(options));
    for (auto& r : replica_urls)
        impl->add_replica(std::make_shared<detail::engine_impl>(std::move(r), replica_options));
    return engine(std::move(impl));
}

}  // namespace dorm
