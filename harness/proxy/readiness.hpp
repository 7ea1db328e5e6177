// Is the proxy ready? Probe until it is, until the child exits (fail fast with its status and
// log tail), or until the deadline. The waits between probes are waits on the child's exit, so
// a proxy that dies at start is noticed at once; nothing sleeps a fixed time.
#pragma once

#include <chrono>
#include <string>

#include "child_process.hpp"

namespace bgw::proxy {

struct ReadyProbe {
  enum class Kind { tcp, http, log_line } kind = Kind::tcp;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string log_path;  ///< log_line: the file to watch
  std::string needle;    ///< log_line: text whose appearance means ready
  std::chrono::milliseconds timeout{5000};
};

struct ReadyResult {
  bool ready = false;
  std::chrono::milliseconds took{0};
  std::string
      reason;  ///< why not: "exited with status 1 before it was ready" / "not ready within 5s"
};

/// Probe `child` with `probe`. Never throws for the proxy's behaviour; the result says.
ReadyResult await_ready(ChildProcess& child, const ReadyProbe& probe);

/// One TCP connect attempt on loopback with a timeout; true when it was accepted.
bool tcp_connects(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace bgw::proxy
