// The body of POST /upstreams: one JSON object with the keys of a scenario file's [[upstream]]
// (name, address, port, listener, response, fault, seed), decoded by the scenario
// loader itself (json_as_toml.hpp), so the validation and the messages are the file's. An
// upstream added at runtime has no timeline: the API is its timeline.
#pragma once

#include <boost/json/value.hpp>

#include <string_view>
#include <variant>

#include "harness/control/api_error.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::control {

struct UpstreamRequest {
  scenario::Upstream upstream;
  boost::json::value body;  ///< the request as parsed, for the journal
};

/// A 400 for malformed JSON, a 422 for JSON that is not a valid upstream.
std::variant<UpstreamRequest, ApiError> decode_upstream_request(std::string_view body);

}  // namespace bgw::control
