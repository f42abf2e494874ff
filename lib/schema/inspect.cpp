// dorm::inspect: the live schema from the database's catalog.
#include <dorm/schema/inspect.hpp>

#include <dorm/engine/engine.hpp>
#include <dorm/error.hpp>

namespace dorm {

const live_column* live_table::column(std::string_view n) const {
    for (const auto& c : columns)
        if (c.name == n) return &c;
    return nullptr;
}

const live_table* live_schema::table(std::string_view n) const {
    for (const auto& t : tables)
        if (t.name == n) return &t;
    return nullptr;
}

live_schema inspect(const engine&) { throw unsupported_error("dorm::inspect: not built yet"); }

}  // namespace dorm
