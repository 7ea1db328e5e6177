#include "readiness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace bgw::proxy {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Connect and optionally send a request and wait for the first response byte.
bool probe_once(const std::string& host, std::uint16_t port, milliseconds timeout, bool http) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) return false;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 || errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
      ok = true;
      if (http) {
        static const char req[] = "GET / HTTP/1.1\r\nHost: ready\r\nConnection: close\r\n\r\n";
        ok = ::send(fd, req, sizeof req - 1, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof req - 1);
        pollfd r{fd, POLLIN, 0};
        char c;
        ok = ok && ::poll(&r, 1, static_cast<int>(timeout.count())) == 1 &&
             ::recv(fd, &c, 1, 0) == 1;
      }
    }
  }
  ::close(fd);
  return ok;
}

bool log_contains(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str().find(needle) != std::string::npos;
}

}  // namespace

bool tcp_connects(const std::string& host, std::uint16_t port, milliseconds timeout) {
  return probe_once(host, port, timeout, false);
}

ReadyResult await_ready(ChildProcess& child, const ReadyProbe& probe) {
  const auto start = Clock::now();
  const auto deadline = start + probe.timeout;
  milliseconds backoff{1};
  ReadyResult r;
  for (;;) {
    bool up = false;
    switch (probe.kind) {
      case ReadyProbe::Kind::tcp:
        up = probe_once(probe.host, probe.port, milliseconds(200), false);
        break;
      case ReadyProbe::Kind::http:
        up = probe_once(probe.host, probe.port, milliseconds(500), true);
        break;
      case ReadyProbe::Kind::log_line:
        up = log_contains(probe.log_path, probe.needle);
        break;
    }
    r.took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    if (up) {
      r.ready = true;
      return r;
    }
    if (auto status = child.poll()) {
      r.reason = status->describe() + " before it was ready";
      return r;
    }
    if (Clock::now() >= deadline) {
      r.reason = "not ready within " + std::to_string(probe.timeout.count()) + "ms";
      return r;
    }
    // Between probes, wait on the child's exit (capped backoff): a crash ends the wait at once.
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (auto status = child.wait_for(std::min(backoff, std::max(left, milliseconds(1))))) {
      r.reason = status->describe() + " before it was ready";
      return r;
    }
    backoff = std::min(backoff * 2, milliseconds(50));
  }
}

}  // namespace bgw::proxy
