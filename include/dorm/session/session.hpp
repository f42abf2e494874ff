#pragma once
/// @file dorm/session/session.hpp
/// dorm::session: identity map and unit of work.
///
///     dorm::session session(engine);
///     auto alice = session.add(User{.name = "Alice", .age = 30});   // std::shared_ptr<User>
///     session.commit();                                               // INSERT; alice->id is set
///     alice->age = 31;                                                // tracked by snapshot
///     session.commit();                                               // UPDATE ... SET age=?
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>

#include <dorm/detail/owned_ptr.hpp>
#include <dorm/detail/ranges_fwd.hpp>
#include <dorm/engine/engine.hpp>
#include <dorm/error.hpp>
#include <dorm/query/dml.hpp>
#include <dorm/query/execute.hpp>
#include <dorm/query/result.hpp>
#include <dorm/query/text.hpp>
#include <dorm/query/select.hpp>
#include <dorm/session/detail/record_t.hpp>
#include <dorm/session/detail/session_impl.hpp>
#include <dorm/session/detail/wiring.hpp>
#include <dorm/session/loaders.hpp>
#include <dorm/session/detail/shard_merge.hpp>
#include <dorm/session/sharded_engine.hpp>

namespace dorm {

namespace detail {

/// Throws argument_error for a null object (`type` empty), else invalid_request_error ("the
/// <type> object is not in this session") for session.<what>().
[[noreturn]] void throw_not_in_session(const char* what, std::string_view type);

template <class T>
std::shared_ptr<T> read_entity_row(driver::statement& s, void* session) {
    return load_entity<T>(s, static_cast<session_impl*>(session));
}

/// The rows of a locking (or populate_existing) SELECT overwrite the objects already in the session.
template <class T>
std::shared_ptr<T> read_entity_row_populating(driver::statement& s, void* session) {
    populate_scope scope(*static_cast<session_impl*>(session));
    return load_entity<T>(s, static_cast<session_impl*>(session));
}
template <class U>
std::shared_ptr<void> read_entity_erased_populating(driver::statement& s, session_impl* session, int first) {
    populate_scope scope(*session);
    return read_entity_erased<U>(s, session, first);
}

/// A select<A, B, ...>() row through the identity map; an outer-joined struct without a
/// matching row is a null pointer.
template <class Row>
typename entities_rows<Row>::session_row read_entities_row(driver::statement& s, void* session) {
    using R = entities_rows<Row>;
    typename R::session_row row;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using T = typename std::tuple_element_t<I, typename R::session_row>::element_type;
                const int first = R::offsets[I];
                if (entity_part_is_null<T>(s, first)) return;
                std::get<I>(row) = load_entity<T>(s, static_cast<session_impl*>(session), first);
            }(),
            ...);
    }(std::make_index_sequence<std::tuple_size_v<typename R::session_row>>{});
    return row;
}

template <class Row>
typename entities_rows<Row>::session_row read_entities_row_populating(driver::statement& s, void* session) {
    populate_scope scope(*static_cast<session_impl*>(session));
    return read_entities_row<Row>(s, session);
}

/// The row type a session's result has for a select's Row (select<A, B>(): shared_ptrs).
template <class Row, bool = is_entities<Row>::value>
struct session_row_of {
    using type = Row;
};
template <class Row>
struct session_row_of<Row, true> {
    using type = typename entities_rows<Row>::session_row;
};

template <class T, class... K>
identity_key key_from_values(const K&... pk) {
    using m = model<T>;
    static_assert(sizeof...(K) == m::pk_count,
                  "dorm: get<T>(key...) takes one value per primary-key column of T");
    identity_key k;
    k.table = &table_of<T>();
    if constexpr (m::pk_count == 1 && std::is_integral_v<member_of<typename m::template column<m::pk[0]>>>) {
        static_assert((std::is_integral_v<K> && ...), "dorm: get<T>(key): T's primary key is an integer");
        ((k.i = static_cast<std::int64_t>(pk)), ...);
    } else {
        std::size_t i = 0;
        auto part = [&](const auto& v) {
            boost::mp11::mp_with_index<m::pk_count>(i++, [&](auto I) {
                using M = member_of<typename m::template column<m::pk[I]>>;
                if constexpr (std::is_constructible_v<M, const std::remove_cvref_t<decltype(v)>&>)
                    append_key_part(k.s, column_traits<M>::to_value(M(v)));
                else
                    throw argument_error("dorm: get<T>(key...): a key value has the wrong type");
            });
        };
        (part(pk), ...);
    }
    return k;
}

}  // namespace detail

/// Tag for session.execute(stmt, dorm::on_primary) / scalars(stmt, dorm::on_primary): the read
/// goes to the engine's primary even when the engine has read replicas (read-your-writes after a
/// commit, whose rows a replica may not have yet).
struct on_primary_t {
    struct make {};
    /// Not default-constructible, so `execute(stmt, {})` still means no bind parameters.
    explicit constexpr on_primary_t(make) noexcept {}
};
inline constexpr on_primary_t on_primary{on_primary_t::make{}};

/// session.execute(stmt, dorm::on_shard("eu")) / scalars(...): in a session over a
/// dorm::sharded_engine, the SELECT runs on that shard only, whatever its WHERE names (as
/// SQLAlchemy's execution_options(shard_id=...)): per-shard aggregates, rows of a model that has
/// no shard rule. @throws argument_error for a name that is not a shard; invalid_request_error in
/// a session that is not sharded.
class on_shard_t {
public:
    const std::string& name() const noexcept { return name_; }

private:
    struct make {};
    // not constructible from a braced list: `execute(stmt, {{"id", 5}})` stays the bindparam overload
    on_shard_t(make, std::string name) : name_(std::move(name)) {}
    friend on_shard_t on_shard(std::string name);
    std::string name_;
};
inline on_shard_t on_shard(std::string name) { return on_shard_t(on_shard_t::make{}, std::move(name)); }

/// Options of a session (designated initializers: `dorm::session s(engine, {.isolation = ...})`).
struct session_options {
    /// The isolation level of the session's transactions (none: the engine's). A level the
    /// backend does not have is an argument_error (see dorm/engine/isolation.hpp).
    std::optional<dorm::isolation> isolation{};
    /// Flush before each query (as SQLAlchemy's autoflush=True).
    bool autoflush = true;
};

/// A unit of work over one engine (or several: dorm::binds): identity map, change tracking, one
/// transaction at a time. Not thread-safe: use one session per thread. Destroying it rolls back what was not committed.
class session {
public:
    explicit session(const engine& e, const session_options& options = {})
        : impl_(new detail::session_impl(e, options.isolation)) {
        impl_->autoflush_enabled = options.autoflush;
    }
    /// A session over several engines: each model's statements, and its part of a flush, go to
    /// the engine `b` binds it to (else b.default_engine); commit() commits each engine's
    /// transaction (see dorm::binds::two_phase). One SELECT reads the tables of one engine.
    /// @throws argument_error for an empty engine or engines of different backends.
    explicit session(const binds& b, const session_options& options = {})
        : impl_(new detail::session_impl(b, options.isolation)) {
        impl_->autoflush_enabled = options.autoflush;
    }
    /// A session over a dorm::sharded_engine: each new object is written to the shard its table's
    /// rule picks, get<T>(pk) and queries read the shards that can hold their rows (all of them
    /// when the WHERE does not name the shard key) and merge the rows; lazy loads read the owner's
    /// shard. commit() commits each shard's transaction (not atomically across shards unless
    /// two_phase). Raw SQL (text(), connection()) goes to the first shard.
    explicit session(const sharded_engine& e, const session_options& options = {})
        : impl_(new detail::session_impl(e, options.isolation)) {
        impl_->autoflush_enabled = options.autoflush;
    }
    session(session&&) noexcept = default;
    session& operator=(session&&) noexcept = default;
    ~session() = default;

    /// Adds a new object (moved or copied into the session); returns the session's shared_ptr to it.
    template <class T>
        requires(!detail::is_shared_ptr<std::remove_cvref_t<T>>::value)
    std::shared_ptr<std::remove_cvref_t<T>> add(T&& obj) {
        using U = std::remove_cvref_t<T>;
        impl_->check_usable();
        std::shared_ptr<detail::record_base> rec;
        if constexpr (std::is_rvalue_reference_v<T&&> && !std::is_const_v<std::remove_reference_t<T>>) {
            rec = detail::new_record<U>(detail::record_source::move, std::addressof(obj));
        } else {
            U copy(obj);
            rec = detail::new_record<U>(detail::record_source::move, std::addressof(copy));
        }
        impl_->add(rec);
        U* object = static_cast<U*>(rec->object());
        return std::shared_ptr<U>(std::move(rec), object);  // shares the record's ownership
    }
    /// Adds an object you already hold (no copy). Adding an object twice is a no-op.
    template <class T>
    std::shared_ptr<T> add(std::shared_ptr<T> obj) {
        if (!obj) throw argument_error("dorm: session.add(nullptr)");
        impl_->check_usable();
        if (auto* r = find(obj)) {
            impl_->add(r->shared_from_this());
            return obj;
        }
        std::shared_ptr<void> erased = obj;
        if (auto rec = detail::detached_records::find(erased, &detail::layout_of<T>())) {
            impl_->add(rec);  // it left a session with a row: it comes back persistent (UPDATEs)
            return obj;
        }
        impl_->add(detail::new_record<T>(detail::record_source::external, &erased));
        return obj;
    }
    /// Adds every object of a range of std::shared_ptr<T>.
    template <std::ranges::input_range R>
    void add_all(const R& objects) {
        for (const auto& o : objects) add(o);
    }
    /// Adds every object of a braced list: `session.add_all({alice, bob, carol})`.
    template <class T>
    void add_all(std::initializer_list<std::shared_ptr<T>> objects) {
        for (const auto& o : objects) add(o);
    }

    /// The object with this primary key: from the identity map without SQL, else one SELECT;
    /// null when there is no such row.
    template <class T, class... K>
    std::shared_ptr<T> get(const K&... pk) {
        impl_->check_usable();
        const detail::identity_key k = detail::key_from_values<T>(pk...);
        if (impl_->sharded()) {
            const value params[] = {detail::to_param<K>(pk)...};
            return std::static_pointer_cast<T>(detail::get_on_shards(*impl_, k, params, &detail::read_entity_erased<T>));
        }
        if (detail::record_base* r = impl_->find(k)) {
            if (r->state == detail::object_state::deleted) return nullptr;
            impl_->watch(r);
            return std::static_pointer_cast<T>(r->object_ptr());
        }
        impl_->autoflush();
        const value params[] = {detail::to_param<K>(pk)...};  // outlives the lease (declared first)
        auto lease = impl_->run(impl_->select_by_pk_sql(table_of<T>()), params, impl_->slot_of(&table_of<T>()));
        if (!lease->step()) return nullptr;
        return detail::load_entity<T>(*lease, impl_.get());
    }

    /// Marks a persistent object for DELETE at the next flush (a pending one is just expunged).
    /// @throws invalid_request_error when the object is not in this session.
    template <class T>
    void remove(const std::shared_ptr<T>& obj) {
        impl_->check_usable();
        impl_->remove(require(obj, "remove"));
    }
    /// Begins the session's transaction now (it otherwise begins with the first statement), at the
    /// session's isolation level.
    /// @throws invalid_request_error when a transaction is already open.
    void begin() { impl_->begin(std::nullopt); }
    /// Begins the session's transaction now at `level` (this transaction only; the next one has
    /// the session's level again).
    /// @throws invalid_request_error when a transaction is already open; argument_error when the
    ///         backend has no such level.
    void begin(dorm::isolation level) { impl_->begin(level); }
    /// Whether a transaction is open.
    bool in_transaction() const noexcept { return impl_->in_transaction(); }
    /// Writes pending changes (one transaction, kept open until commit/rollback).
    void flush() { impl_->flush(); }
    /// Flushes and commits.
    void commit() { impl_->commit(); }
    /// Rolls back: objects added in the transaction leave the session, removed ones come back,
    /// changed ones get their last committed values back.
    void rollback() noexcept { impl_->rollback(); }
    /// Rolls back and detaches every object.
    void close() noexcept { impl_->close(); }

    /// Re-reads the object's row, discarding its unflushed changes; so are the related objects
    /// its loaded relationships reach along a "refresh-expire" cascade (`dorm::cascade("all")`).
    template <class T>
    void refresh(const std::shared_ptr<T>& obj) {
        impl_->check_usable();
        impl_->refresh(require(obj, "refresh"));
    }
    /// Detaches the object from the session (its changes are no longer tracked), with the related
    /// objects its loaded relationships reach along an "expunge" cascade (`dorm::cascade("all")`).
    template <class T>
    void expunge(const std::shared_ptr<T>& obj) {
        impl_->expunge(require(obj, "expunge"));
    }
    void expunge_all() noexcept { impl_->expunge_all(); }

    /// Whether the object belongs to this session.
    template <class T>
    bool contains(const std::shared_ptr<T>& obj) const {
        return obj && find(obj) != nullptr;
    }
    /// Whether a flush would write something for this object.
    template <class T>
    bool is_modified(const std::shared_ptr<T>& obj) const {
        auto* r = find(obj);
        return r && impl_->is_modified(r);
    }

    /// Runs a SELECT (after an autoflush). Entity rows are the session's objects.
    template <class Row, class Tables, bool G, class C>
    auto execute(const select_stmt<Row, Tables, G, C>& stmt) {
        return execute_select(stmt, nullptr);
    }
    /// Runs a SELECT with the values of its dorm::bindparam()s: `execute(stmt, {{"id", 5}})`.
    template <class Row, class Tables, bool G, class C>
    auto execute(const select_stmt<Row, Tables, G, C>& stmt, const bind_values& params) {
        const named_params named = params.view();
        return execute_select(stmt, &named);
    }
    /// execute(stmt) on the engine's primary, also when the engine has read replicas (its eager
    /// loads too; lazy loads later follow the session's routing).
    template <class Row, class Tables, bool G, class C>
    auto execute(const select_stmt<Row, Tables, G, C>& stmt, on_primary_t) {
        detail::primary_scope primary(*impl_);
        return execute_select(stmt, nullptr);
    }
    /// execute(stmt, params) on the engine's primary.
    template <class Row, class Tables, bool G, class C>
    auto execute(const select_stmt<Row, Tables, G, C>& stmt, const bind_values& params, on_primary_t) {
        detail::primary_scope primary(*impl_);
        const named_params named = params.view();
        return execute_select(stmt, &named);
    }
    /// execute(stmt) on one shard of a sharded session (dorm::on_shard).
    template <class Row, class Tables, bool G, class C>
    auto execute(const select_stmt<Row, Tables, G, C>& stmt, const on_shard_t& shard) {
        detail::chosen_shard_scope only(*impl_, shard.name());
        return execute_select(stmt, nullptr);
    }
    /// execute(stmt, params) on one shard of a sharded session.
    template <class Row, class Tables, bool G, class C>
    auto execute(const select_stmt<Row, Tables, G, C>& stmt, const bind_values& params, const on_shard_t& shard) {
        detail::chosen_shard_scope only(*impl_, shard.name());
        const named_params named = params.view();
        return execute_select(stmt, &named);
    }
    /// Bulk UPDATE: objects of T already in the session are re-read from their rows.
    template <class T>
    dml_result execute(const update_stmt<T>& stmt) {
        return dml_result(impl_->bulk_update(stmt.ast()));
    }
    /// Bulk DELETE: objects of T whose rows it deletes leave the session (a rollback brings them back).
    template <class T>
    dml_result execute(const delete_stmt<T>& stmt) {
        return dml_result(impl_->bulk_delete(stmt.ast()));
    }
    /// Bulk INSERT (many rows per statement, under the backend's parameter limit); the objects are
    /// not added to the session.
    template <class T>
    dml_result execute(const insert_stmt<T>& stmt) {
        impl_->check_usable();
        return dml_result(
            impl_->bulk_insert(stmt.statements(impl_->connection(impl_->slot_of(&table_of<T>())).raw().max_params())));
    }
    /// Raw SQL with rows (after an autoflush).
    template <class Row>
        requires(!std::is_void_v<Row>)
    result<Row> execute(const text_stmt<Row>& stmt) {
        impl_->check_usable();
        impl_->autoflush();
        compiled c = compile(stmt, impl_->dialect());
        // raw SQL may write (INSERT ... RETURNING): never to a replica
        auto lease = impl_->run_on_primary(c.sql, c.params);
        return result<Row>(std::move(lease), &detail::read_text_row<Row>, nullptr, std::move(c.params));
    }
    /// Raw SQL without rows (after an autoflush).
    dml_result execute(const text_stmt<void>& stmt) {
        impl_->check_usable();
        impl_->autoflush();
        return dml_result(impl_->execute_compiled(compile(stmt, impl_->dialect())));
    }

    /// execute(stmt).scalars(): the rows' first columns (for select<T>(), the objects), as a
    /// scalar_result: `.all()`, `.first()`, `.one()`, `.one_or_none()`, range-for.
    template <class Row, class Tables, bool G, class C>
    auto scalars(const select_stmt<Row, Tables, G, C>& stmt) {
        return execute(stmt).scalars();
    }
    /// scalars(stmt) on the engine's primary, also when the engine has read replicas.
    template <class Row, class Tables, bool G, class C>
    auto scalars(const select_stmt<Row, Tables, G, C>& stmt, on_primary_t) {
        return execute(stmt, on_primary).scalars();
    }

    /// scalars(stmt) on one shard of a sharded session (dorm::on_shard).
    template <class Row, class Tables, bool G, class C>
    auto scalars(const select_stmt<Row, Tables, G, C>& stmt, const on_shard_t& shard) {
        return execute(stmt, shard).scalars();
    }

    /// Disables autoflush while the returned guard lives.
    class no_autoflush_guard {
    public:
        explicit no_autoflush_guard(detail::session_impl& s) : s_(s), old_(s.autoflush_enabled) {
            s.autoflush_enabled = false;
        }
        ~no_autoflush_guard() { s_.autoflush_enabled = old_; }
        no_autoflush_guard(const no_autoflush_guard&) = delete;
        no_autoflush_guard& operator=(const no_autoflush_guard&) = delete;

    private:
        detail::session_impl& s_;
        bool old_;
    };
    [[nodiscard]] no_autoflush_guard no_autoflush() { return no_autoflush_guard(*impl_); }

    /// The session's connection to its (default) engine (checked out, in a transaction).
    dorm::connection& connection() { return impl_->connection(); }
    const dorm::engine& engine() const { return impl_->get_engine(); }
    /// Number of objects in the session.
    std::size_t size() const noexcept { return impl_->size(); }

private:
    template <class Row, class Tables, bool G, class C>
    auto execute_select(const select_stmt<Row, Tables, G, C>& stmt, const named_params* named) {
        impl_->check_usable();
        impl_->autoflush();
        if (impl_->sharded()) return execute_on_shards(stmt, named);
        const auto [slot, populate] = impl_->plan_select(stmt.lazy_ast());  // dorm::binds, FOR UPDATE
        if constexpr (is_entity<Row>::value) {
            using T = typename Row::type;
            if (stmt.loaders() && !stmt.loaders()->empty())  // eager loaders: read everything now
                return result<std::shared_ptr<T>>(detail::materialized_objects{detail::load_objects(
                    *impl_, stmt.ast(), *stmt.loaders(),
                    populate ? &detail::read_entity_erased_populating<T> : &detail::read_entity_erased<T>,
                    detail::row_sink{}, named)});
        }
        std::vector<value> params = detail::take_params();
        // two statements: run(sql, params) would make its span of `params` before the SQL is
        // compiled into it (function arguments are evaluated in no fixed order; g++ goes right to left)
        const std::string& sql = detail::compile_select_sql(stmt.lazy_ast(), impl_->dialect(), params, named);
        auto lease = impl_->run(sql, params, slot);
        if constexpr (is_entity<Row>::value) {
            using T = typename Row::type;
            return result<std::shared_ptr<T>>(
                std::move(lease), populate ? &detail::read_entity_row_populating<T> : &detail::read_entity_row<T>,
                impl_.get(), std::move(params));
        } else if constexpr (is_entities<Row>::value) {
            return result<typename detail::entities_rows<Row>::session_row>(
                std::move(lease),
                populate ? &detail::read_entities_row_populating<Row> : &detail::read_entities_row<Row>,
                impl_.get(), std::move(params));
        } else {
            return result<Row>(std::move(lease), &detail::read_value_row<Row>, nullptr, std::move(params));
        }
    }

    /// execute_select in a sharded session: the rows of every shard the statement names, read
    /// now, merged (detail::select_on_shards).
    template <class Row, class Tables, bool G, class C>
    auto execute_on_shards(const select_stmt<Row, Tables, G, C>& stmt, const named_params* named) {
        const ast::select& tree = stmt.ast();
        const bool populate = tree.lock.mode != ast::row_lock::strength::none || tree.populate_existing;
        if constexpr (is_entity<Row>::value) {
            using T = typename Row::type;
            static const std::vector<detail::loader_node> no_loaders;
            return result<std::shared_ptr<T>>(detail::materialized_objects{detail::load_on_shards(
                *impl_, tree, stmt.loaders() ? *stmt.loaders() : no_loaders,
                populate ? &detail::read_entity_erased_populating<T> : &detail::read_entity_erased<T>, named)});
        } else {
            using R = typename detail::session_row_of<Row>::type;
            struct reading {
                std::vector<R> rows;
                void* session;
                R (*read)(driver::statement&, void*);
            } r{{}, nullptr, nullptr};
            if constexpr (is_entities<Row>::value) {
                r.session = impl_.get();
                r.read = populate ? &detail::read_entities_row_populating<Row> : &detail::read_entities_row<Row>;
            } else {
                r.read = &detail::read_value_row<Row>;
            }
            const std::vector<std::size_t> order = detail::select_on_shards(
                *impl_, tree, named,
                [](void* c, driver::statement& st) {
                    auto* x = static_cast<reading*>(c);
                    x->rows.push_back(x->read(st, x->session));
                },
                &r);
            std::vector<R> out;
            out.reserve(order.size());
            for (std::size_t i : order) out.push_back(std::move(r.rows[i]));
            return result<R>(std::move(out));
        }
    }

    template <class T>
    detail::record_base* find(const std::shared_ptr<T>& obj) const {
        detail::identity_key k;
        bool keyed = detail::key_of(*obj, k);
        return impl_->find_object(obj.get(), keyed ? &k : nullptr);
    }
    template <class T>
    detail::record_base* require(const std::shared_ptr<T>& obj, const char* what) const {
        static constexpr std::string_view type = detail::type_name<T>();
        if (!obj) detail::throw_not_in_session(what, {});
        auto* r = find(obj);
        if (!r) detail::throw_not_in_session(what, type);
        return r;
    }

    detail::owned_ptr<detail::session_impl> impl_;
};

}  // namespace dorm
