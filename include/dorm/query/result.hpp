#pragma once
/// @file dorm/query/result.hpp
/// dorm::result<Row>: the rows of an executed SELECT — all(), first(), one(), one_or_none(),
/// scalar_one(), scalar_one_or_none(), or range-for streaming.
#include <iterator>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <dorm/engine/engine.hpp>
#include <dorm/error.hpp>

namespace dorm {

namespace detail {
[[noreturn]] void throw_no_result();
[[noreturn]] void throw_multiple_results(bool one_or_none);

/// An empty parameter list for a statement execution, with the buffer of a finished one when this
/// thread has one (lib/query/param_spare.cpp): a query built and run per call makes no malloc for
/// its parameters.
std::vector<value> take_params() noexcept;
/// Gives a finished execution's parameter list back to the thread's spare (small buffers only;
/// `params` may be left as it was).
void give_back_params(std::vector<value>& params) noexcept;

template <class Row>
struct is_shared_ptr : std::false_type {};
template <class T>
struct is_shared_ptr<std::shared_ptr<T>> : std::true_type {};

/// first()/one_or_none(): a null shared_ptr for objects, std::optional for values.
template <class Row>
using maybe_row = std::conditional_t<is_shared_ptr<Row>::value, Row, std::optional<Row>>;

/// Objects already read (eager loaders), type-erased: result<std::shared_ptr<T>> casts each.
struct materialized_objects {
    std::vector<std::shared_ptr<void>> objects;
};

template <class Row>
struct scalar_of {
    using type = Row;
    static Row get(Row&& r) { return std::move(r); }
};
template <class A, class... Rest>
struct scalar_of<std::tuple<A, Rest...>> {
    using type = A;
    static A get(std::tuple<A, Rest...>&& r) { return std::get<0>(std::move(r)); }
};
}  // namespace detail

template <class Row>
class scalar_result;

/// Rows of a statement. Move-only; keep it shorter-lived than the session that made it.
template <class Row>
class result {
public:
    using row_type = Row;
    using reader = Row (*)(driver::statement&, void* context);

    /// `params` are the values bound to the statement: the result keeps them alive while it runs.
    result(statement_lease stmt, reader read, void* context, std::vector<value> params = {})
        : params_(std::move(params)), stmt_(std::move(stmt)), read_(read), context_(context) {}
    /// Rows already read (eager loaders ran over all of them).
    explicit result(std::vector<Row> rows) : rows_(std::move(rows)), materialized_(true) {}
    /// Objects already read, as shared_ptr<void> (Row is a std::shared_ptr<T>).
    explicit result(detail::materialized_objects objects)
        : objects_(std::move(objects.objects)), materialized_(true) {}
    result(result&&) noexcept = default;
    result& operator=(result&&) noexcept = default;
    ~result() {
        stmt_.release();  // first: the statement's bindings may point into params_
        detail::give_back_params(params_);
    }

    /// Every remaining row.
    std::vector<Row> all() {
        std::vector<Row> out;
        while (auto r = next()) out.push_back(std::move(*r));
        return out;
    }
    /// The first row, or null/nullopt when there is none; closes the result (no LIMIT is added).
    detail::maybe_row<Row> first() {
        auto r = next();
        close();
        return unwrap(std::move(r));
    }
    /// Exactly one row. @throws no_result_found, multiple_results_found
    Row one() {
        auto r = next();
        if (!r) detail::throw_no_result();
        if (next()) detail::throw_multiple_results(false);
        close();
        return std::move(*r);
    }
    /// One row or none. @throws multiple_results_found
    detail::maybe_row<Row> one_or_none() {
        auto r = next();
        if (r && next()) detail::throw_multiple_results(true);
        close();
        return unwrap(std::move(r));
    }
    /// The first column of exactly one row (the object itself for an entity select).
    typename detail::scalar_of<Row>::type scalar_one() { return detail::scalar_of<Row>::get(one()); }
    /// The first column of one row, or null/nullopt.
    auto scalar_one_or_none() {
        using S = typename detail::scalar_of<Row>::type;
        auto r = next();
        if (r && next()) detail::throw_multiple_results(true);
        close();
        if constexpr (detail::is_shared_ptr<S>::value) {
            return r ? detail::scalar_of<Row>::get(std::move(*r)) : S();
        } else {
            return r ? std::optional<S>(detail::scalar_of<Row>::get(std::move(*r))) : std::optional<S>();
        }
    }
    /// The rows' first columns, as SQLAlchemy's Result.scalars(): `.all()`, `.first()`, `.one()`,
    /// `.one_or_none()`, or range-for. Takes over this result's rows.
    scalar_result<Row> scalars() { return scalar_result<Row>(std::move(*this)); }

    /// The next row, or nullopt at the end.
    std::optional<Row> next() {
        if (materialized_) {
            if constexpr (detail::is_shared_ptr<Row>::value) {
                if (pos_ < objects_.size())
                    return std::static_pointer_cast<typename Row::element_type>(std::move(objects_[pos_++]));
            }
            if (pos_ >= rows_.size()) return std::nullopt;
            return std::move(rows_[pos_++]);
        }
        if (!stmt_.get()) return std::nullopt;
        if (!stmt_->step()) {
            close();
            return std::nullopt;
        }
        return read_(*stmt_, context_);
    }
    /// Releases the statement (unread rows are discarded).
    void close() noexcept {
        stmt_.release();
        pos_ = rows_.size() + objects_.size();
    }

    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Row;
        using difference_type = std::ptrdiff_t;
        using pointer = Row*;
        using reference = Row&;
        iterator() = default;
        explicit iterator(result* r) : r_(r) { ++*this; }
        Row& operator*() { return *row_; }
        Row* operator->() { return &*row_; }
        iterator& operator++() {
            row_ = r_->next();
            if (!row_) r_ = nullptr;
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& a, const iterator& b) { return a.r_ == b.r_; }

    private:
        result* r_ = nullptr;
        std::optional<Row> row_;
    };
    iterator begin() { return iterator(this); }
    iterator end() { return iterator(); }

private:
    static detail::maybe_row<Row> unwrap(std::optional<Row>&& r) {
        if constexpr (detail::is_shared_ptr<Row>::value)
            return r ? std::move(*r) : Row();
        else
            return std::move(r);
    }

    std::vector<value> params_;
    std::vector<Row> rows_;
    std::vector<std::shared_ptr<void>> objects_;
    std::size_t pos_ = 0;
    bool materialized_ = false;
    statement_lease stmt_;
    reader read_ = nullptr;
    void* context_ = nullptr;
};

/// The first column of each row of a result (SQLAlchemy's ScalarResult): what
/// `session.scalars(stmt)` and `result.scalars()` return. For an entity select the scalars are
/// the objects (`std::shared_ptr<T>`); first() and one_or_none() give a null shared_ptr (objects)
/// or std::nullopt (values) when there is no row. Move-only, as result.
template <class Row>
class scalar_result {
public:
    using value_type = typename detail::scalar_of<Row>::type;

    explicit scalar_result(result<Row>&& rows) : rows_(std::move(rows)) {}

    /// Every remaining scalar.
    std::vector<value_type> all() {
        std::vector<value_type> out;
        while (auto r = rows_.next()) out.push_back(detail::scalar_of<Row>::get(std::move(*r)));
        return out;
    }
    /// The first scalar, or null/nullopt; closes the result (no LIMIT is added).
    detail::maybe_row<value_type> first() {
        auto r = rows_.next();
        rows_.close();
        return wrap(std::move(r));
    }
    /// Exactly one. @throws no_result_found, multiple_results_found
    value_type one() { return detail::scalar_of<Row>::get(rows_.one()); }
    /// One or none (null/nullopt). @throws multiple_results_found
    detail::maybe_row<value_type> one_or_none() {
        auto r = rows_.next();
        if (r && rows_.next()) detail::throw_multiple_results(true);
        rows_.close();
        return wrap(std::move(r));
    }

    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = typename detail::scalar_of<Row>::type;
        using difference_type = std::ptrdiff_t;
        using pointer = value_type*;
        using reference = value_type&;
        iterator() = default;
        explicit iterator(result<Row>* r) : r_(r) { ++*this; }
        value_type& operator*() { return *v_; }
        value_type* operator->() { return &*v_; }
        iterator& operator++() {
            auto row = r_->next();
            if (row)
                v_.emplace(detail::scalar_of<Row>::get(std::move(*row)));
            else
                r_ = nullptr;
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& a, const iterator& b) { return a.r_ == b.r_; }

    private:
        result<Row>* r_ = nullptr;
        std::optional<value_type> v_;
    };
    iterator begin() { return iterator(&rows_); }
    iterator end() { return iterator(); }

private:
    static detail::maybe_row<value_type> wrap(std::optional<Row>&& r) {
        if constexpr (detail::is_shared_ptr<value_type>::value)
            return r ? detail::scalar_of<Row>::get(std::move(*r)) : value_type();
        else
            return r ? std::optional<value_type>(detail::scalar_of<Row>::get(std::move(*r))) : std::nullopt;
    }

    result<Row> rows_;
};

}  // namespace dorm
