// One allocation per session record, with a control block type that does not depend on the mapped
// struct. A block is [record<T> | padding | shared_ptr control block]: record<T> is constructed by
// the header (new_record<T>), the control block here, by std::shared_ptr's (pointer, deleter,
// allocator) constructor with an allocator that hands out the space already reserved after the
// record. libstdc++ and libc++ both dispose (the deleter: the record's destroy()) when the last
// shared_ptr goes and deallocate the control block (here: the whole block) when the last weak_ptr
// goes, so the record's memory lives exactly as long as with std::make_shared.
#include <cstddef>
#include <memory>
#include <new>

#include <dorm/session/detail/record.hpp>

namespace dorm::detail {
namespace {

// room for the control block: vtable pointer, two counts, the pointer, the allocator's two words
// (the deleter is empty); checked against the real type in block_allocator::allocate
constexpr std::size_t control_room = 64;
constexpr std::size_t control_align = alignof(std::max_align_t);

constexpr std::size_t control_offset(std::size_t size) noexcept {
    return (size + control_align - 1) / control_align * control_align;
}

bool over_aligned(std::size_t align) noexcept { return align > __STDCPP_DEFAULT_NEW_ALIGNMENT__; }

void free_block(void* block, std::size_t align) noexcept {
    if (over_aligned(align))
        ::operator delete(block, std::align_val_t(align));
    else
        ::operator delete(block);
}

struct record_deleter {
    void operator()(record_base* rec) const noexcept { rec->layout().destroy(rec); }
};

/// Allocates the control block in the space reserved for it; frees the whole block.
template <class U>
struct block_allocator {
    using value_type = U;
    void* block;
    std::size_t size, align;

    block_allocator(void* b, std::size_t s, std::size_t a) noexcept : block(b), size(s), align(a) {}
    template <class V>
    block_allocator(const block_allocator<V>& o) noexcept : block(o.block), size(o.size), align(o.align) {}

    U* allocate(std::size_t n) {
        static_assert(sizeof(U) <= control_room && alignof(U) <= control_align,
                      "dorm: the record block reserves too little room for its control block");
        if (n != 1) throw std::bad_alloc();
        return static_cast<U*>(static_cast<void*>(static_cast<std::byte*>(block) + control_offset(size)));
    }
    void deallocate(U*, std::size_t) noexcept { free_block(block, align); }

    template <class V>
    bool operator==(const block_allocator<V>& o) const noexcept {
        return block == o.block;
    }
};

}  // namespace

void* allocate_record_block(std::size_t size, std::size_t align) {
    const std::size_t total = control_offset(size) + control_room;
    return over_aligned(align) ? ::operator new(total, std::align_val_t(align)) : ::operator new(total);
}

void free_record_block(void* block, std::size_t align) noexcept { free_block(block, align); }

std::shared_ptr<record_base> adopt_record_block(void* block, record_base* rec, std::size_t size,
                                                std::size_t align) noexcept {
    // the allocator cannot fail (n is 1), so neither can this constructor
    return std::shared_ptr<record_base>(rec, record_deleter{}, block_allocator<record_base>(block, size, align));
}

}  // namespace dorm::detail
