#pragma once
/// @file dorm/detail/owned_ptr.hpp
/// dorm::detail::owned_ptr<T>: the sole owner of a heap object, for the members of dorm's public
/// classes that point to a lib-defined implementation. It does what std::unique_ptr<T> does for
/// them (move-only, deletes on destruction) at a fraction of the compile cost: g++ 12 takes about
/// 1.4 MB to instantiate each std::unique_ptr<X> (its tuple storage and constraints), and a
/// translation unit that includes dorm/dorm.hpp instantiated six of them.
namespace dorm::detail {

template <class T>
class owned_ptr {
public:
    owned_ptr() noexcept = default;
    /// Takes ownership of `p` (from `new`, or nullptr).
    explicit owned_ptr(T* p) noexcept : p_(p) {}
    owned_ptr(const owned_ptr&) = delete;
    owned_ptr& operator=(const owned_ptr&) = delete;
    owned_ptr(owned_ptr&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    owned_ptr& operator=(owned_ptr&& o) noexcept {
        if (this != &o) reset(o.release());
        return *this;
    }
    ~owned_ptr() { delete p_; }

    T* get() const noexcept { return p_; }
    T& operator*() const noexcept { return *p_; }
    T* operator->() const noexcept { return p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    friend bool operator==(const owned_ptr& a, decltype(nullptr)) noexcept { return a.p_ == nullptr; }
    /// Gives up ownership: the caller deletes the object.
    T* release() noexcept {
        T* p = p_;
        p_ = nullptr;
        return p;
    }
    /// Deletes the object held (if any) and holds `p`.
    void reset(T* p = nullptr) noexcept {
        T* old = p_;
        p_ = p;
        delete old;
    }

private:
    T* p_ = nullptr;
};

}  // namespace dorm::detail
