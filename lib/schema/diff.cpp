// The schema diff: models (schema::table) against a live schema, and upgrade().
#include <dorm/schema/diff.hpp>

#include <dorm/engine/engine.hpp>
#include <dorm/error.hpp>

namespace dorm::schema {

schema_diff diff(const live_schema&, std::span<const table* const>, dialect, const diff_options&, const data_probe*) {
    throw unsupported_error("dorm: schema diff not built yet");
}
schema_diff diff(const engine&, std::span<const table* const>, const diff_options&) {
    throw unsupported_error("dorm: schema diff not built yet");
}
schema_diff upgrade(const engine&, std::span<const table* const>, const diff_options&) {
    throw unsupported_error("dorm: schema upgrade not built yet");
}

}  // namespace dorm::schema
