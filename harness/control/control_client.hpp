// One request to a control API and its reply, for `badgateway ctl` and the tests: Beast's
// HTTP/1.1 client on a private io_context, with a deadline over the whole exchange.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
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

/// GET `request.target` (an /events URL) and hand each Server-Sent Event's text (the lines
/// "id: ...\nevent: ...\ndata: ..." without the blank line that ends it) to `on_event` as it
/// arrives, until `on_event` returns false, the server closes, or `request.timeout` passes
/// (then it returns normally: a stream has no natural end). Returns the reply's status; a
/// status other than 200 leaves its body in `error_body`. Throws like call().
int stream_events(const ControlEndpoint& endpoint, const ClientRequest& request,
                  const std::function<bool(const std::string& event)>& on_event,
                  std::string& error_body);

}  // namespace bgw::control
