#include "spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bgw::sim {
namespace {

constexpr int kMaxKeep = 16;
constexpr int kHigh = 64;  // moved above every target number before the targets are filled

[[noreturn]] void report_and_exit(int report, int err) {
  [[maybe_unused]] auto n = ::write(report, &err, sizeof err);
  ::_exit(127);
}

}  // namespace

Spawned spawn_process(const SpawnSpec& spec) {
  if (spec.argv.empty()) throw SpawnError("spawn: empty command line");
  if (spec.keep_fds.size() > static_cast<std::size_t>(kMaxKeep))
    throw SpawnError("spawn: more than 16 descriptors to hand over");
  std::vector<char*> args;
  for (const auto& a : spec.argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const char* workdir = spec.workdir.empty() ? nullptr : spec.workdir.c_str();
  const int n_keep = static_cast<int>(spec.keep_fds.size());
  int keep[kMaxKeep];
  for (int i = 0; i < n_keep; ++i) keep[i] = spec.keep_fds[static_cast<std::size_t>(i)];
  const int stdio[3] = {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd};

  // Exec failures come back through this pipe; EOF (close-on-exec) means exec succeeded.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0)
    throw SpawnError("spawn: pipe: " + std::string(std::strerror(errno)));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: async-signal-safe calls only from here to exec.
    if (spec.own_group) ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    // Move everything we hand over out of the way first, so filling 0..2 and 3.. in order
    // cannot overwrite a descriptor still to be moved.
    int high_stdio[3];
    for (int i = 0; i < 3; ++i)
      high_stdio[i] = stdio[i] >= 0 ? ::fcntl(stdio[i], F_DUPFD, kHigh) : -1;
    int high_keep[kMaxKeep];
    for (int i = 0; i < n_keep; ++i) high_keep[i] = ::fcntl(keep[i], F_DUPFD, kHigh);
    const int high_report = ::fcntl(report[1], F_DUPFD_CLOEXEC, kHigh);
    for (int i = 0; i < 3; ++i) {
      if (high_stdio[i] >= 0) ::dup2(high_stdio[i], i);
    }
    for (int i = 0; i < n_keep; ++i) ::dup2(high_keep[i], 3 + i);  // dup2 clears FD_CLOEXEC
    const int report_fd = 3 + n_keep;
    ::dup3(high_report, report_fd, O_CLOEXEC);
    ::syscall(SYS_close_range, report_fd + 1, ~0U, 0);
    if (workdir && ::chdir(workdir) != 0) report_and_exit(report_fd, errno);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(args[0], args.data());
    report_and_exit(report_fd, errno);
  }
  ::close(report[1]);
  if (pid < 0) {
    const int e = errno;
    ::close(report[0]);
    throw SpawnError("spawn: fork: " + std::string(std::strerror(e)));
  }
  if (spec.own_group) ::setpgid(pid, pid);  // also here: no window where a signal misses the group
  int child_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(report[0], &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    throw SpawnError("spawn: cannot run '" + spec.argv[0] + "'" +
                     (workdir ? " in " + spec.workdir : std::string()) + ": " +
                     std::strerror(child_errno));
  }
  Spawned s;
  s.pid = pid;
  s.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  return s;
}

}  // namespace bgw::sim
