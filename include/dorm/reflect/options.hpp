#pragma once
/// @file dorm/reflect/options.hpp
/// Column and relationship options for DORM_TABLE: primary_key, varchar(n), unique, index,
/// nullable, default_value(v), server_default("sql"), check("sql"), foreign_key(&T::pk),
/// on_delete(action), on_update(action), column_name("..."), version, back_populates("..."),
/// cascade("..."), secondary<Assoc>; and the table-level entries of `(table_args, ...)`:
/// unique(&T::a, &T::b), index(...), unique_index(...), check("sql").
#include <cstddef>
#include <string_view>
#include <type_traits>

#include <dorm/reflect/spec_tuple.hpp>

namespace dorm {

namespace detail {
/// Base of the options of a DORM_TABLE member entry `(member, options...)`.
struct option_tag {};
/// Base of the entries of a DORM_TABLE `(table_args, ...)` entry (dorm::check is both).
struct table_option_tag {};

enum class column_set_kind : unsigned char { unique, index, unique_index };

/// `dorm::unique(&T::a, &T::b)`, `dorm::index("name", &T::a)`, `dorm::unique_index(...)` in a
/// `(table_args, ...)` entry: a UNIQUE constraint or an index over one or more columns.
template <column_set_kind K, class... P>
struct column_set_t : table_option_tag {
    static constexpr column_set_kind kind = K;
    const char* name;  ///< nullptr: dorm names it (uq_<table>_<columns> / ix_<table>_<columns>)
    spec_tuple<P...> members;
};

template <class A>
inline constexpr bool is_name_arg = std::is_convertible_v<A, const char*> && !std::is_member_pointer_v<A>;

template <column_set_kind K, class... P>
constexpr column_set_t<K, P...> make_column_set(const char* name, P... p) {
    static_assert(sizeof...(P) > 0,
                  "dorm: dorm::unique(...), dorm::index(...) and dorm::unique_index(...) name one or more columns: "
                  "dorm::unique(&T::a, &T::b), optionally after a name: dorm::unique(\"uq_name\", &T::a)");
    static_assert((std::is_member_object_pointer_v<P> && ...),
                  "dorm: dorm::unique(...), dorm::index(...) and dorm::unique_index(...) take data member pointers "
                  "(&T::member), optionally after a name string");
    if (name && !*name) throw "dorm::unique / dorm::index: the name cannot be empty";
    return column_set_t<K, P...>{{}, name, spec_tuple<P...>{p...}};
}
template <column_set_kind K, class A, class... P>
constexpr auto make_column_set(A first, P... rest) {
    if constexpr (is_name_arg<A>)
        return make_column_set<K>(static_cast<const char*>(first), rest...);
    else
        return make_column_set<K>(static_cast<const char*>(nullptr), first, rest...);
}
}  // namespace detail

/// The column is (part of) the primary key.
struct primary_key_t : detail::option_tag {};
inline constexpr primary_key_t primary_key{};

/// A UNIQUE constraint on the column: `(email, dorm::unique)`. Called, it is a table-level
/// UNIQUE constraint over several columns for a `(table_args, ...)` entry:
/// `dorm::unique(&Book::author_id, &Book::title)` or `dorm::unique("uq_name", &Book::a, &Book::b)`.
struct unique_t : detail::option_tag {
    template <class A, class... P>
    constexpr auto operator()(A first, P... rest) const {
        return detail::make_column_set<detail::column_set_kind::unique>(first, rest...);
    }
};
inline constexpr unique_t unique{};

/// A separate CREATE INDEX on the column: `(year, dorm::index)`. Called, it is a table-level
/// index over several columns for a `(table_args, ...)` entry: `dorm::index(&Book::year, &Book::title)`
/// or `dorm::index("ix_name", &Book::title)`.
struct index_t : detail::option_tag {
    template <class A, class... P>
    constexpr auto operator()(A first, P... rest) const {
        return detail::make_column_set<detail::column_set_kind::index>(first, rest...);
    }
};
inline constexpr index_t index{};

/// A CREATE UNIQUE INDEX over one or more columns, for a `(table_args, ...)` entry only:
/// `dorm::unique_index(&Book::isbn)`, `dorm::unique_index("ux_name", &Book::a, &Book::b)`.
struct unique_index_t {
    template <class A, class... P>
    constexpr auto operator()(A first, P... rest) const {
        return detail::make_column_set<detail::column_set_kind::unique_index>(first, rest...);
    }
};
inline constexpr unique_index_t unique_index{};

/// The column accepts NULL even though the member is not std::optional.
struct nullable_t : detail::option_tag {};
inline constexpr nullable_t nullable{};

/// The column is the row's version counter (optimistic concurrency, SQLAlchemy's version_id_col):
/// an INSERT writes 1, every UPDATE and DELETE of the object by a flush matches the version it
/// read (`AND version = ?`) and an UPDATE increments it; a row that matched nothing raises
/// dorm::stale_data_error. The member must be a plain integer (not bool, not std::optional, not
/// part of the primary key), at most one per table. dorm owns its value: what the user writes
/// into it is overwritten by the flush.
struct version_t : detail::option_tag {};
inline constexpr version_t version{};

/// VARCHAR(n) instead of an unbounded text column.
struct varchar_t : detail::option_tag {
    int length;
};
/// `dorm::varchar(30)`: a string column of at most n characters.
constexpr varchar_t varchar(int n) {
    if (n <= 0) throw "dorm::varchar(n) needs a positive length";  // a compile error in constant evaluation
    return varchar_t{{}, n};
}

/// The SQL name of the column when it differs from the member name.
struct column_name_t : detail::option_tag {
    const char* name;
};
constexpr column_name_t column_name(const char* name) { return column_name_t{{}, name}; }

/// A CHECK constraint (SQL, written as the database should see it, quoting included). As a
/// column option `(price, dorm::check("price >= 0"))` it is named `ck_<table>_<column>`; in a
/// `(table_args, ...)` entry `dorm::check("year > 0 AND year < 3000")` it is named
/// `ck_<table>_<n>` (n: its 1-based position among the table's unnamed table-level checks).
/// `dorm::check("a < b", "ck_name")` names it.
struct check_t : detail::option_tag, detail::table_option_tag {
    const char* expression;
    const char* name;  ///< nullptr: dorm names it
};
constexpr check_t check(const char* expression, const char* name = nullptr) {
    if (!expression || !*expression) throw "dorm::check(expression) needs a non-empty SQL expression";
    if (name && !*name) throw "dorm::check(expression, name): the name cannot be empty";
    return check_t{{}, {}, expression, name};
}

/// A server-side default given as an SQL expression, printed as written:
/// `(created_at, dorm::server_default("CURRENT_TIMESTAMP"))` -> `DEFAULT CURRENT_TIMESTAMP`.
/// (dorm::default_value(v) is a literal value instead; a column takes one or the other.) The
/// database applies it to rows inserted without the column (raw SQL, other programs); a session's
/// INSERT writes every mapped member, so the member's value is what an ORM insert stores.
struct server_default_t : detail::option_tag {
    const char* sql;
};
constexpr server_default_t server_default(const char* sql) {
    if (!sql || !*sql) throw "dorm::server_default(sql) needs a non-empty SQL expression";
    return server_default_t{{}, sql};
}

/// The collation of a text column on MariaDB / MySQL, where dorm's tables compare text byte for
/// byte (`utf8mb4_nopad_bin`, as SQLite and PostgreSQL do): `(name, dorm::collation("utf8mb4_general_ci"))`
/// makes `==`, `in()` and the LIKE helpers of that column ignore case and accents there. The name
/// is MariaDB's; the other dialects compare as they always do and print nothing for it.
struct collation_t : detail::option_tag {
    const char* name;
};
constexpr collation_t collation(const char* name) {
    if (!name || !*name) throw "dorm::collation(name) needs a collation name, e.g. \"utf8mb4_general_ci\"";
    for (const char* p = name; *p; ++p)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            throw "dorm::collation(name): a collation name has only letters, digits and '_'";
    return collation_t{{}, name};
}

/// A server-side default (DDL `DEFAULT <literal>`).
template <class V>
struct default_value_t : detail::option_tag {
    V value;
};
template <class V>
constexpr auto default_value(V v) {
    if constexpr (std::is_convertible_v<V, const char*>)
        return default_value_t<const char*>{{}, v};
    else
        return default_value_t<V>{{}, v};
}

/// The column references the primary-key column `pk` of another mapped struct. `Owner` is the
/// class that declares the key member: the mapped struct itself, or a base of it (a mixin).
template <class Parent, class M, class Owner = Parent>
struct foreign_key_t : detail::option_tag {
    M Owner::*target;
    using parent_type = Parent;
    using member_type = M;
};
/// `dorm::foreign_key(&User::id)`.
template <class Parent, class M>
constexpr foreign_key_t<Parent, M> foreign_key(M Parent::*target) {
    return foreign_key_t<Parent, M>{{}, target};
}
/// `dorm::foreign_key<User>(&User::id)`: the key member is inherited (declared in a base of User,
/// so `&User::id` has the base's type and would name the base otherwise).
template <class Parent, class M, class Owner>
    requires(!std::is_same_v<Parent, Owner>)
constexpr foreign_key_t<Parent, M, Owner> foreign_key(M Owner::*target) {
    static_assert(std::is_base_of_v<Owner, Parent>,
                  "dorm: foreign_key<Other>(&Other::member) needs a member of Other (declared in Other or in a base "
                  "of it)");
    return foreign_key_t<Parent, M, Owner>{{}, target};
}

/// What the database does to the rows that reference a parent row when the parent's key is
/// deleted or updated (`FOREIGN KEY ... ON DELETE <action>`). no_action is the default.
enum class fk_action : unsigned char { no_action, restrict, cascade, set_null, set_default };

/// `(author_id, dorm::foreign_key(&Author::id), dorm::on_delete(dorm::fk_action::cascade))`: the
/// foreign key's ON DELETE action (the database's rule, applied to any DELETE of the parent row,
/// including bulk dorm::delete_from<T>(); the session's cascade("...") rules are separate).
/// set_null needs a nullable column, set_default a column default.
struct on_delete_t : detail::option_tag {
    fk_action action;
};
constexpr on_delete_t on_delete(fk_action a) { return on_delete_t{{}, a}; }
/// The foreign key's ON UPDATE action (when the parent's key changes); as dorm::on_delete.
struct on_update_t : detail::option_tag {
    fk_action action;
};
constexpr on_update_t on_update(fk_action a) { return on_update_t{{}, a}; }

/// The member of the other struct that describes the same relationship from its side.
struct back_populates_t : detail::option_tag {
    const char* name;
};
constexpr back_populates_t back_populates(const char* name) { return back_populates_t{{}, name}; }

/// Cascade flags (SQLAlchemy's words).
enum cascade_flag : unsigned {
    cascade_save_update = 1u << 0,
    cascade_merge = 1u << 1,
    cascade_delete = 1u << 2,
    cascade_delete_orphan = 1u << 3,
    cascade_expunge = 1u << 4,
    cascade_refresh_expire = 1u << 5,
};

namespace detail {
constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }
constexpr unsigned parse_cascade(std::string_view s) {
    unsigned flags = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (is_space(s[i]) || s[i] == ',')) ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ',') ++j;
        std::size_t k = j;
        while (k > i && is_space(s[k - 1])) --k;
        std::string_view w = s.substr(i, k - i);
        if (w.empty()) {
        } else if (w == "save-update") {
            flags |= cascade_save_update;
        } else if (w == "merge") {
            flags |= cascade_merge;
        } else if (w == "delete") {
            flags |= cascade_delete;
        } else if (w == "delete-orphan") {
            flags |= cascade_delete_orphan;
        } else if (w == "expunge") {
            flags |= cascade_expunge;
        } else if (w == "refresh-expire") {
            flags |= cascade_refresh_expire;
        } else if (w == "all") {
            flags |= cascade_save_update | cascade_merge | cascade_delete | cascade_expunge | cascade_refresh_expire;
        } else if (w == "none") {
        } else {
            // Reaching this throw in a constant expression is a compile error: the cascade string
            // holds a word other than save-update, merge, delete, delete-orphan, expunge,
            // refresh-expire, all, none.
            throw "dorm::cascade: unknown word (use save-update, merge, delete, delete-orphan, expunge, refresh-expire, all)";
        }
        i = j;
    }
    if ((flags & cascade_delete_orphan) && !(flags & cascade_delete))
        throw "dorm::cascade: delete-orphan needs delete as well (write \"all, delete-orphan\")";
    return flags;
}
}  // namespace detail

/// Cascade rules of a relationship: `dorm::cascade("all, delete-orphan")`. Checked at compile time.
struct cascade_t : detail::option_tag {
    unsigned flags;
};
consteval cascade_t cascade(const char* words) { return cascade_t{{}, detail::parse_cascade(words)}; }

/// Many-to-many through an association struct with two foreign keys:
/// `(tags, dorm::secondary<PostTag>, dorm::back_populates("posts"))`.
template <class Assoc>
struct secondary_t : detail::option_tag {
    using type = Assoc;
};
template <class Assoc>
inline constexpr secondary_t<Assoc> secondary{};

}  // namespace dorm
