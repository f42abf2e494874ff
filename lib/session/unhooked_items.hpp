#pragma once
// Items appended to a dorm::many that is in no session (lib/session/unhooked_items.cpp): the
// session's side of the registry that note_unhooked_append (relationship_members.hpp) fills.
#include <vector>

namespace dorm::detail {

class session_impl;

struct unhooked_items {
    /// `item` joins a session: the collections outside any session that hold it now are the ones
    /// whose owners SQLAlchemy's backref would have brought in (armed until they let it go, join a
    /// session or die).
    static void arm(const void* item) noexcept;
    /// Throws invalid_request_error when an object of session `s` is held by an armed collection of
    /// a back_populates pair (the flush would save it without the collection's owner).
    static void check(session_impl* s);
    /// The collections (member addresses) outside any session that hold `item` now.
    static std::vector<const void*> collections_holding(const void* item);
};

}  // namespace dorm::detail
