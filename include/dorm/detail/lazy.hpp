#pragma once
/// @file dorm/detail/lazy.hpp
/// dorm::detail::lazy_t<T, V>: T, spelled so that it depends on V.
///
/// A few public aggregates that most programs never use (dorm::live_table, dorm::schema_diff, ...)
/// are class templates `basic_X<V = void>` behind an alias `X = basic_X<>`, with their container
/// members written `std::vector<lazy_t<Elem, V>>`. Then a translation unit that includes
/// <dorm/dorm.hpp> and never uses X does not instantiate std::vector<Elem> (about 0.4 MB of
/// compiler memory per container type, paid by every user translation unit). Their out-of-line
/// members are explicitly instantiated in lib/.
namespace dorm::detail {

template <class T, class V>
struct lazy {
    using type = T;
};
template <class T, class V>
using lazy_t = typename lazy<T, V>::type;

}  // namespace dorm::detail
