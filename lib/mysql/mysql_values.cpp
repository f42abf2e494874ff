/// @file lib/mysql/mysql_values.cpp
/// Values on the MariaDB binary protocol: parameter bindings, result bindings chosen from the
/// columns' metadata (integers and doubles in binary, everything else as bytes), and reading the
/// current row by the rules of lib/driver/numbers.hpp.
#include "mysql_statement.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include <mysql.h>

#include <dorm/detail/data_errors.hpp>
#include <dorm/error.hpp>

#include "../driver/messages.hpp"
#include "../driver/numbers.hpp"
#include "../driver/text_check.hpp"

namespace dorm::driver::mysql {

namespace {

/// The charset number of `binary` (BINARY, VARBINARY and BLOB columns).
constexpr unsigned binary_charset = 63;

/// A non-null buffer for empty strings and blobs.
char empty_buffer[1] = {0};

/// The result columns' metadata through the public API (mysql_stmt_result_metadata): the fields
/// of MYSQL_STMT are not part of the documented interface. The MYSQL_RES only points at the
/// statement's own field array (valid until the next execution); freeing it frees no field.
struct result_fields {
    std::unique_ptr<st_mysql_res, res_deleter> res;
    const MYSQL_FIELD* fields = nullptr;
    unsigned count = 0;
    explicit result_fields(MYSQL_STMT* st) : res(mysql_stmt_result_metadata(st)) {
        if (res) {
            fields = mysql_fetch_fields(res.get());
            count = fields != nullptr ? mysql_num_fields(res.get()) : 0;
        }
    }
};

}  // namespace

bool statement::columns_match() const noexcept {
    const result_fields meta(stmt_.get());
    if (meta.count != columns_.size()) return false;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        const MYSQL_FIELD& f = meta.fields[c];
        const column_slot& col = columns_[c];
        if (static_cast<int>(f.type) != col.field_type || f.charsetnr != col.charsetnr ||
            ((f.flags & UNSIGNED_FLAG) != 0) != col.is_unsigned) {
            return false;
        }
    }
    return true;
}

void statement::setup_columns() {
    binds_.clear();
    columns_.clear();
    // The statement's own metadata: from the prepare, and refreshed by every execution (a
    // column's type can depend on the parameters, as in `SELECT ?`).
    const result_fields meta(stmt_.get());
    const unsigned n = meta.count;
    columns_.resize(n);
    binds_.resize(n);
    rebind_ = false;
    for (unsigned c = 0; c < n; ++c) {
        const MYSQL_FIELD& f = meta.fields[c];
        column_slot& col = columns_[c];
        MYSQL_BIND& b = binds_[c];
        std::memset(&b, 0, sizeof b);
        col.name.assign(f.name, f.name_length);
        col.field_type = static_cast<int>(f.type);
        col.charsetnr = f.charsetnr;
        col.is_unsigned = (f.flags & UNSIGNED_FLAG) != 0;
        switch (f.type) {
            case MYSQL_TYPE_TINY:
            case MYSQL_TYPE_SHORT:
            case MYSQL_TYPE_LONG:
            case MYSQL_TYPE_INT24:
            case MYSQL_TYPE_LONGLONG:
            case MYSQL_TYPE_YEAR:
                col.kind = value_kind::integer;
                col.how = fetch_as::integer;
                break;
            case MYSQL_TYPE_FLOAT:
            case MYSQL_TYPE_DOUBLE:
                col.kind = value_kind::real;
                col.how = fetch_as::real;
                break;
            case MYSQL_TYPE_DECIMAL:
            case MYSQL_TYPE_NEWDECIMAL:
                col.kind = value_kind::real;
                col.how = fetch_as::bytes;
                break;
            case MYSQL_TYPE_TINY_BLOB:
            case MYSQL_TYPE_MEDIUM_BLOB:
            case MYSQL_TYPE_LONG_BLOB:
            case MYSQL_TYPE_BLOB:
            case MYSQL_TYPE_STRING:
            case MYSQL_TYPE_VAR_STRING:
            case MYSQL_TYPE_VARCHAR:
                col.kind = f.charsetnr == binary_charset ? value_kind::blob : value_kind::text;
                col.how = fetch_as::bytes;
                break;
            case MYSQL_TYPE_BIT:
            case MYSQL_TYPE_GEOMETRY:
                col.kind = value_kind::blob;
                col.how = fetch_as::bytes;
                break;
            default:  // dates and times (as text), JSON, ENUM, SET, NULL
                col.kind = value_kind::text;
                col.how = fetch_as::bytes;
                break;
        }
        b.is_null = &col.is_null;
        b.error = &col.error;
        b.length = &col.length;
        switch (col.how) {
            case fetch_as::integer:
                b.buffer_type = MYSQL_TYPE_LONGLONG;
                b.buffer = &col.i;
                b.is_unsigned = col.is_unsigned ? 1 : 0;
                break;
            case fetch_as::real:
                b.buffer_type = MYSQL_TYPE_DOUBLE;
                b.buffer = &col.d;
                break;
            case fetch_as::bytes: {
                // Start small; a longer value is re-fetched into a grown buffer (see fetch()).
                const unsigned long want = std::clamp<unsigned long>(f.length, 16, 1024);
                col.buf.resize(want);
                b.buffer_type = col.kind == value_kind::blob ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
                b.buffer = col.buf.data();
                b.buffer_length = static_cast<unsigned long>(col.buf.size());
                break;
            }
        }
    }
}

MYSQL_BIND& statement::param(int i) {
    check_index(i);
    return params_[static_cast<std::size_t>(i)];
}

void statement::bind_null(int i) {
    MYSQL_BIND& b = param(i);
    b.buffer_type = MYSQL_TYPE_NULL;
    b.buffer = nullptr;
    b.length = nullptr;
}

void statement::bind_int(int i, std::int64_t v) {
    MYSQL_BIND& b = param(i);
    param_slot& s = param_slots_[static_cast<std::size_t>(i)];
    s.i = v;
    b.buffer_type = MYSQL_TYPE_LONGLONG;
    b.buffer = &s.i;
    b.is_unsigned = 0;
    b.length = nullptr;
}

void statement::bind_double(int i, double v) {
    // MariaDB has no NaN or infinity in DOUBLE (strict mode: error 1264 "Out of range value"):
    // refused before the statement runs, where the value is still known.
    if (!std::isfinite(v)) {
        std::string shown;
        numbers::write_text(v, shown);
        detail::throw_bad_write(std::move(shown), "cannot be stored by MariaDB/MySQL (DOUBLE has no NaN or infinity)");
    }
    MYSQL_BIND& b = param(i);
    param_slot& s = param_slots_[static_cast<std::size_t>(i)];
    s.d = v;
    b.buffer_type = MYSQL_TYPE_DOUBLE;
    b.buffer = &s.d;
    b.length = nullptr;
}

void statement::bind_text(int i, std::string_view v) {
    // invalid UTF-8 is refused before sending (the server's error would not say which column)
    detail::check_text_storable(v, detail::mariadb_text);
    MYSQL_BIND& b = param(i);
    param_slot& s = param_slots_[static_cast<std::size_t>(i)];
    s.length = static_cast<unsigned long>(v.size());
    b.buffer_type = MYSQL_TYPE_STRING;
    b.buffer = v.empty() ? empty_buffer : const_cast<char*>(v.data());
    b.buffer_length = s.length;
    b.length = &s.length;
}

void statement::bind_blob(int i, std::span<const std::byte> v) {
    MYSQL_BIND& b = param(i);
    param_slot& s = param_slots_[static_cast<std::size_t>(i)];
    s.length = static_cast<unsigned long>(v.size());
    b.buffer_type = MYSQL_TYPE_BLOB;  // sent with the binary charset: no conversion
    b.buffer = v.empty() ? static_cast<void*>(empty_buffer) : const_cast<std::byte*>(v.data());
    b.buffer_length = s.length;
    b.length = &s.length;
}

const statement::column_slot* statement::current(int c) const noexcept {
    if (!has_row_ || c < 0 || static_cast<std::size_t>(c) >= columns_.size()) return nullptr;
    return &columns_[static_cast<std::size_t>(c)];
}

std::string_view statement::column_name(int c) {
    if (c < 0 || static_cast<std::size_t>(c) >= columns_.size()) return {};
    return columns_[static_cast<std::size_t>(c)].name;
}

std::string statement::column_table(int c) {
    const result_fields meta(stmt_.get());
    if (c < 0 || static_cast<unsigned>(c) >= meta.count) return {};
    const MYSQL_FIELD& f = meta.fields[c];  // (org_table: the table's name, not its alias)
    return f.org_table != nullptr ? std::string(f.org_table, f.org_table_length) : std::string();
}

bool statement::is_null(int c) {
    const column_slot* col = current(c);
    return col == nullptr || col->is_null != 0;
}

value_kind statement::column_kind(int c) {
    const column_slot* col = current(c);
    if (col == nullptr || col->is_null != 0) return value_kind::null;
    return col->kind;
}

// Integers and doubles are fetched in binary; everything else as bytes, read by the rules of
// lib/driver/numbers.hpp: DECIMAL (kind real) by the real rule, exactly; texts, dates and the
// like must be integer literals; BLOB and BIT are refused. NULL reads as 0.
std::int64_t statement::get_int(int c) {
    const column_slot* col = current(c);
    if (col == nullptr || col->is_null != 0) return 0;
    switch (col->how) {
        case fetch_as::integer:
            if (col->is_unsigned && col->i < 0) return numbers::unsigned_to_int(static_cast<std::uint64_t>(col->i));
            return col->i;
        case fetch_as::real:
            return numbers::real_to_int(col->d);
        case fetch_as::bytes:
            break;
    }
    const std::string_view s(col->buf.data(), col->length);
    switch (col->kind) {
        case value_kind::real:
            return numbers::decimal_to_int(s);
        case value_kind::blob:
            numbers::blob_is_not_a_number({reinterpret_cast<const std::byte*>(s.data()), s.size()}, true);
        default:
            return numbers::text_to_int(s);
    }
}

double statement::get_double(int c) {
    const column_slot* col = current(c);
    if (col == nullptr || col->is_null != 0) return 0.0;
    switch (col->how) {
        case fetch_as::integer:
            return col->is_unsigned ? numbers::unsigned_to_double(static_cast<std::uint64_t>(col->i))
                                    : numbers::int_to_double(col->i);
        case fetch_as::real:
            return col->d;
        case fetch_as::bytes:
            break;
    }
    const std::string_view s(col->buf.data(), col->length);
    if (col->kind == value_kind::blob) {
        numbers::blob_is_not_a_number({reinterpret_cast<const std::byte*>(s.data()), s.size()}, false);
    }
    return numbers::text_to_double(s);  // DECIMAL, and texts that are whole numbers
}

std::string_view statement::get_text(int c) {
    if (current(c) == nullptr) return {};
    column_slot& col = columns_[static_cast<std::size_t>(c)];
    if (col.is_null != 0) return {};
    switch (col.how) {
        case fetch_as::bytes:
            return {col.buf.data(), col.length};
        case fetch_as::integer:
            if (col.text.empty()) {
                if (col.is_unsigned)
                    numbers::write_text(static_cast<std::uint64_t>(col.i), col.text);
                else
                    numbers::write_text(col.i, col.text);
            }
            return col.text;
        case fetch_as::real:
            if (col.text.empty()) numbers::write_text(col.d, col.text);
            return col.text;
    }
    return {};
}

std::span<const std::byte> statement::get_blob(int c) {
    const std::string_view s = get_text(c);
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

}  // namespace dorm::driver::mysql
