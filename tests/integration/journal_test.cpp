// The journal agrees with what the raw client saw on the wire: one accepted event per
// connection, the request head as sent, written bytes that add up to the bytes received, a
// closed event naming how each connection ended, timed steps with requested vs actual, and JSON
// lines that are one object per event. The fixture fails any test whose journal has an
// internal_error, or an accepted connection without a closed event.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/fault_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::client::Ending;
using bgw::client::RawResult;
using bgw::sim::Duration;
using bgw::sim::Event;
using bgw::sim::EventKind;
using bgw::sim::FaultParams;
using bgw::sim::JournalLevel;
using bgw::sim::Match;
using bgw::sim::Rule;
using bgw::sim::RuleScope;
using namespace bgw::test;

testing::AssertionResult closed_count(bgw::sim::Upstream& up, boost::asio::io_context& io,
                                      std::size_t n) {
  return run_until(
      io, [&] { return up.journal().count(EventKind::closed) >= n; }, 2s, "closed events");
}

std::vector<std::string> kinds_of_connection(const bgw::sim::Journal& j, std::uint64_t conn) {
  std::vector<std::string> out;
  for (const Event& e : j.snapshot()) {
    if (e.connection == conn) out.emplace_back(bgw::sim::to_string(e.kind));
  }
  return out;
}

using Journal = UpstreamTest;

TEST_F(Journal, AcceptedCountEqualsConnectionsMade) {
  auto& up = make(lower("close_on_accept", {}, Match::nth(2)));
  for (int i = 0; i < 5; ++i) {
    const RawResult r = exchange(io_, up.port(), kGetClose);
    EXPECT_EQ(r.ending, Ending::eof) << describe(r);
  }
  ASSERT_TRUE(closed_count(up, io_, 5));
  EXPECT_EQ(up.journal().count(EventKind::accepted), 5u);
  EXPECT_EQ(up.journal().connections(), 5u);
  // The second connection was closed on accept, before its request was read.
  EXPECT_EQ(up.journal().requests(), 4u);
  EXPECT_EQ(up.journal().count(EventKind::request_head), 4u);
  // Every connection number appears in exactly one accepted event, in order.
  const auto accepted = events_of(up.journal(), EventKind::accepted);
  for (std::size_t i = 0; i < accepted.size(); ++i) EXPECT_EQ(accepted[i].connection, i + 1);

  // A refused connect is not a connection.
  up.set_mode(bgw::sim::ListenerMode::refuse);
  EXPECT_EQ(exchange(io_, up.port(), kGetClose).ending, Ending::refused);
  EXPECT_EQ(up.journal().count(EventKind::accepted), 5u);
  EXPECT_EQ(up.journal().connections(), 5u);
  const auto listening = events_of(up.journal(), EventKind::listening);
  ASSERT_EQ(listening.size(), 2u);
  EXPECT_EQ(listening[0].detail, "accept");
  EXPECT_EQ(listening[1].detail, "refuse");
}

TEST_F(Journal, RequestHeadHoldsTheRequestAsSent) {
  const std::string head =
      "POST /probe?x=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nConnection: close\r\n\r\n";
  auto& bytes = make({.name = "bytes"});
  auto& events = make({.name = "events", .journal = JournalLevel::events});
  auto& counters = make({.name = "counters", .journal = JournalLevel::counters});
  for (auto* up : {&bytes, &events, &counters}) {
    const RawResult r = exchange(io_, up->port(), head + "abcd");
    EXPECT_EQ(r.received, kOkClose) << up->name() << ": " << describe(r);
    EXPECT_EQ(r.ending, Ending::eof) << up->name() << ": " << describe(r);
  }
  ASSERT_TRUE(closed_count(bytes, io_, 1));
  ASSERT_TRUE(closed_count(events, io_, 1));

  // bytes: the whole head, byte for byte; the body is counted.
  auto heads = events_of(bytes.journal(), EventKind::request_head);
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].detail, head);
  EXPECT_EQ(heads[0].bytes, head.size());
  EXPECT_EQ(heads[0].connection, 1u);
  EXPECT_EQ(heads[0].request, 1u);
  auto bodies = events_of(bytes.journal(), EventKind::request_body);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].bytes, 4u);
  auto wrote = events_of(bytes.journal(), EventKind::wrote);
  ASSERT_EQ(wrote.size(), 1u);
  EXPECT_EQ(wrote[0].detail, kOkClose);

  // events: the request line only, and no payload bytes.
  heads = events_of(events.journal(), EventKind::request_head);
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].detail, "POST /probe?x=1 HTTP/1.1");
  EXPECT_EQ(heads[0].bytes, head.size());
  wrote = events_of(events.journal(), EventKind::wrote);
  ASSERT_EQ(wrote.size(), 1u);
  EXPECT_EQ(wrote[0].bytes, kOkClose.size());
  EXPECT_EQ(wrote[0].detail, "");

  // counters: no events at all, exact counters.
  EXPECT_EQ(counters.journal().snapshot().size(), 0u);
  EXPECT_EQ(counters.journal().connections(), 1u);
  EXPECT_EQ(counters.journal().requests(), 1u);
}

TEST_F(Journal, EventsOfOneRequestComeInWireOrder) {
  auto& up = make(lower("stall_after_headers", {{"duration", Duration(20ms)}}));
  const RawResult r = exchange(io_, up.port(), kGetClose);
  EXPECT_EQ(r.received, kOk) << describe(r);
  ASSERT_TRUE(closed_count(up, io_, 1));
  EXPECT_EQ(
      kinds_of_connection(up.journal(), 1),
      (std::vector<std::string>{"accepted", "request_head", "wrote", "step", "wrote", "closed"}))
      << up.journal().to_json_lines();
  EXPECT_EQ(closed_detail(up.journal(), 1), "fin: client asked to close");
  const auto wrote = events_of(up.journal(), EventKind::wrote);
  ASSERT_EQ(wrote.size(), 2u);
  EXPECT_EQ(wrote[0].detail, kOkHead);
  EXPECT_EQ(wrote[1].detail, "hello");
  EXPECT_EQ(wrote[0].request, 1u);
}

// ---- written bytes add up to what the client received ----------------------------------------

struct WroteCase {
  std::string label;
  std::string fault;
  FaultParams params = {};
  std::string request = kGet;
  std::chrono::nanoseconds deadline = 300ms;
};
void PrintTo(const WroteCase& c, std::ostream* os) {
  *os << c.label;
}

class JournalWrote : public UpstreamTest, public testing::WithParamInterface<WroteCase> {};

TEST_P(JournalWrote, SumOfWroteBytesEqualsBytesReceived) {
  const WroteCase& c = GetParam();
  auto& up = make(lower(c.fault, c.params));
  const RawResult r = exchange(io_, up.port(), c.request, c.deadline);
  ASSERT_TRUE(r.connected) << describe(r);
  ASSERT_TRUE(closed_count(up, io_, 1)) << up.journal().to_json_lines();
  std::uint64_t sum = 0;
  std::string concatenated;
  bool capped = false;
  for (const Event& e : events_of(up.journal(), EventKind::wrote)) {
    sum += e.bytes;
    EXPECT_EQ(e.detail.size(), std::min<std::uint64_t>(e.bytes, up.journal().byte_cap()));
    capped = capped || e.detail.size() < e.bytes;
    concatenated += e.detail;
  }
  EXPECT_EQ(sum, r.received.size()) << describe(r);
  if (!capped) {
    EXPECT_EQ(concatenated, r.received);
  }
  EXPECT_EQ(up.journal().count(EventKind::write_failed), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, JournalWrote,
    testing::Values(WroteCase{.label = "ok", .fault = "ok"},
                    WroteCase{.label = "close_mid_body_chunked",
                              .fault = "close_mid_body",
                              .params = {{"chunked", true}}},
                    WroteCase{.label = "reset_mid_body", .fault = "reset_mid_body"},
                    WroteCase{.label = "reset_mid_headers", .fault = "reset_mid_headers"},
                    WroteCase{.label = "reset_mid_body_large",
                              .fault = "reset_mid_body",
                              .params = {{"length", 1'000'000L}, {"bytes", 500'000L}}},
                    WroteCase{.label = "close_mid_body_large",
                              .fault = "close_mid_body",
                              .params = {{"length", 1'000'000L}, {"bytes", 500'000L}}},
                    WroteCase{.label = "drip_body",
                              .fault = "drip_body",
                              .params = {{"interval", Duration(5ms)}}},
                    WroteCase{.label = "drip_headers",
                              .fault = "drip_headers",
                              .params = {{"chunk", 7L}, {"interval", Duration(5ms)}}},
                    WroteCase{.label = "stall_mid_body",
                              .fault = "stall_mid_body",
                              .params = {{"duration", Duration(30ms)}, {"chunked", true}}},
                    WroteCase{.label = "headers_too_large", .fault = "headers_too_large"},
                    WroteCase{.label = "status_5xx", .fault = "status_5xx"},
                    WroteCase{.label = "close_after_requests_2",
                              .fault = "close_after_requests",
                              .params = {{"count", 2L}},
                              .request = kGet + kGet}),
    [](const testing::TestParamInfo<WroteCase>& p) { return p.param.label; });

// ---- the closed event names how the connection ended -----------------------------------------

struct ClosedCase {
  std::string fault;
  std::string detail;  ///< the closed event's detail
  Ending ending;       ///< what the client saw
  FaultParams params = {};
};
void PrintTo(const ClosedCase& c, std::ostream* os) {
  *os << c.fault;
}

class JournalClosed : public UpstreamTest, public testing::WithParamInterface<ClosedCase> {};

TEST_P(JournalClosed, ClosedDetailMatchesTheWire) {
  const ClosedCase& c = GetParam();
  auto& up = make(lower(c.fault, c.params));
  const RawResult r = exchange(io_, up.port(), kGet, 200ms);
  EXPECT_STREQ(bgw::client::to_string(r.ending), bgw::client::to_string(c.ending)) << describe(r);
  ASSERT_TRUE(closed_count(up, io_, 1)) << up.journal().to_json_lines();
  const auto closed = events_of(up.journal(), EventKind::closed);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].detail, c.detail) << up.journal().to_json_lines();
  EXPECT_EQ(closed[0].connection, 1u);
  // The closed event is the connection's last.
  EXPECT_EQ(kinds_of_connection(up.journal(), 1).back(), "closed");
}

INSTANTIATE_TEST_SUITE_P(
    Faults, JournalClosed,
    testing::Values(ClosedCase{"close_on_accept", "fin", Ending::eof},
                    ClosedCase{"close_after_request", "fin", Ending::eof},
                    ClosedCase{"close_mid_headers", "fin", Ending::eof},
                    ClosedCase{"close_mid_body", "fin", Ending::eof},
                    ClosedCase{"close_after_response", "fin", Ending::eof},
                    ClosedCase{"close_after_requests", "fin", Ending::eof},
                    ClosedCase{"garbage_status", "fin", Ending::eof},
                    ClosedCase{"missing_final_chunk", "fin", Ending::eof},
                    ClosedCase{"reset_on_accept", "rst", Ending::reset},
                    ClosedCase{"reset_after_request", "rst", Ending::reset},
                    ClosedCase{"reset_mid_headers", "rst", Ending::reset},
                    ClosedCase{"reset_mid_body", "rst", Ending::reset},
                    // Keep-alive: the client leaves at its deadline, the upstream sees EOF.
                    ClosedCase{"ok", "peer_closed", Ending::open},
                    ClosedCase{"status_5xx", "peer_closed", Ending::open},
                    ClosedCase{"stall_before_headers",
                               "peer_closed",
                               Ending::open,
                               {{"duration", Duration(0)}}}),
    [](const testing::TestParamInfo<ClosedCase>& p) { return p.param.fault; });

TEST_F(Journal, ClientAskingToCloseIsAFin) {
  auto& up = make({.name = "up"});
  const RawResult r = exchange(io_, up.port(), kGetClose);
  EXPECT_EQ(r.ending, Ending::eof) << describe(r);
  ASSERT_TRUE(closed_count(up, io_, 1));
  EXPECT_EQ(closed_detail(up.journal(), 1), "fin: client asked to close");
}

TEST_F(Journal, HalfCloseWaitsForThePeerAndSaysSo) {
  Rule rule;
  rule.scope = RuleScope::request;
  rule.script = {bgw::sim::ReadRequest{}, bgw::sim::Write{kOk}, bgw::sim::HalfClose{}};
  auto& up = make({.name = "up", .rules = {rule}});
  TestConnection conn(io_, up.port());
  ASSERT_TRUE(conn.send(kGet));
  ASSERT_TRUE(conn.wait_ended());
  EXPECT_TRUE(conn.eof()) << conn.end_error().message();
  EXPECT_EQ(conn.received(), kOk);
  // Half-closed: the upstream still reads, so it has not ended the connection yet.
  EXPECT_EQ(up.live_connections(), 1u);
  EXPECT_EQ(up.journal().count(EventKind::closed), 0u);
  // What we send now is read and dropped; then our FIN ends it.
  ASSERT_TRUE(conn.send("more bytes"));
  conn.close();
  ASSERT_TRUE(closed_count(up, io_, 1));
  EXPECT_EQ(closed_detail(up.journal(), 1), "half_close");
  const auto peer = events_of(up.journal(), EventKind::peer_closed);
  ASSERT_EQ(peer.size(), 1u);
  EXPECT_EQ(peer[0].detail.rfind("after half-close, ", 0), 0u) << peer[0].detail;
  EXPECT_EQ(peer[0].bytes, std::string("more bytes").size());
}

TEST_F(Journal, PeerResetIsJournalled) {
  auto& up = make({.name = "up"});
  TestConnection conn(io_, up.port());
  ASSERT_TRUE(conn.send(kGet));
  ASSERT_TRUE(conn.wait_bytes(kOk.size()));
  conn.abort();
  ASSERT_TRUE(closed_count(up, io_, 1));
  EXPECT_EQ(closed_detail(up.journal(), 1), "peer_reset");
  EXPECT_EQ(up.journal().count(EventKind::peer_reset), 1u);
}

TEST_F(Journal, StopAndCrashNameThemselves) {
  auto& stopped = make(lower("stall_before_headers", {{"duration", Duration(0)}}), "stopped");
  auto& crashed = make(lower("stall_before_headers", {{"duration", Duration(0)}}), "crashed");
  TestConnection a(io_, stopped.port());
  TestConnection b(io_, crashed.port());
  ASSERT_TRUE(a.send(kGet));
  ASSERT_TRUE(b.send(kGet));
  ASSERT_TRUE(run_until(
      io_,
      [&] {
        return stopped.journal().count(EventKind::request_head) == 1 &&
               crashed.journal().count(EventKind::request_head) == 1;
      },
      2s, "both requests read"));
  stopped.stop();
  crashed.crash();
  ASSERT_TRUE(a.wait_ended());
  ASSERT_TRUE(b.wait_ended());
  // The request was read, so nothing unread was queued: both closes are FINs.
  EXPECT_TRUE(a.eof()) << a.end_error().message();
  EXPECT_TRUE(b.eof()) << b.end_error().message();
  ASSERT_TRUE(closed_count(stopped, io_, 1));
  ASSERT_TRUE(closed_count(crashed, io_, 1));
  EXPECT_EQ(closed_detail(stopped.journal(), 1), "stop");
  EXPECT_EQ(closed_detail(crashed.journal(), 1), "crash");
  EXPECT_EQ(stopped.journal().count(EventKind::stopped), 1u);
  EXPECT_EQ(crashed.journal().count(EventKind::crashed), 1u);
}

TEST_F(Journal, ClientLeavingMidDripIsJournalledNotAnError) {
  auto& up = make(lower("drip_body", {{"interval", Duration(20ms)}}));
  const RawResult r = exchange(io_, up.port(), kGet, 30ms);
  EXPECT_EQ(r.ending, Ending::open) << describe(r);
  ASSERT_TRUE(closed_count(up, io_, 1)) << up.journal().to_json_lines();
  const std::string detail = closed_detail(up.journal(), 1);
  EXPECT_TRUE(detail == "peer_reset" || detail == "peer_closed") << detail;
  // Whatever was written before the client left is counted; the client saw a prefix of it.
  std::uint64_t sum = 0;
  for (const Event& e : events_of(up.journal(), EventKind::wrote)) sum += e.bytes;
  EXPECT_GE(sum, r.received.size());
}

// ---- timed steps: requested vs actual --------------------------------------------------------

TEST_F(Journal, StepEventsCarryRequestedAndActual) {
  struct Expect {
    const char* fault;
    FaultParams params;
    const char* step;
    Duration requested;
  };
  const std::vector<Expect> expects = {
      {"stall_before_headers", {{"duration", Duration(30ms)}}, "stall", 30ms},
      {"stall_after_headers", {{"duration", Duration(30ms)}}, "stall", 30ms},
      {"stall_mid_body", {{"duration", Duration(30ms)}}, "stall", 30ms},
      {"drip_body", {{"interval", Duration(5ms)}}, "drip", 20ms},  // "hello": 5 pieces
      {"drip_headers", {{"chunk", 10L}, {"interval", Duration(5ms)}}, "drip", 15ms},  // 38 bytes
      {"close_after_response", {{"idle", Duration(30ms)}}, "delay", 30ms},
  };
  for (const Expect& x : expects) {
    SCOPED_TRACE(x.fault);
    auto& up = make(lower(x.fault, x.params), x.fault);
    const RawResult r = exchange(io_, up.port(), kGetClose);
    EXPECT_EQ(r.ending, Ending::eof) << describe(r);
    ASSERT_TRUE(closed_count(up, io_, 1));
    const auto steps = events_of(up.journal(), EventKind::step);
    ASSERT_EQ(steps.size(), 1u) << up.journal().to_json_lines();
    EXPECT_EQ(steps[0].detail, x.step);
    EXPECT_EQ(steps[0].requested, x.requested);
    EXPECT_GE(steps[0].actual, steps[0].requested);
    EXPECT_LE(steps[0].actual, upper_bound(x.requested)) << ms(steps[0].actual) << "ms";
    EXPECT_EQ(steps[0].request, 1u);
  }
}

TEST_F(Journal, StallUntilPeerLeavesRecordsHowLongItLasted) {
  auto& up = make(lower("stall_before_headers", {{"duration", Duration(0)}}));
  const RawResult r = exchange(io_, up.port(), kGet, 100ms);
  EXPECT_EQ(r.ending, Ending::open) << describe(r);
  EXPECT_EQ(r.received, "");
  ASSERT_TRUE(closed_count(up, io_, 1));
  const auto steps = events_of(up.journal(), EventKind::step);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].detail, "stall");
  EXPECT_EQ(steps[0].requested, Duration::zero());
  // It lasted until the client gave up (100 ms after its send).
  EXPECT_GE(steps[0].actual, 90ms) << ms(steps[0].actual) << "ms";
  EXPECT_EQ(closed_detail(up.journal(), 1), "peer_closed");
}

// ---- JSON lines --------------------------------------------------------------------------------

TEST_F(Journal, JsonLinesHaveOneObjectPerEvent) {
  auto a = lower("header_value_nul", {}, Match::nth(1));
  auto b = lower("stall_after_headers", {{"duration", Duration(10ms)}}, Match::nth(2));
  auto c = lower("reset_after_request", {}, Match::nth(3));
  auto& up = make({.name = "j\"son", .rules = {a.rule, b.rule, c.rule}});
  EXPECT_EQ(exchange(io_, up.port(), kGet).ending, Ending::eof);
  EXPECT_EQ(exchange(io_, up.port(), kGetClose).ending, Ending::eof);
  EXPECT_EQ(exchange(io_, up.port(), kGet).ending, Ending::reset);
  ASSERT_TRUE(closed_count(up, io_, 3));

  const auto events = up.journal().snapshot();
  const std::string text = up.journal().to_json_lines();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t nl = text.find('\n', at);
    lines.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  ASSERT_EQ(lines.size(), events.size()) << text;
  double last_t = -1;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    SCOPED_TRACE(line);
    EXPECT_EQ(line.rfind("{\"t_ms\":", 0), 0u);
    EXPECT_EQ(line.back(), '}');
    EXPECT_NE(line.find(",\"upstream\":\"j\\\"son\","), std::string::npos);
    EXPECT_NE(line.find(std::string(",\"event\":\"") + bgw::sim::to_string(events[i].kind) + "\""),
              std::string::npos);
    for (const char ch : line) {
      const auto u = static_cast<unsigned char>(ch);
      EXPECT_TRUE(u >= 0x20 && u < 0x7f) << "raw byte " << int(u) << " in a JSON line";
    }
    // Quotes balance once escaped ones are skipped.
    int quotes = 0;
    for (std::size_t k = 0; k < line.size(); ++k) {
      if (line[k] == '\\')
        ++k;
      else if (line[k] == '"')
        ++quotes;
    }
    EXPECT_EQ(quotes % 2, 0);
    const double t = std::stod(line.substr(8));
    EXPECT_GE(t, last_t) << "t_ms goes backwards";
    last_t = t;
    if (events[i].kind == EventKind::step) {
      EXPECT_NE(line.find("\"requested_ms\":"), std::string::npos);
      EXPECT_NE(line.find("\"actual_ms\":"), std::string::npos);
    }
    if (events[i].connection != 0) {
      EXPECT_NE(line.find(",\"conn\":" + std::to_string(events[i].connection)), std::string::npos);
    }
  }
  // The NUL in the header_value_nul response is escaped.
  EXPECT_NE(text.find("X-Nul: a\\u0000b\\r\\n"), std::string::npos) << text;
}

}  // namespace
