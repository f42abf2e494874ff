// The dialect names, isolation checks, DDL literals and detail::hooks(dialect): the lookup of the
// four dialects' hooks (lib/dialect/sqlite.cpp, postgresql.cpp, mysql.cpp, oracle.cpp).
#include "dialect/dialects.hpp"

#include <dorm/error.hpp>

namespace dorm {

std::string_view dialect_name(dialect d) noexcept {
    switch (d) {
        case dialect::sqlite: return "sqlite";
        case dialect::postgresql: return "postgresql";
        case dialect::mysql: return "mysql";
        case dialect::oracle: return "oracle";
    }
    return "unknown";
}

std::string_view isolation_name(isolation level) noexcept {
    switch (level) {
        case isolation::read_committed: return "READ COMMITTED";
        case isolation::repeatable_read: return "REPEATABLE READ";
        case isolation::serializable: return "SERIALIZABLE";
        case isolation::deferred: return "DEFERRED";
        case isolation::immediate: return "IMMEDIATE";
        case isolation::exclusive: return "EXCLUSIVE";
    }
    return "UNKNOWN";
}

void check_isolation(dialect d, isolation level, std::string_view where) {
    if (detail::hooks(d).has_isolation(level)) return;
    std::string msg(where);
    msg += ": isolation level ";
    msg += isolation_name(level);
    msg += " does not exist on ";
    msg += dialect_name(d);
    msg += " (valid there: ";
    bool first = true;
    for (auto l : {isolation::read_committed, isolation::repeatable_read, isolation::serializable, isolation::deferred,
                   isolation::immediate, isolation::exclusive}) {
        if (!detail::hooks(d).has_isolation(l)) continue;
        if (!first) msg += ", ";
        first = false;
        msg += isolation_name(l);
    }
    msg += ")";
    if (d == dialect::sqlite)
        msg += "; SQLite transactions are always serializable: choose when the write lock is taken "
               "(deferred, immediate, exclusive)";
    throw argument_error(msg);
}

}  // namespace dorm

namespace dorm::detail {

std::string sql_literal(const value& v, const schema::column& c, dorm::dialect d) {
    const dialect_hooks& h = hooks(d);
    switch (v.kind()) {
        case value_kind::null: return "NULL";
        case value_kind::integer:
            if (c.type == column_type::boolean && h.catalog().boolean_literals) return v.as_int() ? "true" : "false";
            return std::to_string(v.as_int());
        case value_kind::real: return v.repr();
        case value_kind::text: {
            const bool backslash = h.lexing().backslash_escapes;  // MariaDB string literals escape with backslash
            std::string out = "'";
            for (char ch : v.as_text()) {
                if (ch == '\'') out += '\'';
                if (ch == '\\' && backslash) out += '\\';
                out += ch;
            }
            return out + "'";
        }
        case value_kind::blob: throw argument_error("dorm: a BLOB column cannot have a server default");
    }
    return "NULL";
}

const dialect_hooks& hooks(dorm::dialect d) {
    switch (d) {
        case dialect::sqlite: return sqlite_dialect();
        case dialect::postgresql: return postgresql_dialect();
        case dialect::mysql: return mysql_dialect();
        case dialect::oracle: return oracle_dialect();
    }
    throw argument_error("dorm: unknown dialect");
}

}  // namespace dorm::detail
