#pragma once
/// @file dorm/reflect/spec_tuple.hpp
/// dorm::detail::spec_tuple: the tuple that holds what DORM_TABLE says (entries, options, the
/// member pointers of a dorm::unique(...)). An aggregate with no constructors: std::tuple's
/// constructor templates and recursive bases cost g++ about 4 MB and 15 ms per mapped struct
/// that declares a DORM_TABLE, in every translation unit that sees it (measured: ten models
/// declared, 234 MB -> 192 MB of front-end memory).
#include <cstddef>
#include <type_traits>
#include <utility>

namespace dorm::detail {

template <std::size_t I, class T>
struct spec_leaf {
    T value;
};
template <class Seq, class... Ts>
struct spec_tuple_base;
template <std::size_t... I, class... Ts>
struct spec_tuple_base<std::index_sequence<I...>, Ts...> : spec_leaf<I, Ts>... {};

/// Built by aggregate initialization: `spec_tuple<A, B>{a, b}`.
template <class... Ts>
struct spec_tuple : spec_tuple_base<std::index_sequence_for<Ts...>, Ts...> {};

template <std::size_t I, class T>
constexpr const T& spec_get_leaf(const spec_leaf<I, T>& l) noexcept {
    return l.value;
}
/// The element I of a spec_tuple.
template <std::size_t I, class... Ts>
constexpr const auto& spec_get(const spec_tuple<Ts...>& t) noexcept {
    return spec_get_leaf<I>(t);
}

template <class T>
struct spec_size;
template <class... Ts>
struct spec_size<spec_tuple<Ts...>> {
    static constexpr std::size_t value = sizeof...(Ts);
};
/// The number of elements of a spec_tuple type.
template <class T>
inline constexpr std::size_t spec_size_v = spec_size<T>::value;

/// The type of element I of a spec_tuple type.
template <std::size_t I, class Tuple>
using spec_element_t = std::remove_cvref_t<decltype(spec_get<I>(std::declval<const Tuple&>()))>;

/// f(elements...).
template <class F, class... Ts>
constexpr decltype(auto) spec_apply(F&& f, const spec_tuple<Ts...>& t) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) -> decltype(auto) {
        return static_cast<F&&>(f)(spec_get<I>(t)...);
    }(std::index_sequence_for<Ts...>{});
}

/// The elements of two spec_tuples, in order, as one.
template <class... A, class... B>
constexpr spec_tuple<A..., B...> spec_cat2(const spec_tuple<A...>& a, const spec_tuple<B...>& b) {
    return [&]<std::size_t... I, std::size_t... J>(std::index_sequence<I...>, std::index_sequence<J...>) {
        return spec_tuple<A..., B...>{spec_get<I>(a)..., spec_get<J>(b)...};
    }(std::index_sequence_for<A...>{}, std::index_sequence_for<B...>{});
}
/// The elements of the spec_tuples, in order, as one.
constexpr spec_tuple<> spec_cat() { return {}; }
template <class A, class... R>
constexpr auto spec_cat(const A& a, const R&... r) {
    if constexpr (sizeof...(R) == 0)
        return a;
    else
        return spec_cat2(a, spec_cat(r...));
}

}  // namespace dorm::detail
