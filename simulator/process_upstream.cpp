#include "process_upstream.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

pid_t spawn_with_fds(const std::vector<std::string>& argv, const std::vector<int>& keep) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;  // parent (or -1)
  // Child: only async-signal-safe calls from here to exec.
  // If the parent dies (Ctrl-C, a crash, a CI timeout), the kernel kills the child too, so no
  // upstream process or port outlives the test or harness that started it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
  int moved[16];
  const int n = static_cast<int>(std::min<std::size_t>(keep.size(), 16));
  for (int i = 0; i < n; ++i) moved[i] = ::fcntl(keep[static_cast<std::size_t>(i)], F_DUPFD, 64);
  for (int i = 0; i < n; ++i) ::dup2(moved[i], 3 + i);  // dup2 clears FD_CLOEXEC on the copy
  ::syscall(SYS_close_range, 3 + n, ~0U, 0);
  // The signal mask survives exec: a harness that blocks SIGTERM for its signal thread must
  // not hand that to the child, or the child would ignore our SIGTERM.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  ::execv(args[0], args.data());
  ::_exit(127);
}

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
  pid_ = spawn_with_fds(argv, {placeholder_, ready[1]});
  ::close(ready[1]);
  if (pid_ < 0) {
    ::close(ready[0]);
    throw SetupError("upstream '" + options_.name + "': " + errno_text("fork"));
  }
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
