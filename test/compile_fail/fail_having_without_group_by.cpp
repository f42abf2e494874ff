// expect: dorm: having() filters groups: call group_by(...) before having(...)
#include "models.hpp"

auto stmt = dorm::select(dorm::col(&User::name)).having(dorm::count() > 1);
