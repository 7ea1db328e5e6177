// The body of PUT /upstreams/{name}/faults: one rule object or an array of them, each with the
// keys of a scenario file's [[upstream.fault]] (fault + params, or steps; on, nth, first, last,
// probability). Decoded by the scenario loader itself (json_as_toml.hpp), so the validation and
// the messages are the file's; each problem comes back with the JSON Pointer of its field.
#pragma once

#include <boost/json/value.hpp>

#include <string_view>
#include <variant>
#include <vector>

#include "harness/control/api_error.hpp"
#include "harness/scenario/scenario.hpp"
#include "simulator/response.hpp"

namespace bgw::control {

struct FaultRequest {
  std::vector<sim::Rule> rules;  ///< first match wins, as in a file
  std::vector<scenario::RuleOrigin> origins;
  boost::json::value body;  ///< the request as parsed, for the change journal
};

/// Rules lowered against the upstream's default response `base`; a 400 for malformed JSON, a
/// 422 for JSON that is not a valid rule set, or a tls_* fault for an upstream that does not
/// speak TLS (`tls_upstream` false).
std::variant<FaultRequest, ApiError> decode_fault_request(std::string_view body,
                                                          const sim::Response& base,
                                                          bool tls_upstream);

}  // namespace bgw::control
