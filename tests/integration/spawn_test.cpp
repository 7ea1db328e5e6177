// The one spawner (simulator/spawn.hpp): what a child inherits from us and what it does not.
// Each child reports on itself through a pipe that is its stdout; the wait is that pipe's EOF.
#include "simulator/spawn.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace {

using bgw::sim::spawn_process;
using bgw::sim::SpawnError;

struct ChildReport {
  std::string out;
  int status = -1;
  pid_t pgid = -1;
};

// Run `script` under /bin/sh with its stdout on a pipe; read to EOF, then reap.
ChildReport run_sh(const std::string& script, std::vector<int> keep = {}, bool own_group = false) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  const auto child = spawn_process({.argv = {"/bin/sh", "-c", script},
                                    .stdout_fd = fds[1],
                                    .keep_fds = std::move(keep),
                                    .own_group = own_group});
  ::close(fds[1]);
  ChildReport r;
  r.pgid = ::getpgid(child.pid);
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    r.out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  ::waitpid(child.pid, &r.status, 0);
  if (child.pidfd >= 0) ::close(child.pidfd);
  return r;
}

TEST(Spawn, AMissingProgramIsAnErrorNotAChildThatExits127) {
  try {
    spawn_process({.argv = {"/nonexistent/bgw-no-such-program"}});
    FAIL() << "no SpawnError";
  } catch (const SpawnError& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("No such file or directory"));
  }
  EXPECT_THROW(spawn_process({.argv = {"/bin/true"}, .workdir = "/nonexistent/dir"}), SpawnError);
}

TEST(Spawn, TheChildHoldsOnlyStdioAndTheDescriptorsHandedOver) {
  // A socket of ours without close-on-exec: the spawner must still not let it through.
  const int ours = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(ours, 0);
  int handed[2];
  ASSERT_EQ(::pipe2(handed, O_CLOEXEC), 0);
  const ChildReport r = run_sh("ls /proc/$$/fd", {handed[1]});
  ::close(ours);
  ::close(handed[0]);
  ::close(handed[1]);
  EXPECT_EQ(r.out, "0\n1\n2\n3\n");  // the shell's own, listed by ls from outside
}

TEST(Spawn, TheChildStartsWithNoBlockedSignals) {
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &term, &old), 0);
  // exec: grep reads its own mask, the one the spawner handed to sh. Reading the shell's
  // (/proc/$$) from a forked grep races dash, which blocks every signal around its fork().
  const ChildReport r = run_sh("exec grep SigBlk /proc/self/status");
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  EXPECT_THAT(r.out, testing::MatchesRegex("SigBlk:\\s*0+\n"));
}

TEST(Spawn, OwnGroupMakesTheChildItsGroupLeader) {
  const ChildReport grouped = run_sh("exit 0", {}, true);
  const ChildReport plain = run_sh("exit 0");
  EXPECT_NE(grouped.pgid, ::getpgrp());
  EXPECT_EQ(plain.pgid, ::getpgrp());
}

}  // namespace
