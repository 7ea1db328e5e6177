// One request to a control API and its reply, for `badgateway ctl` and the tests: Beast's
// HTTP/1.1 client on a private io_context, with a deadline over the whole exchange.
#pragma once

#include <chrono>
#include <string>

#include "harness/control/control_endpoint.hpp"

namespace bgw::control {

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/health";
  std::string body;   ///< sent as application/json when non-empty
  std::string token;  ///< non-empty: Authorization: Bearer <token>
  std::chrono::milliseconds timeout{10'000};
};

struct ClientReply {
  int status = 0;
  std::string allow;  ///< the Allow header, if any
  std::string body;
};

/// Throws std::runtime_error naming the endpoint when the exchange fails (refused, timed out,
/// a malformed reply).
ClientReply call(const ControlEndpoint& endpoint, const ClientRequest& request);

}  // namespace bgw::control
