// Ctrl-C while proxies run: the signal thread (harness/run/interrupt.hpp) stops every
// registered process group while other threads register and unregister theirs. Under
// ThreadSanitizer this is the signal thread against the workers' registry calls.
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "harness/run/interrupt.hpp"

namespace {

// A child in its own process group that waits (on a pipe that never gets data) until a signal
// ends it.
struct WaitingChild {
  pid_t pid = -1;
  int pidfd = -1;
  int hold[2] = {-1, -1};

  WaitingChild() {
    if (::pipe(hold) != 0) return;
    pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::close(hold[1]);
      char c;
      while (::read(hold[0], &c, 1) != 0) {
      }
      ::_exit(0);
    }
    ::setpgid(pid, pid);
    ::close(hold[0]);
    pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  }
  ~WaitingChild() {
    if (pid > 0) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (pidfd >= 0) ::close(pidfd);
    if (hold[1] >= 0) ::close(hold[1]);
  }
  // The signal that ended it, waiting (on the pidfd) up to `timeout`; 0 if it did not end.
  int ended_by(std::chrono::milliseconds timeout) {
    pollfd p{pidfd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return 0;
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) return 0;
    pid = -1;
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
};

// The signal handling stays installed for the life of the process (and its blocked mask would
// reach every child spawned later), so the scenario runs in a child of its own: a death test.
// Exit codes say which expectation failed.
void sigint_while_registering() {
  bgw::run::install_signal_handling();
  WaitingChild registered;
  if (registered.pid <= 0 || registered.pidfd < 0) std::_Exit(2);
  bgw::run::register_process_group(registered.pid);

  // Workers come and go in the registry (pids that are no process groups of ours: only the
  // registry's locking is under test) while the signal arrives.
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w) {
    workers.emplace_back([w] {
      for (int i = 0; i < 2000; ++i) {
        const pid_t fake = 5'000'000 + w * 10'000 + i;  // above any pid_max (2^22)
        bgw::run::register_process_group(fake);
        bgw::run::unregister_process_group(fake);
      }
    });
  }
  if (bgw::run::interrupted()) std::_Exit(3);
  ::kill(::getpid(), SIGINT);
  for (auto& t : workers) t.join();
  if (registered.ended_by(std::chrono::seconds(5)) != SIGTERM) std::_Exit(4);
  if (!bgw::run::interrupted()) std::_Exit(5);
  std::_Exit(0);
}

TEST(InterruptThreads, SigintStopsEveryRegisteredGroupWhileOthersRegister) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(sigint_while_registering(), testing::ExitedWithCode(0), "")
      << "2: no child, 3: interrupted too early, 4: the group was not stopped by SIGTERM, "
         "5: interrupted() stayed false";
}

}  // namespace
