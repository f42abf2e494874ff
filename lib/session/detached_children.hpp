#pragma once
// What a detached object's loaded one-to-many and one-to-one members held when it left its session
// (kept by the registry of detached records, lib/session/detached.cpp), so that a child removed
// while the object was detached leaves it when the object joins a session again
// (record_base::removed_while_detached, lib/session/wiring.cpp).
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include <dorm/session/detail/record.hpp>

namespace dorm::detail {

/// A related object as its parent's member held it. Weakly: the registry must not keep objects
/// alive (a child that holds its parent strongly would make a cycle through it), with its primary
/// key for when nobody holds it any more (erased and dropped: its row is still to be removed).
struct detached_child {
    std::weak_ptr<void> object;
    std::vector<value> key;
};

struct detached_children {
    /// (relationship index, what the member held), for each loaded member that held something
    std::vector<std::pair<std::size_t, std::vector<detached_child>>> members;
    bool empty() const noexcept { return members.empty(); }
};

}  // namespace dorm::detail
