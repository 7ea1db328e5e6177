// The session gives its input buffer back before a timed wait when nothing is buffered, and
// reads into a shared scratch buffer while it holds a connection until the peer leaves (so a
// stalled connection owns no buffer). None of that may lose or reorder a byte: pipelined
// requests behind a stall, a large head after one, and bytes dropped during a stall are
// checked here on the in-memory stream.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simulator/session.hpp"
#include "support/memory_stream.hpp"

namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;
using bgw::sim::Delay;
using bgw::sim::Ending;
using bgw::sim::EventKind;
using bgw::sim::Kill;
using bgw::sim::Match;
using bgw::sim::ReadRequest;
using bgw::sim::Rule;
using bgw::sim::RuleScope;
using bgw::sim::Script;
using bgw::sim::Stall;
using bgw::sim::UpstreamSpec;
using bgw::sim::UpstreamState;
using bgw::sim::Write;
using bgw::test::MemoryStream;
using Clock = std::chrono::steady_clock;

const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

std::string get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

// One session on one in-memory stream, for a request script applied to every request.
struct OneSession {
  explicit OneSession(Script script)
      : state(std::make_shared<UpstreamState>(spec(std::move(script)))), stream(io), timer(io) {
    session = std::make_unique<bgw::sim::Session<MemoryStream>>(
        stream, timer, state, state->journal.next_connection(), kill);
    net::co_spawn(io, session->run(), [this](std::exception_ptr e, Ending how) {
      done = true;
      if (!e) ending = how;
    });
  }

  static UpstreamSpec spec(Script script) {
    UpstreamSpec s;
    s.rules.push_back(Rule{.scope = RuleScope::request,
                           .match = Match::every(),
                           .name = "test",
                           .script = std::move(script)});
    return s;
  }

  // Run until the session ended or waits for its peer (bounded: 5 s).
  void run() {
    io.restart();
    const auto deadline = Clock::now() + 5s;
    while (!done && !stream.read_pending() && Clock::now() < deadline) io.run_one_until(deadline);
  }

  std::vector<std::string> heads() {
    std::vector<std::string> out;
    for (const auto& e : state->journal.snapshot())
      if (e.kind == EventKind::request_head) out.push_back(e.detail);
    return out;
  }
  std::vector<std::uint64_t> head_sizes() {
    std::vector<std::uint64_t> out;
    for (const auto& e : state->journal.snapshot())
      if (e.kind == EventKind::request_head) out.push_back(e.bytes);
    return out;
  }

  net::io_context io;
  Kill kill = Kill::none;
  std::shared_ptr<UpstreamState> state;
  MemoryStream stream;
  net::steady_timer timer;
  std::unique_ptr<bgw::sim::Session<MemoryStream>> session;
  std::optional<Ending> ending;
  bool done = false;
};

TEST(SessionBuffer, RequestsPipelinedBehindAStallAreServedInOrder) {
  OneSession s({ReadRequest{}, Stall{5ms}, Write{ok}});
  // Three requests in one segment: the buffer still holds two while the first one stalls, so
  // it must not be given back.
  s.stream.push_input(get("/1") + get("/2") + get("/3"));
  s.stream.peer_close();
  s.run();
  ASSERT_TRUE(s.done);
  EXPECT_EQ(s.stream.output(), ok + ok + ok);
  EXPECT_EQ(s.heads(), (std::vector<std::string>{get("/1"), get("/2"), get("/3")}));
  EXPECT_EQ(s.ending, Ending::peer_closed);
}

TEST(SessionBuffer, ALargeHeadAfterADelayIsReadIntoAFreshBuffer) {
  OneSession s({ReadRequest{}, Delay{2ms}, Write{ok}});
  s.stream.push_input(get("/1"));
  s.run();
  EXPECT_EQ(s.stream.output(), ok);
  // Larger than the initial 16 KiB buffer: the buffer given back before the delay comes back
  // and grows.
  const std::string big = get("/2", "X-Big: " + std::string(40 * 1024, 'b') + "\r\n");
  s.stream.push_input(big.substr(0, 1000));
  s.stream.push_input(big.substr(1000));
  s.stream.push_input(get("/3"));
  s.stream.peer_close();
  s.run();
  ASSERT_TRUE(s.done);
  EXPECT_EQ(s.stream.output(), ok + ok + ok);
  EXPECT_EQ(s.head_sizes(),
            (std::vector<std::uint64_t>{get("/1").size(), big.size(), get("/3").size()}));
  EXPECT_EQ(s.heads().at(2), get("/3"));
}

TEST(SessionBuffer, StallUntilThePeerLeavesCountsEveryDroppedByte) {
  OneSession s({ReadRequest{}, Write{"x"}, Stall{}});
  s.stream.push_input(get("/"));
  s.run();
  EXPECT_FALSE(s.done);
  // More than the scratch buffer holds, in pieces: every byte is read and dropped.
  s.stream.push_input(std::string(40 * 1024, 'j'));
  s.stream.push_input("tail");
  s.run();
  EXPECT_FALSE(s.done) << "bytes from the peer do not end the stall";
  s.stream.peer_close();
  s.run();
  ASSERT_TRUE(s.done);
  EXPECT_EQ(s.stream.output(), "x");
  EXPECT_EQ(s.ending, Ending::peer_closed);
  std::optional<std::uint64_t> dropped;
  for (const auto& e : s.state->journal.snapshot())
    if (e.kind == EventKind::step && e.detail == "stall") dropped = e.bytes;
  ASSERT_TRUE(dropped.has_value());
  EXPECT_EQ(*dropped, 40u * 1024 + 4);
}

TEST(SessionBuffer, BytesPipelinedBeforeAnEndlessStallAreDroppedUncounted) {
  // What the stall found already buffered was sent before the stall began; only what arrives
  // during the stall is counted as dropped (unchanged behaviour).
  OneSession s({ReadRequest{}, Stall{}});
  s.stream.push_input(get("/1") + "early");
  s.run();
  s.stream.push_input("late");
  s.stream.peer_close();
  s.run();
  ASSERT_TRUE(s.done);
  std::optional<std::uint64_t> dropped;
  for (const auto& e : s.state->journal.snapshot())
    if (e.kind == EventKind::step && e.detail == "stall") dropped = e.bytes;
  ASSERT_TRUE(dropped.has_value());
  EXPECT_EQ(*dropped, 4u);
}

}  // namespace
