// expect: dorm: get<T>(key...) takes one value per primary-key column of T
#include <dorm/session/session.hpp>

#include "models.hpp"

void use(dorm::session& s) { (void)s.get<User>(1, 2); }
