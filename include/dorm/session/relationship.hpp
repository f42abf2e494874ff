#pragma once
/// @file dorm/session/relationship.hpp
/// dorm::many<T> and dorm::one<T>: kept at this path for includes written against it. The member
/// types are part of a model's description (the reflect layer), so they live in
/// dorm/reflect/relationship_members.hpp; the session wires them (dorm/session/detail/wiring.hpp).
#include <dorm/reflect/relationship_members.hpp>
