// A request body as JSON: malformed JSON (a 400) is told apart from well-formed JSON that does
// not mean anything valid (the callers' 422s).
#pragma once

#include <boost/json/value.hpp>

#include <string_view>
#include <variant>

#include "harness/control/api_error.hpp"

namespace bgw::control {

/// Nesting deeper than this is malformed for our purposes: no request needs more than 4.
inline constexpr std::size_t max_json_depth = 32;

/// The parsed body, or a 400 naming the byte offset where parsing failed.
std::variant<boost::json::value, ApiError> parse_json_body(std::string_view body);

}  // namespace bgw::control
