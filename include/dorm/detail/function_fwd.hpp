#pragma once
/// @file dorm/detail/function_fwd.hpp
/// std::function for dorm's headers without the rest of <functional> (which, in C++20, brings
/// <unordered_map>, <vector>, <array> and the searchers into every user translation unit). With
/// libstdc++ that is <bits/std_function.h>; elsewhere this is plain <functional>.
#include <cstddef>  // defines __GLIBCXX__ (via <bits/c++config.h>) before the test below
#if defined(__GLIBCXX__) && __has_include(<bits/std_function.h>)
#include <bits/std_function.h>
#else
#include <functional>
#endif
