#include "interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <thread>

#include "harness/run/guardian.hpp"

namespace bgw::run {
namespace {

std::atomic<bool> g_interrupted{false};
std::mutex g_mutex;
std::set<pid_t> g_groups;

void signal_all(int sig) {
  std::lock_guard lock(g_mutex);
  for (const pid_t leader : g_groups) ::kill(-leader, sig);
}

}  // namespace

bool interrupted() {
  return g_interrupted.load();
}

void register_process_group(pid_t leader) {
  guard_process_group(leader);
  std::lock_guard lock(g_mutex);
  g_groups.insert(leader);
}

void unregister_process_group(pid_t leader) {
  release_process_group(leader);
  std::lock_guard lock(g_mutex);
  g_groups.erase(leader);
}

void install_signal_handling() {
  start_guardian();  // a fork: before the signal thread below, as before any other
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    g_interrupted = true;
    // Polite first: proxies flush their logs and release their ports on SIGTERM; the runners
    // see their proxies go, finish their current exchange quickly and clean up.
    signal_all(SIGTERM);
    // A second signal within the grace means "now"; otherwise the grace ends in SIGKILL. Both
    // are waits on an event (a signal) with a deadline, not sleeps.
    const timespec grace{1, 500'000'000};
    siginfo_t info;
    const bool second = sigtimedwait(&set, &info, &grace) > 0;
    signal_all(SIGKILL);
    if (second) ::_exit(130);
    for (;;) {
      if (sigwait(&set, &sig) == 0) {
        signal_all(SIGKILL);
        ::_exit(130);
      }
    }
  }).detach();
}

}  // namespace bgw::run
