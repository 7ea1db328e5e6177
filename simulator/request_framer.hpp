// Finds request boundaries in the bytes a proxy sends an upstream: the head, then the body by
// Content-Length or chunked framing. Deliberately small and lenient (it is the proxy under test,
// not us, that must be strict), allocation-free on the hot path, and pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

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

/// Incremental reader of a chunked body: feed bytes, learn how many belonged to the body.
class ChunkedBodyReader {
 public:
  /// Consumes bytes of the chunked body from `data`; returns how many were used. Stops at the
  /// end of the body (after the trailer section) or at the first framing error.
  std::size_t feed(std::string_view data);
  bool done() const { return state_ == State::done; }
  bool failed() const { return state_ == State::failed; }
  std::uint64_t payload() const { return payload_; }

 private:
  enum class State : std::uint8_t {
    size,
    extension,
    size_lf,
    data,
    data_cr,
    data_lf,
    trailer,
    done,
    failed
  };
  State state_ = State::size;
  std::uint64_t remaining_ = 0;
  std::uint64_t payload_ = 0;
  bool size_digits_ = false;
  std::size_t trailer_line_ = 0;  ///< bytes on the current trailer line, without CR
};

}  // namespace bgw::sim
