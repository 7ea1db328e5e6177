// What the harness's HTTP client saw for one request: how the connection went (connected, how it
// ended, every byte and when), and what those bytes mean as an HTTP/1.x response, parsed
// tolerantly. Nothing a proxy sends is an error here: garbage, bad headers and cut bodies are
// recorded as data for the expectations to judge. Plain data, no Asio.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "raw_client.hpp"

namespace bgw::client {

/// Header fields in arrival order, as raw (name, value) pairs: the name exactly as sent (a space
/// before the colon stays in it), the value without surrounding spaces and tabs.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// ASCII case-insensitive equality (header names, tokens).
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

/// The first value of header `name` (case-insensitive); nullopt when absent.
inline std::optional<std::string_view> find_header(const HeaderList& headers,
                                                   std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

/// Every value of header `name` (case-insensitive), in order.
inline std::vector<std::string_view> find_headers(const HeaderList& headers,
                                                  std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) out.emplace_back(v);
  }
  return out;
}

/// How the body of the final response is delimited (RFC 9112 §6.3).
enum class Framing : std::uint8_t {
  none,            ///< no body by rule: HEAD, 1xx, 204, 304; or no head arrived
  content_length,  ///< a valid Content-Length (duplicates with one value included)
  chunked,         ///< Transfer-Encoding ending in chunked
  until_close,     ///< neither (or invalid/conflicting Content-Length, other codings, HTTP/0.9)
};

enum class BodyState : std::uint8_t {
  absent,             ///< no body bytes, and none promised (also: the head never completed)
  complete,           ///< the framing's promise was kept (Content-Length reached, 0-chunk seen)
  truncated,          ///< the framing promised more than arrived before the connection ended:
                      ///< Content-Length short, chunked without the end of its final chunk or
                      ///< with malformed chunk framing, a read-until-close body cut by RST or
                      ///< by the client deadline
  unframed_complete,  ///< a read-until-close body ended by EOF: complete as far as anyone knows
};

/// Header-section irregularities, recorded per line (nothing is rejected).
enum class HeaderProblemKind : std::uint8_t {
  invalid_name,                 ///< empty name, or a byte that is not a token character
  space_before_colon,           ///< "Name : v" (RFC 9112 §5.1)
  nul_in_value,                 ///< NUL byte in the value
  cr_in_value,                  ///< bare CR in the value
  ctl_in_value,                 ///< another control byte (not HTAB) or DEL in the value
  obs_fold,                     ///< a line starting with SP/HTAB continues the previous one
  no_colon,                     ///< a line without ':' (not added to the header list)
  bare_lf,                      ///< the line ended with LF alone
  duplicate_content_length,     ///< several Content-Length values, all equal (still used)
  conflicting_content_length,   ///< several Content-Length values that differ (framing: until
                                ///< close)
  invalid_content_length,       ///< not a decimal number ("abc", "-5", "") (framing: until close)
  content_length_with_chunked,  ///< Content-Length and chunked Transfer-Encoding (chunked wins)
  unknown_transfer_encoding,    ///< last Transfer-Encoding coding not chunked (until close)
};

struct HeaderProblem {
  HeaderProblemKind kind{};
  std::size_t line = 0;  ///< 1-based line of the head (the status line is line 1)
  /// The offending line as received, without its line ending; for the framing problems
  /// (Content-Length, Transfer-Encoding) the field as "name: value".
  std::string raw;
};

const char* to_string(Framing f);
const char* to_string(BodyState s);
const char* to_string(HeaderProblemKind k);

/// A 1xx response that came before the final one (101 counts as final).
struct InterimResponse {
  int status = 0;
  std::string status_line;
  HeaderList headers;
  std::vector<HeaderProblem> header_problems;
};

/// The chunked framing of the final response, decoded.
struct ChunkedBody {
  bool final_chunk = false;  ///< the 0-size chunk arrived (the trailer section may still be cut)
  bool malformed = false;    ///< a chunk-size line or chunk end could not be parsed
  std::string error;         ///< why, when malformed
  std::size_t chunks = 0;    ///< data chunks started (the final 0-chunk not counted)
  std::string payload;       ///< the decoded data, in order
  HeaderList trailers;
};

/// The parsed side of an Observation: what ResponseReader makes of the bytes.
struct ParsedResponse {
  /// Set only when a syntactically valid status line "HTTP/1.x NNN [reason]" (NNN in 100..599)
  /// ended with a line ending.
  std::optional<int> status;
  std::string status_line;   ///< the final response's first line as received, valid or not (no
                             ///< line ending); a partial line when the connection ended inside it
  std::string version;       ///< "HTTP/1.1" when the status line is valid or its code is only
                             ///< out of range (then the message is still framed and parsed)
  std::string reason;        ///< the reason phrase, under the same conditions
  std::string status_error;  ///< why `status` is not set although bytes arrived
  /// Bytes arrived that do not start with an HTTP/1.x status line (nginx and tinyproxy relay
  /// upstream garbage verbatim): everything is the body, read until close.
  bool http09 = false;
  std::vector<InterimResponse> interim;  ///< 1xx responses skipped before the final one
  bool head_complete = false;            ///< the final response's blank line arrived
  HeaderList headers;
  std::vector<HeaderProblem> header_problems;
  bool connection_close = false;  ///< "Connection: close", or HTTP/1.0 without keep-alive

  Framing framing = Framing::none;
  std::optional<std::uint64_t> content_length;  ///< the length used when framing is
                                                ///< content_length
  std::string body;  ///< body bytes exactly as received (chunk framing included when chunked)
  ChunkedBody chunked;
  BodyState body_state = BodyState::absent;
  /// A full HTTP/1.x response by its own framing: head complete and body complete, absent by
  /// rule, or read until EOF. Never for http09.
  bool response_complete = false;
  /// Bytes after the end of the response (a pipelined or smuggled second response, a body sent
  /// to HEAD...). Not part of the response; a ClientConnection carries them to the next exchange.
  std::string extra;

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
  std::vector<std::string_view> header_values(std::string_view name) const {
    return find_headers(headers, name);
  }
  bool has_problem(HeaderProblemKind kind) const {
    for (const HeaderProblem& p : header_problems) {
      if (p.kind == kind) return true;
    }
    return false;
  }
  /// The body's data: the decoded payload when chunked, the body bytes otherwise.
  const std::string& payload() const {
    return framing == Framing::chunked ? chunked.payload : body;
  }
};

/// Times from the end of the send (except `connect`); nullopt when it never happened.
struct Timings {
  Duration connect{};  ///< the TCP connect (0 on a reused connection)
  std::optional<Duration> first_byte;
  std::optional<Duration> head_complete;      ///< the final response's head
  std::optional<Duration> response_complete;  ///< complete by its framing
  Duration end{};  ///< when the exchange stopped: ending, completion, or deadline
};

/// One request's outcome as the client saw it.
struct Observation : ParsedResponse {
  bool connected = false;
  /// How the connection ended. nullopt: it did not; the response was complete and the
  /// connection is still open (reusable). Ending::open: still open when the deadline passed
  /// without a complete response.
  std::optional<Ending> ending;
  std::string error;  ///< system message for Ending::error; also a failed send ("send: ...")
  bool request_sent = false;      ///< every request byte was written
  std::string received;           ///< every byte attributed to this exchange, in order
  std::size_t carried_over = 0;   ///< leading bytes of `received` read during the previous
                                  ///< exchange on this connection (its `extra`)
  std::vector<Arrival> arrivals;  ///< reads, timed from the end of the send
  Timings timings;
  std::size_t sequence = 1;    ///< 1-based index of this exchange on its client connection
  Duration deadline{};         ///< the response deadline that applied
  Duration connect_timeout{};  ///< the connect timeout that applied (first exchange)

  bool kept_open() const { return connected && !ending.has_value(); }
};

/// One line for reports and failure messages: "502 Bad Gateway, 150 B body complete, EOF after
/// 12.3 ms", "no status line: 25 raw bytes, EOF after 1.1 ms", "no response within 5s".
std::string describe(const Observation& observation);

}  // namespace bgw::client
