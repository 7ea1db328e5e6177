// Where one HTTP/1.x response ends, as cheaply as a load generator needs it: the status code,
// the body framing (Content-Length, chunked, read until close, none) and whether the connection
// persists. Body bytes are skipped, never copied. Bytes that are not HTTP make the state
// `invalid`, never an exception. No I/O, no clock, no Asio; the same bytes give the same answer
// however they are split. (harness/client/ResponseReader is the tolerant reader that keeps
// everything for verdicts; this one keeps nothing.)
// Hand-written rather than on Beast's parser because it measured faster on what a load generator
// frames (a head per response: 60 ns against Beast's 110 ns, docs/performance.md "Response
// framing in the load generator"); bench/beast_response_framer.hpp keeps the Beast candidate for
// re-measuring. The chunked body goes through the shared wire::ChunkedDecoder.
#pragma once

#include <cstddef>
#include <cstdint>

#include "wire/chunked_decoder.hpp"

namespace bgw::load {

class ResponseFramer {
 public:
  enum class State : std::uint8_t {
    need_more,  ///< feed more bytes (keep any unconsumed tail: it is a partial line)
    complete,   ///< the response ended; unconsumed bytes belong to whatever comes next
    invalid,    ///< not a parseable HTTP/1.x response
  };

  /// A status, header, chunk-size or trailer line longer than this is invalid. Callers keep a
  /// partial line in their buffer, so it must hold at least this much.
  static constexpr std::size_t max_line = 16 * 1024;
  /// A head (interim responses included) larger than this is invalid.
  static constexpr std::size_t max_head = 256 * 1024;

  /// Get ready for the response to a new request (HEAD: the response has no body).
  void start(bool head_request = false) noexcept;

  /// Consume a prefix of `data` and return its length. With need_more, an unconsumed tail is a
  /// partial line: call again with it and the bytes that follow. Nothing is consumed once the
  /// state is complete or invalid.
  std::size_t feed(const char* data, std::size_t size) noexcept;

  /// The peer closed the connection. True when that completes the response (a body read until
  /// close); otherwise the response was cut short.
  bool finish_at_eof() noexcept;

  State state() const noexcept { return state_; }
  /// The final status (interim 1xx responses are skipped); 0 until a status line was parsed.
  int status() const noexcept { return status_; }
  /// After complete: whether the connection may carry the next request.
  bool keep_alive() const noexcept { return keep_alive_; }

 private:
  enum class Phase : std::uint8_t {
    status_line,
    fields,
    body_length,
    chunked,
    until_close,
    done,
  };

  bool on_status_line(const char* p, std::size_t n) noexcept;
  bool on_field(const char* p, std::size_t n) noexcept;
  void on_end_of_head() noexcept;
  void fail() noexcept;

  State state_ = State::need_more;
  Phase phase_ = Phase::status_line;
  bool head_request_ = false;
  bool http11_ = true;
  bool keep_alive_ = false;
  bool has_length_ = false;
  bool has_te_ = false;
  bool chunked_ = false;
  bool close_token_ = false;
  bool keep_alive_token_ = false;
  int status_ = 0;
  std::uint64_t length_ = 0;    ///< Content-Length, or what is left of a body or chunk
  std::size_t head_bytes_ = 0;  ///< across interim responses
  wire::ChunkedDecoder chunks_;
};

}  // namespace bgw::load
