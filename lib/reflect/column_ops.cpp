// The column_ops tables of the common member types, compiled once (column_ops.hpp declares them
// extern, so user translation units only refer to them), bind_scratch, and the blob column.
#include <memory>
#include <string>
#include <vector>

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

struct bind_scratch::strings : std::vector<std::unique_ptr<std::string>> {};

bind_scratch::~bind_scratch() { delete strings_; }

std::string& bind_scratch::next() {
    if (!strings_) strings_ = new strings();
    if (used_ == strings_->size()) strings_->push_back(std::make_unique<std::string>());
    return *(*strings_)[used_++];
}

void column_traits<blob>::bind(driver::statement& s, int i, const blob& v, bind_scratch&) { s.bind_blob(i, v); }
void column_traits<blob>::read(driver::statement& s, int c, blob& out) {
    if (s.is_null(c)) throw_null_into_non_optional();
    auto b = s.get_blob(c);
    out.assign(b.begin(), b.end());
}
value column_traits<blob>::to_value(const blob& v) { return value(v); }

}  // namespace dorm::detail
