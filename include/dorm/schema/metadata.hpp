#pragma once
/// @file dorm/schema/metadata.hpp
/// dorm::metadata<Ts...>: a set of mapped structs whose tables are created and dropped together.
#include <array>
#include <string>

#include <dorm/engine/engine.hpp>
#include <dorm/schema/ddl.hpp>
#include <dorm/schema/diff.hpp>
#include <dorm/schema/table_of.hpp>

namespace dorm {

/// The tables of the mapped structs Ts.
///
///     inline dorm::metadata<User, Profile, Comment> Base;
///     Base.create_all(engine);   // parents first, skips tables that exist
template <class... Ts>
class metadata {
public:
    /// Creates the tables that do not exist yet, parents before children, in one transaction.
    void create_all(const engine& e) const { schema::create_all(e, tables()); }
    /// Drops the tables that exist, children before parents.
    void drop_all(const engine& e) const { schema::drop_all(e, tables()); }
    /// The CREATE statements for a dialect (to inspect or hand to a DBA).
    std::string ddl(dialect d) const { return schema::ddl(tables(), d); }
    /// What differs between these models and the engine's database, a dorm::schema_diff (see
    /// dorm/schema/diff.hpp; `auto` only so that a program that never diffs does not compile it).
    auto diff(const engine& e, const diff_options& options = {}) const {
        auto t = tables();
        return schema::diff(e, t, options);
    }
    /// Brings the engine's database up to these models when that loses nothing: creates tables,
    /// adds columns, indexes and constraints, widens types, in one transaction where the backend
    /// allows. Returns the dorm::schema_diff it applied. @throws migration_error listing every lossy
    /// operation; then nothing was changed.
    auto upgrade(const engine& e, const diff_options& options = {}) const {
        auto t = tables();
        return schema::upgrade(e, t, options);
    }
    /// The tables, in the order given.
    std::array<const schema::table*, sizeof...(Ts)> tables() const { return {&table_of<Ts>()...}; }
};

}  // namespace dorm
