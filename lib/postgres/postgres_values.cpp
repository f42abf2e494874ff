/// @file lib/postgres/postgres_values.cpp
/// Values on the PostgreSQL wire: parameters bound as text (bytea as binary), result columns
/// read from libpq's text format by their type oid (lib/driver/numbers.hpp rules), bytea decoded.
#include "postgres_statement.hpp"

#include <algorithm>
#include <string>

#include <libpq-fe.h>

#include <dorm/error.hpp>

#include "../driver/numbers.hpp"
#include "../driver/text_check.hpp"

namespace dorm::driver::postgres {

namespace {

// Type oids (from pg_type.dat; the server headers are not needed for these few).
constexpr Oid bool_oid = 16;
constexpr Oid bytea_oid = 17;
constexpr Oid int8_oid = 20;
constexpr Oid int2_oid = 21;
constexpr Oid int4_oid = 23;
constexpr Oid oid_oid = 26;
constexpr Oid float4_oid = 700;
constexpr Oid float8_oid = 701;
constexpr Oid numeric_oid = 1700;

/// A non-null pointer for empty binary values (a null pointer means SQL NULL to libpq).
constexpr char empty_value[1] = {0};

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Decodes bytea text output (`\x0a1b...`, or the old escape format) into `out`.
void decode_bytea(std::string_view s, std::vector<std::byte>& out) {
    out.clear();
    if (s.size() >= 2 && s[0] == '\\' && s[1] == 'x') {
        out.reserve((s.size() - 2) / 2);
        for (std::size_t i = 2; i + 1 < s.size(); i += 2) {
            const int hi = hex_digit(s[i]);
            const int lo = hex_digit(s[i + 1]);
            if (hi < 0 || lo < 0) break;
            out.push_back(static_cast<std::byte>(hi * 16 + lo));
        }
        return;
    }
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\\') {
            out.push_back(std::byte{'\\'});
            ++i;
        } else if (s[i] == '\\' && i + 3 < s.size()) {
            const int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
            out.push_back(static_cast<std::byte>(v));
            i += 3;
        } else {
            out.push_back(static_cast<std::byte>(s[i]));
        }
    }
}

}  // namespace

void statement::send_text(std::size_t k) noexcept {
    values_[k] = storage_[k].c_str();  // libpq needs NUL-terminated text
    formats_[k] = 0;
}

void statement::bind_null(int i) {
    check_index(i);
    const auto k = static_cast<std::size_t>(i);
    values_[k] = nullptr;
    formats_[k] = 0;
}

void statement::bind_int(int i, std::int64_t v) {
    check_index(i);
    const auto k = static_cast<std::size_t>(i);
    // As text: the server converts to the parameter's inferred type (int4, int8, numeric, and
    // boolean: '0'/'1' are valid boolean input, so the ORM's 0/1 for bool works).
    numbers::write_text(v, storage_[k]);
    send_text(k);
}

void statement::bind_double(int i, double v) {
    check_index(i);
    const auto k = static_cast<std::size_t>(i);
    // Shortest text that reads back as exactly v (-0.0 prints as "-0"); NaN, Infinity, -Infinity.
    numbers::write_text(v, storage_[k]);
    send_text(k);
}

void statement::bind_text(int i, std::string_view v) {
    check_index(i);
    // a value PostgreSQL cannot store (SQLAlchemy/psycopg: DataError), refused before sending:
    // a NUL byte, invalid UTF-8 (the server's error would not say which column)
    detail::check_text_storable(v, detail::postgresql_text);
    const auto k = static_cast<std::size_t>(i);
    storage_[k].assign(v);
    send_text(k);
}

void statement::bind_blob(int i, std::span<const std::byte> v) {
    check_index(i);
    const auto k = static_cast<std::size_t>(i);
    // Binary format: the bytes as they are (bytea's binary representation), not copied.
    values_[k] = v.empty() ? empty_value : reinterpret_cast<const char*>(v.data());
    lengths_[k] = static_cast<int>(v.size());
    formats_[k] = 1;
}

const pg_result* statement::meta() const noexcept { return res_ ? res_.get() : desc_.get(); }

unsigned statement::column_type(int c) const noexcept {
    return c >= 0 && c < ncols_ ? types_[static_cast<std::size_t>(c)] : PQftype(meta(), c);
}

std::string_view statement::raw(int c) const noexcept {
    if (!res_ || row_ < 0 || row_ >= nrows_ || c < 0 || c >= ncols_) return {};
    const char* p = PQgetvalue(res_.get(), row_, c);
    if (p == nullptr) return {};
    return {p, static_cast<std::size_t>(PQgetlength(res_.get(), row_, c))};
}

int statement::column_count() { return PQnfields(meta()); }

std::string_view statement::column_name(int c) {
    const char* n = PQfname(meta(), c);
    return n != nullptr ? std::string_view(n) : std::string_view();
}

std::string statement::column_table(int c) {
    const pg_result* m = meta();
    if (m == nullptr || c < 0 || c >= PQnfields(m)) return {};
    const Oid table = PQftable(m, c);
    if (table == InvalidOid) return {};
    // the table's name from the catalog, on this connection, only while it is idle (the result
    // being read is complete in memory; not in pipeline mode, not inside a failed transaction)
    PGconn* conn = state_ ? state_->conn.get() : nullptr;
    if (conn == nullptr || state_->pipeline != nullptr || PQpipelineStatus(conn) != PQ_PIPELINE_OFF) return {};
    const PGTransactionStatusType ts = PQtransactionStatus(conn);
    if (ts != PQTRANS_IDLE && ts != PQTRANS_INTRANS) return {};
    const std::string oid = std::to_string(table);
    const char* params[1] = {oid.c_str()};
    const result_ptr r(PQexecParams(conn, "SELECT relname FROM pg_catalog.pg_class WHERE oid = $1::oid", 1, nullptr,
                                    params, nullptr, nullptr, 0));
    if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) != 1) return {};
    return PQgetvalue(r.get(), 0, 0);
}

bool statement::is_null(int c) {
    if (!res_ || row_ < 0 || row_ >= nrows_ || c < 0 || c >= ncols_) return true;
    return PQgetisnull(res_.get(), row_, c) != 0;
}

value_kind statement::column_kind(int c) {
    if (is_null(c)) return value_kind::null;
    switch (column_type(c)) {
        case bool_oid:
        case int2_oid:
        case int4_oid:
        case int8_oid:
        case oid_oid:
            return value_kind::integer;
        case float4_oid:
        case float8_oid:
        case numeric_oid:
            return value_kind::real;
        case bytea_oid:
            return value_kind::blob;
        default:
            return value_kind::text;
    }
}

// Results are text: integer columns parse as integers (the hot path); every other type follows
// lib/driver/numbers.hpp (reals — float, numeric — by the real rule, exactly; texts must be
// integer literals; bytea is refused). NULL reads as 0.
std::int64_t statement::get_int(int c) {
    const std::string_view s = raw(c);
    if (s.empty() && is_null(c)) return 0;  // an empty non-NULL value goes on (and is refused)
    switch (column_type(c)) {
        case int2_oid:
        case int4_oid:
        case int8_oid:
        case oid_oid: {
            std::int64_t i = 0;
            if (numbers::parse_whole(s, i)) return i;
            return numbers::text_to_int(s);  // oid beyond int64 cannot happen; throws for anything odd
        }
        case bool_oid:
            return s == "t" ? 1 : 0;
        case float4_oid:
        case float8_oid:
        case numeric_oid:
            return numbers::decimal_to_int(s);
        case bytea_oid:
            numbers::blob_is_not_a_number(get_blob(c), true);
        default:
            return numbers::text_to_int(s);
    }
}

double statement::get_double(int c) {
    const std::string_view s = raw(c);
    if (s.empty() && is_null(c)) return 0.0;
    switch (column_type(c)) {
        case float4_oid:
        case float8_oid:
        case numeric_oid: {
            double d = 0;
            if (numbers::parse_whole(s, d)) return d;  // also Infinity, -Infinity, NaN
            return numbers::text_to_double(s);
        }
        case int2_oid:
        case int4_oid:
        case int8_oid:
        case oid_oid: {
            std::int64_t i = 0;
            if (numbers::parse_whole(s, i)) return numbers::int_to_double(i);
            return numbers::text_to_double(s);
        }
        case bool_oid:
            return s == "t" ? 1.0 : 0.0;
        case bytea_oid:
            numbers::blob_is_not_a_number(get_blob(c), false);
        default:
            return numbers::text_to_double(s);
    }
}

std::string_view statement::get_text(int c) { return raw(c); }

std::span<const std::byte> statement::get_blob(int c) {
    const std::string_view s = raw(c);
    if (column_type(c) != bytea_oid) return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
    const auto k = static_cast<std::size_t>(c);
    if (k >= blobs_.size()) return {};
    if (blob_rows_[k] != row_) {
        decode_bytea(s, blobs_[k]);
        blob_rows_[k] = row_;
    }
    return blobs_[k];
}

}  // namespace dorm::driver::postgres
