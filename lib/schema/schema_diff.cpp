// dorm::schema_diff: its report and SQL text (the diff itself is computed in lib/schema/diff.cpp).
#include <dorm/schema/diff.hpp>

#include "schema/script_text.hpp"

namespace dorm {

std::string_view schema_change_name(schema_change c) noexcept {
    switch (c) {
        case schema_change::create_table: return "create_table";
        case schema_change::drop_table: return "drop_table";
        case schema_change::add_column: return "add_column";
        case schema_change::drop_column: return "drop_column";
        case schema_change::alter_column_type: return "alter_column_type";
        case schema_change::alter_column_nullable: return "alter_column_nullable";
        case schema_change::alter_column_default: return "alter_column_default";
        case schema_change::add_index: return "add_index";
        case schema_change::drop_index: return "drop_index";
        case schema_change::add_unique: return "add_unique";
        case schema_change::drop_unique: return "drop_unique";
        case schema_change::add_foreign_key: return "add_foreign_key";
        case schema_change::drop_foreign_key: return "drop_foreign_key";
        case schema_change::add_check: return "add_check";
        case schema_change::drop_check: return "drop_check";
        case schema_change::rebuild_table: return "rebuild_table";
    }
    return "unknown";
}

// (a class template only to be lazy in user code: dorm/detail/lazy.hpp; its one instantiation is below)
template <class V>
bool basic_schema_diff<V>::lossless() const noexcept {
    for (const auto& op : ops_)
        if (!op.lossless) return false;
    return true;
}

template <class V>
std::string basic_schema_diff<V>::report() const {
    if (ops_.empty()) return "The database matches the models (" + std::string(dialect_name(dialect_)) + ").\n";
    std::string out;
    std::size_t lossy = 0;
    for (const auto& op : ops_) {
        out += op.lossless ? "  + " : "  ! ";
        out += op.description;
        if (!op.lossless) {
            ++lossy;
            out += "\n      LOSSY: " + op.reason;
        }
        out += '\n';
    }
    std::string head = std::to_string(ops_.size()) + (ops_.size() == 1 ? " operation" : " operations") + " (" +
                       std::string(dialect_name(dialect_)) + ")";
    if (lossy) head += ", " + std::to_string(lossy) + " lossy (marked !, refused by upgrade)";
    return head + ":\n" + out;
}

namespace {
// One direction of the diff as a script: a lossy operation commented out behind its reason (as a
// generated migration writes it), and SQLite's foreign-key switch around table rebuilds.
template <class It>
std::string script(dialect d, It first, It last, bool undo) {
    std::string out;
    bool rebuilds = false;
    for (It it = first; it != last; ++it) rebuilds = rebuilds || it->kind == schema_change::rebuild_table;
    const std::string off = schema::foreign_keys_off_text(d, rebuilds);
    if (!off.empty()) out += off.substr(1);  // (without its leading blank line)
    for (It it = first; it != last; ++it) {
        const auto& statements = undo ? it->down_sql : it->sql;
        if (statements.empty()) continue;
        if (!it->lossless) {
            std::string why = it->reason;
            for (char& c : why)
                if (c == '\n' || c == '\r') c = ' ';
            out += (undo ? "-- REFUSED in the up script (lossy): " : "-- REFUSED (lossy): ") + why + "\n";
        }
        schema::append_statements(out, statements, !it->lossless);
    }
    if (!off.empty()) out += "PRAGMA foreign_key_check;  -- must return no row\nPRAGMA foreign_keys = ON;\n";
    return out;
}
}  // namespace

template <class V>
std::string basic_schema_diff<V>::sql() const {
    return script(dialect_, ops_.begin(), ops_.end(), false);
}

template <class V>
std::string basic_schema_diff<V>::down_sql() const {
    return script(dialect_, ops_.rbegin(), ops_.rend(), true);
}

template class basic_schema_diff<void>;

}  // namespace dorm
