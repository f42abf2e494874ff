#pragma once
/// @file dorm/detail/ranges_fwd.hpp
/// What dorm's headers need of <ranges>: the range concepts (std::ranges::input_range) and
/// std::ranges::begin/end, without the views and adaptors. With libstdc++ that is
/// <bits/ranges_base.h>; elsewhere this is plain <ranges>.
#include <cstddef>  // defines __GLIBCXX__ (via <bits/c++config.h>) before the test below
#if defined(__GLIBCXX__) && __has_include(<bits/ranges_base.h>)
#include <initializer_list>
#include <bits/stl_iterator.h>  // std::make_reverse_iterator, which <bits/ranges_base.h> uses
#include <bits/ranges_base.h>
#else
#include <ranges>
#endif
