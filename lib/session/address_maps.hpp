#pragma once
// The session's hash maps, kept out of the public headers (an <unordered_map> in
// session_impl.hpp costs every user translation unit its parse): made the first time one is
// needed, so a session that never searches by address or lazy-loads never allocates them.
#include <string>
#include <unordered_map>

#include <dorm/session/detail/session_impl.hpp>

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
};

}  // namespace dorm::detail
