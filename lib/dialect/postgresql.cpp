// The PostgreSQL dialect: what PostgreSQL spells differently from the SQL standard (see hooks.hpp).
#include "dialect/dialects.hpp"

#include "dialect/list_param.hpp"

namespace dorm::detail {

namespace {

class postgresql_hooks final : public dialect_hooks {
public:
    dorm::dialect kind() const override { return dialect::postgresql; }
    std::string_view name() const override { return "postgresql"; }
    void placeholder(std::string& out, int n) const override {
        out += '$';
        out += std::to_string(n);
    }
    std::string type_name(const schema::table&, const schema::column& c) const override {
        switch (c.type) {
            case column_type::boolean: return "BOOLEAN";
            case column_type::integer: return int_type(c.int_bytes, "SMALLINT", "SMALLINT", "INTEGER", "BIGINT");
            case column_type::real: return c.int_bytes == 4 ? "REAL" : "DOUBLE PRECISION";
            case column_type::text: return c.length > 0 ? "VARCHAR(" + std::to_string(c.length) + ")" : "TEXT";
            case column_type::blob: return "BYTEA";
            case column_type::timestamp: return "TIMESTAMP WITHOUT TIME ZONE";
            case column_type::date: return "DATE";
        }
        return "TEXT";
    }
    std::string autoincrement_type(const schema::column& c) const override {
        return c.int_bytes <= 2 ? "SMALLSERIAL NOT NULL" : c.int_bytes == 4 ? "SERIAL NOT NULL" : "BIGSERIAL NOT NULL";
    }
    bool use_returning() const override { return true; }
    // the column and its SERIAL sequence, which is `AS integer` for a SERIAL (nextval would stop at
    // 2^31 - 1 in a BIGINT column); the sequence's name comes from the catalog
    std::vector<std::string> alter_autoincrement_type(const std::string& table, const std::string& column,
                                                      const std::string& type) const override {
        std::string qt, qc;
        quote(qt, table);
        quote(qc, column);
        auto literal = [](const std::string& v) {
            std::string out = "'";
            for (char ch : v) out += ch == '\'' ? std::string("''") : std::string(1, ch);
            return out + "'";
        };
        const std::string seq = "pg_get_serial_sequence(" + literal(qt) + ", " + literal(column) + ")";
        return {"ALTER TABLE " + qt + " ALTER COLUMN " + qc + " TYPE " + type,
                "DO $$ BEGIN IF " + seq + " IS NOT NULL THEN EXECUTE format('ALTER SEQUENCE %s AS " + type + "', " + seq +
                    "); END IF; END $$"};
    }
    std::string_view double_cast() const override { return "::float8"; }
    bool nulls_sort_high() const override { return true; }
    // (any linguistic collation, libc or ICU, puts 'a' before 'B'; byte order puts it after)
    std::string text_orders_bytewise_sql() const override { return "SELECT CASE WHEN 'a' < 'B' THEN 0 ELSE 1 END"; }
    bool two_phase_commit() const override { return true; }
    std::string two_phase_sql(two_phase_step step, std::string_view gid) const override {
        const char* verb = step == two_phase_step::prepare  ? "PREPARE TRANSACTION '"
                           : step == two_phase_step::commit ? "COMMIT PREPARED '"
                                                            : "ROLLBACK PREPARED '";
        return verb + std::string(gid) + "'";
    }
    bool native_ilike() const override { return true; }
    text_storage stored_text() const override { return postgresql_text; }
    // long lists: one array parameter; its element type is inferred from the left side
    // (`x = ANY($1)` makes $1 an array of x's type), `x <> ALL($1)` is NOT IN (NULLs alike);
    // floating-point values beside an integer expression are an array of doubles (as double_cast())
    std::optional<list_param> in_list_param(std::span<const value* const> values, bool negated,
                                            const schema::column*, bool doubles) const override {
        if (values.size() <= inline_list_max_postgresql) return std::nullopt;
        return list_param{negated ? " <> ALL(" : " = ANY(", doubles ? "::float8[])" : ")",
                          value(postgresql_array(values))};
    }
    bool begin_statements(isolation level, std::vector<std::string>& out) const override {
        out.push_back("BEGIN ISOLATION LEVEL " + std::string(isolation_name(level)));
        return true;
    }
    sql_lexing lexing() const override {
        sql_lexing l;
        l.escape_string_prefix = true;
        l.dollar_quoting = true;
        l.nested_comments = true;
        return l;
    }
    catalog_spelling catalog() const override {
        catalog_spelling c;
        c.defaults_have_casts = true;  // 'abc'::character varying, (-1)::integer, '2020-01-01'::date
        c.boolean_literals = true;
        return c;
    }
    // An advisory lock with a fixed key (advisory locks are per database, so one key is enough):
    // the first 8 bytes of SHA-256("dorm_migrations") as a signed 64-bit number. The step begins
    // READ COMMITTED whatever the engine's level: under REPEATABLE READ the snapshot would be taken
    // by the lock's own SELECT, before the lock was granted, and miss the steps the holder applied
    // meanwhile.
    migration_lock migration_locking() const override {
        constexpr long long key = -0x18b25666b06a66ebLL;  // -1779579801811183339
        migration_lock l;
        l.step_isolation = isolation::read_committed;
        l.step_lock = "SELECT pg_advisory_xact_lock(" + std::to_string(key) + ")";
        return l;
    }
    std::string connection_isolation_sql(isolation level) const override {
        return "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + std::string(isolation_name(level));
    }
};

}  // namespace

const dialect_hooks& postgresql_dialect() {
    static const postgresql_hooks hooks;
    return hooks;
}

}  // namespace dorm::detail
