// `bgw-upstream --threads N`: N io_contexts, each with its own listener on one port
// (SO_REUSEPORT). Both threads serve, every request gets the normal response, SIGTERM stops all
// of them, and the journal file holds every thread's events. Waits are poll() with deadlines.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
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

// bgw-upstream as a child with stdout on a pipe; killed if a test leaves it running.
class Upstream {
 public:
  explicit Upstream(const std::vector<std::string>& args) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    // Usage errors are expected in one test; the exit status is what is checked.
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> all{BGW_UPSTREAM_EXE};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, BGW_UPSTREAM_EXE, &actions, nullptr, argv.data(), environ) != 0)
      pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    out_ = out[0];
    if (pid_ > 0) pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  }
  ~Upstream() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : {out_, pidfd_})
      if (fd >= 0) ::close(fd);
  }
  Upstream(const Upstream&) = delete;
  Upstream& operator=(const Upstream&) = delete;

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0 && pidfd_ >= 0; }
  void signal(int sig) const { ::kill(pid_, sig); }

  /// The port from the "listening 127.0.0.1:PORT" line, or 0 at EOF or the deadline.
  std::uint16_t port(Clock::duration timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string line;
    while (line.find('\n') == std::string::npos) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return 0;
      char buf[256];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) return 0;
      line.append(buf, static_cast<std::size_t>(n));
    }
    const auto colon = line.rfind(':');
    if (line.rfind("listening ", 0) != 0 || colon == std::string::npos) return 0;
    return static_cast<std::uint16_t>(std::stoul(line.substr(colon + 1)));
  }

  /// The exit status (as waitpid reports it) once the child exits, or nullopt at the deadline.
  std::optional<int> wait_exit(Clock::duration timeout) {
    pollfd p{pidfd_, POLLIN, 0};
    const int ms =
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count());
    if (::poll(&p, 1, ms) <= 0) return std::nullopt;
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) return std::nullopt;
    status_ = status;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int pidfd_ = -1;
  std::optional<int> status_;
};

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Read until `want` bytes arrived, EOF, or the deadline.
std::string read_bytes(int fd, std::size_t want, Clock::time_point deadline) {
  std::string got;
  while (got.size() < want) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) break;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

// ThreadSanitizer's runtime runs one background thread of its own in every process.
#if defined(__SANITIZE_THREAD__)
constexpr std::size_t sanitizer_threads = 1;
#else
constexpr std::size_t sanitizer_threads = 0;
#endif

std::size_t task_count(pid_t pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e :
       fs::directory_iterator("/proc/" + std::to_string(pid) + "/task"))
    ++n;
  return n;
}

std::size_t count_lines_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) ++n;
  return n;
}

const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

TEST(UpstreamThreads, TwoThreadsShareOnePortAndBothServe) {
  const fs::path journal =
      fs::temp_directory_path() / ("bgw-perf-threads-" + std::to_string(::getpid()) + ".jsonl");
  Upstream up({"--threads", "2", "--journal", "events", "--journal-file", journal.string()});
  ASSERT_TRUE(up.started());
  const std::uint16_t port = up.port(10s);
  ASSERT_NE(port, 0) << "no listening line";
  EXPECT_EQ(task_count(up.pid()), 2u + sanitizer_threads) << "one thread per io_context";

  // The kernel spreads connections over the two listeners by a hash of the 4-tuple: with 64
  // connections the chance that one listener gets none is 2^-63.
  constexpr int connections = 64;
  std::vector<int> fds;
  const auto deadline = Clock::now() + 20s;
  for (int i = 0; i < connections; ++i) {
    const int fd = connect_to(port);
    ASSERT_GE(fd, 0) << "connect " << i;
    fds.push_back(fd);
    const std::string request = "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";
    ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  }
  for (int fd : fds) EXPECT_EQ(read_bytes(fd, ok.size(), deadline), ok);
  for (int fd : fds) ::close(fd);

  up.signal(SIGTERM);
  const auto status = up.wait_exit(10s);
  ASSERT_TRUE(status.has_value()) << "SIGTERM must stop every thread";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);

  std::ifstream in(journal);
  std::stringstream text;
  text << in.rdbuf();
  fs::remove(journal);
  EXPECT_EQ(count_lines_with(text.str(), "\"event\":\"accepted\""), std::size_t{connections});
  EXPECT_EQ(count_lines_with(text.str(), "\"event\":\"wrote\""), std::size_t{connections});
  // Each thread journals and counts on its own, so each has its own first connection.
  EXPECT_EQ(count_lines_with(text.str(), "\"event\":\"accepted\",\"conn\":1}"), 2u)
      << "both threads served connections:\n"
      << text.str();
  EXPECT_EQ(count_lines_with(text.str(), "\"event\":\"stopped\""), 2u);
}

TEST(UpstreamThreads, RefusesThreadsWithoutAnAcceptingListener) {
  Upstream up({"--threads", "2", "--fault", "refuse"});
  ASSERT_TRUE(up.started());
  const auto status = up.wait_exit(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 2) << "a usage error";
}

}  // namespace
