// The HTTP client driver against simulated upstreams on loopback (no proxy in between): what an
// Observation records for a normal response on a reused connection, for each way a response can
// be cut or corrupted, for silence until the deadline, for a refused or unreachable port, and
// for interim responses and HEAD.
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "harness/client/http_exchange.hpp"
#include "support/fault_fixture.hpp"

// Readable enum values in gtest failure messages.
namespace bgw::client {
inline void PrintTo(Ending e, std::ostream* os) {
  *os << to_string(e);
}
inline void PrintTo(Framing f, std::ostream* os) {
  *os << to_string(f);
}
inline void PrintTo(BodyState s, std::ostream* os) {
  *os << to_string(s);
}
inline void PrintTo(HeaderProblemKind k, std::ostream* os) {
  *os << to_string(k);
}
}  // namespace bgw::client

namespace {

using namespace std::chrono_literals;
using bgw::client::BodyState;
using bgw::client::ClientConnection;
using bgw::client::describe;
using bgw::client::Ending;
using bgw::client::exchange_once;
using bgw::client::Framing;
using bgw::client::HttpRequest;
using bgw::client::Observation;
using bgw::client::Timeouts;
using bgw::sim::Close;
using bgw::sim::Match;
using bgw::sim::ReadRequest;
using bgw::sim::Rule;
using bgw::sim::RuleScope;
using bgw::sim::Script;
using bgw::sim::UpstreamSpec;
using bgw::sim::Write;
using namespace bgw::test;

using HttpExchange = UpstreamTest;

const std::string kLocal = "127.0.0.1";

HttpRequest get(bool keep_alive = false) {
  HttpRequest r;
  r.keep_alive = keep_alive;
  return r;
}

Timeouts quick(std::chrono::nanoseconds response = 2s) {
  return {.connect = 1s, .response = response, .close_wait = 500ms};
}

// An upstream whose requests (those `match` selects) run `script`; the rest get Response{}.
UpstreamSpec scripted(Script script, Match match = {}) {
  UpstreamSpec spec;
  spec.name = "scripted";
  spec.rules.push_back(
      Rule{.scope = RuleScope::request, .match = match, .name = "custom", .script = script});
  return spec;
}

std::string ending_of(const Observation& o) {
  return o.ending ? bgw::client::to_string(*o.ending) : "kept open";
}

TEST_F(HttpExchange, SerializeAddsHostLengthAndCloseOnlyWhenMissing) {
  HttpRequest r{.method = "POST", .target = "/p?q=1", .headers = {{"X-A", "1"}}, .body = "abc"};
  EXPECT_EQ(bgw::client::serialize(r, "127.0.0.1:8080"),
            "POST /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-A: 1\r\nContent-Length: 3\r\n"
            "Connection: close\r\n\r\nabc");
  HttpRequest own{.headers = {{"host", "h"}, {"Transfer-Encoding", "chunked"}, {"connection", "x"}},
                  .body = "0\r\n\r\n"};
  EXPECT_EQ(bgw::client::serialize(own, "ignored"),
            "GET / HTTP/1.1\r\nhost: h\r\nTransfer-Encoding: chunked\r\nconnection: x\r\n\r\n"
            "0\r\n\r\n");
  EXPECT_EQ(bgw::client::serialize(get(true), "h"), "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(bgw::client::host_header("::1", 80), "[::1]:80");
}

TEST_F(HttpExchange, KeepAliveCarriesASecondRequestOnTheSameConnection) {
  auto& up = make({.name = "up"});
  ClientConnection conn = ClientConnection::connect(io_, kLocal, up.port(), 1s);
  ASSERT_TRUE(conn.connected());

  const Observation first = conn.exchange(get(true), 2s);
  EXPECT_TRUE(first.connected);
  EXPECT_EQ(first.sequence, 1u);
  EXPECT_EQ(first.status, 200) << describe(first);
  EXPECT_EQ(first.body, "hello");
  EXPECT_EQ(first.framing, Framing::content_length);
  EXPECT_EQ(first.body_state, BodyState::complete);
  EXPECT_TRUE(first.response_complete);
  EXPECT_FALSE(first.ending.has_value()) << describe(first);
  EXPECT_TRUE(first.kept_open());
  EXPECT_EQ(first.received, kOk);
  EXPECT_TRUE(first.request_sent);
  EXPECT_GT(first.timings.connect, 0ns);
  ASSERT_TRUE(first.timings.first_byte && first.timings.head_complete &&
              first.timings.response_complete);
  EXPECT_LE(*first.timings.first_byte, *first.timings.head_complete);
  EXPECT_LE(*first.timings.head_complete, *first.timings.response_complete);
  EXPECT_LE(*first.timings.response_complete, first.timings.end);
  EXPECT_TRUE(conn.usable());

  const Observation second = conn.exchange(get(true), 2s);
  EXPECT_EQ(second.sequence, 2u);
  EXPECT_EQ(second.status, 200) << describe(second);
  EXPECT_EQ(second.body, "hello");
  EXPECT_TRUE(second.kept_open());
  EXPECT_EQ(second.timings.connect, 0ns) << "no new connect";
  EXPECT_EQ(second.carried_over, 0u);
  EXPECT_EQ(up.journal().connections(), 1u);
  EXPECT_EQ(up.journal().requests(), 2u);

  // Connection: close: the upstream closes after its response, and the client waits to see it.
  const Observation last = conn.exchange(get(false), 2s);
  EXPECT_EQ(last.status, 200);
  EXPECT_TRUE(last.response_complete);
  EXPECT_EQ(last.ending, Ending::eof) << describe(last);
  EXPECT_FALSE(conn.usable());
  const Observation after = conn.exchange(get(true), 2s);
  EXPECT_EQ(after.ending, Ending::error);
  EXPECT_EQ(after.error, "the connection already ended (EOF) in exchange 3");
  EXPECT_EQ(up.journal().connections(), 1u);
  EXPECT_EQ(up.journal().requests(), 3u);
}

TEST_F(HttpExchange, OneShotSeesTheCloseAfterTheResponse) {
  auto& up = make({.name = "up"});
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), quick());
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.body_state, BodyState::complete);
  EXPECT_EQ(o.ending, Ending::eof) << describe(o);
  EXPECT_TRUE(o.extra.empty());
  EXPECT_EQ(describe(o).rfind("200 OK, 5 B body complete, EOF after ", 0), 0u) << describe(o);
}

TEST_F(HttpExchange, CloseMidBodyIsTruncatedWithEof) {
  auto& up = make(lower("close_mid_body"));  // Content-Length: 100, 10 bytes, FIN
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), quick());
  EXPECT_EQ(o.status, 200) << describe(o);
  EXPECT_EQ(o.framing, Framing::content_length);
  EXPECT_EQ(o.content_length, 100u);
  EXPECT_EQ(o.body, "0123456789");
  EXPECT_EQ(o.body_state, BodyState::truncated);
  EXPECT_FALSE(o.response_complete);
  EXPECT_EQ(o.ending, Ending::eof);
  EXPECT_NE(describe(o).find("10 of 100 B body, truncated, EOF after"), std::string::npos)
      << describe(o);
}

TEST_F(HttpExchange, ResetMidChunkedBodyIsTruncatedWithReset) {
  auto& up = make(lower("reset_mid_body", {{"chunked", true}}));
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), quick());
  EXPECT_EQ(o.status, 200) << describe(o);
  EXPECT_EQ(o.framing, Framing::chunked);
  EXPECT_EQ(o.chunked.payload, "0123456789");
  EXPECT_FALSE(o.chunked.final_chunk);
  EXPECT_EQ(o.body_state, BodyState::truncated);
  EXPECT_FALSE(o.response_complete);
  EXPECT_EQ(o.ending, Ending::reset) << describe(o);
}

TEST_F(HttpExchange, ChunkedBodyEndedEarlyWithACleanZeroChunkLooksComplete) {
  // What a proxy's silent truncation (T!) looks like: a 100-byte body cut to 10 and framed as
  // complete. Only the length, compared with what the upstream sent, gives it away.
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n";
  auto& up = make(scripted({ReadRequest{}, Write{wire}, Close{}}));
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), quick());
  EXPECT_EQ(o.status, 200) << describe(o);
  EXPECT_TRUE(o.response_complete);
  EXPECT_EQ(o.body_state, BodyState::complete);
  EXPECT_TRUE(o.chunked.final_chunk);
  EXPECT_EQ(o.payload(), "0123456789");
  EXPECT_LT(o.payload().size(), 100u);
  EXPECT_EQ(o.ending, Ending::eof);
  EXPECT_EQ(o.received, wire);
}

TEST_F(HttpExchange, GarbageStatusIsHttp09WithTheRawBytes) {
  auto& up = make(lower("garbage_status"));
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), quick());
  EXPECT_TRUE(o.http09) << describe(o);
  EXPECT_EQ(o.status, std::nullopt);
  EXPECT_EQ(o.status_line, "GARBAGE NOT HTTP");
  EXPECT_EQ(o.received, "GARBAGE NOT HTTP\r\n\r\nhello");
  EXPECT_EQ(o.body, o.received);
  EXPECT_EQ(o.body_state, BodyState::unframed_complete);
  EXPECT_EQ(o.ending, Ending::eof);
  EXPECT_EQ(describe(o).rfind("no status line: 25 raw bytes", 0), 0u) << describe(o);
}

TEST_F(HttpExchange, BadStatusCodeKeepsTheRawLine) {
  auto& up = make(lower("bad_status_code"));
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), quick());
  EXPECT_EQ(o.status, std::nullopt) << describe(o);
  EXPECT_EQ(o.status_line, "HTTP/1.1 2x0 OK");
  EXPECT_EQ(o.status_error, "status code '2x0' is not three digits");
  EXPECT_EQ(o.received, "HTTP/1.1 2x0 OK\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(o.ending, Ending::eof);
}

TEST_F(HttpExchange, SilentUpstreamEndsAtTheDeadlineWithNoBytes) {
  auto& up = make(lower("stall_before_headers", {{"duration", bgw::sim::Duration(2s)}}));
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), quick(200ms));
  EXPECT_TRUE(o.connected);
  EXPECT_EQ(o.ending, Ending::open) << describe(o);
  EXPECT_TRUE(o.received.empty());
  EXPECT_EQ(o.status, std::nullopt);
  EXPECT_FALSE(o.timings.first_byte.has_value());
  EXPECT_GE(o.timings.end, 200ms);
  EXPECT_LE(o.timings.end, 300ms) << ms(o.timings.end);
  EXPECT_EQ(describe(o), "no response within 200ms");
}

TEST_F(HttpExchange, CloseAfterRequestIsEofWithNoByte) {
  auto& up = make(lower("close_after_request"));
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), quick());
  EXPECT_TRUE(o.connected);
  EXPECT_EQ(o.ending, Ending::eof) << describe(o);
  EXPECT_TRUE(o.received.empty());
  EXPECT_EQ(o.body_state, BodyState::absent);
  EXPECT_FALSE(o.response_complete);
  EXPECT_EQ(describe(o).rfind("EOF with no byte after ", 0), 0u) << describe(o);
}

TEST_F(HttpExchange, ResetOnAcceptIsResetWhetherTheSendOrTheReadSeesIt) {
  auto& up = make(lower("reset_on_accept"));
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), quick());
  EXPECT_TRUE(o.connected);
  EXPECT_EQ(o.ending, Ending::reset) << describe(o);
  EXPECT_TRUE(o.received.empty());
  EXPECT_EQ(describe(o).rfind("connection reset with no byte after ", 0), 0u) << describe(o);
}

TEST_F(HttpExchange, PartialHeadThenResetIsDescribed) {
  auto& up = make(lower("reset_mid_headers", {{"bytes", std::int64_t{3}}}));
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), quick());
  EXPECT_EQ(o.received, "HTT");
  EXPECT_EQ(o.ending, Ending::reset) << describe(o);
  EXPECT_FALSE(o.http09);
  EXPECT_EQ(o.status, std::nullopt);
  EXPECT_EQ(describe(o).rfind("incomplete status line: 3 B (\"HTT\"), connection reset after ", 0),
            0u)
      << describe(o);
}

TEST_F(HttpExchange, RefusedPortIsNotConnected) {
  auto& up = make(lower("refuse"));
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), quick());
  EXPECT_FALSE(o.connected);
  EXPECT_EQ(o.ending, Ending::refused) << describe(o);
  EXPECT_FALSE(o.request_sent);
  EXPECT_EQ(describe(o), "connection refused");
}

TEST_F(HttpExchange, BlackholedPortTimesOutTheConnect) {
  auto& up = make(lower("blackhole"));
  Timeouts t = quick();
  t.connect = 200ms;
  const Observation o = exchange_once(io_, kLocal, up.port(), get(), t);
  EXPECT_FALSE(o.connected);
  EXPECT_EQ(o.ending, Ending::connect_timeout) << describe(o);
  EXPECT_GE(o.timings.connect, 200ms);
  EXPECT_EQ(describe(o), "connect timeout after 200ms");
}

TEST_F(HttpExchange, InterimContinueIsSkippedAndRecorded) {
  auto& up = make(scripted({ReadRequest{}, Write{"HTTP/1.1 100 Continue\r\n\r\n"}, Write{kOk}}));
  HttpRequest post{.method = "POST",
                   .target = "/upload",
                   .headers = {{"Expect", "100-continue"}},
                   .body = "payload"};
  const Observation o = exchange_once(io_, kLocal, up.port(), post, quick());
  EXPECT_EQ(o.status, 200) << describe(o);
  ASSERT_EQ(o.interim.size(), 1u);
  EXPECT_EQ(o.interim[0].status, 100);
  EXPECT_EQ(o.body, "hello");
  EXPECT_TRUE(o.response_complete);
  EXPECT_EQ(o.ending, Ending::eof);
  EXPECT_EQ(o.received, "HTTP/1.1 100 Continue\r\n\r\n" + kOk);
  const auto bodies = events_of(up.journal(), bgw::sim::EventKind::request_body);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].bytes, 7u);
}

TEST_F(HttpExchange, HeadResponseEndsAtItsHeadAndTheConnectionStaysInStep) {
  // The first request gets only a head (as a correct server answers HEAD); the second, a GET on
  // the same connection, gets the default response.
  auto& up = make(scripted({ReadRequest{}, Write{kOkHead}}, Match::nth(1)));
  ClientConnection conn = ClientConnection::connect(io_, kLocal, up.port(), 1s);
  HttpRequest head{.method = "HEAD", .keep_alive = true};
  const Observation h = conn.exchange(head, 2s);
  EXPECT_EQ(h.status, 200) << describe(h);
  EXPECT_EQ(h.header("Content-Length"), "5");
  EXPECT_EQ(h.framing, Framing::none);
  EXPECT_EQ(h.body_state, BodyState::absent);
  EXPECT_TRUE(h.response_complete);
  EXPECT_TRUE(h.kept_open());
  const Observation g = conn.exchange(get(true), 2s);
  EXPECT_EQ(g.status, 200) << describe(g);
  EXPECT_EQ(g.body, "hello");
  EXPECT_EQ(g.received, kOk);
}

TEST_F(HttpExchange, BodySentToHeadIsExtra) {
  // The default upstream does not know HEAD and sends its body: the client does not take it as
  // the body, and sees it before the close.
  auto& up = make({.name = "up"});
  const Observation o =
      exchange_once(io_, kLocal, up.port(), HttpRequest{.method = "HEAD"}, quick());
  EXPECT_EQ(o.status, 200) << describe(o);
  EXPECT_EQ(o.body_state, BodyState::absent);
  EXPECT_TRUE(o.response_complete);
  EXPECT_EQ(o.extra, "hello");
  EXPECT_EQ(o.ending, Ending::eof);
  EXPECT_NE(describe(o).find("5 B after the response"), std::string::npos) << describe(o);
}

TEST_F(HttpExchange, BytesAfterAResponseStartTheNextExchange) {
  // Two responses in one write to the first request: the second is carried over and taken as the
  // answer to the next request, as a real client would (response desync).
  const std::string second = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye";
  auto& up = make(scripted({ReadRequest{}, Write{kOk + second}}, Match::nth(1)));
  ClientConnection conn = ClientConnection::connect(io_, kLocal, up.port(), 1s);
  const Observation a = conn.exchange(get(true), 2s);
  EXPECT_EQ(a.body, "hello") << describe(a);
  EXPECT_TRUE(a.kept_open());
  EXPECT_EQ(second.rfind(a.extra, 0), 0u) << "extra is the start of the second response";
  EXPECT_EQ(conn.pending(), a.extra);
  const Observation b = conn.exchange(get(true), 2s);
  EXPECT_EQ(b.carried_over, a.extra.size());
  EXPECT_EQ(b.received.substr(0, b.carried_over), a.extra);
  EXPECT_EQ(b.status, 200) << describe(b);
  EXPECT_EQ(b.body, "bye");
}

TEST_F(HttpExchange, StaleKeepAliveConnectionGivesNothingToTheSecondRequest) {
  auto& up = make(lower("close_after_response"));
  ClientConnection conn = ClientConnection::connect(io_, kLocal, up.port(), 1s);
  const Observation first = conn.exchange(get(true), 2s);
  EXPECT_EQ(first.status, 200) << describe(first);
  EXPECT_TRUE(first.kept_open()) << "the client stops at the end of the response";
  // Wait for the upstream's FIN to be sent before reusing the connection.
  ASSERT_TRUE(run_until(
      io_, [&] { return up.live_connections() == 0; }, 2s, "the upstream to close"));
  const Observation second = conn.exchange(get(true), 2s);
  EXPECT_TRUE(second.received.empty()) << describe(second);
  EXPECT_TRUE(second.ending == Ending::eof || second.ending == Ending::reset) << ending_of(second);
  EXPECT_EQ(second.status, std::nullopt);
}

TEST_F(HttpExchange, InvalidAddressIsAnErrorNotAThrow) {
  const Observation o = exchange_once(io_, "not-an-ip", 1, get(), quick());
  EXPECT_FALSE(o.connected);
  EXPECT_EQ(o.ending, Ending::error);
  EXPECT_EQ(describe(o), "connect failed: invalid address 'not-an-ip'");
}

}  // namespace
