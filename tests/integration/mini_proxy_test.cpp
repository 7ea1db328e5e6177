// bgw-mini-proxy end to end: the reference proxy runs as a real child process started from a
// config file, in front of simulated upstreams served by the test's io_context, and must give
// the RFC-correct answers of proxy-semantics.md §1: 502 for refused, reset, garbage and invalid
// framing, 504 for timeouts, detectable truncation mid-body, 5xx pass-through, failover to a
// backup, keep-alive to the client. SIGTERM must end it with status 0 (checked after each test).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "simulator/process_upstream.hpp"
#include "simulator/spawn.hpp"
#include "support/fault_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::client::Ending;
using bgw::test::describe;
using bgw::test::kGetClose;
using bgw::test::lower;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
}

// A free loopback port: bind port 0, read it back, close. Another process may take the port
// between this close and the proxy's bind (a tiny race on a quiet machine); the proxy then
// fails to listen, never prints "ready", and ProxyProcess::start retries once with a new port.
std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// The proxy as a child process. stdout is a pipe (for "ready"), stderr goes to a file that
// failure messages quote. The destructor always SIGKILLs and reaps a child still running.
class ProxyProcess {
 public:
  ProxyProcess() = default;
  ProxyProcess(const ProxyProcess&) = delete;
  ProxyProcess& operator=(const ProxyProcess&) = delete;
  ~ProxyProcess() { kill_now(); }

  /// Write `dir`/proxy.conf (`listen` + `lines`) and start the proxy on a fresh port.
  testing::AssertionResult start(const fs::path& dir, const std::string& lines,
                                 std::chrono::milliseconds timeout = 5s) {
    auto first = start_once(dir, lines, timeout);
    if (first) return first;
    kill_now();  // most likely the port was taken in the race: once more with another port
    auto second = start_once(dir, lines, timeout);
    if (second) return second;
    return second << "\n(first attempt: " << first.message() << ")";
  }

  /// Run the proxy with `config` and wait for it to exit on its own; returns its wait status.
  std::optional<int> run_to_exit(const fs::path& config, const fs::path& stderr_path,
                                 std::chrono::milliseconds timeout = 5s) {
    spawn(config, stderr_path);
    return wait_exit(timeout);
  }

  /// SIGTERM, then the exit status within `timeout`: it must be a clean exit 0, and no
  /// coroutine may have died of an exception on the way.
  testing::AssertionResult stop(std::chrono::milliseconds timeout = 2s) {
    if (pid_ <= 0) return testing::AssertionFailure() << "proxy not running";
    ::kill(pid_, SIGTERM);
    const auto status = wait_exit(timeout);
    if (!status)
      return testing::AssertionFailure() << "proxy ignored SIGTERM for " << timeout.count() << "ms";
    if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
      return testing::AssertionFailure() << "proxy " << describe_status(*status)
                                         << " after SIGTERM: " << read_file(stderr_path_);
    if (const std::string err = read_file(stderr_path_); err.find("internal error") != err.npos)
      return testing::AssertionFailure() << "proxy stderr: " << err;
    return testing::AssertionSuccess();
  }

  bool running() const { return pid_ > 0; }
  std::uint16_t port() const { return port_; }

 private:
  testing::AssertionResult start_once(const fs::path& dir, const std::string& lines,
                                      std::chrono::milliseconds timeout) {
    port_ = free_port();
    const fs::path config = dir / "proxy.conf";
    std::ofstream(config) << "# written by mini_proxy_test\nlisten = 127.0.0.1:" << port_ << "\n"
                          << lines;
    spawn(config, dir / "proxy.stderr");
    if (pid_ <= 0 || pidfd_ < 0) return testing::AssertionFailure() << "could not spawn the proxy";
    // Wait for "ready": an event on the pipe, bounded by the deadline. EOF: the child died.
    const auto deadline = Clock::now() + timeout;
    std::string out;
    while (out.find("ready\n") == std::string::npos) {
      pollfd p{out_, POLLIN, 0};
      const int polled = ::poll(&p, 1, remaining_ms(deadline));
      if (polled <= 0)
        return testing::AssertionFailure() << "no 'ready' within " << timeout.count()
                                           << "ms; stderr: " << read_file(stderr_path_);
      char buf[256];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) {
        const auto status = wait_exit(1s);
        return testing::AssertionFailure()
               << "proxy " << (status ? describe_status(*status) : "closed stdout")
               << " before 'ready'; stderr: " << read_file(stderr_path_);
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return testing::AssertionSuccess();
  }

  void spawn(const fs::path& config, const fs::path& stderr_path) {
    stderr_path_ = stderr_path;
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(err, 0) << stderr_path;
    // stdout is our pipe (the proxy prints "ready" there), stderr a file.
    const auto child = bgw::sim::spawn_process(
        {.argv = {BGW_MINI_PROXY_EXE, config.string()}, .stdout_fd = fds[1], .stderr_fd = err});
    ::close(fds[1]);
    ::close(err);
    out_ = fds[0];
    pid_ = child.pid;
    pidfd_ = child.pidfd;
    ASSERT_GT(pid_, 0);
    ASSERT_GE(pidfd_, 0) << "pidfd_open: " << std::strerror(errno);
  }

  // The child's exit, waited for as an event (pidfd readable), bounded by `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return std::nullopt;
    pollfd p{pidfd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    release();
    return status;
  }

  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    release();
  }

  void release() {
    pid_ = -1;
    if (out_ >= 0) ::close(out_);
    if (pidfd_ >= 0) ::close(pidfd_);
    out_ = pidfd_ = -1;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int pidfd_ = -1;
  std::uint16_t port_ = 0;
  fs::path stderr_path_;
};

int status_of(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 9, "HTTP/1.1 ") != 0) return 0;
  return std::atoi(response.substr(9, 3).c_str());
}

std::string head_of(const std::string& response) {
  const auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? response : response.substr(0, end + 4);
}

std::string body_of(const std::string& response) {
  const auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

// Whether the body is complete by the response's own framing (Content-Length or chunked).
bool body_complete(const std::string& response) {
  const std::string head = head_of(response), body = body_of(response);
  if (head.find("Transfer-Encoding: chunked\r\n") != std::string::npos)
    return body.size() >= 5 && body.compare(body.size() - 5, 5, "0\r\n\r\n") == 0;
  const auto cl = head.find("Content-Length: ");
  return cl == std::string::npos || body.size() == std::stoull(head.substr(cl + 16));
}

std::string upstream_line(const bgw::sim::Upstream& u, bool backup = false) {
  return "upstream = " + u.endpoint() + (backup ? " backup" : "") + "\n";
}

class MiniProxyTest : public bgw::test::UpstreamTest {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("bgw-mini-proxy-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (proxy_.running()) {
      EXPECT_TRUE(proxy_.stop());
    }
    UpstreamTest::TearDown();  // every upstream session ended, no internal errors
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  /// Start the proxy in front of one upstream with `extra` config lines.
  testing::AssertionResult start_proxy(const bgw::sim::Upstream& up,
                                       const std::string& extra = "") {
    return proxy_.start(dir_, upstream_line(up) + extra);
  }

  bgw::client::RawResult send(const std::string& request, std::chrono::nanoseconds deadline = 3s) {
    return bgw::test::exchange(io_, proxy_.port(), request, deadline);
  }

  /// One GET with Connection: close through the proxy to an upstream running `fault`.
  bgw::client::RawResult get_through(const bgw::sim::LoweredFault& fault,
                                     const std::string& extra = "") {
    auto& up = make(fault);
    EXPECT_TRUE(start_proxy(up, extra));
    return send(kGetClose);
  }

  fs::path dir_;
  ProxyProcess proxy_;
};

TEST_F(MiniProxyTest, OkForwardsTheResponseAndDropsHopByHopHeaders) {
  auto& up = make(lower("ok"));
  ASSERT_TRUE(start_proxy(up, "log = " + (dir_ / "access.log").string() + "\n"));
  const auto r = send(
      "GET /path?q=1 HTTP/1.1\r\nHost: t\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\n"
      "Keep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: x\r\nX-End: kept\r\n\r\n");
  EXPECT_EQ(r.ending, Ending::eof) << describe(r);
  EXPECT_EQ(status_of(r.received), 200) << describe(r);
  EXPECT_EQ(body_of(r.received), "hello");
  EXPECT_NE(head_of(r.received).find("Content-Length: 5\r\n"), std::string::npos);

  const auto heads = bgw::test::events_of(up.journal(), bgw::sim::EventKind::request_head);
  ASSERT_EQ(heads.size(), 1u);
  const std::string& seen = heads[0].detail;
  EXPECT_EQ(seen.rfind("GET /path?q=1 HTTP/1.1\r\n", 0), 0u) << seen;
  EXPECT_NE(seen.find("Host: t\r\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-End: kept\r\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("Connection: close\r\n"), std::string::npos) << seen;
  for (const char* hop : {"X-Hop", "Keep-Alive", "TE:", "Proxy-Authorization", "X-Hop"})
    EXPECT_EQ(seen.find(hop), std::string::npos) << hop << " reached the upstream: " << seen;
  EXPECT_NE(read_file(dir_ / "access.log").find("\"GET /path?q=1 HTTP/1.1\" 200 5"),
            std::string::npos);
}

TEST_F(MiniProxyTest, RefusedUpstreamIs502) {
  const auto r = get_through(lower("refuse"));
  EXPECT_EQ(status_of(r.received), 502) << describe(r);
  EXPECT_NE(head_of(r.received).find("Content-Type: text/plain\r\n"), std::string::npos);
  EXPECT_EQ(r.ending, Ending::eof) << describe(r);
}

TEST_F(MiniProxyTest, BlackholeUpstreamIs504AfterTheConnectTimeout) {
  const auto r = get_through(lower("blackhole"), "connect_timeout = 300ms\n");
  EXPECT_EQ(status_of(r.received), 504) << describe(r);
  EXPECT_GE(r.first_byte, 300ms) << describe(r);
  EXPECT_LT(r.first_byte, 1500ms) << describe(r);
}

TEST_F(MiniProxyTest, StallBeforeHeadersIs504AfterTheReadTimeout) {
  const auto r = get_through(lower("stall_before_headers", {{"duration", bgw::sim::Duration(2s)}}),
                             "read_timeout = 300ms\n");
  EXPECT_EQ(status_of(r.received), 504) << describe(r);
  EXPECT_GE(r.first_byte, 300ms) << describe(r);
  EXPECT_LT(r.first_byte, 1500ms) << describe(r);
}

TEST_F(MiniProxyTest, ResetAfterRequestIs502) {
  const auto r = get_through(lower("reset_after_request"));
  EXPECT_EQ(status_of(r.received), 502) << describe(r);
}

TEST_F(MiniProxyTest, GarbageStatusLineIs502) {
  const auto r = get_through(lower("garbage_status"));
  EXPECT_EQ(status_of(r.received), 502) << describe(r);
  EXPECT_EQ(r.received.find("GARBAGE"), std::string::npos) << describe(r);
}

TEST_F(MiniProxyTest, HeaderLineWithoutColonIs502) {
  const auto r = get_through(lower("header_no_colon"));
  EXPECT_EQ(status_of(r.received), 502) << describe(r);
}

TEST_F(MiniProxyTest, ConflictingContentLengthIs502) {
  const auto r = get_through(lower("conflicting_content_length"));
  EXPECT_EQ(status_of(r.received), 502) << describe(r);
}

TEST_F(MiniProxyTest, CloseMidBodyTruncatesDetectably) {
  const auto r = get_through(lower("close_mid_body"));  // 10 of 100 bytes, then FIN
  EXPECT_EQ(status_of(r.received), 200) << describe(r);
  EXPECT_NE(head_of(r.received).find("Content-Length: 100\r\n"), std::string::npos) << describe(r);
  EXPECT_EQ(body_of(r.received).size(), 10u) << describe(r);
  EXPECT_NE(r.ending, Ending::open)
      << "the proxy must close the client connection: " << describe(r);
}

TEST_F(MiniProxyTest, CloseMidChunkedBodyEndsWithoutTheLastChunk) {
  const auto r = get_through(lower("close_mid_body", {{"chunked", true}}));
  EXPECT_EQ(status_of(r.received), 200) << describe(r);
  EXPECT_NE(head_of(r.received).find("Transfer-Encoding: chunked\r\n"), std::string::npos)
      << describe(r);
  const std::string body = body_of(r.received);
  EXPECT_EQ(body.find("0\r\n\r\n"), std::string::npos) << "a clean last chunk: " << describe(r);
  EXPECT_EQ(body, "a\r\n" + body.substr(3, 10) + "\r\n") << describe(r);
  EXPECT_NE(r.ending, Ending::open) << describe(r);
}

TEST_F(MiniProxyTest, Upstream503PassesThroughUnchanged) {
  auto& up = make(lower("status_5xx", {{"status", std::int64_t{503}}}));
  ASSERT_TRUE(start_proxy(up));
  const auto direct = bgw::test::exchange(io_, up.port(), kGetClose);
  const auto r = send(kGetClose);
  EXPECT_EQ(status_of(r.received), 503) << describe(r);
  EXPECT_EQ(r.received.substr(0, r.received.find("\r\n")),
            direct.received.substr(0, direct.received.find("\r\n")));
  EXPECT_EQ(body_of(r.received), body_of(direct.received)) << describe(r);
}

TEST_F(MiniProxyTest, FailsOverToTheBackupWhenThePrimaryRefuses) {
  auto& primary = make(lower("refuse"), "primary");
  auto& backup = make(lower("ok"), "backup");
  ASSERT_TRUE(proxy_.start(dir_, upstream_line(backup, true) + upstream_line(primary)));
  const auto r = send(kGetClose);
  EXPECT_EQ(status_of(r.received), 200) << describe(r);
  EXPECT_EQ(body_of(r.received), "hello");
  EXPECT_EQ(backup.journal().requests(), 1u);
}

TEST_F(MiniProxyTest, RetriesAfterAResetOnlyForIdempotentMethods) {
  auto& primary = make(lower("reset_after_request"), "primary");
  auto& backup = make(lower("ok"), "backup");
  ASSERT_TRUE(proxy_.start(dir_, upstream_line(primary) + upstream_line(backup, true)));
  const auto get = send(kGetClose);
  EXPECT_EQ(status_of(get.received), 200) << describe(get);
  EXPECT_EQ(backup.journal().requests(), 1u);
  // RFC 9110 §9.2.2: the POST may have had its effect on the primary; never replay it.
  const auto post =
      send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
  EXPECT_EQ(status_of(post.received), 502) << describe(post);
  EXPECT_EQ(primary.journal().requests(), 2u);
  EXPECT_EQ(backup.journal().requests(), 1u);
}

TEST_F(MiniProxyTest, KeepAliveServesTwoRequestsOnOneClientConnection) {
  auto& up = make(lower("ok"));
  ASSERT_TRUE(start_proxy(up));
  bgw::test::TestConnection c(io_, proxy_.port());
  const std::string kGet = bgw::test::kGet;
  ASSERT_TRUE(c.send(kGet));
  ASSERT_TRUE(c.wait_bytes(bgw::test::kOk.size()));
  EXPECT_EQ(c.take(), bgw::test::kOk);
  ASSERT_TRUE(c.send(kGet));
  ASSERT_TRUE(c.wait_bytes(bgw::test::kOk.size()));
  EXPECT_EQ(c.take(), bgw::test::kOk);
  EXPECT_FALSE(c.ended());
  EXPECT_EQ(up.journal().connections(), 2u);  // a new upstream connection per request
}

TEST_F(MiniProxyTest, ChunkedRequestBodyIsForwardedWithALength) {
  auto& up = make(lower("ok"));
  ASSERT_TRUE(start_proxy(up));
  const auto r = send(
      "POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n");
  EXPECT_EQ(status_of(r.received), 200) << describe(r);
  const auto heads = bgw::test::events_of(up.journal(), bgw::sim::EventKind::request_head);
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_NE(heads[0].detail.find("Content-Length: 5\r\n"), std::string::npos) << heads[0].detail;
  EXPECT_EQ(heads[0].detail.find("Transfer-Encoding"), std::string::npos) << heads[0].detail;
  const auto bodies = bgw::test::events_of(up.journal(), bgw::sim::EventKind::request_body);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].bytes, 5u);
}

// Every catalogue fault through one proxy (the upstream switches faults while both run): the
// answer RFC 9110/9112 asks for, and the proxy survives them all (TearDown: exit 0 on SIGTERM).
TEST_F(MiniProxyTest, EveryCatalogueFaultGetsTheRfcAnswer) {
  struct Case {
    const char* fault;
    int status;
    bool truncated = false;  ///< the head went out, then the body ended visibly incomplete
  };
  const Case cases[] = {
      {"ok", 200},
      {"refuse", 502},
      {"blackhole", 504},
      {"close_on_accept", 502},
      {"reset_on_accept", 502},
      {"close_after_request", 502},
      {"reset_after_request", 502},
      {"close_mid_headers", 502},
      {"reset_mid_headers", 502},
      {"stall_before_headers", 504},
      {"stall_after_headers", 200, true},
      {"stall_mid_body", 200, true},
      {"close_mid_body", 200, true},
      {"reset_mid_body", 200, true},
      {"drip_headers", 504},  // read_timeout bounds the whole head
      {"drip_body", 200},     // each gap (100ms) is within read_timeout
      {"garbage_status", 502},
      {"http09_body", 502},
      {"bad_status_code", 502},
      {"header_name_space", 502},
      {"header_name_nontoken", 502},
      {"header_space_before_colon", 200},  // RFC 9112 §5.1: the space is removed
      {"header_value_nul", 502},
      {"header_value_bare_cr", 502},
      {"header_obs_fold", 502},
      {"header_no_colon", 502},
      {"conflicting_content_length", 502},
      {"duplicate_content_length", 200},
      {"content_length_list", 502},
      {"content_length_nonnumeric", 502},
      {"content_length_negative", 502},
      {"content_length_with_chunked", 502},
      {"unknown_transfer_encoding", 502},
      {"bad_chunk_size_first", 200, true},
      {"bad_chunk_size_later", 200, true},
      {"missing_final_chunk", 200, true},
      {"headers_too_large", 502},
      {"too_many_headers", 502},
      {"status_5xx", 503},
      {"close_after_response", 200},
      {"close_after_requests", 200},
  };
  auto& up = make(bgw::sim::UpstreamSpec{.name = "up"});
  ASSERT_TRUE(start_proxy(up, "connect_timeout = 300ms\nread_timeout = 300ms\n"));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fault);
    const auto fault = lower(c.fault);
    up.set_mode(fault.mode.value_or(bgw::sim::ListenerMode::accept));
    up.set_rules(fault.mode ? std::vector<bgw::sim::Rule>{} : std::vector{fault.rule});
    const auto r = send(kGetClose);
    EXPECT_EQ(status_of(r.received), c.status) << describe(r);
    EXPECT_EQ(body_complete(r.received), !c.truncated) << describe(r);
    EXPECT_NE(r.ending, Ending::open) << describe(r);
    if (std::string_view(c.fault) == "header_space_before_colon") {
      EXPECT_NE(head_of(r.received).find("\r\nX-Sp: x\r\n"), std::string::npos) << describe(r);
    }
  }
}

TEST_F(MiniProxyTest, InvalidConfigNamesTheLineAndExits2) {
  const fs::path config = dir_ / "bad.conf";
  std::ofstream(config)
      << "listen = 127.0.0.1:1\n# fine\nupstream = 127.0.0.1:2\nread_timeout = soon\n";
  const auto status = proxy_.run_to_exit(config, dir_ / "bad.stderr");
  ASSERT_TRUE(status.has_value()) << "the proxy did not exit";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << describe_status(*status);
  EXPECT_NE(read_file(dir_ / "bad.stderr").find("bad.conf:4:"), std::string::npos)
      << read_file(dir_ / "bad.stderr");
}

}  // namespace
