#include "guardian.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

namespace bgw::run {
namespace {

enum class Op : std::int32_t { guard_group = 1, release_group, guard_pid, release_pid };

struct Message {
  Op op;
  std::int32_t pid;
};

std::atomic<int> g_socket{-1};

void send_message(Op op, pid_t pid) {
  const int fd = g_socket.load();
  if (fd < 0 || pid <= 0) return;
  const Message m{op, static_cast<std::int32_t>(pid)};
  // SOCK_SEQPACKET: one message per send, never interleaved between threads. MSG_NOSIGNAL: a
  // guardian that is gone costs an EPIPE here, not a SIGPIPE.
  while (::send(fd, &m, sizeof m, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

// The guardian's whole life, after fork: async-signal-safe calls and a fixed table only (the
// parent may already have threads in a test binary, so no malloc, no locks).
[[noreturn]] void guardian_main(int fd) {
  ::setpgid(0, 0);  // its own group: Ctrl-C at the terminal, or a kill of badgateway's group,
                    // must not take it down before it has done its job
  ::prctl(PR_SET_NAME, "bgw-guardian");
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Nothing of the parent's but our end: a held stdout pipe would keep a reader of
  // badgateway's output waiting for EOF.
  const int null = ::open("/dev/null", O_RDWR);
  for (int i = 0; i <= 2; ++i) ::dup2(null, i);
  ::dup2(fd, 3);
  ::syscall(SYS_close_range, 4, ~0U, 0);

  constexpr int capacity = 4096;
  struct Entry {
    pid_t pid;
    bool group;
  };
  static Entry entries[capacity];
  int count = 0;
  Message m{};
  for (;;) {
    const ssize_t n = ::recv(3, &m, sizeof m, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof m)) break;  // EOF: badgateway is gone
    const bool group = m.op == Op::guard_group || m.op == Op::release_group;
    if (m.op == Op::guard_group || m.op == Op::guard_pid) {
      if (count < capacity) entries[count++] = {m.pid, group};
    } else {
      for (int i = 0; i < count; ++i) {
        if (entries[i].pid == m.pid && entries[i].group == group) {
          entries[i] = entries[--count];
          break;
        }
      }
    }
  }
  for (int i = 0; i < count; ++i)
    ::kill(entries[i].group ? -entries[i].pid : entries[i].pid, SIGKILL);
  ::_exit(0);
}

}  // namespace

bool start_guardian() {
  if (g_socket.load() >= 0) return true;
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return false;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(sv[0]);
    guardian_main(sv[1]);
  }
  ::close(sv[1]);
  if (pid < 0) {
    ::close(sv[0]);
    return false;
  }
  g_socket = sv[0];
  return true;
}

void guard_process_group(pid_t leader) {
  send_message(Op::guard_group, leader);
}
void guard_process(pid_t pid) {
  send_message(Op::guard_pid, pid);
}
void release_process_group(pid_t leader) {
  send_message(Op::release_group, leader);
}
void release_process(pid_t pid) {
  send_message(Op::release_pid, pid);
}

}  // namespace bgw::run
