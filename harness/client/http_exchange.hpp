// The harness's HTTP client driver: send a request (exact bytes, built from an HttpRequest) and
// record an Observation of whatever comes back. A ClientConnection carries several requests
// (keep-alive), so a run can compare the first request on a client connection with a later one.
// Every read has a deadline; nothing the peer does throws. Synchronous entry points drive the
// given io_context (other work on it, such as simulated upstreams, keeps running meanwhile).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "observation.hpp"

namespace boost::asio {
class io_context;
}

namespace bgw::client {

namespace detail {
struct ConnectionState;
}

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;  ///< sent in this order, as given
  std::string body;
  bool keep_alive = false;  ///< false: "Connection: close" is added
  std::string version = "HTTP/1.1";
};

/// The request's exact bytes: the request line; "Host: <host>" first when `headers` has no Host;
/// `headers` in order; "Content-Length: N" when the body is not empty and `headers` has neither
/// Content-Length nor Transfer-Encoding; "Connection: close" unless keep_alive or `headers`
/// has a Connection field; the blank line; the body as given.
std::string serialize(const HttpRequest& request, std::string_view host);

/// "127.0.0.1:8080", "[::1]:8080": the Host value for a connection to host:port.
std::string host_header(std::string_view host, std::uint16_t port);

inline constexpr Duration kDefaultCloseWait = std::chrono::milliseconds(500);

/// A client-side TCP connection to a proxy, carrying one request at a time. Move-only; closing
/// (or destroying) it closes the socket. Use it from the io_context's thread only.
class ClientConnection {
 public:
  /// Connect to host:port (an IP address). Never throws for a network outcome: when the
  /// connect fails, connected() is false and every exchange() returns that outcome
  /// (refused, connect_timeout, error) with connected = false.
  static ClientConnection connect(boost::asio::io_context& io, const std::string& host,
                                  std::uint16_t port, Duration connect_timeout);

  ClientConnection(ClientConnection&&) noexcept;
  ClientConnection& operator=(ClientConnection&&) noexcept;
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;
  ~ClientConnection();

  bool connected() const;
  /// Connected, and no exchange has seen it end (EOF, reset, error) nor closed it.
  bool usable() const;
  /// Exchanges run so far.
  std::size_t exchanges() const;
  /// Bytes received after the last complete response; the next exchange starts with them.
  const std::string& pending() const;

  /// Send `request` and read its response until it is complete by its framing, the connection
  /// ends (EOF, reset, error) or `deadline` passes (counted from the end of the send; ending
  /// open). A complete response leaves the connection open for the next exchange (ending
  /// nullopt), unless the request asked to close or the response said so: then reading goes on
  /// for up to `close_wait` after the response, to see the close and any bytes sent after it
  /// (`extra`). Bytes beyond the response are kept for the next exchange. After a deadline
  /// (ending open) the connection stays usable, and whatever the peer still sends for the old
  /// request arrives in the next exchange, as it would for a real client. On a connection that
  /// has already ended, returns at once with ending error and the reason in `error`.
  Observation exchange(const HttpRequest& request, Duration deadline,
                       Duration close_wait = kDefaultCloseWait);

  /// Run one exchange on each of `connections` (request i on connection i) all at the same
  /// time, each with its own deadline, and return their Observations in order. For steps that
  /// send several requests concurrently.
  static std::vector<Observation> exchange_concurrently(std::vector<ClientConnection>& connections,
                                                        const std::vector<HttpRequest>& requests,
                                                        Duration deadline,
                                                        Duration close_wait = kDefaultCloseWait);

  /// Close the socket (FIN, or RST when unread bytes are queued). Idempotent.
  void close();

 private:
  explicit ClientConnection(std::shared_ptr<detail::ConnectionState> state);
  std::shared_ptr<detail::ConnectionState> s_;
};

struct Timeouts {
  Duration connect = std::chrono::seconds(2);
  Duration response = std::chrono::seconds(5);  ///< from the end of the send
  Duration close_wait = kDefaultCloseWait;      ///< see ClientConnection::exchange
};

/// Connect, exchange one request, close. The Observation carries the connect outcome too.
Observation exchange_once(boost::asio::io_context& io, const std::string& host, std::uint16_t port,
                          const HttpRequest& request, const Timeouts& timeouts = {});

}  // namespace bgw::client
