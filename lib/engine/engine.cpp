// dorm::engine and create_engine: option checks, the URL checks, and the pool behind it.
#include <dorm/engine/engine.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <utility>

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

std::string engine::repr() const { return "Engine(" + checked(impl_).url().render() + ")"; }

engine::pool_status engine::status() const { return checked(impl_).status(); }

void engine::dispose() { checked(impl_).dispose(); }

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
    return engine(std::make_shared<detail::engine_impl>(std::move(u), std::move(options)));
}

}  // namespace dorm
