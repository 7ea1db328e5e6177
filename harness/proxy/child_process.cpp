#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>

#include "simulator/spawn.hpp"

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
  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out = open_output(options.stdout_path);
  const int err = open_output(options.stderr_path);
  auto close_ours = [&] {
    for (const int fd : {in, out, err}) {
      if (fd >= 0) ::close(fd);
    }
  };
  if (in < 0 || out < 0 || err < 0) {
    const std::string why = std::strerror(errno);
    close_ours();
    throw HarnessError("spawn: cannot open the log files in the run directory: " + why);
  }
  sim::SpawnSpec spec{.argv = options.argv,
                      .workdir = options.workdir,
                      .stdin_fd = in,
                      .stdout_fd = out,
                      .stderr_fd = err,
                      .own_group = true};  // stop() signals master and workers together
  spec.argv[0] = program;
  sim::Spawned child;
  try {
    child = sim::spawn_process(spec);
  } catch (const sim::SpawnError& e) {
    close_ours();
    throw HarnessError(e.what());
  }
  close_ours();
  pid_ = child.pid;
  pidfd_ = child.pidfd;
  // Every wait on the child is a wait on its pidfd (Linux 5.3 and later): no clock ticks.
  if (pidfd_ < 0) {
    const std::string why = std::strerror(errno);
    signal_group(SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    throw HarnessError("spawn: pidfd_open: " + why + " (Linux 5.3 or later is required)");
  }
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
    pollfd p{pidfd_, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left.count()));
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
