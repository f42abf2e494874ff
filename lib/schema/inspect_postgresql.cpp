// dorm::inspect on PostgreSQL: pg_catalog, the tables of current_schema() only, read in one
// REPEATABLE READ transaction (one snapshot of the catalog rows), five queries in all.
//
// Catalog surprises (PostgreSQL 15):
// - `DEFAULT NULL` stores no default at all, `DEFAULT NULL::varchar` stores "NULL::character
//   varying" (reported as none, like the other backends' NULL defaults).
// - pg_get_expr prints a default with its cast ("'abc'::text", "'-1'::integer") and a CHECK
//   expression fully parenthesised ("(a > 0)", "((a > 0) AND (c <> ''::text))").
// - pg_constraint.conindid of a foreign key is the referred table's index: only the primary key,
//   unique and exclusion constraints of a table own the indexes they name.
// - pg_get_indexdef(index, k, true) prints an expression part with its own parentheses when it is
//   an operator expression ("(c + 1)") and without when it is a call ("lower(c)").
#include <algorithm>
#include <map>
#include <utility>

#include <dorm/engine/isolation.hpp>
#include <dorm/error.hpp>

#include "schema/inspect_backends.hpp"

namespace dorm::detail::inspect {
namespace {

// The ordinary and partitioned tables of the current schema (relation `c`). A partition is left
// out: it belongs to its partitioned table.
constexpr std::string_view user_tables =
    "c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace AS n WHERE n.nspname = current_schema()) "
    "AND c.relkind IN ('r', 'p') AND NOT c.relispartition";

std::string where(std::string_view more = {}) {
    std::string s = " WHERE " + std::string(user_tables);
    if (!more.empty()) s += " AND " + std::string(more);
    return s;
}

// confdeltype / confupdtype.
fk_action fk_action_from_char(const std::string& c) {
    if (c == "a") return fk_action::no_action;
    if (c == "r") return fk_action::restrict;
    if (c == "c") return fk_action::cascade;
    if (c == "n") return fk_action::set_null;
    if (c == "d") return fk_action::set_default;
    throw operational_error("dorm::inspect: unknown foreign key action '" + c + "' in pg_constraint");
}

bool is_null_default(const std::string& expr) { return expr == "NULL" || expr.starts_with("NULL::"); }

// A primary key, unique or foreign key constraint as pg_constraint has it.
struct key_constraint {
    std::string table, name, type, referred_table, update, del;  // table by oid; type p, u or f
    std::vector<std::string> columns, referred_columns;          // in key order
};

struct pg_reader {
    connection& c;
    std::map<std::string, live_table, std::less<>> tables;  // by oid

    live_table* table(const std::string& oid) {
        auto it = tables.find(oid);
        return it == tables.end() ? nullptr : &it->second;
    }

    void read_tables() {
        for (auto& r : query(c, "SELECT c.oid, c.relname FROM pg_catalog.pg_class AS c" + where()))
            tables[text(r, 0)].name = text(r, 1);
    }

    // A serial column's default is nextval('..._seq'::regclass); an identity column has none.
    // Both are autoincrement, and neither default is reported. A generated column's pg_attrdef
    // row is its generation expression, not a default.
    void read_columns() {
        for (auto& r : query(c, "SELECT c.oid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
                                "a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, "
                                "a.attgenerated FROM pg_catalog.pg_class AS c "
                                "JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid "
                                "LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum" +
                                    where("a.attnum > 0 AND NOT a.attisdropped") + " ORDER BY c.oid, a.attnum")) {
            live_table* t = table(text(r, 0));
            if (!t) continue;
            live_column col;
            col.name = text(r, 1);
            col.type = text(r, 2);
            col.nullable = integer(r, 3) == 0;
            const std::string& dflt = text(r, 4);
            col.autoincrement = !text(r, 5).empty() || dflt.starts_with("nextval(");
            if (r[4] && !col.autoincrement && text(r, 6).empty() && !is_null_default(dflt)) col.default_sql = dflt;
            t->columns.push_back(std::move(col));
        }
    }

    // Constraints, then their key columns in key order (conkey / confkey are in key order, not
    // table order: unnest them WITH ORDINALITY).
    void read_constraints() {
        std::map<std::string, key_constraint, std::less<>> by_oid;
        std::vector<std::string> order;
        for (auto& r : query(c, "SELECT con.oid, c.oid, con.conname, con.contype, r.relname, con.confupdtype, "
                                "con.confdeltype, pg_catalog.pg_get_expr(con.conbin, con.conrelid) "
                                "FROM pg_catalog.pg_constraint AS con JOIN pg_catalog.pg_class AS c ON c.oid = con.conrelid "
                                "LEFT JOIN pg_catalog.pg_class AS r ON r.oid = con.confrelid" +
                                    where("con.contype IN ('p', 'u', 'f', 'c')") + " ORDER BY con.oid")) {
            if (text(r, 3) == "c") {
                if (live_table* t = table(text(r, 1))) t->checks.push_back({text(r, 2), text(r, 7)});
                continue;
            }
            by_oid[text(r, 0)] = {text(r, 1), text(r, 2), text(r, 3), text(r, 4), text(r, 5), text(r, 6), {}, {}};
            order.push_back(text(r, 0));
        }
        for (auto& r : query(c, "SELECT con.oid, a.attname, fa.attname FROM pg_catalog.pg_constraint AS con "
                                "JOIN pg_catalog.pg_class AS c ON c.oid = con.conrelid "
                                "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(att, fatt, n) "
                                "JOIN pg_catalog.pg_attribute AS a ON a.attrelid = con.conrelid AND a.attnum = k.att "
                                "LEFT JOIN pg_catalog.pg_attribute AS fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fatt" +
                                    where("con.contype IN ('p', 'u', 'f')") + " ORDER BY con.oid, k.n")) {
            auto it = by_oid.find(text(r, 0));
            if (it == by_oid.end()) continue;
            it->second.columns.push_back(text(r, 1));
            if (r[2]) it->second.referred_columns.push_back(*r[2]);
        }
        for (auto& oid : order) add(std::move(by_oid[oid]));
    }

    void add(key_constraint k) {
        live_table* t = table(k.table);
        if (!t) return;
        if (k.type == "p") {
            t->primary_key = k.columns;
            for (auto& col : t->columns)
                if (std::find(k.columns.begin(), k.columns.end(), col.name) != k.columns.end()) col.primary_key = true;
        } else if (k.type == "u") {
            t->uniques.push_back({std::move(k.name), std::move(k.columns)});
        } else {
            t->foreign_keys.push_back({std::move(k.name), std::move(k.columns), std::move(k.referred_table),
                                       std::move(k.referred_columns), fk_action_from_char(k.del),
                                       fk_action_from_char(k.update)});
        }
    }

    // The indexes that no primary key, unique or exclusion constraint of the table owns; their key
    // columns only (not INCLUDE columns). indkey holds 0 for an expression part.
    void read_indexes() {
        struct index_rows {
            std::string table;
            live_index index;
        };
        std::vector<index_rows> found;
        for (auto& r : query(c, "SELECT c.oid, ic.relname, i.indisunique, k.att, a.attname, "
                                "pg_catalog.pg_get_indexdef(i.indexrelid, k.n::int, true) "
                                "FROM pg_catalog.pg_index AS i JOIN pg_catalog.pg_class AS c ON c.oid = i.indrelid "
                                "JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid "
                                "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(att, n) "
                                "LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.att" +
                                    where("k.n <= i.indnkeyatts AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint "
                                          "AS con WHERE con.conrelid = i.indrelid AND con.conindid = i.indexrelid "
                                          "AND con.contype IN ('p', 'u', 'x'))") +
                                    " ORDER BY i.indexrelid, k.n")) {
            if (found.empty() || found.back().index.name != text(r, 1) || found.back().table != text(r, 0))
                found.push_back({text(r, 0), {text(r, 1), {}, integer(r, 2) != 0}});
            found.back().index.columns.push_back(integer(r, 3) == 0 ? parenthesised(text(r, 5)) : text(r, 4));
        }
        for (auto& f : found)
            if (live_table* t = table(f.table)) t->indexes.push_back(std::move(f.index));
    }

    live_schema result() {
        live_schema s;
        for (auto& [oid, t] : tables) s.tables.push_back(std::move(t));
        return s;
    }
};

}  // namespace

live_schema read_postgresql(connection& c) {
    pg_reader r{c, {}};
    c.begin(isolation::repeatable_read);  // one snapshot for every query
    r.read_tables();
    r.read_columns();
    r.read_constraints();
    r.read_indexes();
    c.commit();
    return r.result();
}

}  // namespace dorm::detail::inspect
