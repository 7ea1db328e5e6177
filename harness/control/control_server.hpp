// The control API over HTTP/1.1 (Boost.Beast) on serve's own io_context: accepts connections,
// reads requests within limits, checks the bearer token and the origin, hands each request to
// ControlApi and writes its JSON reply; a GET /journal with nothing new waits here, and GET
// /events streams here, without holding up other connections. Binds in the constructor, so the port
// is known at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "harness/control/control_api.hpp"
#include "harness/control/event_feed.hpp"

namespace bgw::control {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0: the kernel picks; read it back with ControlServer::port()
  /// Non-empty: every request must carry `Authorization: Bearer <token>` (else 401).
  std::string token;
  /// Bodies larger than this are refused with 413 before they are read.
  std::size_t body_limit = 1024 * 1024;
};

class ControlServer {
 public:
  /// Throws sim::SetupError when the address cannot be bound.
  ControlServer(sim::net::io_context& io, ControlApi& api, EventFeed& feed, ServerOptions options);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::string& address() const;
  std::uint16_t port() const;

  void start();
  /// Closes the listener and every open connection (long polls end). Idempotent.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bgw::control
