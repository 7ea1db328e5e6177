// sim::Upstream::add_threads: one upstream served by two threads, each with its own listener on
// the port (SO_REUSEPORT) and its own connections, sharing journal, counters and rules. A crash
// reaches the connections of every thread; the one journal has every thread's requests, numbered
// by one counter. Under ThreadSanitizer this is also the proof that the sharing races on nothing.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "simulator/upstream.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using bgw::sim::EventKind;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

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

// Everything until EOF (or a reset), or nullopt at the deadline.
std::optional<std::string> read_to_end(int fd, Clock::time_point deadline) {
  std::string got;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return std::nullopt;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return got;
    got.append(buf, static_cast<std::size_t>(n));
  }
}

// Runs the first thread's io_context until `done`, waking at each journal event: what `done`
// waits for may happen on the other thread, which this io_context would not hear about, so the
// test's journal listener (wake_on_journal) posts it a wake-up.
[[nodiscard]] testing::AssertionResult run_until(boost::asio::io_context& io,
                                                 const std::function<bool()>& done,
                                                 Clock::duration timeout, const char* what) {
  auto guard = boost::asio::make_work_guard(io);
  if (io.stopped()) io.restart();
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return testing::AssertionFailure() << "timed out: " << what;
    io.run_one_until(deadline);
  }
  return testing::AssertionSuccess();
}

// Every journal event, on whichever thread, wakes `io` (see run_until).
void wake_on_journal(bgw::sim::Upstream& up, boost::asio::io_context& io) {
  up.journal().set_listener([&io](const bgw::sim::Event&) { boost::asio::post(io, [] {}); });
}

// The second thread: an io_context that runs until the test ends.
struct OtherThread {
  OtherThread() : guard(boost::asio::make_work_guard(io)), thread([this] { io.run(); }) {}
  ~OtherThread() { stop(); }
  void stop() {
    guard.reset();
    io.stop();
    if (thread.joinable()) thread.join();
  }
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard;
  std::thread thread;
};

const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
constexpr int connections = 64;  // the chance that the kernel gives one listener none: 2^-63

TEST(UpstreamOnThreads, ACrashReachesTheConnectionsOfEveryThread) {
  boost::asio::io_context io;
  OtherThread other;
  bgw::sim::UpstreamSpec spec;
  spec.journal = bgw::sim::JournalLevel::events;
  std::optional<bgw::sim::Upstream> up(std::in_place, io, spec);
  wake_on_journal(*up, io);
  up->add_threads({&other.io});
  EXPECT_EQ(up->threads(), 2u);

  std::vector<int> fds;
  for (int i = 0; i < connections; ++i) {
    const int fd = connect_to(up->port());
    ASSERT_GE(fd, 0) << "connect " << i;
    fds.push_back(fd);
    const std::string request = "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";
    ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  }
  ASSERT_TRUE(run_until(
      io, [&] { return up->journal().total(EventKind::wrote) == connections; }, 20s,
      "every request answered"));
  const auto by_thread = up->live_connections_by_thread();
  ASSERT_EQ(by_thread.size(), 2u);
  EXPECT_GT(by_thread[0], 0u) << "the kernel gave the first thread no connection";
  EXPECT_GT(by_thread[1], 0u) << "the kernel gave the second thread no connection";
  EXPECT_EQ(by_thread[0] + by_thread[1], std::size_t{connections});

  up->crash();
  // Every connection, whichever thread holds it, ends now: its response, then EOF.
  const auto deadline = Clock::now() + 10s;
  for (int fd : fds) {
    const auto got = read_to_end(fd, deadline);
    ASSERT_TRUE(got.has_value()) << "a connection outlived the crash";
    EXPECT_TRUE(got->starts_with("HTTP/1.1 200 OK")) << *got;
    ::close(fd);
  }
  EXPECT_EQ(connect_to(up->port()), -1) << "every thread's listener refuses after the crash";
  ASSERT_TRUE(run_until(
      io,
      [&] {
        return up->journal().count_if([](const bgw::sim::Event& e) {
          return e.kind == EventKind::closed && e.detail == "crash";
        }) == connections;
      },
      10s, "every session journaled its crash"));
  EXPECT_EQ(up->journal().count(EventKind::crashed), 1u) << "one crash, journaled once";
  EXPECT_EQ(up->live_connections(), 0u);

  up->restart();
  const int again = connect_to(up->port());
  ASSERT_GE(again, 0) << "accepting again after restart";
  ::close(again);
  up->stop();
  other.stop();
}

TEST(UpstreamOnThreads, OneJournalOneCounterAndRulesReachEveryThread) {
  boost::asio::io_context io;
  OtherThread other;
  bgw::sim::UpstreamSpec spec;
  spec.journal = bgw::sim::JournalLevel::events;
  bgw::sim::Upstream up(io, spec);
  wake_on_journal(up, io);
  up.add_threads({&other.io});
  // Set from this thread after the other started serving: every connection opened later, on
  // either thread, gets it.
  up.set_rules({bgw::sim::Rule{
      .match = bgw::sim::Match::every(),
      .name = "custom",
      .script = {bgw::sim::Write{"HTTP/1.1 503 Busy\r\n\r\n"}, bgw::sim::Close{}}}});
  std::vector<int> fds;
  for (int i = 0; i < connections; ++i) {
    const int fd = connect_to(up.port());
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
    const std::string request = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  }
  const auto deadline = Clock::now() + 20s;
  for (int fd : fds) {
    // This thread's sessions need its io_context to run while we read.
    ASSERT_TRUE(run_until(
        io,
        [&] {
          pollfd p{fd, POLLIN, 0};
          return ::poll(&p, 1, 0) > 0;
        },
        deadline - Clock::now(), "a response"));
    const auto got = read_to_end(fd, deadline);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, "HTTP/1.1 503 Busy\r\n\r\n");
    ::close(fd);
  }
  ASSERT_TRUE(run_until(
      io, [&] { return up.journal().total(EventKind::closed) == connections; }, 10s,
      "every session closed"));
  // One counter for all threads: connections and requests numbered 1..64, each once.
  std::set<std::uint64_t> conns, requests;
  for (const auto& e : up.journal().snapshot()) {
    if (e.kind == EventKind::accepted) conns.insert(e.connection);
    if (e.kind == EventKind::request_head) requests.insert(e.request);
  }
  EXPECT_EQ(conns.size(), std::size_t{connections});
  EXPECT_EQ(requests.size(), std::size_t{connections});
  EXPECT_EQ(*conns.rbegin(), std::uint64_t{connections});
  EXPECT_EQ(*requests.rbegin(), std::uint64_t{connections});
  EXPECT_EQ(up.journal().count(EventKind::listening), 1u) << "listener events once, not per thread";
  up.stop();
  other.stop();
}

}  // namespace
