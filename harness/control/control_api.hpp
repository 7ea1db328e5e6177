// The control API's meaning, without sockets: one request (method, target, body) in, one reply
// (status, JSON) out, every change applied to the Simulation at once and journaled in the
// EventFeed. The server (control_server.hpp) calls it on the io_context's one thread, so
// concurrent requests are applied one after another, and a change is either applied whole or,
// if its body is invalid, not at all: bodies are decoded in full before anything is touched.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/control/event_feed.hpp"
#include "harness/control/journal_query.hpp"
#include "harness/scenario/simulation.hpp"

namespace bgw::control {

struct ApiRequest {
  std::string_view method;
  std::string_view target;  ///< path and query, as on the request line
  std::string_view body;
  std::string_view last_event_id;  ///< the Last-Event-ID header of a reconnecting GET /events
};

/// GET /journal with nothing newer than `since` yet: the server waits up to `wait` for an
/// entry, then answers with journal_reply(since, limit).
struct LongPoll {
  std::uint64_t since = 0;
  std::size_t limit = 0;
  std::chrono::milliseconds wait{0};
};

/// GET /events: the server streams every entry after `since` as Server-Sent Events.
struct EventStream {
  std::uint64_t since = 0;
};

struct ApiReply {
  int status = 200;
  boost::json::value body;
  std::string allow;  ///< the Allow header of a 405
  std::optional<LongPoll> long_poll;
  std::optional<EventStream> event_stream;
};

class ControlApi {
 public:
  ControlApi(scenario::Simulation& simulation, EventFeed& feed, std::string scenario);

  ApiReply handle(const ApiRequest& request);
  /// {"entries": [...], "first_seq": F, "last_seq": N, "missed": M}: M entries after `since`
  /// were dropped from the feed before this read.
  boost::json::object journal_reply(std::uint64_t since, std::size_t limit) const;

 private:
  ApiReply upstream_route(int route, const std::string& name, const ApiRequest& request);

  scenario::Simulation& simulation_;
  EventFeed& feed_;
  std::string scenario_;
};

}  // namespace bgw::control
