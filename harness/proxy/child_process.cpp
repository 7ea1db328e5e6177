#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>

namespace bgw::proxy {

std::string ExitStatus::describe() const {
  if (exited) return "exited with status " + std::to_string(code);
  const char* name = ::sigabbrev_np(signal);
  return "killed by signal " + std::to_string(signal) +
         (name ? std::string(" (SIG") + name + ")" : "");
}

std::string find_program(const std::string& name) {
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  // Daemons such as nginx and haproxy live in sbin, which is not on every user's PATH.
  dirs += ":/usr/local/sbin:/usr/sbin:/sbin";
  std::stringstream in(dirs);
  std::string dir;
  while (std::getline(in, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return {};
}

namespace {

int open_output(const std::string& path) {
  if (path.empty()) return ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

ExitStatus decode(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
  }
  return s;
}

}  // namespace

ChildProcess::ChildProcess(const SpawnOptions& options) {
  if (options.argv.empty()) throw HarnessError("spawn: empty command line");
  const std::string program = find_program(options.argv[0]);
  if (program.empty())
    throw HarnessError("spawn: '" + options.argv[0] + "' not found (is it installed?)");
  const int out = open_output(options.stdout_path);
  const int err = open_output(options.stderr_path);
  if (out < 0 || err < 0) {
    const std::string why = std::strerror(errno);
    if (out >= 0) ::close(out);
    if (err >= 0) ::close(err);
    throw HarnessError("spawn: cannot open the log files in the run directory: " + why);
  }
  // Report exec failures through a CLOEXEC pipe: EOF means exec succeeded.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0)
    throw HarnessError("spawn: pipe: " + std::string(std::strerror(errno)));

  std::vector<char*> args;
  for (const auto& a : options.argv) args.push_back(const_cast<char*>(a.c_str()));
  args[0] = const_cast<char*>(program.c_str());
  args.push_back(nullptr);
  const pid_t parent = ::getpid();

  pid_ = ::fork();
  if (pid_ == 0) {
    // Child: async-signal-safe calls only.
    ::setpgid(0, 0);  // own group: stop() signals master and workers together
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out, 1);
    ::dup2(err, 2);
    const int dev_null = ::open("/dev/null", O_RDONLY);
    if (dev_null >= 0) ::dup2(dev_null, 0);
    // Keep only the exec-failure pipe (CLOEXEC) above 2: our sockets must not leak into the
    // proxy, where a copy would keep them open after we close them.
    const int keep = report[1];
    ::syscall(SYS_close_range, 3, keep - 1 >= 3 ? keep - 1 : 2, 0);
    ::syscall(SYS_close_range, keep + 1, ~0U, 0);
    if (!options.workdir.empty() && ::chdir(options.workdir.c_str()) != 0) {
      const int e = errno;
      [[maybe_unused]] auto n = ::write(keep, &e, sizeof e);
      ::_exit(127);
    }
    // The signal mask survives exec: a harness that blocks SIGTERM for its signal thread must
    // not hand that to the child, or the child would ignore our SIGTERM.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(args[0], args.data());
    const int e = errno;
    [[maybe_unused]] auto n = ::write(keep, &e, sizeof e);
    ::_exit(127);
  }
  ::close(out);
  ::close(err);
  ::close(report[1]);
  if (pid_ < 0) {
    ::close(report[0]);
    throw HarnessError("spawn: fork: " + std::string(std::strerror(errno)));
  }
  ::setpgid(pid_, pid_);  // also from the parent: no window where a signal misses the group
  int child_errno = 0;
  const ssize_t got = ::read(report[0], &child_errno, sizeof child_errno);
  ::close(report[0]);
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    throw HarnessError("spawn: cannot run '" + program + "': " + std::strerror(child_errno));
  }
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) {
    signal_group(SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (pidfd_ >= 0) ::close(pidfd_);
}

void ChildProcess::signal_group(int sig) const {
  if (pid_ <= 0) return;
  // The group outlives its leader when workers remain, so signal it even after the leader died.
  ::kill(-pid_, sig);
}

std::optional<ExitStatus> ChildProcess::poll() {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = decode(status);
  return status_;
}

std::optional<ExitStatus> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (auto s = poll()) return s;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Rounded up: poll() takes whole milliseconds, and a truncated remainder would give up to
    // 1 ms before the deadline (a grace period cut short).
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return poll();
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(left.count()));
    } else {
      // No pidfd (very old kernel): fall back to short waits on nothing but the clock.
      pollfd none{-1, 0, 0};
      ::poll(&none, 1, static_cast<int>(std::min<long>(left.count(), 10)));
    }
    if (auto s = poll()) return s;
  }
}

ExitStatus ChildProcess::stop(std::chrono::milliseconds grace) {
  if (auto s = poll()) {
    signal_group(SIGKILL);  // leftover workers of a dead master
    return *s;
  }
  signal_group(SIGTERM);
  if (auto s = wait_for(grace)) {
    signal_group(SIGKILL);
    return *s;
  }
  signal_group(SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  status_ = decode(status);
  return *status_;
}

std::string tail_file(const std::string& path, std::size_t lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += l + "\n";
  return out;
}

}  // namespace bgw::proxy
