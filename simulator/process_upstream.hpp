// An upstream in a real child process (bgw-upstream), for crashes that are real: kill() sends
// SIGKILL and the kernel closes everything the process had. The port stays ours across the
// crash: after the child dies we bind a placeholder (never listening, so connects are refused),
// and restart() hands that same socket to a new child, which listens on it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace bgw::sim {

struct ProcessUpstreamOptions {
  std::string executable;  ///< path to bgw-upstream
  std::string name = "upstream";
  std::string address = "127.0.0.1";  ///< loopback only
  std::vector<std::string> args;      ///< extra bgw-upstream arguments, e.g. {"--fault", "ok"}
  std::chrono::milliseconds ready_timeout{5000};
};

class ProcessUpstream {
 public:
  /// Binds an ephemeral port, starts the child on it and waits until it listens.
  /// Throws SetupError (upstream.hpp) with the child's exit status if it fails to start.
  explicit ProcessUpstream(ProcessUpstreamOptions options);
  ~ProcessUpstream();
  ProcessUpstream(const ProcessUpstream&) = delete;
  ProcessUpstream& operator=(const ProcessUpstream&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  /// SIGKILL the child and reap it; then hold the port with a bound, non-listening socket.
  void kill();
  /// Start a new child on the same port.
  void restart();

 private:
  void spawn();
  void bind_placeholder();

  ProcessUpstreamOptions options_;
  std::uint16_t port_ = 0;
  int placeholder_ = -1;  ///< bound, not listening; -1 while a child owns the socket
  pid_t pid_ = -1;
};

}  // namespace bgw::sim
