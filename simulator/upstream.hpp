// A fake upstream: one listening port on loopback whose behaviour is scripted by an
// UpstreamSpec. It binds in its constructor and publishes the port at once; it serves on the
// io_context it is given (call every method from that context's thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "journal.hpp"
#include "upstream_spec.hpp"

namespace boost::asio {
class io_context;
}

namespace bgw::sim {

/// A setup failure with its context ("upstream 'a': bind 127.0.0.1:0: Address in use").
class SetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Upstream {
 public:
  /// Binds `spec.address:spec.port` (0 = ephemeral) and starts in `spec.mode`.
  /// Throws SetupError when the address cannot be bound or is not loopback.
  Upstream(boost::asio::io_context& io, UpstreamSpec spec);
  ~Upstream();
  Upstream(const Upstream&) = delete;
  Upstream& operator=(const Upstream&) = delete;

  const std::string& name() const;
  const std::string& address() const;
  std::uint16_t port() const;
  /// "127.0.0.1:41235" or "[::1]:41235".
  std::string endpoint() const;

  ListenerMode mode() const;
  /// Its TLS settings; null for a cleartext upstream.
  const TlsSpec* tls() const;
  /// Switch the listener. The port never leaves our hands: the new socket is bound (with
  /// SO_REUSEPORT) before the old one is closed. Live connections are not touched.
  void set_mode(ListenerMode mode);

  /// Replace the rules and default response; connections already open keep the old ones.
  void set_rules(std::vector<Rule> rules);
  void set_response(Response response);
  /// What set_rules and set_response (or the spec) last gave.
  const std::vector<Rule>& rules() const;
  const Response& response() const;

  /// Look on the wire exactly as if the process had been killed: every open connection is
  /// closed as exit() closes fds (FIN, or RST where unread input is queued), connections still
  /// in the accept queue are reset, and the port then refuses while we keep holding it.
  void crash();
  /// Accept again on the same port after crash() (or any mode).
  void restart();
  /// Close everything and release the port. Idempotent; the destructor calls it.
  void stop();

  std::size_t live_connections() const;
  Journal& journal();
  const Journal& journal() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bgw::sim
