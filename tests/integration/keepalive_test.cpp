// Rules over keep-alive connections: which request or connection a Match selects, seeded
// probabilities that repeat exactly, and rule changes that reach new connections only.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/fault_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::client::Ending;
using bgw::client::RawResult;
using bgw::sim::EventKind;
using bgw::sim::Match;
using bgw::sim::Response;
using namespace bgw::test;

using KeepAlive = UpstreamTest;

TEST_F(KeepAlive, ConnectionCloseInTheRequestEndsItAfterTheResponse) {
  auto& up = make({.name = "up"});
  TestConnection conn(io_, up.port());
  ASSERT_TRUE(conn.send(kGet));
  ASSERT_TRUE(conn.wait_bytes(kOk.size()));
  EXPECT_EQ(conn.take(), kOk);
  EXPECT_FALSE(conn.ended());
  ASSERT_TRUE(conn.send(kGetClose));
  ASSERT_TRUE(conn.wait_ended());
  EXPECT_TRUE(conn.eof()) << conn.end_error().message();
  EXPECT_EQ(conn.received(), kOkClose);
  EXPECT_EQ(up.journal().connections(), 1u);
  EXPECT_EQ(up.journal().requests(), 2u);
}

TEST_F(KeepAlive, TheRequestDecidesWhetherTheConnectionPersists) {
  struct Case {
    std::string request;
    Ending ending;  ///< eof: closed after the response; open: kept alive
  };
  const std::vector<Case> cases = {
      {"GET / HTTP/1.1\r\nHost: t\r\n\r\n", Ending::open},
      {"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", Ending::eof},
      {"GET / HTTP/1.1\r\nHost: t\r\nconnection: CLOSE\r\n\r\n", Ending::eof},
      {"GET / HTTP/1.1\r\nHost: t\r\nConnection: keep-alive, close\r\n\r\n", Ending::eof},
      {"GET / HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\n\r\n", Ending::open},
      {"GET / HTTP/1.0\r\n\r\n", Ending::eof},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", Ending::open},
  };
  auto& up = make({.name = "up"});
  for (const Case& c : cases) {
    SCOPED_TRACE(bgw::client::escape_bytes(c.request));
    const RawResult r = exchange(io_, up.port(), c.request, 200ms);
    // A request that asks to close gets a response that says it closes.
    EXPECT_EQ(r.received, c.ending == Ending::eof ? kOkClose : kOk) << describe(r);
    EXPECT_STREQ(bgw::client::to_string(r.ending), bgw::client::to_string(c.ending)) << describe(r);
  }
}

TEST_F(KeepAlive, RequestSplitAcrossWritesIsOneRequest) {
  auto& up = make({.name = "up"});
  TestConnection conn(io_, up.port());
  ASSERT_TRUE(conn.send("GET / HTTP/1.1\r\nHo"));
  // The first byte starts (and counts) a request; its head is not complete yet.
  ASSERT_TRUE(run_until(
      io_, [&] { return up.journal().requests() == 1; }, 2s, "request start"));
  EXPECT_EQ(up.journal().count(EventKind::request_head), 0u);
  EXPECT_EQ(conn.received(), "");
  ASSERT_TRUE(conn.send("st: t\r\nContent-Length: 3\r\n\r\nab"));
  ASSERT_TRUE(run_until(
      io_, [&] { return up.journal().count(EventKind::request_head) == 1; }, 2s, "request head"));
  EXPECT_EQ(conn.received(), "") << "answered before the body was complete";
  ASSERT_TRUE(conn.send("c"));
  ASSERT_TRUE(conn.wait_bytes(kOk.size()));
  EXPECT_EQ(conn.take(), kOk);
  EXPECT_EQ(up.journal().requests(), 1u);
  const auto bodies = events_of(up.journal(), EventKind::request_body);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].bytes, 3u);
}

TEST_F(KeepAlive, PipelinedRequestsWithBodiesAreFramed) {
  auto& up = make({.name = "up"});
  const std::string chunked =
      "POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  const std::string sized = "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nworld";
  const RawResult r = exchange(io_, up.port(), chunked + sized + kGetClose);
  EXPECT_EQ(r.received, kOk + kOk + kOkClose) << describe(r);
  EXPECT_EQ(r.ending, Ending::eof) << describe(r);
  EXPECT_EQ(up.journal().requests(), 3u);
  const auto heads = events_of(up.journal(), EventKind::request_head);
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_EQ(heads[0].detail.rfind("POST /a HTTP/1.1\r\n", 0), 0u);
  EXPECT_EQ(heads[1].detail.rfind("POST /b HTTP/1.1\r\n", 0), 0u);
  EXPECT_EQ(heads[2].detail, kGetClose);
  EXPECT_EQ(up.journal().count(EventKind::bad_request), 0u);
}

TEST_F(KeepAlive, NthRequestRuleHitsOnlyTheSecondRequest) {
  auto& up = make(lower("reset_after_request", {}, Match::nth(2)));
  TestConnection conn(io_, up.port());
  ASSERT_TRUE(conn.send(kGet));
  ASSERT_TRUE(conn.wait_bytes(kOk.size()));
  EXPECT_EQ(conn.take(), kOk);
  EXPECT_FALSE(conn.ended());
  ASSERT_TRUE(conn.send(kGet));
  ASSERT_TRUE(conn.wait_ended());
  EXPECT_TRUE(conn.reset()) << conn.end_error().message();
  EXPECT_EQ(conn.received(), "");
  // Request 3, on a new connection, is served normally again.
  const RawResult r = exchange(io_, up.port(), kGetClose);
  EXPECT_EQ(r.received, kOkClose) << describe(r);
  EXPECT_EQ(r.ending, Ending::eof) << describe(r);

  ASSERT_TRUE(run_until(
      io_, [&] { return up.journal().count(EventKind::closed) == 2; }, 2s,
      "both connections closed"));
  EXPECT_EQ(closed_detail(up.journal(), 1), "rst");
  EXPECT_EQ(closed_detail(up.journal(), 2), "fin: client asked to close");
  EXPECT_EQ(up.journal().requests(), 3u);
}

TEST_F(KeepAlive, NthRequestRuleOnPipelinedRequests) {
  auto& up = make(lower("reset_after_request", {}, Match::nth(2)));
  const RawResult r = exchange(io_, up.port(), kGet + kGet);
  EXPECT_EQ(r.received, kOk) << describe(r);
  EXPECT_EQ(r.ending, Ending::reset) << describe(r);
}

TEST_F(KeepAlive, CloseAfterRequestsCountsRequestsOnTheConnection) {
  auto& up = make(lower("close_after_requests", {{"count", 2L}}));
  TestConnection conn(io_, up.port());
  ASSERT_TRUE(conn.send(kGet));
  ASSERT_TRUE(conn.wait_bytes(kOk.size()));
  EXPECT_EQ(conn.take(), kOk);
  EXPECT_FALSE(conn.ended());
  ASSERT_TRUE(conn.send(kGet));
  ASSERT_TRUE(conn.wait_ended());
  EXPECT_TRUE(conn.eof()) << conn.end_error().message();
  EXPECT_EQ(conn.received(), kOk);
}

TEST_F(KeepAlive, NthConnectionRuleHitsOnlyTheSecondConnection) {
  auto& up = make(lower("reset_on_accept", {}, Match::nth(2)));
  std::vector<RawResult> results;
  for (int i = 0; i < 3; ++i) results.push_back(exchange(io_, up.port(), kGetClose));
  EXPECT_EQ(results[0].received, kOkClose) << describe(results[0]);
  EXPECT_EQ(results[0].ending, Ending::eof) << describe(results[0]);
  EXPECT_EQ(results[1].received, "") << describe(results[1]);
  EXPECT_EQ(results[1].ending, Ending::reset) << describe(results[1]);
  EXPECT_EQ(results[2].received, kOkClose) << describe(results[2]);
  EXPECT_EQ(results[2].ending, Ending::eof) << describe(results[2]);

  ASSERT_TRUE(run_until(
      io_, [&] { return up.journal().count(EventKind::closed) == 3; }, 2s,
      "three connections closed"));
  EXPECT_EQ(closed_detail(up.journal(), 1), "fin: client asked to close");
  EXPECT_EQ(closed_detail(up.journal(), 2), "rst");
  EXPECT_EQ(closed_detail(up.journal(), 3), "fin: client asked to close");
  // Connection 2 never got to its request: requests are numbered 1 and 2.
  EXPECT_EQ(up.journal().requests(), 2u);
}

// One character per connection: 'R' reset with no byte, '.' the normal response, '?' other.
std::string connection_pattern(boost::asio::io_context& io, bgw::sim::Upstream& up, int n) {
  std::string pattern;
  for (int i = 0; i < n; ++i) {
    const RawResult r = exchange(io, up.port(), kGetClose);
    if (r.ending == Ending::reset && r.received.empty())
      pattern += 'R';
    else if (r.ending == Ending::eof && r.received == kOkClose)
      pattern += '.';
    else
      pattern += '?';
  }
  return pattern;
}

TEST_F(KeepAlive, SeededProbabilityRepeatsAcrossFreshUpstreams) {
  constexpr int n = 20;
  Match half;
  half.probability = 0.5;
  std::vector<std::string> patterns;
  for (const char* name : {"first", "second"}) {
    auto spec = spec_for(lower("reset_on_accept", {}, half), name);
    spec.seed = 42;
    auto& up = make(std::move(spec));
    patterns.push_back(connection_pattern(io_, up, n));
    ASSERT_TRUE(run_until(
        io_, [&] { return up.journal().count(EventKind::closed) == n; }, 2s,
        "all connections closed"));
    // The journal agrees with the client, connection by connection.
    std::string journalled;
    for (int c = 1; c <= n; ++c) {
      journalled += closed_detail(up.journal(), static_cast<std::uint64_t>(c)) == "rst" ? 'R' : '.';
    }
    EXPECT_EQ(journalled, patterns.back()) << name;
  }
  EXPECT_EQ(patterns[0], patterns[1]);
  EXPECT_EQ(patterns[0].find('?'), std::string::npos) << patterns[0];
  // With p = 0.5 over 20 draws, both outcomes occur (for seed 42 at least).
  EXPECT_NE(patterns[0].find('R'), std::string::npos) << patterns[0];
  EXPECT_NE(patterns[0].find('.'), std::string::npos) << patterns[0];
}

TEST_F(KeepAlive, SeededProbabilityOnRequestsRepeatsAcrossFreshUpstreams) {
  constexpr int n = 20;
  Match half;
  half.probability = 0.5;
  const std::string err =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 18\r\n\r\nupstream says 503\n";
  std::vector<std::string> patterns;
  for (const char* name : {"first", "second"}) {
    auto spec = spec_for(lower("status_5xx", {}, half), name);
    spec.seed = 7;
    auto& up = make(std::move(spec));
    std::string pipelined;
    for (int i = 0; i < n; ++i) pipelined += kGet;
    const RawResult r = exchange(io_, up.port(), pipelined, 300ms);
    EXPECT_EQ(r.ending, Ending::open) << describe(r);
    // Split the responses back apart.
    std::string pattern;
    std::string_view rest = r.received;
    while (!rest.empty()) {
      if (rest.starts_with(kOk)) {
        pattern += '.';
        rest.remove_prefix(kOk.size());
      } else if (rest.starts_with(err)) {
        pattern += '5';
        rest.remove_prefix(err.size());
      } else {
        pattern += '?';
        break;
      }
    }
    EXPECT_EQ(pattern.size(), static_cast<std::size_t>(n)) << pattern << " " << describe(r);
    patterns.push_back(pattern);
  }
  EXPECT_EQ(patterns[0], patterns[1]);
  EXPECT_NE(patterns[0].find('5'), std::string::npos) << patterns[0];
  EXPECT_NE(patterns[0].find('.'), std::string::npos) << patterns[0];
}

TEST_F(KeepAlive, SetRulesWhileRunningAffectsNewConnectionsOnly) {
  auto& up = make({.name = "up"});
  TestConnection old_conn(io_, up.port());
  ASSERT_TRUE(old_conn.send(kGet));
  ASSERT_TRUE(old_conn.wait_bytes(kOk.size()));
  EXPECT_EQ(old_conn.take(), kOk);

  up.set_rules({lower("reset_after_request").rule});

  // The open connection keeps the rules it started with.
  ASSERT_TRUE(old_conn.send(kGet));
  ASSERT_TRUE(old_conn.wait_bytes(kOk.size()));
  EXPECT_EQ(old_conn.take(), kOk);
  EXPECT_FALSE(old_conn.ended());

  // A new connection gets the new ones.
  const RawResult fresh = exchange(io_, up.port(), kGet);
  EXPECT_EQ(fresh.received, "") << describe(fresh);
  EXPECT_EQ(fresh.ending, Ending::reset) << describe(fresh);

  // Still the old rules on the old connection, after the new one was reset.
  ASSERT_TRUE(old_conn.send(kGet));
  ASSERT_TRUE(old_conn.wait_bytes(kOk.size()));
  EXPECT_EQ(old_conn.take(), kOk);

  // set_response follows the same rule: new connections only.
  up.set_rules({});
  Response bye;
  bye.body = "bye";
  up.set_response(bye);
  const RawResult newest = exchange(io_, up.port(), kGetClose);
  EXPECT_EQ(newest.received, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye")
      << describe(newest);
  EXPECT_EQ(newest.ending, Ending::eof) << describe(newest);
  ASSERT_TRUE(old_conn.send(kGetClose));
  ASSERT_TRUE(old_conn.wait_ended());
  EXPECT_EQ(old_conn.received(), kOkClose);
  EXPECT_TRUE(old_conn.eof()) << old_conn.end_error().message();
}

}  // namespace
