// The column half of the session's per-object bookkeeping: every operation walks the struct's
// record_layout (member offsets in the object and in the snapshot buffer, one column_ops table
// per member type), so it is compiled once here instead of once per mapped struct.
#include <limits>
#include <new>

#include <dorm/detail/data_errors.hpp>

#include <dorm/session/detail/record.hpp>

#include "session/assoc_rows.hpp"

namespace dorm::detail {

namespace {
inline const void* at(const void* base, std::uint32_t off) noexcept { return static_cast<const char*>(base) + off; }
inline void* at(void* base, std::uint32_t off) noexcept { return static_cast<char*>(base) + off; }
constexpr column_mask all_columns(std::size_t n) noexcept {
    return n >= 64 ? ~column_mask{0} : ((column_mask{1} << n) - 1);
}

/// Column values live in the object (member offsets) or in a buffer laid out as the snapshot.
enum class place { object, buffer };
inline std::uint32_t offset(const column_slot& c, place p) noexcept { return p == place::object ? c.obj : c.snap; }

/// dst's columns in `mask` := src's (both hold constructed values).
void assign_columns(const record_layout& l, void* dst, place dp, const void* src, place sp, column_mask mask) {
    for (std::size_t i = 0; i < l.count; ++i) {
        if (!((mask >> i) & 1)) continue;
        const column_slot& c = l.cols[i];
        c.ops->assign(at(dst, offset(c, dp)), at(src, offset(c, sp)));
    }
}
/// Constructs every column value of buffer `dst` from src; nothing stays built if a copy throws.
void construct_buffer(const record_layout& l, void* dst, const void* src, place sp) {
    std::size_t i = 0;
    try {
        for (; i < l.count; ++i) {
            const column_slot& c = l.cols[i];
            c.ops->construct(at(dst, c.snap), at(src, offset(c, sp)));
        }
    } catch (...) {  // a copy threw (out of memory)
        while (i-- > 0) l.cols[i].ops->destroy(at(dst, l.cols[i].snap));
        throw;
    }
}
void destroy_buffer(const record_layout& l, void* buf) noexcept {
    for (std::size_t i = 0; i < l.count; ++i) l.cols[i].ops->destroy(at(buf, l.cols[i].snap));
}
}  // namespace

bool layout_key(const record_layout& l, const void* obj, identity_key& out) {
    out.table = l.table;
    out.s.clear();
    if (l.int_key >= 0) {
        const column_slot& c = l.cols[l.int_key];
        out.i = c.ops->as_int(at(obj, c.obj));
        return !(l.autoincrement && out.i == 0);
    }
    out.i = 0;
    for (int p : l.table->primary_key) {
        const column_slot& c = l.cols[p];
        append_key_part(out.s, c.ops->to_value(at(obj, c.obj)));
    }
    return true;
}

void append_key_part(std::string& out, const value& v) {
    // kind tag + length prefix keeps composite keys unambiguous
    out += static_cast<char>('0' + static_cast<int>(v.kind()));
    std::string body;
    switch (v.kind()) {
        case value_kind::null: break;
        case value_kind::integer: body = std::to_string(v.as_int()); break;
        case value_kind::real: body = v.repr(); break;
        case value_kind::text: body = v.as_text(); break;
        case value_kind::blob: body.assign(reinterpret_cast<const char*>(v.as_blob().data()), v.as_blob().size()); break;
    }
    out += std::to_string(body.size());
    out += ':';
    out += body;
}

void layout_row_key(const record_layout& l, driver::statement& s, int first, identity_key& out) {
    out.table = l.table;
    if (l.int_key >= 0) {
        out.i = s.get_int(first + l.int_key);
    } else {
        out.i = 0;
        out.s.clear();
        for (int p : l.table->primary_key) append_key_part(out.s, s.get(first + p));
    }
}

record_base::~record_base() {
    if (detached_known.load(std::memory_order_acquire)) detached_records::forget(this);
    drop_backup();
    delete assoc_db_;
}

void record_base::destroy_snapshot() noexcept {
    if (!has_snapshot) return;
    destroy_buffer(*layout_, snap_);
    has_snapshot = false;
}

column_mask record_base::changed() const {
    const record_layout& l = *layout_;
    if (!has_snapshot) return all_columns(l.count);
    column_mask mask = 0;
    for (std::size_t i = 0; i < l.count; ++i) {
        const column_slot& c = l.cols[i];
        if (!c.ops->equal(at(obj_, c.obj), at(snap_, c.snap))) mask |= column_mask{1} << i;
    }
    return mask;
}

column_mask record_base::changed_among(column_mask cols) const {
    if (!has_snapshot) return cols;
    const record_layout& l = *layout_;
    column_mask mask = 0;
    for (std::size_t i = 0; i < l.count; ++i) {
        if (!((cols >> i) & 1)) continue;
        const column_slot& c = l.cols[i];
        if (!c.ops->equal(at(obj_, c.obj), at(snap_, c.snap))) mask |= column_mask{1} << i;
    }
    return mask;
}

void record_base::bind_columns(driver::statement& s, const std::vector<int>& cols, int first,
                               bind_scratch& scratch) const {
    int p = first;
    int i = 0;
    try {
        for (int col : cols) {
            i = col;
            const column_slot& c = layout_->cols[col];
            c.ops->bind(s, p++, at(obj_, c.obj), scratch);
        }
    } catch (const data_error& e) {  // a value the backend cannot store (the driver refused it)
        rethrow_in_layout_column(e, *layout_, static_cast<std::size_t>(i));
    }
}

void record_base::bind_all(driver::statement& s, int skip, bind_scratch& scratch) const {
    const record_layout& l = *layout_;
    int p = 0;
    std::size_t i = 0;
    try {
        for (; i < l.count; ++i) {
            if (static_cast<int>(i) == skip) continue;
            const column_slot& c = l.cols[i];
            c.ops->bind(s, p++, at(obj_, c.obj), scratch);
        }
    } catch (const data_error& e) {  // a value the backend cannot store (the driver refused it)
        rethrow_in_layout_column(e, l, i);
    }
}

void record_base::bind_key(driver::statement& s, int first, bind_scratch& scratch) const {
    int p = first;
    for (int i : layout_->table->primary_key) {
        const column_slot& c = layout_->cols[i];
        c.ops->bind(s, p++, has_snapshot ? at(snap_, c.snap) : at(obj_, c.obj), scratch);
    }
}

void record_base::column_values(const std::vector<int>& cols, std::vector<value>& out) const {
    for (int i : cols) out.push_back(get_column(i));
}

void record_base::key_values(std::vector<value>& out) const {
    for (int i : layout_->table->primary_key) {
        const column_slot& c = layout_->cols[i];
        out.push_back(c.ops->to_value(has_snapshot ? at(snap_, c.snap) : at(obj_, c.obj)));
    }
}

namespace {
/// Reads the columns of a row (starting at `first`) into `obj`; `i` is the column being read.
void read_columns(const record_layout& l, void* obj, driver::statement& s, int first, std::size_t& i) {
    for (; i < l.count; ++i) {
        const column_slot& c = l.cols[i];
        const int col = first + static_cast<int>(i);
        if (c.null_reads_default && s.is_null(col))
            c.ops->reset(at(obj, c.obj));
        else
            c.ops->read(s, col, at(obj, c.obj));
    }
}
}  // namespace

void record_base::read_row(driver::statement& s, int first) {
    std::size_t i = 0;
    try {
        read_columns(*layout_, obj_, s, first, i);
    } catch (const data_error& e) {
        rethrow_in_layout_column(e, *layout_, i);
    }
}

void record_base::reread_row(driver::statement& s, int first) {
    std::size_t i = 0;
    auto keep_read = [&] {
        if (has_snapshot && i) take_snapshot(i >= 64 ? ~column_mask{0} : (column_mask{1} << i) - 1);
    };
    try {
        read_columns(*layout_, obj_, s, first, i);
    } catch (const data_error& e) {
        keep_read();
        rethrow_in_layout_column(e, *layout_, i);
    } catch (...) {
        keep_read();
        throw;
    }
}

void rethrow_in_layout_column(const data_error& e, const record_layout& l, std::size_t col) {
    rethrow_in_column(e, l.table->name, l.table->columns[col].name, l.cols[col].ops->cpp_type);
}

void derive_layout_masks(record_layout& l) noexcept {
    for (std::size_t i = 0; i < l.count; ++i) {
        if (l.cols[i].ops->check || l.cols[i].max_chars) l.checked |= column_mask{1} << i;
        if (l.table->columns[i].references) l.foreign_keys |= column_mask{1} << i;
    }
}

void check_columns(const record_layout& l, const void* obj, column_mask cols) {
    cols &= l.checked;
    for (std::size_t i = 0; cols != 0; ++i, cols >>= 1) {
        if (!(cols & 1)) continue;
        const column_slot& c = l.cols[i];
        const void* m = at(obj, c.obj);
        try {
            if (c.ops->check) c.ops->check(m);
            if (c.max_chars > 0) {
                if (c.ops->text) {
                    if (const std::string* t = c.ops->text(m)) check_text_length(*t, c.max_chars);
                } else {
                    const value v = c.ops->to_value(m);  // an adapted type stored as text
                    if (v.kind() == value_kind::text) check_text_length(v.as_text(), c.max_chars);
                }
            }
        } catch (const data_error& e) {
            rethrow_in_layout_column(e, l, i);
        }
    }
}

std::int64_t record_base::version() const noexcept {
    const column_slot& c = layout_->cols[layout_->version_col];
    return c.ops->as_int(at(obj_, c.obj));
}

void record_base::set_version(std::int64_t v) noexcept {
    const column_slot& c = layout_->cols[layout_->version_col];
    c.ops->set_int(at(obj_, c.obj), v);
}

std::int64_t record_base::committed_version() const noexcept {
    const column_slot& c = layout_->cols[layout_->version_col];
    return c.ops->as_int(has_snapshot ? at(snap_, c.snap) : at(obj_, c.obj));
}

std::int64_t record_base::next_version() {
    const std::int64_t committed = committed_version();
    if (committed != std::numeric_limits<std::int64_t>::max()) {
        // does the member hold committed + 1? (written and read back, then put back as it was)
        const std::int64_t now = version();
        set_version(committed + 1);
        const bool fits = version() == committed + 1;
        set_version(now);
        if (fits) return committed + 1;
    }
    const std::size_t col = static_cast<std::size_t>(layout_->version_col);
    const std::string next = committed == std::numeric_limits<std::int64_t>::max()
                                 ? std::string("9223372036854775808")
                                 : std::to_string(committed + 1);
    try {
        throw_bad_write(next, "is out of the range of the dorm::version member's type: the version after " +
                                  std::to_string(committed) + " (row " + key_text() +
                                  ") would wrap around; use a wider integer type for the version column");
    } catch (const data_error& e) {
        rethrow_in_layout_column(e, *layout_, col);
    }
}

std::string record_base::key_text() const {
    std::vector<value> key;
    key_values(key);
    std::string out;
    const auto& pk = layout_->table->primary_key;
    for (std::size_t i = 0; i < pk.size() && i < key.size(); ++i) {
        if (i) out += ", ";
        out += layout_->table->columns[static_cast<std::size_t>(pk[i])].name;
        out += '=';
        out += key[i].repr();
    }
    return out;
}

void record_base::set_generated_key(std::int64_t id) {
    const record_layout& l = *layout_;
    if (!l.autoincrement) return;
    const column_slot& c = l.cols[l.int_key];
    c.ops->set_int(at(obj_, c.obj), id);
}

void record_base::clear_generated_key() {
    const record_layout& l = *layout_;
    if (!l.autoincrement) return;
    const column_slot& c = l.cols[l.int_key];
    c.ops->reset(at(obj_, c.obj));
    if (has_snapshot) c.ops->reset(at(snap_, c.snap));
}

void record_base::set_column(int col, const value& v, bool also_snapshot) {
    const column_slot& c = layout_->cols[col];
    c.ops->from_value(at(obj_, c.obj), v);
    if (also_snapshot && has_snapshot) c.ops->assign(at(snap_, c.snap), at(obj_, c.obj));
}

bool record_base::column_changed(int col) const {
    if (!has_snapshot) return true;
    const column_slot& c = layout_->cols[col];
    return !c.ops->equal(at(obj_, c.obj), at(snap_, c.snap));
}

value record_base::get_column(int col) const {
    const column_slot& c = layout_->cols[col];
    return c.ops->to_value(at(obj_, c.obj));
}

value record_base::snapshot_column(int col) const {
    const column_slot& c = layout_->cols[col];
    return c.ops->to_value(has_snapshot ? at(snap_, c.snap) : at(obj_, c.obj));
}

void record_base::take_snapshot() {
    const record_layout& l = *layout_;
    if (has_snapshot)
        assign_columns(l, snap_, place::buffer, obj_, place::object, all_columns(l.count));
    else
        construct_buffer(l, snap_, obj_, place::object);
    has_snapshot = true;
}

void record_base::take_snapshot(column_mask cols) {
    if (!has_snapshot) return take_snapshot();
    assign_columns(*layout_, snap_, place::buffer, obj_, place::object, cols);
}

void record_base::save_backup() {
    if (has_backup || !has_snapshot) return;
    const record_layout& l = *layout_;
    auto* buf = static_cast<std::byte*>(::operator new(l.snap_size, std::align_val_t(l.snap_align)));
    try {
        construct_buffer(l, buf, snap_, place::buffer);
    } catch (...) {
        ::operator delete(buf, std::align_val_t(l.snap_align));
        throw;
    }
    backup_ = buf;
    has_backup = true;
}

void record_base::drop_backup() noexcept {
    if (backup_) {
        destroy_buffer(*layout_, backup_);
        ::operator delete(backup_, std::align_val_t(layout_->snap_align));
        backup_ = nullptr;
    }
    has_backup = false;
}

void record_base::discard_changes() {
    if (has_snapshot) assign_columns(*layout_, obj_, place::object, snap_, place::buffer, all_columns(layout_->count));
    rel_assigned = 0;
}

void record_base::restore_committed() {
    const record_layout& l = *layout_;
    if (has_backup) {
        assign_columns(l, snap_, place::buffer, backup_, place::buffer, all_columns(l.count));
        drop_backup();
    }
    if (has_snapshot) assign_columns(l, obj_, place::object, snap_, place::buffer, all_columns(l.count));
}

}  // namespace dorm::detail
