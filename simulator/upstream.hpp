// A fake upstream: one listening port on loopback whose behaviour is scripted by an
// UpstreamSpec. It binds in its constructor and publishes the port at once; it serves on the
// io_context it is given (call every method from that context's thread), and on more threads
// once add_threads() is called.
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

  /// Serve from the threads running `more` too: each gets its own listener on this port
  /// (SO_REUSEPORT) and its own connections, and shares this upstream's journal, rules and
  /// counters (an `nth` rule counts over all threads). Every method, still called from the
  /// first io_context's thread, then reaches each thread and returns once each applied it
  /// (posted there, waited for here: the other threads never wait on this one). Those
  /// io_contexts must keep running until stop(). Set the journal's listener before: the other
  /// threads journal at once. Call once; `blackhole` is the first thread's alone (the others
  /// stay bound, not listening, so every SYN meets its full queue).
  void add_threads(const std::vector<boost::asio::io_context*>& more);
  /// 1 + the threads added.
  std::size_t threads() const;

  std::size_t live_connections() const;
  /// Per thread, the first's first: how the kernel spread the connections.
  std::vector<std::size_t> live_connections_by_thread() const;
  Journal& journal();
  const Journal& journal() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bgw::sim
