// Configure-time probe (see meson.build): where the compiler finds Boost's headers.
#include <boost/version.hpp>
