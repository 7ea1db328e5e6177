// The parts of a scenario's result that the run report (badgateway.run/2) and the matrix
// (badgateway.matrix/1) both carry, as Boost.JSON values: one definition of what a check and an
// exchange look like in JSON. Text fields are UTF-8 (text::valid_utf8); wire bytes are Latin-1
// text, one character per byte (sim::bytes_as_text), so any bytes make valid JSON and read back
// byte for byte.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <chrono>
#include <string_view>

#include "harness/run/result.hpp"

namespace bgw::run {

boost::json::string text_value(std::string_view text);
boost::json::string wire_value(std::string_view bytes);
/// Milliseconds, to the microsecond.
double ms_value(std::chrono::nanoseconds d);

boost::json::object check_json(const CheckResult& c);

/// `for_matrix`: also "summary" (the client's one-line description) and "started_ms".
boost::json::object exchange_json(const Exchange& x, bool for_matrix);

}  // namespace bgw::run
