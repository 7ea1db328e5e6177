// Finds request boundaries in the bytes a proxy sends an upstream: the head, then the body by
// Content-Length or chunked framing. Deliberately small and lenient (it is the proxy under test,
// not us, that must be strict), allocation-free on the hot path, and pure: no I/O.
// Hand-written, not Beast, by design: Beast's parser refuses what a proxy under test may
// legitimately or mistakenly send (bare LF, obs-fold, odd Transfer-Encoding lists, junk lines),
// and the simulator must still find where the request ends so that it can play its fault and
// journal what arrived; judging those bytes is the scenario's job, not the framer's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wire/chunked_decoder.hpp"

namespace bgw::sim {

/// Size of the head including its blank line ("\r\n\r\n", or "\n\n" from lenient peers);
/// 0 while the blank line has not arrived.
std::size_t find_head_end(std::string_view data);

struct RequestHead {
  std::string_view method;
  std::string_view target;
  std::string_view request_line;  ///< without the line ending
  std::uint64_t content_length = 0;
  bool chunked = false;
  bool close = false;  ///< the client asked to close after this request (RFC 9112 §9.6)
  bool valid = true;
  const char* error = "";  ///< why it is not valid
};

/// Parse a complete head (as delimited by find_head_end). Views point into `head`.
RequestHead parse_request_head(std::string_view head);

/// Incremental reader of a chunked body: feed bytes, learn how many belonged to the body
/// (feed(), done(), failed(), payload()). The one decoder every hand-written reader shares.
using ChunkedBodyReader = wire::ChunkedDecoder;

}  // namespace bgw::sim
