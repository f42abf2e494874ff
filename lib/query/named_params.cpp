// The values of a statement's dorm::bindparam()s for one execution (dorm::named_params): found by
// name and checked against the bindparam's type before they are bound.
#include <dorm/error.hpp>
#include <dorm/query/ast.hpp>

#include "engine/echo.hpp"

namespace dorm {
namespace {

std::string_view storage_name(value_kind k) {
    switch (k) {
        case value_kind::null: return "NULL";
        case value_kind::integer: return "an integer";
        case value_kind::real: return "a floating-point number";
        case value_kind::text: return "text";
        case value_kind::blob: return "a blob";
    }
    return "a value";
}

bool stores_as(ast::param_type::storage s, value_kind k) {
    using st = ast::param_type::storage;
    switch (s) {
        case st::any: return true;
        case st::integer: return k == value_kind::integer;
        case st::number: return k == value_kind::integer || k == value_kind::real;
        case st::text: return k == value_kind::text;
        case st::blob: return k == value_kind::blob;
    }
    return true;
}

[[noreturn]] void refuse(const ast::expr& bind, const value& v, std::string_view given) {
    const ast::param_type& t = *bind.expects;
    std::string takes(t.cpp_name);
    if (t.category != t.cpp_name) takes += " (" + std::string(t.category) + ")";
    throw argument_error("dorm: bindparam(\"" + bind.name + "\") takes " + takes + "; the value given is " +
                         std::string(given) + ": " + detail::echo_value(v) +
                         " (a value of another type would be compared as that type, not as this parameter's)");
}

}  // namespace

named_params::named_params(const text_params& values) noexcept : plain_(values.data()), count_(values.size()) {}

bind_values::bind_values(const text_params& values) noexcept : view_(values) {}

const value& named_params::of(const ast::expr& bind) const {
    const value* v = nullptr;
    std::string_view category;
    for (std::size_t i = 0; i < count_ && !v; ++i) {
        if (plain_ && plain_[i].first == bind.name) v = &plain_[i].second;
        if (typed_ && typed_[i].name == bind.name) {
            v = &typed_[i].val;
            category = typed_[i].category;
        }
    }
    if (!v)
        throw argument_error("dorm: no value for bindparam(\"" + bind.name + "\"): pass it when running the statement, "
                             "e.g. session.execute(stmt, {{\"" + bind.name + "\", value}})");
    if (!bind.expects || v->is_null()) return *v;  // NULL binds for any type (it matches no row with =)
    const std::string_view expected = bind.expects->category;
    // (the names are literals of the same headers: usually the same address)
    if (!category.empty() && category.data() != expected.data() && category != expected)
        refuse(bind, *v, category == "number" || category == "text" || category == "blob" || category == "timestamp" ||
                                 category == "date"
                             ? "a " + std::string(category)
                             : std::string(category));
    // (also a typed value: a floating-point number for an integer, which PostgreSQL would refuse
    // and SQLite compare as a real)
    if (!stores_as(bind.expects->stored, v->kind())) refuse(bind, *v, storage_name(v->kind()));
    return *v;
}

}  // namespace dorm
