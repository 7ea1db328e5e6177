// The fault vocabulary as plain data: a Script is the list of steps one connection or one
// request executes. Named faults (fault_catalogue.hpp) are lowered to Scripts once, when an
// upstream is configured, so serving a request never builds bytes. No Asio, no TOML here.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace bgw::sim {

using Duration = std::chrono::nanoseconds;

/// How much of the request to consume before the next step.
enum class ReadPart : std::uint8_t {
  head,   ///< up to and including the blank line; the body stays unread (a later Close drains it)
  whole,  ///< head and body (Content-Length or chunked framing)
  bytes,  ///< exactly `ReadRequest::bytes` raw bytes, whatever they are
};

/// Wait for a request and consume part of it. Only this step counts a request.
struct ReadRequest {
  ReadPart part = ReadPart::whole;
  std::size_t bytes = 0;  ///< for ReadPart::bytes
  friend bool operator==(const ReadRequest&, const ReadRequest&) = default;
};

/// Write bytes exactly as given, in one write (TCP_NODELAY is on, so they leave at once).
struct Write {
  std::string bytes;
  friend bool operator==(const Write&, const Write&) = default;
};

/// Write `bytes` in pieces of `chunk` bytes; piece i leaves at start + i*interval (absolute
/// schedule, so overshoots do not accumulate). The first piece leaves immediately.
struct Drip {
  std::string bytes;
  std::size_t chunk = 1;
  Duration interval{};
  friend bool operator==(const Drip&, const Drip&) = default;
};

/// Do nothing for `duration`, then go on with the next step.
struct Delay {
  Duration duration{};
  friend bool operator==(const Delay&, const Delay&) = default;
};

/// Hold the connection silent. duration > 0: for that long, then go on with the next step.
/// duration == 0: until the peer closes or resets (the connection then ends).
struct Stall {
  Duration duration{};
  friend bool operator==(const Stall&, const Stall&) = default;
};

/// The upstream's normal response as a server sends it: `keep_alive`, or `close` (the same with
/// "Connection: close") when the request asked to close (RFC 9112 §9.6). When `date_at` is set,
/// the 29 bytes there are a placeholder for the Date header's IMF-fixdate, filled in with the
/// current second when written (RFC 9110 §6.6.1). Built once, by plain_response().
struct Respond {
  static constexpr std::size_t no_date = static_cast<std::size_t>(-1);
  std::string keep_alive;
  std::string close;
  std::size_t date_at = no_date;
  friend bool operator==(const Respond&, const Respond&) = default;
};

/// close(2) now, like a process that closes its socket: the peer reads EOF, and anything it
/// sends afterwards is answered with RST (the socket is shut for reading: tcp_rcv_state_process
/// resets on data after RCV_SHUTDOWN). Input the peer already sent is discarded first, because
/// close() with unread bytes queued sends RST instead of FIN (tcp_close).
struct Close {
  friend bool operator==(const Close&, const Close&) = default;
};

/// Graceful close, as servers that linger do: shutdown(SHUT_WR) (the peer reads EOF), then read
/// and discard until the peer closes, `max_wait` passes or `max_bytes` were dropped, then
/// close(). Peer writes within the bound are absorbed: no RST.
struct GracefulClose {
  Duration max_wait = std::chrono::seconds(1);
  std::uint64_t max_bytes = 1024 * 1024;
  friend bool operator==(const GracefulClose&, const GracefulClose&) = default;
};

/// Abortive close: SO_LINGER{on, 0} then close(). The peer sees RST; unsent data is discarded.
struct Reset {
  friend bool operator==(const Reset&, const Reset&) = default;
};

/// shutdown(SHUT_WR): the peer sees FIN but may still send; keep reading until it closes, with no
/// bound (GracefulClose is the bounded form).
struct HalfClose {
  friend bool operator==(const HalfClose&, const HalfClose&) = default;
};

/// Serve `count` requests with the upstream's request rules (or its default response), then go
/// on with the next step. Only meaningful in connection scripts (e.g. close after N requests).
struct ServeRequests {
  std::uint64_t count = 1;
  friend bool operator==(const ServeRequests&, const ServeRequests&) = default;
};

using Step = std::variant<ReadRequest, Write, Respond, Drip, Delay, Stall, Close, GracefulClose,
                          Reset, HalfClose, ServeRequests>;

/// How a fault that ends with a FIN ends: Close or GracefulClose.
enum class FinKind : std::uint8_t { close, graceful };

/// The step for `kind`, with GracefulClose's default bounds.
Step fin_step(FinKind kind);

/// Steps run in order. A script that ends without a close, Reset, HalfClose or Stall{0} leaves the
/// connection open: the next request is served by the rules again (keep-alive).
using Script = std::vector<Step>;

/// True for steps after which the connection is gone.
bool ends_connection(const Step& step);

/// Short name of a step for journals and reports: "read", "write", "drip", ...
const char* step_name(const Step& step);

}  // namespace bgw::sim
