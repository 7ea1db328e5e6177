// Turns the bytes a proxy sends back into a ParsedResponse, incrementally and tolerantly: feed
// bytes as they arrive, learn when the response is complete by its own framing, and at the end of
// the connection classify what arrived (complete, truncated, read until close). Interim 1xx
// responses are skipped (and recorded). Pure: no I/O, no clock, no Asio; the same bytes give the
// same result however they are split.
// Hand-written, not Beast, by design: its subject is the broken response. Beast's parser stops at
// the first violation and keeps nothing of it; verdicts need what arrived anyway (header
// problems with their line numbers, a status line that is not one, the body of a response whose
// chunking broke, with where and why it broke), so this reader tolerates and records instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "observation.hpp"
#include "wire/chunked_decoder.hpp"

namespace bgw::client {

class ResponseReader {
 public:
  struct Options {
    bool head_request = false;  ///< the request was HEAD: the final response has no body
  };

  ResponseReader() = default;
  explicit ResponseReader(Options options) : options_(options) {}

  /// Consume bytes of the response; returns how many belonged to it. Once the response is
  /// complete the rest is not consumed: it is appended to `response().extra` (as is everything
  /// fed later). Ignored after finish().
  std::size_t feed(std::string_view data);

  /// The connection ended (or the client gave up) with `ending`: settle the body state of a
  /// response that was not complete by its framing. Idempotent; a complete response is unchanged.
  void finish(Ending ending);

  bool complete() const { return phase_ == Phase::done; }
  bool head_complete() const { return response_.head_complete; }
  bool finished() const { return finished_; }
  /// Bytes seen so far (consumed or extra).
  std::uint64_t bytes_seen() const { return seen_; }

  const ParsedResponse& response() const { return response_; }
  ParsedResponse take() && { return std::move(response_); }

 private:
  enum class Phase : std::uint8_t {
    head,    ///< collecting a status line and header section
    http09,  ///< no status line: everything is body until close
    body_length,
    body_chunked,
    body_close,  ///< read until close
    done,
  };
  std::size_t feed_head(std::string_view data);
  std::size_t feed_chunked(std::string_view data);
  void status_line_done(std::string_view line);
  void head_done();
  void complete_now(BodyState state);
  void set_status_line(std::string_view line);
  void append_http09(std::string_view bytes);

  Options options_;
  ParsedResponse response_;
  Phase phase_ = Phase::head;
  bool finished_ = false;
  std::uint64_t seen_ = 0;

  // Head phase: the current head's bytes and where its current line starts.
  std::string head_;
  std::size_t line_start_ = 0;
  bool first_line_done_ = false;
  bool http09_line_done_ = false;  ///< http09: the first line has been copied to status_line

  std::uint64_t body_left_ = 0;  ///< body_length: bytes still promised

  wire::ChunkedDecoder chunks_;
  bool chunks_broken_ = false;  ///< malformed: every further byte is kept as body, undecoded
  std::string trailer_line_;
};

}  // namespace bgw::client
