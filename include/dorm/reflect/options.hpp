#pragma once
/// @file dorm/reflect/options.hpp
/// Column and relationship options for DORM_TABLE: primary_key, varchar(n), unique, index,
/// nullable, default_value(v), foreign_key(&T::pk), column_name("..."), version, back_populates("..."),
/// cascade("..."), secondary<Assoc>.
#include <cstddef>
#include <string_view>
#include <type_traits>

namespace dorm {

namespace detail {
struct option_tag {};
}  // namespace detail

/// The column is (part of) the primary key.
struct primary_key_t : detail::option_tag {};
inline constexpr primary_key_t primary_key{};

/// A UNIQUE constraint on the column.
struct unique_t : detail::option_tag {};
inline constexpr unique_t unique{};

/// A separate CREATE INDEX on the column.
struct index_t : detail::option_tag {};
inline constexpr index_t index{};

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

/// The column references the primary-key column `pk` of another mapped struct.
template <class Parent, class M>
struct foreign_key_t : detail::option_tag {
    M Parent::*target;
    using parent_type = Parent;
    using member_type = M;
};
/// `dorm::foreign_key(&User::id)`.
template <class Parent, class M>
constexpr foreign_key_t<Parent, M> foreign_key(M Parent::*target) {
    return foreign_key_t<Parent, M>{{}, target};
}

/// What the database does to the rows that reference a parent row when the parent's key is
/// deleted or updated (`FOREIGN KEY ... ON DELETE <action>`). no_action is the default.
enum class fk_action : unsigned char { no_action, restrict, cascade, set_null, set_default };

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
