#pragma once
/// @file dorm/session/detail/record_t.hpp
/// record<T>: the session's bookkeeping for one object of a mapped struct T — the object (held
/// inline, or the user's own shared_ptr) and the buffer of its snapshot (column values as the
/// database has them). Everything else is record_base's, driven by T's record_layout (built here;
/// its relationship table in wiring.hpp).
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

#include <boost/mp11/algorithm.hpp>

#include <dorm/reflect/model.hpp>
#include <dorm/schema/table_of.hpp>
#include <dorm/session/detail/record.hpp>

namespace dorm::detail {

/// The relationship members of T (wiring.hpp), offsets measured on `sample`; `count` receives their number.
template <class T>
const relationship_info* relationships_of(const T& sample, std::size_t& count);
/// Ends the life of a record<T> (record_layout::destroy).
template <class T>
void destroy_record(record_base* rec) noexcept;

/// The snapshot buffer of T: its column types laid out one after another, as a struct would be.
template <class T, class Seq = std::make_index_sequence<model<T>::column_count>>
struct snapshot_shape;
template <class T, std::size_t... I>
struct snapshot_shape<T, std::index_sequence<I...>> {
    static constexpr std::size_t n = sizeof...(I);
    static constexpr std::size_t sizes[n + 1] = {sizeof(member_of<typename model<T>::template column<I>>)..., 0};
    static constexpr std::size_t aligns[n + 1] = {alignof(member_of<typename model<T>::template column<I>>)..., 1};
    struct shape {
        std::uint32_t offsets[n + 1];
        std::size_t align;
    };
    static constexpr shape compute() {
        shape out{};
        std::size_t off = 0;
        out.align = 1;
        for (std::size_t i = 0; i < n; ++i) {
            off = (off + aligns[i] - 1) / aligns[i] * aligns[i];
            out.offsets[i] = static_cast<std::uint32_t>(off);
            off += sizes[i];
            if (aligns[i] > out.align) out.align = aligns[i];
        }
        out.offsets[n] = static_cast<std::uint32_t>(off == 0 ? 1 : off);
        return out;
    }
    static constexpr shape value = compute();
    static constexpr std::size_t size = value.offsets[n];
    static constexpr std::size_t align = value.align;

    static record_layout make() {
        using m = model<T>;
        // everything but the member offsets is a constant
        static constinit column_slot slots[] = {column_slot{
            0, value.offsets[I], &column_ops_of<member_of<typename m::template column<I>>>::table,
            options_v<T, typename m::template column<I>>.nullable &&
                !column_traits<member_of<typename m::template column<I>>>::nullable,
            static_cast<std::uint32_t>(options_v<T, typename m::template column<I>>.varchar)}...};
        const T sample{};  // member offsets, measured on a real object
        const auto* base = reinterpret_cast<const char*>(&sample);
        ((slots[I].obj = static_cast<std::uint32_t>(
              reinterpret_cast<const char*>(&(sample.*(m::template column<I>::pointer))) - base)),
         ...);
        record_layout l;
        l.table = &table_of<T>();
        l.cols = slots;
        l.count = n;
        l.snap_size = size;
        l.snap_align = align;
        if constexpr (m::pk_count == 1 && std::is_integral_v<member_of<typename m::template column<m::pk[0]>>>)
            l.int_key = static_cast<int>(m::pk[0]);
        l.autoincrement = m::autoincrement();
        l.version_col = m::version_column();
        for (auto p : m::pk) l.key_mask |= column_mask{1} << p;
        derive_layout_masks(l);
        l.rels = relationships_of<T>(sample, l.rel_count);
        l.destroy = &destroy_record<T>;
        return l;
    }
};

/// The record_layout of T (built on first use).
template <class T>
const record_layout& layout_of() {
    static const record_layout l = snapshot_shape<T>::make();
    return l;
}

/// How record<T> gets its object: a value-initialised one (a row is read into it), moved from a
/// T, or the user's own shared_ptr (`src` points to a std::shared_ptr<void>).
enum class record_source : unsigned char { empty, move, external };

template <class T>
class record final : public record_base {
public:
    using m = model<T>;
    static constexpr std::size_t N = m::column_count;
    static_assert(N <= 64, "dorm: a mapped struct can have at most 64 columns");
    using shape = snapshot_shape<T>;

    /// One constructor for every source.
    record(record_source how, void* src) : record_base(&layout_of<T>()) {
        // (the null tests let the optimiser see that `empty`, whose src is nullptr, never reads it)
        if (how == record_source::external && src != nullptr) {
            external_ = *static_cast<const std::shared_ptr<void>*>(src);
            set_storage(external_.get(), snap_buf_);
            return;
        }
        T* obj = how == record_source::move && src != nullptr
                     ? ::new (static_cast<void*>(obj_buf_)) T(std::move(*static_cast<T*>(src)))
                     : ::new (static_cast<void*>(obj_buf_)) T();
        has_obj_ = true;
        set_storage(obj, snap_buf_);
    }
    ~record() {
        destroy_snapshot();
        if (has_obj_) std::launder(reinterpret_cast<T*>(obj_buf_))->~T();
    }

private:
    // the object itself, when the record made it (raw storage rather than std::optional<T>: one
    // optional instantiation less per mapped struct in every translation unit that uses it)
    alignas(T) std::byte obj_buf_[sizeof(T)];
    bool has_obj_ = false;
    alignas(shape::align) std::byte snap_buf_[shape::size];
};

template <class T>
void destroy_record(record_base* rec) noexcept {
    static_cast<record<T>*>(rec)->~record();
}

/// A new record of T (see record_source), in one allocation with its control block.
template <class T>
std::shared_ptr<record_base> new_record(record_source how, void* src) {
    constexpr std::size_t size = sizeof(record<T>), align = alignof(record<T>);
    void* block = allocate_record_block(size, align);
    record<T>* rec;
    try {
        rec = ::new (block) record<T>(how, src);
    } catch (...) {
        free_record_block(block, align);
        throw;
    }
    return adopt_record_block(block, rec, size, align);
}

/// The identity of an object of T.
template <class T>
bool key_of(const T& obj, identity_key& out) {
    return layout_key(layout_of<T>(), &obj, out);
}

}  // namespace dorm::detail
