#pragma once
/// @file dorm/reflect/relationship_members.hpp
/// dorm::many<T> (a collection: one-to-many, many-to-many) and dorm::one<T> (a scalar: many-to-one,
/// one-to-one) relationship members.
///
/// A relationship member is wired to its owner's session when the owner is added to or loaded by a
/// session: from then on, changes are mirrored on the other side (`back_populates`) and an unloaded
/// relationship loads itself on first access.
#include <cstddef>
#include <memory>
#include <vector>

namespace dorm {

namespace detail {
/// Throws detached_instance_error (reading an unloaded relationship without a session).
[[noreturn]] void throw_detached(const char* what);
/// A collection (the member at `collection`) that is in no session gained `obj`. It is remembered
/// while the collection holds it and stays out of a session: `obj` joining a session then finds
/// the collection's owner if that is a detached object (the back reference the append would have
/// set in a session), and a flush that would save `obj` without a new owner refuses (SQLAlchemy's
/// backref would have brought the owner in). When `obj` is a detached object with a row, the
/// parent it left is not to treat it as an orphan when it joins a session again (it went to this
/// collection). Returns whether it is remembered. lib/session/unhooked_items.cpp.
bool note_unhooked_append(const void* obj, const void* collection) noexcept;
/// The collection at `collection` let go of `obj` while in no session.
void note_unhooked_erase(const void* obj, const void* collection) noexcept;
/// The collection at `collection` (its `n` items read by `get`) joins a session, is reached
/// through raw() or dies: it holds nothing noted any more.
void forget_unhooked_collection(const void* collection, const void* items, std::size_t n,
                                const void* (*get)(const void* items, std::size_t i)) noexcept;
/// The collection at `to` is a copy of the one at `from` (its `n` items read by `get`): the items
/// noted in `from` are noted in `to` too (a temporary's copy in make_shared, a vector of values);
/// returns whether there were any.
bool copy_unhooked_collection(const void* from, const void* to, const void* items, std::size_t n,
                              const void* (*get)(const void* items, std::size_t i)) noexcept;
/// Releases `items` without recursion: a collection destroyed while another one is being destroyed
/// on this thread hands its items to the outer one, which releases them one at a time (a
/// 1,000,000-deep chain held through dorm::many would otherwise overflow the stack).
/// lib/session/wiring.cpp.
void release_iteratively(std::vector<std::shared_ptr<void>>& items) noexcept;
/// The same for one object (the last owner of a dorm::one target lets go of it): the target is
/// released through the queue of the outermost release on this thread. `item` is empty after.
void release_iteratively(std::shared_ptr<void>& item) noexcept;

/// Membership of a dorm::many's items in O(1): a set of their addresses, built at the first
/// lookup in a collection of more than a few items and kept up to date by appends and erases; any
/// other edit (clear, assignment, mutable access through raw()) drops it,
/// and the next lookup rebuilds it. lib/session/many_index.cpp.
class many_index {
public:
    many_index() noexcept = default;
    many_index(const many_index&) noexcept {}  // a copy starts without a set
    many_index& operator=(const many_index&) noexcept {
        invalidate();
        return *this;
    }
    ~many_index();

    /// Whether `obj` is one of the `n` items of `items`, read by `get(items, i)`. Not const: it
    /// may build the set (a const member would race when two threads read one collection).
    bool contains(const void* obj, const void* items, std::size_t n,
                  const void* (*get)(const void* items, std::size_t i));
    /// `obj` was appended to the items.
    void appended(const void* obj) noexcept;
    /// `obj` was erased from the items (they hold each address once).
    void erased(const void* obj) noexcept;
    /// The items changed in a way that was not reported: rebuild at the next lookup.
    void invalidate() noexcept { valid_ = false; }

private:
    struct set;
    set* set_ = nullptr;
    bool valid_ = false;
};

/// The session side of a wired relationship (implemented by the session; type-erased).
class relation_hook {
public:
    /// Loads the relationship's content (lazy load); throws detached_instance_error without a session.
    virtual void load(void* member) = 0;
    /// `child` was added to (added=true) or removed from the collection/scalar of the owner.
    virtual void changed(void* member, const std::shared_ptr<void>& child, bool added) = 0;

protected:
    // never deleted through this interface (records are owned by std::make_shared control
    // blocks, which destroy the concrete type): no virtual destructor, no per-struct copy of it
    ~relation_hook() = default;
};
}  // namespace detail

/// A collection relationship: a range of std::shared_ptr<T>.
template <class T>
class many {
public:
    using value_type = std::shared_ptr<T>;
    using container = std::vector<std::shared_ptr<T>>;
    using iterator = typename container::iterator;
    using const_iterator = typename container::const_iterator;

    many() = default;
    /// A collection built in place counts as appended to (see push_back).
    many(std::initializer_list<std::shared_ptr<T>> items) : items_(items), loaded_(true) {
        for (auto& it : items_)
            if (it) noted_ |= detail::note_unhooked_append(it.get(), this);
    }
    // Copying a relationship copies its content but not its wiring (the items appended to the
    // original outside a session count as appended to the copy too).
    many(const many& o) : items_(o.items_), loaded_(o.loaded_) {
        if (o.noted_) noted_ = detail::copy_unhooked_collection(&o, this, &items_, items_.size(), &item_at);
    }
    ~many() {
        if (noted_) detail::forget_unhooked_collection(this, &items_, items_.size(), &item_at);
        if (items_.empty()) return;
        std::vector<std::shared_ptr<void>> items;
        try {
            items.reserve(items_.size());
        } catch (...) {  // out of memory: release them the plain way
            return;
        }
        for (auto& p : items_) items.push_back(std::move(p));
        detail::release_iteratively(items);
    }
    many& operator=(const many& o) {
        if (this != &o) {
            ensure_loaded();
            for (auto& it : items_) notify(it, false);
            items_ = o.items_;
            index_.invalidate();
            loaded_ = true;
            for (auto& it : items_) notify(it, true);
        }
        return *this;
    }

    // Iteration never gives write access to the items: an item replaced through an iterator would
    // skip back_populates and the lookup set (use erase + push_back, or raw() to reorder).
    const_iterator begin() { return (ensure_loaded(), items_.cbegin()); }
    const_iterator end() { return (ensure_loaded(), items_.cend()); }
    const_iterator begin() const { return (ensure_loaded(), items_.begin()); }
    const_iterator end() const { return (ensure_loaded(), items_.end()); }
    std::size_t size() const { return (ensure_loaded(), items_.size()); }
    bool empty() const { return (ensure_loaded(), items_.empty()); }
    const std::shared_ptr<T>& operator[](std::size_t i) const { return (ensure_loaded(), items_[i]); }

    /// Appends `item` (sets the other side when the relationship is wired).
    void push_back(std::shared_ptr<T> item) {
        ensure_loaded();
        if (!item) return;
        if (contains(item.get())) return;
        items_.push_back(item);
        index_.appended(item.get());
        notify(items_.back(), true);
    }
    /// Removes the element at `pos`; returns the iterator after it.
    iterator erase(const_iterator pos) {
        ensure_loaded();
        std::shared_ptr<T> item = *pos;
        auto next = items_.erase(pos);
        index_.erased(item.get());
        auto index = next - items_.begin();
        notify(item, false);
        return items_.begin() + index;
    }
    /// Removes `item` if present; true if it was.
    bool remove(const std::shared_ptr<T>& item) {
        ensure_loaded();
        auto it = items_.begin();
        while (it != items_.end() && *it != item) ++it;
        if (it == items_.end()) return false;
        erase(it);
        return true;
    }
    void clear() {
        ensure_loaded();
        auto old = std::move(items_);
        items_.clear();
        index_.invalidate();
        for (auto& it : old) notify(it, false);
    }

    /// Whether the content is in memory (no SQL needed to read it).
    bool loaded() const noexcept { return loaded_; }

    // -- for the session --------------------------------------------------------------------
    /// The items, for an edit that bypasses notifications (drops the lookup set, and the items
    /// appended outside a session no longer count as appended).
    container& raw() noexcept {
        index_.invalidate();
        forget_noted();
        return items_;
    }
    const container& raw() const noexcept { return items_; }
    /// Whether `obj` is among the items (no load, no notification).
    bool contains(const void* obj) { return index_.contains(obj, &items_, items_.size(), &item_at); }
    /// Appends `item` unless present, without notifying the other side.
    void append_unique(std::shared_ptr<T> item) {
        if (contains(item.get())) return;
        items_.push_back(std::move(item));
        index_.appended(items_.back().get());
    }
    void set_loaded(bool l) noexcept { loaded_ = l; }
    void set_hook(detail::relation_hook* h) noexcept {
        forget_noted();
        hook_ = h;
    }
    detail::relation_hook* hook() const noexcept { return hook_; }

private:
    void forget_noted() noexcept {
        if (!noted_) return;
        detail::forget_unhooked_collection(this, &items_, items_.size(), &item_at);
        noted_ = false;
    }
    void ensure_loaded() const {
        if (loaded_) return;
        if (!hook_) detail::throw_detached("collection");
        hook_->load(const_cast<many*>(this));
        loaded_ = true;
    }
    void notify(const std::shared_ptr<T>& item, bool added) {
        if (hook_)
            hook_->changed(this, std::static_pointer_cast<void>(item), added);
        else if (added)
            noted_ |= detail::note_unhooked_append(item.get(), this);
        else if (noted_)
            detail::note_unhooked_erase(item.get(), this);
    }

    static const void* item_at(const void* items, std::size_t i) {
        return (*static_cast<const container*>(items))[i].get();
    }

    container items_;
    mutable bool loaded_ = true;
    bool noted_ = false;  ///< items appended outside a session are noted (note_unhooked_append)
    detail::relation_hook* hook_ = nullptr;
    detail::many_index index_;
};

namespace detail {
/// The type-erased state of dorm::one<T> (its target as shared_ptr<void>): the session's
/// relationship operations on one<T> members are compiled once in lib/session/wiring.cpp.
class one_base {
public:
    bool loaded() const noexcept { return loaded_; }

    // -- for the session --------------------------------------------------------------------
    std::shared_ptr<void> get_no_load_void() const { return weak_mode_ ? weak_.lock() : strong_; }
    /// Sets the target without notifying the other side.
    void store_void(std::shared_ptr<void> p) {
        if (tracked_) untrack();  // the session manages this member now
        had_target_ = p != nullptr;
        if (weak_mode_)
            weak_ = std::move(p);
        else
            strong_ = std::move(p);
        loaded_ = true;
    }
    /// A weak reference breaks the ownership cycle of a back_populates pair (the side that holds the FK).
    void set_weak(bool weak);
    void set_loaded(bool l) noexcept { loaded_ = l; }
    void set_hook(relation_hook* h) noexcept {
        if (tracked_) untrack();
        hook_ = h;
    }
    relation_hook* hook() const noexcept { return hook_; }
    /// The target this member was assigned while it had no hook (its owner in no session), or null.
    const void* tracked_target() const noexcept { return tracked_; }
    /// Whether it was set to nullptr while it had no hook (its owner detached) and had, or may
    /// have had, a target; reading it resets it.
    bool cleared_unhooked() const noexcept { return cleared_unhooked_; }
    bool take_cleared_unhooked() noexcept {
        const bool c = cleared_unhooked_;
        cleared_unhooked_ = false;
        return c;
    }

protected:
    one_base() = default;
    explicit one_base(std::shared_ptr<void> p) noexcept : strong_(std::move(p)), had_target_(strong_ != nullptr) {
        if (strong_) track(strong_.get());
    }
    one_base(const one_base& o) : strong_(o.get_no_load_void()) {
        if (o.tracked_ && strong_) take_over(o);
    }
    one_base& operator=(const one_base&) = delete;
    ~one_base();  // lib/session/wiring.cpp

    /// The target, loading it first if needed (a weakly held target that died is reloaded).
    std::shared_ptr<void> get_void() const {
        if (weak_mode_ && had_target_ && weak_.expired()) loaded_ = false;  // the target is gone: reload it
        if (!loaded_) load_now();
        return get_no_load_void();
    }
    /// Points to `p` and notifies the other side when wired (lib/session/wiring.cpp).
    void assign_void(std::shared_ptr<void> p);

private:
    void load_now() const;
    // An assignment made without a hook is remembered in a registry of unhooked references
    // (lib/session/wiring.cpp, detail::unhooked_refs): when its target joins a session, the flush
    // can tell that this member's owner is not reachable from it (issue 13, item 12).
    void track(const void* target) noexcept;
    void untrack() noexcept;
    void take_over(const one_base& from) noexcept;  ///< a copy is tracked instead of its source

    std::shared_ptr<void> strong_;
    std::weak_ptr<void> weak_;
    bool weak_mode_ = false;
    bool had_target_ = false;
    bool cleared_unhooked_ = false;  ///< see take_cleared_unhooked()
    mutable bool loaded_ = true;
    relation_hook* hook_ = nullptr;
    mutable const void* tracked_ = nullptr;  ///< registered in unhooked_refs under this target
};
}  // namespace detail

/// A scalar relationship: refers to one object or none.
template <class T>
class one : public detail::one_base {
public:
    one() = default;
    one(std::nullptr_t) {}
    one(std::shared_ptr<T> p) : one_base(std::move(p)) {}
    one(const one& o) = default;
    one& operator=(const one& o) { return (*this = o.get_no_load()); }

    /// Points to `p` (and moves it between the old and the new owner's collections when wired).
    one& operator=(std::shared_ptr<T> p) {
        assign_void(std::move(p));
        return *this;
    }
    one& operator=(std::nullptr_t) {
        assign_void(nullptr);
        return *this;
    }

    std::shared_ptr<T> get() const { return std::static_pointer_cast<T>(get_void()); }
    T* operator->() const { return static_cast<T*>(get_void().get()); }
    T& operator*() const { return *static_cast<T*>(get_void().get()); }
    explicit operator bool() const { return get_void() != nullptr; }
    friend bool operator==(const one& a, std::nullptr_t) { return a.get_void() == nullptr; }

    // -- for the session --------------------------------------------------------------------
    std::shared_ptr<T> get_no_load() const { return std::static_pointer_cast<T>(get_no_load_void()); }
    /// Sets the target without notifying the other side.
    void store(std::shared_ptr<T> p) { store_void(std::move(p)); }
};

namespace detail {
template <class M>
struct relationship_traits {
    static constexpr bool is_relationship = false;
};
template <class T>
struct relationship_traits<many<T>> {
    static constexpr bool is_relationship = true, is_collection = true;
    using target = T;
};
template <class T>
struct relationship_traits<one<T>> {
    static constexpr bool is_relationship = true, is_collection = false;
    using target = T;
};
}  // namespace detail

}  // namespace dorm
