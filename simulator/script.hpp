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
/// On a TLS connection past its handshake the close is announced first with close_notify
/// (RFC 8446 §6.1), as a server that closes on purpose does; `close_notify = false` leaves it out:
/// a FIN alone, which a client cannot tell from a truncation by an attacker.
struct Close {
  bool close_notify = true;
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

// ---- TLS steps (tls_faults.hpp). On a cleartext connection each one is journalled and skipped.
// Until a TLS connection's handshake, Write, Close, Reset and Stall act on the TCP connection
// itself (raw bytes, no TLS); a Handshake step, or the first request, starts the handshake.

/// Read the client's first TLS record (its ClientHello) and keep it for the handshake that may
/// follow, so what happens next happens "before the ServerHello".
struct AwaitClientHello {
  friend bool operator==(const AwaitClientHello&, const AwaitClientHello&) = default;
};

/// What the server offers in a Handshake, against the upstream's own TLS settings.
enum class TlsOffer : std::uint8_t {
  upstream,          ///< the upstream's versions, ciphers and ALPN
  legacy_versions,   ///< only TLS 1.0 and 1.1 (OpenSSL security level 0, so they are allowed)
  no_shared_cipher,  ///< only ciphers no default client offers (eNULL; TLS_AES_128_CCM_8_SHA256)
};

/// Run the TLS handshake now.
struct Handshake {
  TlsOffer offer = TlsOffer::upstream;
  /// Non-empty: the only ALPN protocols accepted, instead of the upstream's.
  std::vector<std::string> alpn;
  /// Select alpn[0] whatever the client offered (instead of a no_application_protocol alert).
  bool alpn_select_anyway = false;
  friend bool operator==(const Handshake&, const Handshake&) = default;
};

/// Answer the ClientHello with the ServerHello alone: the rest of the server's first flight
/// (certificate, Finished...) is never sent, so the client's handshake waits.
struct ServerHelloOnly {
  friend bool operator==(const ServerHelloOnly&, const ServerHelloOnly&) = default;
};

/// Which fatal alert ProvokeAlert makes the server's TLS library send.
enum class TlsAlertCause : std::uint8_t { bad_record_mac, record_overflow };

/// After the handshake: make the server's own TLS library send a fatal alert now, protected
/// with the connection's keys, by handing it a record it must reject (tls_stream.hpp).
struct ProvokeAlert {
  TlsAlertCause cause = TlsAlertCause::bad_record_mac;
  friend bool operator==(const ProvokeAlert&, const ProvokeAlert&) = default;
};

/// After the handshake: the next record written goes out with its last byte (authentication
/// tag) flipped, so the client's record authentication fails on it.
struct CorruptNextRecord {
  friend bool operator==(const CorruptNextRecord&, const CorruptNextRecord&) = default;
};

using Step = std::variant<ReadRequest, Write, Respond, Drip, Delay, Stall, Close, GracefulClose,
                          Reset, HalfClose, ServeRequests, AwaitClientHello, Handshake,
                          ServerHelloOnly, ProvokeAlert, CorruptNextRecord>;

/// True for the steps that only mean something on a TLS connection.
bool is_tls_step(const Step& step);

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
