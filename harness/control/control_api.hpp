// The control API's meaning, without sockets: one request (method, target, body) in, one reply
// (status, JSON) out, every change applied to the Simulation at once and journaled. The server
// (control_server.hpp) calls it on the io_context's one thread, so concurrent requests are
// applied one after another and a change is either applied whole or, if its body is invalid,
// not at all: bodies are decoded in full before anything is touched.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/control/change_journal.hpp"
#include "harness/scenario/simulation.hpp"

namespace bgw::control {

struct ApiRequest {
  std::string_view method;
  std::string_view target;  ///< path and query, as on the request line
  std::string_view body;
};

/// GET /journal with nothing newer than `since` yet: the server waits up to `wait` for a change,
/// then answers with journal_reply(since).
struct LongPoll {
  std::uint64_t since = 0;
  std::chrono::milliseconds wait{0};
};

struct ApiReply {
  int status = 200;
  boost::json::value body;
  std::string allow;  ///< the Allow header of a 405
  std::optional<LongPoll> long_poll;
};

/// Longest wait a GET /journal may ask for; the default when it names none.
inline constexpr std::chrono::milliseconds max_journal_wait{60'000};
inline constexpr std::chrono::milliseconds default_journal_wait{10'000};

class ControlApi {
 public:
  ControlApi(scenario::Simulation& simulation, ChangeJournal& journal, std::string scenario);

  ApiReply handle(const ApiRequest& request);
  /// {"entries": [...], "last_seq": N}
  boost::json::object journal_reply(std::uint64_t since) const;

 private:
  scenario::Simulation& simulation_;
  ChangeJournal& journal_;
  std::string scenario_;
};

}  // namespace bgw::control
