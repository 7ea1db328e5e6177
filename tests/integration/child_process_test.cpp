// The proxy-process lifecycle: spawn into a process group with logs captured, readiness that
// fails fast when the child dies, graceful stop, and SIGKILL after the grace period.
#include "harness/proxy/child_process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "harness/proxy/readiness.hpp"
#include "support/await_event.hpp"
#include "support/test_files.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::proxy::ChildProcess;
using bgw::proxy::HarnessError;
using bgw::proxy::SpawnOptions;

class ChildProcessTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bgw-child-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  SpawnOptions sh(const std::string& script) {
    return {.argv = {"sh", "-c", script},
            .workdir = dir_.string(),
            .stdout_path = (dir_ / "stdout.log").string(),
            .stderr_path = (dir_ / "stderr.log").string()};
  }
  std::filesystem::path dir_;
};

TEST_F(ChildProcessTest, CapturesOutputAndReportsTheExitStatus) {
  ChildProcess child(sh("echo out; echo err >&2; exit 3"));
  const auto status = child.wait_for(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->exited);
  EXPECT_EQ(status->code, 3);
  EXPECT_EQ(status->describe(), "exited with status 3");
  EXPECT_EQ(bgw::proxy::tail_file((dir_ / "stdout.log").string()), "out\n");
  EXPECT_EQ(bgw::proxy::tail_file((dir_ / "stderr.log").string()), "err\n");
}

TEST_F(ChildProcessTest, MissingProgramIsAHarnessError) {
  EXPECT_THROW(ChildProcess({.argv = {"bgw-no-such-program"}}), HarnessError);
}

TEST_F(ChildProcessTest, StopIsGracefulWhenTheChildHonoursSigterm) {
  // The shell says when its trap is set; a SIGTERM before that would kill it instead.
  ChildProcess child(sh("trap 'exit 0' TERM; echo armed; while :; do read -t 1 x; done"));
  ASSERT_TRUE(bgw::test::await_file(
      dir_,
      [](const auto& p) {
        return p.filename() == "stdout.log" && bgw::test::read_file(p) == "armed\n";
      },
      5s, child.pidfd()))
      << "the shell never set its trap";
  ASSERT_FALSE(child.poll().has_value());  // still running
  const auto status = child.stop(5s);
  EXPECT_TRUE(status.exited) << status.describe();
}

TEST_F(ChildProcessTest, StopKillsTheWholeGroupAfterTheGracePeriod) {
  // The shell ignores SIGTERM and has a grandchild: both must be gone after stop().
  ChildProcess child(
      sh("trap '' TERM; tail -f /dev/null & echo $! > grandchild.tmp; mv grandchild.tmp "
         "grandchild.pid; wait"));
  const auto pidfile = dir_ / "grandchild.pid";
  // Wait (bounded) for the pid file; the rename makes its appearance atomic.
  ASSERT_TRUE(bgw::test::await_file(
      dir_, [&](const auto& p) { return p == pidfile; }, 5s, child.pidfd()));
  pid_t grandchild = 0;
  std::ifstream(pidfile) >> grandchild;
  ASSERT_GT(grandchild, 0);
  const auto t0 = std::chrono::steady_clock::now();
  const auto status = child.stop(200ms);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 200ms);
  EXPECT_FALSE(status.exited);
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_EQ(status.describe(), "killed by signal 9 (SIGKILL)");
  // The grandchild got SIGKILL with the group. Orphaned, it may linger as a zombie until init
  // reaps it; a zombie holds no sockets, so it counts as gone (its pidfd is readable).
  EXPECT_TRUE(bgw::test::await_exit(grandchild, 5s)) << "grandchild " << grandchild << " survived";
}

TEST_F(ChildProcessTest, ReadinessFailsFastWhenTheChildExits) {
  ChildProcess child(sh("echo 'bind failed' >&2; exit 1"));
  bgw::proxy::ReadyProbe probe{.port = 1, .timeout = 10s};
  const auto r = bgw::proxy::await_ready(child, probe);
  EXPECT_FALSE(r.ready);
  EXPECT_LT(r.took, 2s);
  EXPECT_THAT(r.reason, testing::HasSubstr("exited with status 1 before it was ready"));
}

TEST_F(ChildProcessTest, ReadinessByLogLine) {
  ChildProcess child(sh("echo starting >&2; echo 'now listening' >&2; exec tail -f /dev/null"));
  bgw::proxy::ReadyProbe probe{.kind = bgw::proxy::ReadyProbe::Kind::log_line,
                               .log_path = (dir_ / "stderr.log").string(),
                               .needle = "now listening",
                               .timeout = 5s};
  EXPECT_TRUE(bgw::proxy::await_ready(child, probe).ready);
  child.stop(1s);
}

TEST_F(ChildProcessTest, ReadinessTimesOutWithAReason) {
  ChildProcess child(sh("exec tail -f /dev/null"));
  bgw::proxy::ReadyProbe probe{.port = 1, .timeout = 200ms};
  const auto r = bgw::proxy::await_ready(child, probe);
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(r.reason, "not ready within 200ms");
  child.stop(1s);
}

}  // namespace
