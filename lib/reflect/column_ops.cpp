// The column_ops tables of the common member types, compiled once (column_ops.hpp declares them
// extern, so user translation units only refer to them), and bind_scratch's growth.
#include <dorm/reflect/column_ops.hpp>

namespace dorm::detail {

template struct column_ops_of<bool>;
template struct column_ops_of<int>;
template struct column_ops_of<long>;
template struct column_ops_of<long long>;
template struct column_ops_of<unsigned>;
template struct column_ops_of<double>;
template struct column_ops_of<std::string>;
template struct column_ops_of<blob>;
template struct column_ops_of<std::optional<bool>>;
template struct column_ops_of<std::optional<int>>;
template struct column_ops_of<std::optional<long>>;
template struct column_ops_of<std::optional<long long>>;
template struct column_ops_of<std::optional<double>>;
template struct column_ops_of<std::optional<std::string>>;

std::string& bind_scratch::grow() {
    strings_.push_back(std::make_unique<std::string>());
    return *strings_[used_++];
}

}  // namespace dorm::detail
