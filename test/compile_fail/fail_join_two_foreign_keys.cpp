// expect: dorm: join<U>() found more than one foreign-key path
// Message has sender_id and recipient_id, both foreign keys to User.
#include "models.hpp"

auto stmt = dorm::select<User>().join<Message>();
