#pragma once
/// @file lib/driver/statement_base.hpp
/// The state every driver's statement keeps the same way: its SQL text, its parameter count,
/// whether it has run since it was last bound, and the rows its last execution affected.
#include <cstdint>
#include <string>
#include <string_view>

#include <dorm/driver/driver.hpp>

#include "messages.hpp"

namespace dorm::driver {

class statement_base : public driver::statement {
public:
    int param_count() const final { return nparams_; }
    std::int64_t rows_affected() final { return affected_; }
    const std::string& sql() const final { return sql_; }

protected:
    explicit statement_base(std::string_view sql) : sql_(sql) {}

    /// Before binding parameter `i`: refuses an index that is not a parameter's (argument_error),
    /// then ends the previous execution so that the statement runs anew with the new values.
    void check_index(int i) {
        if (i < 0 || i >= nparams_) throw_bad_parameter_index(i, nparams_, sql_);
        if (executed_) reset();
    }

    std::string sql_;
    int nparams_ = 0;           ///< set by the driver once the statement is prepared
    bool executed_ = false;     ///< run (stepped) since the last reset()
    std::int64_t affected_ = 0; ///< rows_affected() of the last execution
};

}  // namespace dorm::driver
