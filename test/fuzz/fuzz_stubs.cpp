// The fuzz targets link a few lib/ sources without the rest of the library: lib/query/compile.cpp
// (the SQL printer) without the engine its execution helpers run on. These stand in for what is
// left out; none is ever called (each aborts).
#include <cstdlib>

#include <dorm/engine/engine.hpp>

namespace dorm {
void statement_lease::give_back() noexcept { std::abort(); }
statement_lease connection::prepare(std::string_view) { std::abort(); }
statement_lease connection::run(std::string_view, std::span<const value>) { std::abort(); }
bool connection::echo() const noexcept { std::abort(); }
void connection::log_statement(std::string_view, const statement_lease&, std::span<const value>) const { std::abort(); }
}  // namespace dorm
