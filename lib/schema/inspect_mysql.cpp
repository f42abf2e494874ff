// dorm::inspect on MariaDB: information_schema, the tables of DATABASE() only, six queries.
// information_schema is built from the data dictionary at each query, outside InnoDB's MVCC: a
// transaction would not give the queries one snapshot, so none is opened.
//
// Catalog surprises (MariaDB 10.11):
// - COLUMN_TYPE carries display widths ("int(11)", "bigint(20)", "tinyint(1)" for BOOL) and
//   "unsigned"; COLUMN_DEFAULT quotes a string literal ("'abc'"), normalises a number to its
//   column's scale ("-1.00" in a decimal(10,2)), prints CURRENT_TIMESTAMP as
//   "current_timestamp()", and holds the text "NULL" both for DEFAULT NULL and for no default.
// - A foreign key declared without ON DELETE / ON UPDATE (or with SET DEFAULT, which InnoDB
//   accepts and ignores) reads "RESTRICT"; NO ACTION reads "NO ACTION".
// - CHECK_CLAUSE is normalised, with backquoted names ("`a` > 0 and `c` <> ''"); a column-level
//   CHECK is named after its column, an unnamed table-level one CONSTRAINT_1, CONSTRAINT_2, ...
// - InnoDB gives every foreign key an index and creates one when no index starts with its columns
//   (see is_foreign_key_index).
// - The information_schema columns compare names case-insensitively (utf8 general collation):
//   rows are matched to their table here by exact name, never by a join in SQL.
#include <algorithm>
#include <map>
#include <utility>

#include <dorm/error.hpp>

#include "schema/inspect_backends.hpp"

namespace dorm::detail::inspect {
namespace {

using table_and_name = std::pair<std::string, std::string>;
using ordered_names = std::vector<std::pair<std::int64_t, std::string>>;  // position, name

std::vector<std::string> in_order(ordered_names v) {
    std::sort(v.begin(), v.end());
    std::vector<std::string> out;
    for (auto& p : v) out.push_back(std::move(p.second));
    return out;
}

// An index that InnoDB made for a foreign key rather than one the user created: InnoDB creates
// an index for a foreign key whose columns no index starts with, and names it after the
// constraint when FOREIGN KEY / CONSTRAINT gave one, else after the key's first column
// (dorm's create_all declares its foreign keys without names: `KEY owner_id (owner_id)`).
// So an index is left out of `indexes` when a foreign key of its table has its leading columns
// and the index bears that foreign key's name or the name of its first column. A user's own
// index spelled exactly so cannot be told apart from InnoDB's.
bool is_foreign_key_index(const live_index& ix, const std::vector<live_foreign_key>& fks) {
    return std::any_of(fks.begin(), fks.end(), [&](const live_foreign_key& fk) {
        const bool leading = !fk.columns.empty() && fk.columns.size() <= ix.columns.size() &&
                             std::equal(fk.columns.begin(), fk.columns.end(), ix.columns.begin());
        return leading && (ix.name == fk.name || ix.name == fk.columns.front());
    });
}

struct mysql_reader {
    connection& c;
    table_map tables;

    // The rows of every query name their table exactly as TABLES does; a view's rows find none.
    live_table* table(const std::string& name) {
        auto it = tables.find(name);
        return it == tables.end() ? nullptr : &it->second;
    }

    void read_tables() {
        for (auto& r : query(c, "SELECT TABLE_NAME FROM information_schema.TABLES "
                                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"))
            tables[text(r, 0)].name = text(r, 0);
    }

    void read_columns() {
        for (auto& r : query(c, "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA "
                                "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                                "ORDER BY TABLE_NAME, ORDINAL_POSITION")) {
            live_table* t = table(text(r, 0));
            if (!t) continue;
            live_column col;
            col.name = text(r, 1);
            col.type = text(r, 2);
            col.nullable = text(r, 3) == "YES";
            if (r[4] && *r[4] != "NULL") col.default_sql = *r[4];  // a NULL literal is "'NULL'"
            col.autoincrement = text(r, 5).find("auto_increment") != std::string::npos;
            t->columns.push_back(std::move(col));
        }
    }

    void read_foreign_keys() {
        std::map<table_and_name, live_foreign_key> fks;
        for (auto& r : query(c, "SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, UPDATE_RULE, DELETE_RULE "
                                "FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()")) {
            live_foreign_key& fk = fks[{text(r, 0), text(r, 1)}];
            fk.name = text(r, 1);
            fk.referred_table = text(r, 2);
            // with lower_case_table_names the referred name may be folded: use the table's own
            if (live_table* parent = find_table(tables, fk.referred_table)) fk.referred_table = parent->name;
            fk.on_update = fk_action_from_word(text(r, 3));
            fk.on_delete = fk_action_from_word(text(r, 4));
        }
        std::map<table_and_name, std::pair<ordered_names, ordered_names>> keys;  // columns, referred columns
        for (auto& r : query(c, "SELECT TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION, COLUMN_NAME, "
                                "REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
                                "WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL")) {
            auto& k = keys[{text(r, 0), text(r, 1)}];
            k.first.emplace_back(integer(r, 2), text(r, 3));
            k.second.emplace_back(integer(r, 2), text(r, 4));
        }
        for (auto& [key, fk] : fks) {
            live_table* t = table(key.first);
            if (!t) continue;
            auto& k = keys[key];
            fk.columns = in_order(std::move(k.first));
            fk.referred_columns = in_order(std::move(k.second));
            t->foreign_keys.push_back(std::move(fk));
        }
    }

    // PRIMARY is the primary key; every other unique index is a unique constraint (MariaDB does
    // not tell them apart); the rest are indexes, less InnoDB's own foreign key indexes. Read
    // after the foreign keys.
    void read_indexes() {
        std::map<table_and_name, std::pair<bool, ordered_names>> found;  // unique, columns
        for (auto& r : query(c, "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME "
                                "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()")) {
            auto& ix = found[{text(r, 0), text(r, 1)}];
            ix.first = integer(r, 2) == 0;
            ix.second.emplace_back(integer(r, 3), text(r, 4));
        }
        for (auto& [key, ix] : found) {
            live_table* t = table(key.first);
            if (!t) continue;
            std::vector<std::string> columns = in_order(std::move(ix.second));
            if (key.second == "PRIMARY") {
                for (auto& col : t->columns)
                    if (std::find(columns.begin(), columns.end(), col.name) != columns.end()) col.primary_key = true;
                t->primary_key = std::move(columns);
            } else if (ix.first) {
                t->uniques.push_back({key.second, std::move(columns)});
            } else if (live_index index{key.second, std::move(columns), false}; !is_foreign_key_index(index, t->foreign_keys)) {
                t->indexes.push_back(std::move(index));
            }
        }
    }

    void read_checks() {
        for (auto& r : query(c, "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
                                "WHERE CONSTRAINT_SCHEMA = DATABASE()"))
            if (live_table* t = table(text(r, 0))) t->checks.push_back({text(r, 1), text(r, 2)});
    }

    live_schema result() {
        live_schema s;
        for (auto& [name, t] : tables) s.tables.push_back(std::move(t));
        return s;
    }
};

}  // namespace

live_schema read_mysql(connection& c) {
    mysql_reader r{c, {}};
    r.read_tables();
    r.read_columns();
    r.read_foreign_keys();
    r.read_indexes();
    r.read_checks();
    return r.result();
}

}  // namespace dorm::detail::inspect
