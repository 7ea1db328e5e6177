// `bgw-upstream --journal-file PATH`: the journal streams to the file while the upstream runs
// (a chunk at a time and at least once a second), so a SIGKILL loses at most the last second;
// with --journal-max-bytes the file rotates to PATH.1 and the disk keeps the newest lines.
// Waits are poll() on a pipe and on inotify, with deadlines.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Until `done` holds, woken by every change inotify reports in `dir`; false at the deadline.
bool wait_for_files(const fs::path& dir, const std::function<bool()>& done,
                    Clock::time_point deadline) {
  const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return false;
  ::inotify_add_watch(fd, dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE);
  bool ok = false;
  while (!(ok = done())) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) break;
    char buf[4096];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
  }
  ::close(fd);
  return ok;
}

TEST(UpstreamJournalFile, StreamsWhileRunningRotatesAndSurvivesSigkill) {
  const fs::path dir =
      fs::path(testing::TempDir()) / ("bgw_upstream_journal_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path journal = dir / "journal.jsonl";
  int out[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::vector<std::string> args{BGW_UPSTREAM_EXE, "--journal-file", journal.string(),
                                "--journal-max-bytes", "16KiB"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, BGW_UPSTREAM_EXE, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  const auto deadline = Clock::now() + 20s;
  std::string line;
  while (line.find('\n') == std::string::npos) {
    pollfd p{out[0], POLLIN, 0};
    ASSERT_GT(::poll(&p, 1, remaining_ms(deadline)), 0) << "no listening line";
    char buf[256];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    ASSERT_GT(n, 0);
    line.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  const auto port = static_cast<std::uint16_t>(std::stoul(line.substr(line.rfind(':') + 1)));

  // 300 requests on one keep-alive connection: about 60 KB of journal at level events.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  constexpr int requests = 300;
  for (int i = 0; i < requests; ++i) {
    const std::string request = "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";
    ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    std::string got;
    while (got.find("hello") == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      ASSERT_GT(::poll(&p, 1, remaining_ms(deadline)), 0) << "response " << i;
      char buf[1024];
      const ssize_t n = ::read(fd, buf, sizeof buf);
      ASSERT_GT(n, 0);
      got.append(buf, static_cast<std::size_t>(n));
    }
  }
  // The last request reaches the file while the upstream still runs (within its flush second).
  const std::string last = "\"detail\":\"GET /" + std::to_string(requests - 1) + " HTTP/1.1\"";
  EXPECT_TRUE(wait_for_files(
      dir, [&] { return read_file(journal).find(last) != std::string::npos; }, deadline))
      << "the journal file does not stream";
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ::close(fd);

  ASSERT_TRUE(fs::exists(dir / "journal.jsonl.1")) << "no rotation at 16 KiB";
  EXPECT_LE(fs::file_size(journal), 16u * 1024);
  EXPECT_LE(fs::file_size(dir / "journal.jsonl.1"), 16u * 1024);
  const std::string kept = read_file(dir / "journal.jsonl.1") + read_file(journal);
  EXPECT_NE(kept.find(last), std::string::npos) << "a SIGKILL kept what was streamed";
  EXPECT_EQ(kept.find("\"detail\":\"GET /0 HTTP/1.1\""), std::string::npos)
      << "the oldest lines are gone: the disk holds at most two files";
  fs::remove_all(dir);
}

}  // namespace
