#include "process_upstream.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "spawn.hpp"
#include "upstream.hpp"

namespace bgw::sim {
namespace {

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended (status " + std::to_string(status) + ")";
}

}  // namespace

ProcessUpstream::ProcessUpstream(ProcessUpstreamOptions options) : options_(std::move(options)) {
  bind_placeholder();
  spawn();
}

ProcessUpstream::~ProcessUpstream() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (placeholder_ >= 0) ::close(placeholder_);
}

// SO_REUSEADDR: the port still has TIME_WAIT connections from the dead child.
// SO_REUSEPORT: the child's mode switches bind a new socket before closing the old one.
void ProcessUpstream::bind_placeholder() {
  in_addr addr{};
  if (::inet_pton(AF_INET, options_.address.c_str(), &addr) != 1 ||
      (ntohl(addr.s_addr) >> 24) != 127)
    throw SetupError("upstream '" + options_.name + "': address " + options_.address +
                     " is not IPv4 loopback");
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw SetupError("upstream '" + options_.name + "': " + errno_text("socket"));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr = addr;
  sa.sin_port = htons(port_);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    const std::string why = errno_text("bind " + options_.address + ":" + std::to_string(port_));
    ::close(fd);
    throw SetupError("upstream '" + options_.name + "': " + why);
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin_port);
  placeholder_ = fd;
}

void ProcessUpstream::spawn() {
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0)
    throw SetupError("upstream '" + options_.name + "': " + errno_text("pipe"));
  std::vector<std::string> argv{
      options_.executable, "--name", options_.name, "--address", options_.address,
      "--listen-fd",       "3",      "--ready-fd",  "4"};
  argv.insert(argv.end(), options_.args.begin(), options_.args.end());
  // The child inherits our stdout and stderr; fds 3 and 4 are its listener and "ready" pipe.
  try {
    const Spawned child = spawn_process({.argv = argv, .keep_fds = {placeholder_, ready[1]}});
    pid_ = child.pid;
    if (child.pidfd >= 0) ::close(child.pidfd);  // waits here are on the ready pipe and waitpid
  } catch (const SpawnError& e) {
    ::close(ready[0]);
    ::close(ready[1]);
    throw SetupError("upstream '" + options_.name + "': " + e.what());
  }
  ::close(ready[1]);
  // The child owns the socket now; our copy would keep it alive after a SIGKILL.
  ::close(placeholder_);
  placeholder_ = -1;

  // Wait for "ready" (or EOF if the child died), bounded by the timeout: an event, not a sleep.
  pollfd p{ready[0], POLLIN, 0};
  const int polled = ::poll(&p, 1, static_cast<int>(options_.ready_timeout.count()));
  char buf[16] = {};
  const ssize_t got = polled > 0 ? ::read(ready[0], buf, sizeof buf) : 0;
  ::close(ready[0]);
  if (got > 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  bind_placeholder();  // keep the port ours even though the start failed
  throw SetupError("upstream '" + options_.name + "': " + options_.executable +
                   (polled == 0 ? " did not become ready within " +
                                      std::to_string(options_.ready_timeout.count()) + "ms"
                                : " " + describe_status(status) + " before it was ready"));
}

void ProcessUpstream::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);  // returns once the kernel has closed all of the child's fds
  pid_ = -1;
  bind_placeholder();
}

void ProcessUpstream::restart() {
  if (pid_ > 0) return;
  spawn();
}

}  // namespace bgw::sim
