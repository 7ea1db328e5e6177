// A byte-level HTTP client: connect, send exact bytes, and record everything that comes back
// with timings and how the connection ended (EOF, RST, still open at the deadline, refused,
// connect timeout). It never interprets the bytes, so garbage from a proxy is data, not a crash.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace bgw::client {

using Duration = std::chrono::nanoseconds;

enum class Ending : std::uint8_t {
  eof,              ///< the server closed gracefully (FIN)
  reset,            ///< ECONNRESET
  open,             ///< still open when the deadline passed
  refused,          ///< ECONNREFUSED
  connect_timeout,  ///< the connect did not complete within connect_timeout
  error,            ///< anything else; see RawResult::error
};

const char* to_string(Ending e);

struct RawExchange {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string request;  ///< sent as is; empty: send nothing
  Duration connect_timeout = std::chrono::seconds(2);
  Duration deadline = std::chrono::seconds(5);  ///< from the end of the send to giving up
  bool shutdown_after_send = false;             ///< half-close our side after the request
  /// Called after each read with everything received so far, on the context's thread: lets a
  /// caller act at an exact point of the exchange (crash the upstream once the head arrived).
  std::function<void(std::string_view received)> on_data;
};

/// One read's worth of bytes and when it arrived (from the end of the send).
struct Arrival {
  Duration at;
  std::size_t bytes;
};

struct RawResult {
  bool connected = false;
  Ending ending = Ending::error;
  std::string error;     ///< the system's message when ending is error (or send failed)
  std::string received;  ///< every byte, in order
  std::vector<Arrival> arrivals;
  Duration connect_time{};
  Duration first_byte{};  ///< from the end of the send; 0 when nothing arrived
  Duration total{};       ///< from the end of the send to the ending
};

/// Run one exchange on `io`, driving the context until it completes (other work on the same
/// context, such as simulated upstreams, keeps running meanwhile). Bounded by the timeouts.
RawResult exchange(boost::asio::io_context& io, const RawExchange& request);

/// Printable form of bytes: \r \n \t \0 and other control or non-ASCII bytes escaped.
std::string escape_bytes(std::string_view bytes, std::size_t max = 200);

}  // namespace bgw::client
