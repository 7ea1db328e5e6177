#include "session.hpp"

namespace bgw::sim {

const char* to_string(Ending e) {
  switch (e) {
    case Ending::fin:
      return "fin";
    case Ending::graceful_close:
      return "graceful_close";
    case Ending::rst:
      return "rst";
    case Ending::half_close:
      return "half_close";
    case Ending::peer_closed:
      return "peer_closed";
    case Ending::peer_reset:
      return "peer_reset";
    case Ending::crash:
      return "crash";
    case Ending::stop:
      return "stop";
    case Ending::error:
      return "error";
  }
  return "?";
}

// The production instantiation lives here, so upstream.cpp compiles the coroutine once.
template class Session<tcp::socket>;

}  // namespace bgw::sim
