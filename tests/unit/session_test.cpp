// The fault-script executor on an in-memory stream: what it reads, writes and journals for each
// step, how each ending reaches the stream, and timed steps never early. No sockets, no sleeps:
// the io_context runs until the session ends or waits for the peer.
#include "simulator/session.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simulator/fault_catalogue.hpp"
#include "simulator/response.hpp"
#include "simulator/units.hpp"
#include "support/memory_stream.hpp"
#include "support/run_until.hpp"

namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;
using bgw::sim::Close;
using bgw::sim::Delay;
using bgw::sim::Drip;
using bgw::sim::Duration;
using bgw::sim::Ending;
using bgw::sim::Event;
using bgw::sim::EventKind;
using bgw::sim::HalfClose;
using bgw::sim::JournalLevel;
using bgw::sim::Kill;
using bgw::sim::Match;
using bgw::sim::ReadPart;
using bgw::sim::ReadRequest;
using bgw::sim::Reset;
using bgw::sim::Rule;
using bgw::sim::RuleScope;
using bgw::sim::Script;
using bgw::sim::ServeRequests;
using bgw::sim::Stall;
using bgw::sim::UpstreamSpec;
using bgw::sim::UpstreamState;
using bgw::sim::Write;
using bgw::test::EndedBy;
using bgw::test::MemoryStream;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::StartsWith;
using Clock = std::chrono::steady_clock;

const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
const std::string ok_close =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n";
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

Rule request_rule(Match match, Script script) {
  return Rule{.scope = RuleScope::request, .match = match, .name = "test", .script = script};
}

Rule connection_rule(Match match, Script script) {
  return Rule{.scope = RuleScope::connection, .match = match, .name = "test", .script = script};
}

UpstreamSpec with_rules(std::vector<Rule> rules) {
  UpstreamSpec spec;
  spec.name = "u";
  spec.rules = std::move(rules);
  return spec;
}

// Generous upper bound for simulator-only timing: requested + max(50ms, 20%).
Duration upper_bound(Duration requested) {
  return requested + std::max<Duration>(50ms, requested / 5);
}

std::string ms(Duration d) {
  return bgw::sim::format_ms(d) + "ms";
}

// One upstream's shared state and the sessions it serves, all on one io_context.
class Rig {
 public:
  struct Connection {
    explicit Connection(net::io_context& io) : stream(io), timer(io) {}
    MemoryStream stream;
    net::steady_timer timer;
    std::unique_ptr<bgw::sim::Session<MemoryStream>> session;
    std::optional<Ending> ending;
    bool done = false;
  };

  explicit Rig(const UpstreamSpec& spec = {}) : state(std::make_shared<UpstreamState>(spec)) {}
  Rig(const Rig&) = delete;
  Rig& operator=(const Rig&) = delete;

  // Every session must have ended, and none may have journalled an internal error.
  ~Rig() {
    for (auto& c : connections) {
      if (c->done) continue;
      ADD_FAILURE() << "a session was still running at the end of the test";
      c->stream.peer_reset();
      run();
    }
    EXPECT_EQ(journal().count(EventKind::internal_error), 0u) << journal().to_json_lines();
  }

  /// Accept a connection: its session starts running on the next run().
  Connection& open() {
    auto owned = std::make_unique<Connection>(io);
    Connection& c = *owned;
    c.session = std::make_unique<bgw::sim::Session<MemoryStream>>(
        c.stream, c.timer, state, state->journal.next_connection(), kill);
    net::co_spawn(io, c.session->run(), [this, &c](std::exception_ptr e, Ending ending) {
      c.done = true;
      if (!e) {
        c.ending = ending;
        return;
      }
      std::string what = "unknown exception";
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        what = ex.what();
      } catch (...) {
      }
      journal().add(Event{Clock::now(), EventKind::internal_error, 0, 0, 0, {}, {}, what});
    });
    connections.push_back(std::move(owned));
    return c;
  }

  /// Run until every session has ended or waits for its peer (bounded: 5 s). A session waits on
  /// one thing at a time, so a pending read means only the peer can make it go on.
  void run() {
    io.restart();
    const auto deadline = Clock::now() + 5s;
    while (!idle() && Clock::now() < deadline) io.run_one_until(deadline);
  }
  bool idle() const {
    return std::all_of(connections.begin(), connections.end(),
                       [](const auto& c) { return c->done || c->stream.read_pending(); });
  }

  /// Run, expecting `c`'s session to end.
  [[nodiscard]] testing::AssertionResult run_to_end(Connection& c) {
    run();
    if (c.done) return testing::AssertionSuccess();
    return testing::AssertionFailure()
           << "the session did not end"
           << (c.stream.read_pending() ? " (it waits for the peer)" : " within 5 s") << "\n"
           << journal().to_json_lines();
  }

  bgw::sim::Journal& journal() { return state->journal; }

  std::vector<Event> events(EventKind kind) {
    std::vector<Event> out;
    for (Event& e : journal().snapshot())
      if (e.kind == kind) out.push_back(std::move(e));
    return out;
  }
  std::vector<EventKind> kinds() {
    std::vector<EventKind> out;
    for (const Event& e : journal().snapshot()) out.push_back(e.kind);
    return out;
  }
  Event last_event() {
    const auto all = journal().snapshot();
    return all.empty() ? Event{} : all.back();
  }
  /// The detail of the final `closed` event, which must be the last event journalled.
  std::string closed_detail() {
    const Event e = last_event();
    EXPECT_EQ(e.kind, EventKind::closed) << journal().to_json_lines();
    return e.detail;
  }

  net::io_context io;
  Kill kill = Kill::none;
  std::shared_ptr<UpstreamState> state;
  std::vector<std::unique_ptr<Connection>> connections;
};

// ---- serving requests --------------------------------------------------------------------------

TEST(SessionScript, DefaultResponseServesThreePipelinedRequestsUntilThePeerCloses) {
  Rig rig;
  auto& c = rig.open();
  c.stream.push_input(get("/1") + get("/2") + get("/3"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));

  EXPECT_EQ(c.stream.output(), ok + ok + ok);
  EXPECT_EQ(c.ending, Ending::peer_closed);
  EXPECT_TRUE(c.stream.no_delay());
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::exit_close));
  EXPECT_THAT(rig.kinds(),
              ElementsAre(EventKind::accepted, EventKind::request_head, EventKind::wrote,
                          EventKind::request_head, EventKind::wrote, EventKind::request_head,
                          EventKind::wrote, EventKind::peer_closed, EventKind::closed));
  const auto heads = rig.events(EventKind::request_head);
  ASSERT_EQ(heads.size(), 3u);
  for (std::uint64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(heads[i].connection, 1u);
    EXPECT_EQ(heads[i].request, i + 1);
    EXPECT_EQ(heads[i].detail, get("/" + std::to_string(i + 1)));
    EXPECT_EQ(heads[i].bytes, get("/1").size());
  }
  EXPECT_EQ(rig.journal().requests(), 3u);
  EXPECT_EQ(rig.events(EventKind::peer_closed).at(0).request, 0u);
  EXPECT_EQ(rig.closed_detail(), "peer_closed");
}

TEST(SessionScript, RequestsFedByteByByteGiveTheSameResponses) {
  Rig rig;
  auto& c = rig.open();
  const std::string input =
      get("/1") + "POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" + get("/3");
  for (const char ch : input) c.stream.push_input(std::string(1, ch));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok + ok + ok);
  EXPECT_EQ(rig.events(EventKind::request_head).size(), 3u);
  EXPECT_EQ(rig.events(EventKind::request_body).at(0).bytes, 3u);
}

TEST(SessionScript, KeepAliveServesRequestsAsTheyArrive) {
  Rig rig;
  auto& c = rig.open();
  rig.run();
  EXPECT_EQ(c.stream.output(), "");
  EXPECT_TRUE(c.stream.read_pending());
  c.stream.push_input(get("/1"));
  rig.run();
  EXPECT_EQ(c.stream.output(), ok);
  EXPECT_FALSE(c.done);
  c.stream.push_input(get("/2"));
  rig.run();
  EXPECT_EQ(c.stream.output(), ok + ok);
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(rig.journal().requests(), 2u);
}

TEST(SessionScript, ContentLengthBodyIsConsumed) {
  Rig rig;
  auto& c = rig.open();
  c.stream.push_input("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234");
  c.stream.push_input("56789" + get("/b"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok + ok);
  const auto bodies = rig.events(EventKind::request_body);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].request, 1u);
  EXPECT_EQ(bodies[0].bytes, 10u);
  EXPECT_EQ(rig.events(EventKind::request_head).at(1).detail, get("/b"));
  EXPECT_EQ(rig.events(EventKind::bad_request).size(), 0u);
}

TEST(SessionScript, ChunkedBodyIsConsumed) {
  Rig rig;
  auto& c = rig.open();
  const std::string body = "5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n";
  c.stream.push_input("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body.substr(0, 9));
  c.stream.push_input(body.substr(9) + get("/b"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok + ok);
  const auto bodies = rig.events(EventKind::request_body);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].request, 1u);
  EXPECT_EQ(bodies[0].bytes, body.size()) << "the framed body, chunk-size lines included";
  EXPECT_EQ(rig.events(EventKind::request_head).at(1).detail, get("/b"));
}

TEST(SessionScript, InvalidChunkedBodyIsJournalledAsBadRequest) {
  Rig rig;
  auto& c = rig.open();
  c.stream.push_input("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_THAT(c.stream.output(), StartsWith(ok));
  const auto bad = rig.events(EventKind::bad_request);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].request, 1u);
  EXPECT_EQ(bad[0].detail, "invalid chunked request body");
}

TEST(SessionScript, InvalidRequestHeadIsJournalledAndStillAnswered) {
  Rig rig;
  auto& c = rig.open();
  c.stream.push_input("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok);
  const auto bad = rig.events(EventKind::bad_request);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].detail, "conflicting Content-Length");
}

TEST(SessionScript, HeadOnlyReadSkipsTheBodyBeforeTheNextRequest) {
  Rig rig(with_rules(
      {request_rule(Match::nth(1), {ReadRequest{.part = ReadPart::head}, Write{"early "}})}));
  auto& c = rig.open();
  c.stream.push_input("POST /1 HTTP/1.1\r\nContent-Length: 10\r\n\r\n");
  c.stream.push_input("0123456789");
  c.stream.push_input(get("/2"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "early " + ok);
  EXPECT_EQ(rig.events(EventKind::request_body).size(), 0u);
  const auto heads = rig.events(EventKind::request_head);
  ASSERT_EQ(heads.size(), 2u);
  EXPECT_EQ(heads[1].request, 2u);
  EXPECT_EQ(heads[1].detail, get("/2"));
}

TEST(SessionScript, HeadOnlyReadSkipsAChunkedBodyBeforeTheNextRequest) {
  Rig rig(with_rules(
      {request_rule(Match::nth(1), {ReadRequest{.part = ReadPart::head}, Write{"early "}})}));
  auto& c = rig.open();
  c.stream.push_input("POST /1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
  c.stream.push_input("lo\r\n0\r\n\r\n" + get("/2"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "early " + ok);
  EXPECT_EQ(rig.events(EventKind::request_head).at(1).detail, get("/2"));
}

TEST(SessionScript, ReadBytesConsumesExactlyThatManyRawBytes) {
  Rig rig(with_rules({request_rule(
      Match::nth(1), {ReadRequest{.part = ReadPart::bytes, .bytes = 5}, Write{"got5"}})}));
  auto& c = rig.open();
  c.stream.push_input("ab");
  c.stream.push_input("cde" + get("/2"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "got5" + ok);
  const auto raw = rig.events(EventKind::request_bytes);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].request, 1u);
  EXPECT_EQ(raw[0].bytes, 5u);
  EXPECT_EQ(raw[0].detail, "abcde");
  const auto heads = rig.events(EventKind::request_head);
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].request, 2u);
}

TEST(SessionScript, RequestScriptWithoutReadStepReadsTheRequestFirst) {
  Rig rig(with_rules({request_rule(Match::every(), {Write{"x"}})}));
  auto& c = rig.open();
  c.stream.push_input("POST /1 HTTP/1.1\r\nContent-Length: 2\r\n\r\nab" + get("/2"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "xx");
  EXPECT_EQ(rig.events(EventKind::request_head).size(), 2u);
  EXPECT_EQ(rig.events(EventKind::request_body).at(0).bytes, 2u);
}

// ---- endings -----------------------------------------------------------------------------------

TEST(SessionScript, CloseEndsWithFinAfterDrainingTheInput) {
  Rig rig(with_rules({request_rule(Match::every(), {ReadRequest{}, Write{"bye"}, Close{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  c.stream.push_input("leftover");
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "bye");
  EXPECT_EQ(c.ending, Ending::fin);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::fin));
  EXPECT_EQ(c.stream.discarded(), 8u) << "unread input is drained so close() sends FIN, not RST";
  EXPECT_EQ(rig.closed_detail(), "fin");
  EXPECT_EQ(rig.events(EventKind::peer_closed).size(), 0u);
}

TEST(SessionScript, ResetEndsWithRst) {
  Rig rig(
      with_rules({request_rule(Match::every(), {ReadRequest{}, Write{"HTTP/1.1 2"}, Reset{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "HTTP/1.1 2");
  EXPECT_EQ(c.ending, Ending::rst);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::rst));
  EXPECT_EQ(rig.closed_detail(), "rst");
}

TEST(SessionScript, HalfCloseKeepsReadingUntilThePeerCloses) {
  Rig rig(with_rules({request_rule(Match::every(), {ReadRequest{}, Write{"bye"}, HalfClose{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  rig.run();
  EXPECT_FALSE(c.done);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::half_close));
  EXPECT_TRUE(c.stream.read_pending()) << "still reading after shutdown(SHUT_WR)";
  c.stream.push_input("late bytes");
  rig.run();
  EXPECT_FALSE(c.done);
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "bye");
  EXPECT_EQ(c.ending, Ending::half_close);
  EXPECT_EQ(c.stream.ended_by(), EndedBy::half_close);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::half_close, EndedBy::exit_close));
  const auto peer = rig.events(EventKind::peer_closed);
  ASSERT_EQ(peer.size(), 1u);
  EXPECT_EQ(peer[0].bytes, 10u);
  EXPECT_THAT(peer[0].detail, StartsWith("after half-close, "));
  EXPECT_EQ(rig.closed_detail(), "half_close");
}

TEST(SessionScript, GracefulCloseDrainsUntilThePeerClosesThenCloses) {
  Rig rig(with_rules(
      {request_rule(Match::every(), {ReadRequest{}, Write{"bye"}, bgw::sim::GracefulClose{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  rig.run();
  EXPECT_FALSE(c.done);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::half_close));
  c.stream.push_input("late bytes");  // absorbed, where a close() would have answered RST
  rig.run();
  EXPECT_FALSE(c.done);
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "bye");
  EXPECT_EQ(c.ending, Ending::graceful_close);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::half_close, EndedBy::fin));
  const auto steps = rig.events(EventKind::step);
  ASSERT_FALSE(steps.empty());
  EXPECT_THAT(steps.back().detail, StartsWith("graceful_close: peer closed after "));
  EXPECT_EQ(steps.back().bytes, 10u);
  EXPECT_EQ(rig.closed_detail(), "graceful_close");
}

TEST(SessionScript, GracefulCloseStopsAtItsByteBound) {
  bgw::sim::GracefulClose g;
  g.max_bytes = 4;
  Rig rig(with_rules({request_rule(Match::every(), {ReadRequest{}, g})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  c.stream.push_input("0123456789");
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.ending, Ending::graceful_close);
  EXPECT_THAT(rig.events(EventKind::step).back().detail, HasSubstr("byte bound (4 B) reached"));
}

TEST(SessionScript, HalfCloseThenPeerResetIsJournalledAsReset) {
  Rig rig(with_rules({request_rule(Match::every(), {ReadRequest{}, HalfClose{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  rig.run();
  c.stream.peer_reset();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.ending, Ending::half_close);
  EXPECT_EQ(rig.events(EventKind::peer_reset).size(), 1u);
  EXPECT_EQ(rig.closed_detail(), "half_close");
}

TEST(SessionScript, ConnectionCloseRequestClosesAfterTheResponse) {
  Rig rig;
  auto& c = rig.open();
  c.stream.push_input("GET /1 HTTP/1.1\r\nConnection: close\r\n\r\n");
  c.stream.push_input(get("/2"));
  ASSERT_TRUE(rig.run_to_end(c));
  // The plain response says it closes (RFC 9112 §9.6), and then it does.
  EXPECT_EQ(c.stream.output(), ok_close);
  EXPECT_EQ(c.ending, Ending::fin);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::fin));
  EXPECT_EQ(rig.closed_detail(), "fin: client asked to close");
}

TEST(SessionScript, DatedPlainResponseCarriesTheCurrentImfFixdate) {
  UpstreamSpec spec;
  spec.response.date = true;
  Rig rig(spec);
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  c.stream.push_input("GET /2 HTTP/1.1\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(rig.run_to_end(c));
  const std::string date = "Date: " + std::string(bgw::sim::http_date_now()) + "\r\n";
  // The second may tick between the write and the check: compare the shape, then the value.
  const std::string& out = c.stream.output();
  EXPECT_THAT(out, testing::MatchesRegex("HTTP/1.1 200 OK\r\nDate: [A-Z][a-z]{2}, [0-9]{2} "
                                         "[A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT"
                                         "\r\nContent-Length: 5\r\n\r\nhello"
                                         "HTTP/1.1 200 OK\r\nDate: .{29}\r\nContent-Length: 5\r\n"
                                         "Connection: close\r\n\r\nhello"));
  EXPECT_NE(out.find(date), std::string::npos) << out;
  EXPECT_EQ(c.ending, Ending::fin);
}

TEST(SessionScript, Http10RequestClosesAfterTheResponse) {
  Rig rig;
  auto& c = rig.open();
  c.stream.push_input("GET /1 HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok_close);
  EXPECT_EQ(c.ending, Ending::fin);
}

// ---- rules -------------------------------------------------------------------------------------

TEST(SessionScript, NthRequestRuleAffectsOnlyTheSecondRequest) {
  Rig rig(with_rules({request_rule(Match::nth(2), {ReadRequest{}, Write{"second"}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1") + get("/2") + get("/3"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok + "second" + ok);
}

TEST(SessionScript, FirstMatchingRequestRuleWins) {
  Rig rig(with_rules(
      {request_rule(Match::nth(2), {Write{"A"}}), request_rule(Match::every(), {Write{"B"}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1") + get("/2") + get("/3"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "BAB");
}

TEST(SessionScript, RequestIndicesCountAcrossConnections) {
  Rig rig(with_rules({request_rule(Match::nth(2), {Write{"second"}})}));
  auto& a = rig.open();
  a.stream.push_input(get("/1"));
  a.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(a));
  auto& b = rig.open();
  b.stream.push_input(get("/2"));
  b.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(b));
  EXPECT_EQ(a.stream.output(), ok);
  EXPECT_EQ(b.stream.output(), "second");
}

TEST(SessionScript, ConnectionRuleServesTwoRequestsThenCloses) {
  Rig rig(with_rules({connection_rule(Match::every(), {ServeRequests{2}, Close{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  c.stream.push_input(get("/2"));
  c.stream.push_input(get("/3"));
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok + ok);
  EXPECT_EQ(c.ending, Ending::fin);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::fin));
  EXPECT_EQ(rig.events(EventKind::request_head).size(), 2u);
  EXPECT_EQ(rig.journal().requests(), 2u);
  EXPECT_EQ(c.stream.discarded(), get("/3").size());
  EXPECT_EQ(rig.closed_detail(), "fin");
}

TEST(SessionScript, ConnectionRuleAppliesBeforeAnyRead) {
  Rig rig(with_rules({connection_rule(Match::every(), {Write{"hi"}, Reset{}})}));
  auto& c = rig.open();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "hi");
  EXPECT_EQ(c.ending, Ending::rst);
  EXPECT_EQ(rig.journal().requests(), 0u);
}

TEST(SessionScript, ConnectionRuleMatchesOnlyItsConnection) {
  Rig rig(with_rules({connection_rule(Match::nth(2), {Reset{}})}));
  auto& first = rig.open();
  auto& second = rig.open();
  first.stream.push_input(get("/1"));
  first.stream.peer_close();
  second.stream.push_input(get("/2"));
  ASSERT_TRUE(rig.run_to_end(first));
  ASSERT_TRUE(second.done);
  EXPECT_EQ(first.stream.output(), ok);
  EXPECT_EQ(first.ending, Ending::peer_closed);
  EXPECT_EQ(second.stream.output(), "");
  EXPECT_EQ(second.ending, Ending::rst);
  EXPECT_EQ(rig.journal().requests(), 1u);
}

TEST(SessionScript, ServeRequestsAfterAConnectionScriptUsesTheRequestRules) {
  Rig rig(with_rules({connection_rule(Match::every(), {Write{"banner "}}),
                      request_rule(Match::nth(1), {Write{"first"}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1") + get("/2"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "banner first" + ok);
}

TEST(SessionScript, ServeRequestsEndsEarlyWhenThePeerLeaves) {
  Rig rig(with_rules({connection_rule(Match::every(), {ServeRequests{3}, Close{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok);
  EXPECT_EQ(c.ending, Ending::peer_closed);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::exit_close));
  EXPECT_EQ(rig.closed_detail(), "peer_closed");
}

// script.hpp: ReadRequest "Wait for a request and consume part of it. Only this step counts a
// request." A connection script that reads a request itself must count it too.
TEST(SessionScript, ReadRequestInAConnectionScriptCountsARequest) {
  Rig rig(with_rules({connection_rule(Match::every(), {ReadRequest{}, Write{"x"}, Close{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "x");
  const auto heads = rig.events(EventKind::request_head);
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(rig.journal().requests(), 1u);
  EXPECT_EQ(heads[0].request, 1u);
}

// Runs 24 requests against a rule that fires with probability 0.5; 'F' where it fired.
std::string probabilistic_choices(std::uint64_t seed) {
  UpstreamSpec spec = with_rules(
      {request_rule(Match{.first = 1, .probability = 0.5}, {ReadRequest{}, Write{"F"}})});
  spec.seed = seed;
  Rig rig(spec);
  auto& c = rig.open();
  c.stream.push_input(repeat(get("/"), 24));
  c.stream.peer_close();
  EXPECT_TRUE(rig.run_to_end(c));
  std::string choices;
  std::string_view out = c.stream.output();
  while (!out.empty()) {
    if (out.starts_with("F")) {
      choices += 'F';
      out.remove_prefix(1);
    } else if (out.starts_with(ok)) {
      choices += '.';
      out.remove_prefix(ok.size());
    } else {
      ADD_FAILURE() << "unexpected output " << out;
      break;
    }
  }
  return choices;
}

TEST(SessionScript, ProbabilisticRuleWithTheSameSeedMakesTheSameChoices) {
  const std::string first = probabilistic_choices(7);
  const std::string again = probabilistic_choices(7);
  ASSERT_EQ(first.size(), 24u);
  EXPECT_EQ(first, again);
  EXPECT_NE(first.find('F'), std::string::npos) << first;
  EXPECT_NE(first.find('.'), std::string::npos) << first;
  EXPECT_NE(probabilistic_choices(8), first) << "another seed, other choices";
}

TEST(SessionScript, ZeroProbabilityNeverFires) {
  Rig rig(with_rules({request_rule(Match{.first = 1, .probability = 0.0}, {Write{"F"}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/") + get("/"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok + ok);
}

// ---- timed steps -------------------------------------------------------------------------------

TEST(SessionScript, DelayWaitsAtLeastItsDuration) {
  Rig rig(with_rules({request_rule(
      Match::every(), {ReadRequest{}, Write{"a"}, Delay{20ms}, Write{"b"}, Close{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/"));
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "ab");
  const auto steps = rig.events(EventKind::step);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].detail, "delay");
  EXPECT_EQ(steps[0].requested, Duration{20ms});
  EXPECT_GE(steps[0].actual, Duration{20ms}) << ms(steps[0].actual);
  EXPECT_LE(steps[0].actual, upper_bound(20ms)) << ms(steps[0].actual);
  const auto& w = c.stream.writes();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_GE(w[1].at - w[0].completed, Duration{20ms}) << ms(w[1].at - w[0].completed);
}

TEST(SessionScript, StallWithADurationWaitsThenContinues) {
  Rig rig(with_rules(
      {request_rule(Match::every(), {ReadRequest{}, Write{"head"}, Stall{20ms}, Write{"body"}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "headbody");
  const auto steps = rig.events(EventKind::step);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].detail, "stall");
  EXPECT_EQ(steps[0].requested, Duration{20ms});
  EXPECT_GE(steps[0].actual, Duration{20ms}) << ms(steps[0].actual);
  EXPECT_LE(steps[0].actual, upper_bound(20ms)) << ms(steps[0].actual);
  const auto& w = c.stream.writes();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_GE(w[1].at - w[0].completed, Duration{20ms}) << ms(w[1].at - w[0].completed);
  EXPECT_EQ(c.ending, Ending::peer_closed) << "a timed stall goes on serving (keep-alive)";
}

TEST(SessionScript, DripWritesPiecesOnAnAbsoluteSchedule) {
  Rig rig(with_rules(
      {request_rule(Match::every(), {ReadRequest{}, Write{"H"}, Drip{"abcd", 1, 20ms}, Close{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/"));
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "Habcd");
  const auto& w = c.stream.writes();
  ASSERT_EQ(w.size(), 5u);
  // The drip starts after the head's write completed; piece i leaves at least i intervals later.
  const Clock::time_point start = w[0].completed;
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(w[1 + i].size, 1u);
    EXPECT_GE(w[1 + i].at - start, Duration{20ms} * static_cast<long>(i))
        << "piece " << i << " at " << ms(w[1 + i].at - start);
  }
  EXPECT_LE(w[4].at - start, upper_bound(60ms)) << ms(w[4].at - start);
  const auto steps = rig.events(EventKind::step);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].detail, "drip");
  EXPECT_EQ(steps[0].bytes, 4u);
  EXPECT_EQ(steps[0].requested, Duration{60ms});
  EXPECT_GE(steps[0].actual, Duration{60ms}) << ms(steps[0].actual);
  EXPECT_LE(steps[0].actual, upper_bound(60ms)) << ms(steps[0].actual);
}

TEST(SessionScript, DripSplitsIntoChunks) {
  Rig rig(
      with_rules({request_rule(Match::every(), {ReadRequest{}, Drip{"abcde", 2, 5ms}, Close{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/"));
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "abcde");
  std::vector<std::size_t> sizes;
  for (const auto& w : c.stream.writes()) sizes.push_back(w.size);
  EXPECT_THAT(sizes, ElementsAre(2u, 2u, 1u));
  EXPECT_EQ(rig.events(EventKind::step).at(0).requested, Duration{10ms});
}

TEST(SessionScript, DripOfOnePieceDoesNotWait) {
  Rig rig(with_rules({request_rule(Match::every(), {ReadRequest{}, Drip{"ab", 5, 10s}, Close{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/"));
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "ab");
  const auto steps = rig.events(EventKind::step);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].requested, Duration{0});
  EXPECT_LT(steps[0].actual, Duration{1s});
}

TEST(SessionScript, StallZeroEndsOnlyWhenThePeerCloses) {
  Rig rig(with_rules({request_rule(Match::every(), {ReadRequest{}, Write{"x"}, Stall{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/"));
  rig.run();
  EXPECT_FALSE(c.done);
  EXPECT_EQ(c.stream.output(), "x");
  c.stream.push_input("junk");
  rig.run();
  EXPECT_FALSE(c.done) << "bytes from the peer do not end the stall";
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "x");
  EXPECT_EQ(c.ending, Ending::peer_closed);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::exit_close));
  const auto steps = rig.events(EventKind::step);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].detail, "stall");
  EXPECT_EQ(steps[0].bytes, 4u) << "bytes dropped while stalling";
  EXPECT_EQ(steps[0].requested, Duration{0});
  EXPECT_EQ(rig.events(EventKind::peer_closed).size(), 1u);
  EXPECT_EQ(rig.closed_detail(), "peer_closed");
}

TEST(SessionScript, StallZeroEndsWhenThePeerResets) {
  Rig rig(with_rules({request_rule(Match::every(), {ReadRequest{}, Stall{}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/"));
  rig.run();
  EXPECT_FALSE(c.done);
  c.stream.peer_reset();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.ending, Ending::peer_reset);
  EXPECT_EQ(rig.events(EventKind::peer_reset).size(), 1u);
  EXPECT_EQ(rig.closed_detail(), "peer_reset");
}

// ---- the peer leaving --------------------------------------------------------------------------

TEST(SessionScript, PeerClosingBeforeAnyByteCountsNoRequest) {
  Rig rig;
  auto& c = rig.open();
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "");
  EXPECT_EQ(rig.journal().requests(), 0u);
  EXPECT_THAT(rig.kinds(),
              ElementsAre(EventKind::accepted, EventKind::peer_closed, EventKind::closed));
  EXPECT_EQ(rig.closed_detail(), "peer_closed");
}

TEST(SessionScript, PeerClosingWhileIdleCountsNoExtraRequest) {
  Rig rig;
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  rig.run();
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(rig.journal().requests(), 1u);
  EXPECT_EQ(rig.events(EventKind::peer_closed).at(0).request, 0u);
}

TEST(SessionScript, PeerClosingMidHeadEndsWithPeerClosed) {
  Rig rig;
  auto& c = rig.open();
  c.stream.push_input(get("/1") + "GET /2 HT");
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok);
  EXPECT_EQ(c.ending, Ending::peer_closed);
  EXPECT_EQ(rig.events(EventKind::request_head).size(), 1u);
  const auto peer = rig.events(EventKind::peer_closed);
  ASSERT_EQ(peer.size(), 1u);
  EXPECT_EQ(peer[0].request, 2u) << "the partial request started, so it has a number";
  EXPECT_EQ(peer[0].bytes, 9u);
  EXPECT_EQ(rig.journal().requests(), 2u) << "one full request and one partial, nothing more";
  EXPECT_EQ(rig.closed_detail(), "peer_closed");
}

TEST(SessionScript, PeerClosingMidBodyEndsWithPeerClosed) {
  Rig rig;
  auto& c = rig.open();
  c.stream.push_input("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123");
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "");
  EXPECT_EQ(c.ending, Ending::peer_closed);
  const auto peer = rig.events(EventKind::peer_closed);
  ASSERT_EQ(peer.size(), 1u);
  EXPECT_EQ(peer[0].request, 1u);
  EXPECT_EQ(peer[0].bytes, 4u);
  EXPECT_EQ(rig.journal().requests(), 1u);
}

TEST(SessionScript, PeerResetWhileIdleEndsWithPeerReset) {
  Rig rig;
  auto& c = rig.open();
  c.stream.push_input(get("/1"));
  rig.run();
  c.stream.peer_reset();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.ending, Ending::peer_reset);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::exit_close));
  EXPECT_EQ(rig.closed_detail(), "peer_reset");
}

TEST(SessionScript, WriteFailureEndsWithPeerReset) {
  Rig rig;
  auto& c = rig.open();
  c.stream.fail_writes_after(0);
  c.stream.push_input(get("/1") + get("/2"));
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "");
  EXPECT_EQ(c.ending, Ending::peer_reset);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::exit_close));
  const auto failed = rig.events(EventKind::write_failed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].request, 1u);
  EXPECT_EQ(failed[0].bytes, 0u);
  EXPECT_FALSE(failed[0].detail.empty());
  EXPECT_EQ(rig.events(EventKind::peer_reset).size(), 1u);
  EXPECT_EQ(rig.journal().requests(), 1u);
  EXPECT_EQ(rig.closed_detail(), "peer_reset");
}

// Beast's fail_count matrix: fail each write of a multi-write script in turn.
TEST(SessionScript, EveryWriteFailurePointEndsCleanly) {
  const Script script{ReadRequest{}, Write{"h"}, Drip{"abc", 1, 1ms}, Write{"z"}};
  for (std::size_t n = 0; n <= 5; ++n) {
    SCOPED_TRACE("writes before the failure: " + std::to_string(n));
    Rig rig(with_rules({request_rule(Match::every(), script)}));
    auto& c = rig.open();
    c.stream.fail_writes_after(n);
    c.stream.push_input(get("/"));
    c.stream.peer_close();
    ASSERT_TRUE(rig.run_to_end(c));
    EXPECT_EQ(c.stream.output(), std::string("habcz").substr(0, n));
    if (n < 5) {
      EXPECT_EQ(c.ending, Ending::peer_reset);
      EXPECT_EQ(rig.events(EventKind::write_failed).size(), 1u);
      EXPECT_EQ(rig.closed_detail(), "peer_reset");
    } else {
      EXPECT_EQ(c.ending, Ending::peer_closed);
      EXPECT_EQ(rig.events(EventKind::write_failed).size(), 0u);
    }
  }
}

// ---- owner-initiated endings (crash, stop)
// -------------------------------------------------------

TEST(SessionScript, CrashWhileReadingEndsWithCrash) {
  Rig rig;
  auto& c = rig.open();
  rig.run();
  ASSERT_TRUE(c.stream.read_pending());
  rig.kill = Kill::crash;
  bgw::test::close_as_exit(c.stream);  // what the owner does: close the socket from outside
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.ending, Ending::crash);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::exit_close)) << "closed once, by the owner";
  EXPECT_EQ(rig.events(EventKind::peer_closed).size(), 0u);
  EXPECT_EQ(rig.closed_detail(), "crash");
}

TEST(SessionScript, StopDuringATimedStallCancelsTheWait) {
  Rig rig(with_rules({request_rule(Match::every(), {ReadRequest{}, Stall{10s}, Write{"never"}})}));
  auto& c = rig.open();
  c.stream.push_input(get("/"));
  const auto started = Clock::now();
  // The stall's timer is armed in the same handler that journals the request head.
  ASSERT_TRUE(bgw::test::run_until(
      rig.io, [&] { return rig.journal().count(EventKind::request_head) > 0; }, 5s,
      "the request head"));
  ASSERT_EQ(rig.journal().count(EventKind::request_head), 1u);
  rig.kill = Kill::stop;
  c.timer.cancel();
  bgw::test::close_as_exit(c.stream);
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_LT(Clock::now() - started, 5s);
  EXPECT_EQ(c.stream.output(), "");
  EXPECT_EQ(c.ending, Ending::stop);
  EXPECT_EQ(rig.events(EventKind::step).size(), 0u);
  EXPECT_EQ(rig.closed_detail(), "stop");
}

// ---- buffering and limits ----------------------------------------------------------------------

TEST(SessionScript, HeadStraddlingAFullBufferIsReassembled) {
  Rig rig;
  auto& c = rig.open();
  const std::string first = get("/1");
  const std::string second =
      "GET /2 HTTP/1.1\r\nX-Big: " + std::string(40 * 1024, 'b') + "\r\n\r\n";
  // Fill the session's 16 KiB buffer exactly: request 1 and the start of request 2.
  const std::size_t fill = 16 * 1024 - first.size();
  c.stream.push_input(first + second.substr(0, fill));
  c.stream.push_input(second.substr(fill));
  c.stream.push_input(get("/3"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok + ok + ok);
  const auto heads = rig.events(EventKind::request_head);
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_EQ(heads[1].bytes, second.size());
  EXPECT_EQ(heads[2].detail, get("/3"));
}

TEST(SessionScript, RequestHeadTooLargeEndsWithFin) {
  Rig rig;
  auto& c = rig.open();
  c.stream.push_input(std::string(4 * 1024 * 1024 + 100, 'a'));
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), "");
  EXPECT_EQ(c.ending, Ending::fin);
  EXPECT_THAT(c.stream.endings(), ElementsAre(EndedBy::fin));
  const auto bad = rig.events(EventKind::bad_request);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].detail, "request head too large");
  EXPECT_EQ(rig.closed_detail(), "fin: request head too large");
}

// ---- journal levels ----------------------------------------------------------------------------

TEST(SessionScript, JournalLevelEventsKeepsRequestLinesButNoBytes) {
  UpstreamSpec spec;
  spec.journal = JournalLevel::events;
  Rig rig(spec);
  auto& c = rig.open();
  c.stream.push_input(get("/x"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(rig.events(EventKind::request_head).at(0).detail, "GET /x HTTP/1.1");
  const auto wrote = rig.events(EventKind::wrote);
  ASSERT_EQ(wrote.size(), 1u);
  EXPECT_EQ(wrote[0].bytes, ok.size());
  EXPECT_EQ(wrote[0].detail, "");
}

TEST(SessionScript, JournalByteCapLimitsRecordedBytes) {
  UpstreamSpec spec;
  spec.journal_byte_cap = 4;
  Rig rig(spec);
  auto& c = rig.open();
  c.stream.push_input(get("/x"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(rig.events(EventKind::request_head).at(0).detail, "GET ");
  EXPECT_EQ(rig.events(EventKind::wrote).at(0).detail, "HTTP");
  EXPECT_EQ(rig.events(EventKind::wrote).at(0).bytes, ok.size());
}

// UpstreamSpec::journal_byte_cap: "bytes kept per read/write event".
TEST(SessionScript, ReadBytesJournalRespectsTheByteCap) {
  UpstreamSpec spec = with_rules(
      {request_rule(Match::every(), {ReadRequest{.part = ReadPart::bytes, .bytes = 10}, Close{}})});
  spec.journal_byte_cap = 4;
  Rig rig(spec);
  auto& c = rig.open();
  c.stream.push_input("abc");
  c.stream.push_input("defghij");
  ASSERT_TRUE(rig.run_to_end(c));
  const auto raw = rig.events(EventKind::request_bytes);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].bytes, 10u);
  EXPECT_EQ(raw[0].detail, "abcd");
}

TEST(SessionScript, JournalLevelCountersKeepsOnlyCounters) {
  UpstreamSpec spec;
  spec.journal = JournalLevel::counters;
  Rig rig(spec);
  auto& c = rig.open();
  c.stream.push_input(get("/1") + get("/2"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), ok + ok);
  EXPECT_TRUE(rig.journal().snapshot().empty());
  EXPECT_EQ(rig.journal().requests(), 2u);
  EXPECT_EQ(rig.journal().connections(), 1u);
}

TEST(SessionScript, EndingNames) {
  EXPECT_STREQ(to_string(Ending::fin), "fin");
  EXPECT_STREQ(to_string(Ending::rst), "rst");
  EXPECT_STREQ(to_string(Ending::half_close), "half_close");
  EXPECT_STREQ(to_string(Ending::peer_closed), "peer_closed");
  EXPECT_STREQ(to_string(Ending::peer_reset), "peer_reset");
  EXPECT_STREQ(to_string(Ending::crash), "crash");
  EXPECT_STREQ(to_string(Ending::stop), "stop");
  EXPECT_STREQ(to_string(Ending::error), "error");
}

// ---- every catalogue fault, executed ----------------------------------------------------------

// Each request or connection fault, run on the in-memory stream against one request: the bytes
// the peer receives are exactly the script's writes (whose goldens fault_catalogue_test pins),
// and the stream ends the way the script's last step says.
class EveryFaultExecuted : public testing::TestWithParam<std::string> {};

TEST_P(EveryFaultExecuted, PeerReceivesExactlyTheScriptedBytesAndEnding) {
  const std::string name = GetParam();
  const bgw::sim::FaultInfo* info = bgw::sim::find_fault(name);
  ASSERT_NE(info, nullptr);
  // Short timings keep the test fast; they do not change the bytes.
  bgw::sim::FaultParams params;
  for (const auto& p : info->params) {
    if (p.name == "duration") params["duration"] = Duration(5ms);
    if (p.name == "interval") params["interval"] = Duration(1ms);
    if (p.name == "idle") params["idle"] = Duration(1ms);
  }
  const bgw::sim::Response base;
  auto lowered = bgw::sim::lower_fault(name, params, base);
  ASSERT_TRUE(std::holds_alternative<bgw::sim::LoweredFault>(lowered));
  const Rule rule = std::get<bgw::sim::LoweredFault>(lowered).rule;

  std::string expected;
  EndedBy ending = EndedBy::exit_close;  // keep-alive: the peer's close ends it
  for (const auto& step : rule.script) {
    if (const auto* w = std::get_if<Write>(&step)) expected += w->bytes;
    if (const auto* w = std::get_if<bgw::sim::Respond>(&step)) expected += w->keep_alive;
    if (const auto* d = std::get_if<Drip>(&step)) expected += d->bytes;
    if (std::holds_alternative<ServeRequests>(step)) expected += ok;  // one request is sent
    if (std::holds_alternative<Close>(step)) ending = EndedBy::fin;
    if (std::holds_alternative<Reset>(step)) ending = EndedBy::rst;
    if (std::holds_alternative<HalfClose>(step)) ending = EndedBy::half_close;
  }

  Rig rig(with_rules({rule}));
  auto& c = rig.open();
  c.stream.push_input(get("/"));
  c.stream.peer_close();
  ASSERT_TRUE(rig.run_to_end(c));
  EXPECT_EQ(c.stream.output(), expected) << name;
  EXPECT_EQ(c.stream.ended_by(), ending)
      << name << ": ended by " << bgw::test::to_string(c.stream.ended_by());
}

std::vector<std::string> executable_faults() {
  std::vector<std::string> names;
  // The TLS faults run over TLS in tls_wire_test.cpp.
  for (const auto& f : bgw::sim::fault_catalogue())
    if (f.scope != bgw::sim::FaultScope::listener && !bgw::sim::needs_tls(f))
      names.emplace_back(f.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllFaults, EveryFaultExecuted, testing::ValuesIn(executable_faults()),
                         [](const testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
