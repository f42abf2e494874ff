#pragma once
// The session's hash maps, kept out of the public headers (an <unordered_map> in
// session_impl.hpp costs every user translation unit its parse): made the first time one is
// needed, so a session that never searches by address or lazy-loads never allocates them.
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <dorm/session/detail/session_impl.hpp>

#include "session/detached_children.hpp"

namespace dorm::detail {

struct session_impl::address_maps {
    /// address -> record for pending objects, rebuilt on demand, then kept up to date by add()
    std::unordered_map<const void*, record_base*> pending_index;
    /// object address -> position in records_ (see object_slots_built_)
    std::unordered_map<const void*, std::size_t> object_slots;
    /// compiled SELECT by primary key, per table
    std::unordered_map<const schema::table*, std::string> pk_sql;
    /// compiled SELECT of a relationship's targets, per (target, fk, association) key
    std::unordered_map<std::string, std::string> relationship_sql;
    /// Detached objects that came back into the session during the add() running, with what their
    /// collections held when they left: the outermost add() applies the removals made meanwhile
    /// once every object it reached is wired (record_base::removed_while_detached).
    std::vector<std::pair<std::shared_ptr<record_base>, detached_children>> returned;
    /// Records whose primary key the running flush changes through the database's ON UPDATE
    /// CASCADE (key_cascaded): re-indexed when it succeeds.
    std::vector<record_base*> rekeyed;
};

}  // namespace dorm::detail
