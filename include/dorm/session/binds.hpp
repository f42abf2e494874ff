#pragma once
/// @file dorm/session/binds.hpp
/// dorm::binds: which engine each model's statements go to (SQLAlchemy's Session(binds={...})).
///
///     dorm::session s(dorm::binds{.default_engine = main_db}.bind<Invoice, Payment>(billing_db));
#include <cstddef>
#include <utility>
#include <vector>

#include <dorm/detail/lazy.hpp>
#include <dorm/engine/engine.hpp>
#include <dorm/schema/table_of.hpp>

namespace dorm {

/// The engines of a session: `default_engine` for every model not bound to another one.
/// All engines must be of the same backend (one SQL dialect per session). (Used as dorm::binds:
/// a template only so that a program that never binds does not compile its container; see
/// dorm/detail/lazy.hpp.)
template <class V = void>
struct basic_binds {
    engine default_engine;
    /// A commit that spans several engines prepares each transaction first (PostgreSQL PREPARE
    /// TRANSACTION; the servers need max_prepared_transactions > 0), then commits them: a failed
    /// prepare rolls every engine back. Without it the engines commit one after the other, and a
    /// failed commit says which engines had committed already.
    bool two_phase = false;
    /// (table, engine) pairs added by bind<T...>().
    std::vector<std::pair<const schema::table*, detail::lazy_t<engine, V>>> tables{};

    /// The statements of models T... (their tables) go to `e`.
    template <class... T>
    basic_binds& bind(const engine& e) & {
        (tables.emplace_back(&table_of<T>(), e), ...);
        return *this;
    }
    template <class... T>
    basic_binds&& bind(const engine& e) && {
        (tables.emplace_back(&table_of<T>(), e), ...);
        return std::move(*this);
    }
};
using binds = basic_binds<>;

}  // namespace dorm
