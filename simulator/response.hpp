// A well-formed HTTP/1.1 response as data, and its exact bytes on the wire. Broken responses
// are built from these bytes by the fault catalogue, never by a serializer that would refuse.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "script.hpp"

namespace bgw::sim {

/// A response an upstream sends when no fault applies (and the base most faults cut or corrupt).
struct Response {
  int status = 200;
  std::string reason;  ///< empty: the standard reason phrase for `status`
  std::vector<std::pair<std::string, std::string>> headers;  ///< sent in this order
  std::string body = "hello";
  bool chunked = false;        ///< Transfer-Encoding: chunked instead of Content-Length
  std::size_t chunk_size = 0;  ///< chunked: bytes per chunk; 0 = the whole body in one chunk
  bool close = false;          ///< add "Connection: close" (the script then also closes)
  bool date = false;           ///< the plain response carries a Date header (plain_response() only)
};

/// The two halves of a serialised response: `head` ends with the blank line; `body` is the
/// framed body (chunk-size lines included when chunked, final 0-chunk included).
struct WireResponse {
  std::string head;
  std::string body;
  std::string all() const { return head + body; }
};

/// Serialise exactly: status line, Content-Length or Transfer-Encoding, then `headers` in
/// order. A header named Content-Length or Transfer-Encoding in `headers` replaces the
/// automatic one, so tests can state framing explicitly.
WireResponse serialize(const Response& response);

/// The upstream's plain response (no fault): the serialised response, the same with
/// "Connection: close" for requests that ask to close, and with `date`, a Date header right after
/// the status line whose value the session fills in when it writes. Fault responses never carry
/// a Date: their bytes are exact.
Respond plain_response(const Response& response);

/// The current second as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", always 29 bytes),
/// formatted once per second per thread so the per-response cost is one clock read.
std::string_view http_date_now();
inline constexpr std::size_t http_date_size = 29;

/// Standard reason phrase ("OK", "Bad Gateway", ...); "Unknown" for unregistered codes.
const char* reason_phrase(int status);

/// The chunked encoding of `body` in chunks of `chunk_size` (0 = one chunk), with the final
/// "0\r\n\r\n" when `last_chunk` is true.
std::string encode_chunked(const std::string& body, std::size_t chunk_size, bool last_chunk = true);

/// A body of `size` bytes, printable and position-dependent ("0123456789abcdef..."), so a
/// truncated copy shows where it was cut.
std::string pattern_body(std::size_t size);

}  // namespace bgw::sim
