// A proxy under test as a child process: its own process group (so master and workers stop
// together), stdout and stderr captured into files of the run directory, exit noticed at any
// moment through a pidfd, and a stop that is graceful first and certain after a grace period.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bgw::proxy {

/// A setup failure of the harness (cannot spawn, not ready, ...), distinct from a proxy that
/// answers wrongly. Carries its context in the message.
class HarnessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ExitStatus {
  bool exited = false;  ///< true: normal exit with `code`; false: killed by `signal`
  int code = 0;
  int signal = 0;
  /// "exited with status 1" or "killed by signal 6 (SIGABRT)".
  std::string describe() const;
};

struct SpawnOptions {
  std::vector<std::string> argv;  ///< argv[0] without '/' is looked up in PATH
  std::string workdir;            ///< the child's working directory (empty: ours)
  std::string stdout_path;        ///< file that receives the child's stdout (empty: /dev/null)
  std::string stderr_path;        ///< file that receives the child's stderr (empty: /dev/null)
};

/// Resolve a program name through PATH; empty when not found or not executable.
std::string find_program(const std::string& name);

class ChildProcess {
 public:
  /// Start the child through sim::spawn_process (simulator/spawn.hpp: no inherited sockets, no
  /// inherited signal mask, killed with us), in its own process group with stdin /dev/null.
  /// Throws HarnessError when the program is missing or cannot be started.
  explicit ChildProcess(const SpawnOptions& options);
  ~ChildProcess();  ///< kills the whole group (SIGKILL) if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// Becomes readable when the child exits; for poll() or an io_context.
  int pidfd() const { return pidfd_; }

  /// The exit status if the child has exited (reaps it); nullopt while it runs.
  std::optional<ExitStatus> poll();
  /// Wait up to `timeout` for the child to exit: an event wait on the pidfd, not a sleep.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  /// SIGTERM to the group, wait up to `grace`, then SIGKILL the group and reap.
  ExitStatus stop(std::chrono::milliseconds grace);
  /// Signal the whole process group (master and workers).
  void signal_group(int sig) const;

 private:
  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::optional<ExitStatus> status_;
};

/// The last `lines` lines of a text file (for "the proxy died; its log ends with ...").
std::string tail_file(const std::string& path, std::size_t lines = 20);

}  // namespace bgw::proxy
