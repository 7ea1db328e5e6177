// The one way badgateway starts a child process: the proxies under test (harness ChildProcess),
// the crashable upstream (ProcessUpstream) and the tests' own children. Everything a child must
// not inherit from us is dealt with here, once.
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace bgw::sim {

/// fork/exec failed; the message names the program and the errno text.
class SpawnError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SpawnSpec {
  std::vector<std::string> argv;  ///< argv[0] is the program's path (no PATH lookup here)
  std::string workdir;            ///< the child's working directory (empty: ours)
  /// Descriptors for the child's 0, 1 and 2; -1 inherits ours. The caller closes its copies.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  /// Descriptors handed over as 3, 4, ... in this order (at most 16), e.g. a listening socket.
  std::vector<int> keep_fds;
  /// Its own process group (pgid = pid), so one kill(-pid) reaches the child and its children.
  bool own_group = false;
};

struct Spawned {
  pid_t pid = -1;
  int pidfd = -1;  ///< readable once the child has exited; the caller closes it
};

/// fork + exec `spec`. In the child, before exec:
/// - PR_SET_PDEATHSIG(SIGKILL): if we die (Ctrl-C, a crash, a CI timeout), the kernel kills the
///   child too, so no proxy or upstream outlives its harness;
/// - every descriptor above 2 except `keep_fds` is closed (close_range): a child holding a copy
///   of one of our sockets would keep it open after we close it, and a fault's FIN or RST would
///   silently not happen;
/// - the signal mask is emptied and SIGPIPE reset: the CLI blocks SIGINT/SIGTERM for its signal
///   thread, and the mask survives exec, so a child would otherwise ignore our SIGTERM.
/// A failure to chdir or exec is reported back through a close-on-exec pipe and thrown here, so
/// a missing program is a SpawnError, not a child that exits 127.
Spawned spawn_process(const SpawnSpec& spec);

}  // namespace bgw::sim
