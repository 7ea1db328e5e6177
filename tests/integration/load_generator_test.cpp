// The load generator against the simulator on loopback: counts that add up, unique ids that
// reach the upstream, an open-loop rate that holds, timeouts charged from the intended send time
// (no coordinated omission), and every kind of failure classified. Each run is bounded by a
// short duration and a deadline; nothing sleeps.
#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "harness/load/load_generator.hpp"
#include "harness/load/threaded_load.hpp"
#include "simulator/response.hpp"
#include "support/fault_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::load::LoadOptions;
using bgw::load::LoadResult;
using bgw::load::Outcome;
using bgw::load::RequestRecord;
using bgw::sim::EventKind;
using namespace bgw::test;

class LoadGenerator : public UpstreamTest {
 protected:
  // Runs the load on the test's io_context until it completes (bounded by `limit`).
  LoadResult run(LoadOptions o, bgw::load::ProgressFn progress = {},
                 std::chrono::nanoseconds limit = 10s) {
    std::optional<LoadResult> result;
    std::exception_ptr failure;
    boost::asio::co_spawn(io_, bgw::load::run_load(std::move(o), std::move(progress)),
                          [&](std::exception_ptr e, LoadResult r) {
                            failure = e;
                            if (!e) result = std::move(r);
                          });
    EXPECT_TRUE(run_until(
        io_, [&] { return result || failure; }, limit, "the load run"));
    if (failure) std::rethrow_exception(failure);
    return result ? std::move(*result) : LoadResult{};
  }

  static LoadOptions to(const bgw::sim::Upstream& up) {
    LoadOptions o;
    o.port = up.port();
    return o;
  }
};

std::uint64_t count(const LoadResult& r, Outcome o) {
  std::uint64_t n = 0;
  for (const auto& b : r.buckets) n += b.outcomes[static_cast<std::size_t>(o)];
  return n;
}

std::string summary(const LoadResult& r) {
  std::string s = "sent=" + std::to_string(r.sent) + " completed=" + std::to_string(r.completed) +
                  " failed=" + std::to_string(r.failed) + " outcomes:";
  for (std::size_t i = 0; i < bgw::load::outcome_count; ++i)
    s += std::string(" ") + to_string(static_cast<Outcome>(i)) + "=" +
         std::to_string(count(r, static_cast<Outcome>(i)));
  return s;
}

// The totals, the buckets, the histogram and the records all tell the same story.
void expect_consistent(const LoadResult& r) {
  std::uint64_t failures = 0;
  for (std::size_t i = 1; i < bgw::load::outcome_count; ++i) failures += count(r, Outcome(i));
  EXPECT_EQ(r.sent, r.completed + failures) << summary(r);
  EXPECT_EQ(r.completed, count(r, Outcome::response));
  std::uint64_t bucket_sent = 0, bucket_failed = 0, statuses = 0;
  for (const auto& b : r.buckets) {
    bucket_sent += b.sent;
    bucket_failed += b.failed;
    for (const auto& [code, n] : b.statuses) statuses += n;
    EXPECT_EQ(b.latency.count(), b.sent);
  }
  EXPECT_EQ(bucket_sent, r.sent);
  EXPECT_EQ(bucket_failed, r.failed);
  EXPECT_EQ(statuses, r.completed);
  EXPECT_EQ(r.latency.count(), r.sent);
  if (!r.records_truncated) {
    EXPECT_EQ(r.records.size(), r.sent);
    std::uint64_t failed = 0;
    for (const RequestRecord& rec : r.records) failed += rec.failed() ? 1 : 0;
    EXPECT_EQ(failed, r.failed);
  }
}

TEST_F(LoadGenerator, ClosedLoopCountsAddUpAndEveryIdReachesTheUpstream) {
  auto& up = make({.name = "up"});
  LoadOptions o = to(up);
  o.connections = 8;
  o.duration = 30s;  // ends at max_requests, long before
  o.max_requests = 1500;
  const LoadResult r = run(o, {}, 30s);
  expect_consistent(r);
  EXPECT_EQ(r.sent, 1500u);
  EXPECT_EQ(r.completed, 1500u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.connects, 8u) << "keep-alive: one connection per slot";
  std::uint64_t ok = 0;
  for (const auto& b : r.buckets) ok += b.statuses.count(200) ? b.statuses.at(200) : 0;
  EXPECT_EQ(ok, 1500u);

  std::set<std::uint64_t> ids;
  std::set<std::uint16_t> slots;
  for (const RequestRecord& rec : r.records) {
    EXPECT_TRUE(ids.insert(rec.id).second) << "duplicate id " << rec.id;
    slots.insert(rec.connection);
    EXPECT_EQ(rec.status, 200);
    EXPECT_GT(rec.latency, 0ns);
  }
  EXPECT_EQ(*ids.begin(), 1u);
  EXPECT_EQ(*ids.rbegin(), 1500u);
  EXPECT_EQ(slots.size(), 8u);

  // The upstream saw exactly these ids, each once.
  EXPECT_EQ(up.journal().requests(), 1500u);
  std::multiset<std::uint64_t> seen;
  for (const auto& e : events_of(up.journal(), EventKind::request_head)) {
    const std::size_t at = e.detail.find("X-Bgw-Request: ");
    ASSERT_NE(at, std::string::npos) << e.detail;
    seen.insert(std::stoull(e.detail.substr(at + 15)));
  }
  EXPECT_EQ(seen, std::multiset<std::uint64_t>(ids.begin(), ids.end()));
}

TEST_F(LoadGenerator, OpenLoopHoldsTheRate) {
  auto& up = make({.name = "up", .journal = bgw::sim::JournalLevel::events});
  LoadOptions o = to(up);
  o.connections = 4;
  o.rate = 500;
  o.duration = 1s;
  const LoadResult r = run(o);
  expect_consistent(r);
  EXPECT_EQ(r.sent, 500u);
  EXPECT_EQ(r.completed, 500u);
  for (const auto& b : r.buckets) EXPECT_EQ(b.sent, 50u) << "bucket at " << ms(b.start) << " ms";

  // Intended times are exactly 2 ms apart, and the requests really left on that schedule.
  std::vector<RequestRecord> recs = r.records;
  std::sort(recs.begin(), recs.end(), [](auto& a, auto& b) { return a.id < b.id; });
  for (const auto& rec : recs) EXPECT_EQ(rec.intended, 2ms * static_cast<std::int64_t>(rec.id - 1));
  const auto heads = events_of(up.journal(), EventKind::request_head);
  ASSERT_EQ(heads.size(), 500u);
  const double span_ms = ms(heads.back().at - heads.front().at);
  EXPECT_GE(span_ms, 998 * 0.9) << "sent too fast";
  EXPECT_LE(span_ms, 998 * 1.1) << "sent too slowly";
  // In every 250 ms window of arrivals, about 125 requests: the rate held throughout (the
  // tolerance absorbs a busy machine's scheduling jitter).
  std::map<std::int64_t, int> per_window;
  for (const auto& e : heads)
    ++per_window[std::chrono::duration_cast<std::chrono::milliseconds>(e.at - heads.front().at)
                     .count() /
                 250];
  for (const auto& [w, n] : per_window) {
    if (w >= 3) continue;  // the last window is partial
    EXPECT_NEAR(n, 125, 30) << "window " << w;
  }
  EXPECT_GE(r.elapsed, 998ms);
}

// N generators on their own threads split one run: every N-th request each, ids unique and
// dense, the connections divided, the results merged into one consistent LoadResult.
TEST_F(LoadGenerator, ThreadsSplitTheRunAndMergeIntoOne) {
  auto& up = make({.name = "up", .journal = bgw::sim::JournalLevel::bytes});
  LoadOptions o = to(up);
  o.connections = 8;
  o.duration = 30s;  // ends at max_requests, long before
  o.max_requests = 1500;
  std::atomic<std::uint64_t> seen_by_callback{0};
  o.on_record = [&](const RequestRecord&) { ++seen_by_callback; };
  // The generators end on their own threads: the last one wakes this io_context.
  bgw::load::ThreadedLoad generators(o, 3, [this] { boost::asio::post(io_, [] {}); });
  EXPECT_EQ(generators.threads(), 3u);
  ASSERT_TRUE(run_until(
      io_, [&] { return generators.done(); }, 30s, "three generators"));
  const LoadResult r = generators.join();
  expect_consistent(r);
  EXPECT_EQ(r.sent, 1500u);
  EXPECT_EQ(r.completed, 1500u);
  EXPECT_EQ(seen_by_callback.load(), 1500u);
  EXPECT_EQ(r.connects, 8u) << "3 + 3 + 2 keep-alive connections";
  std::set<std::uint64_t> ids;
  for (const RequestRecord& rec : r.records)
    EXPECT_TRUE(ids.insert(rec.id).second) << "duplicate id " << rec.id;
  EXPECT_EQ(*ids.begin(), 1u);
  EXPECT_EQ(*ids.rbegin(), 1500u);
  EXPECT_EQ(up.journal().requests(), 1500u);
}

TEST_F(LoadGenerator, ThreadsKeepTheOpenLoopScheduleOfOneRun) {
  auto& up = make({.name = "up", .journal = bgw::sim::JournalLevel::counters});
  LoadOptions o = to(up);
  o.connections = 4;
  o.rate = 500;
  o.duration = 1s;
  bgw::load::ThreadedLoad generators(o, 2, [this] { boost::asio::post(io_, [] {}); });
  ASSERT_TRUE(run_until(
      io_, [&] { return generators.done(); }, 10s, "two generators"));
  const LoadResult r = generators.join();
  expect_consistent(r);
  EXPECT_EQ(r.sent, 500u);
  for (const auto& b : r.buckets) EXPECT_EQ(b.sent, 50u) << "bucket at " << ms(b.start) << " ms";
  for (const auto& rec : r.records)
    EXPECT_EQ(rec.intended, 2ms * static_cast<std::int64_t>(rec.id - 1));
}

TEST_F(LoadGenerator, StallingUpstreamTimesOutWithLatencyFromTheIntendedTime) {
  // Every request stalls until the client gives up: Stall{0} holds until the peer closes.
  bgw::sim::UpstreamSpec spec{.name = "stall"};
  spec.rules.push_back({.scope = bgw::sim::RuleScope::request,
                        .script = {bgw::sim::ReadRequest{}, bgw::sim::Stall{}}});
  auto& up = make(spec);
  LoadOptions o = to(up);
  o.connections = 2;
  o.rate = 100;  // one every 10 ms
  o.duration = 200ms;
  o.request_timeout = 150ms;
  const auto started = bgw::sim::Clock::now();
  const LoadResult r = run(o);
  const auto took = bgw::sim::Clock::now() - started;
  expect_consistent(r);
  EXPECT_EQ(r.sent, 20u) << "every scheduled request counts, sent or not";
  EXPECT_EQ(count(r, Outcome::timeout), 20u) << summary(r);
  for (const RequestRecord& rec : r.records) {
    EXPECT_EQ(rec.intended, 10ms * static_cast<std::int64_t>(rec.id - 1));
    EXPECT_GE(rec.latency, 150ms) << "id " << rec.id;
    EXPECT_LE(rec.latency, 150ms + 100ms) << "id " << rec.id;
  }
  // Two connections and 15 requests in flight per timeout: most requests waited for a
  // connection, and the wait is part of their latency, which still ends at intended + timeout.
  EXPECT_LT(took, o.duration + o.request_timeout + 500ms) << "bounded by duration + timeout";
  EXPECT_GE(r.latency.percentile(0.5), 150'000'000u);
}

TEST_F(LoadGenerator, OpenLoopChargesAStallToEveryRequestItHeldUp) {
  // The first request stalls 200 ms; the others are answered at once. The nineteen requests
  // scheduled during the stall could only leave after it: their latency counts from when they
  // were meant to leave, so it shrinks by 10 ms per request (the coordinated-omission check).
  auto& up = make(lower("stall_before_headers", {{"duration", bgw::sim::Duration(200ms)}},
                        bgw::sim::Match::nth(1)));
  LoadOptions o = to(up);
  o.connections = 1;
  o.rate = 100;
  o.duration = 500ms;
  o.request_timeout = 2s;
  const LoadResult r = run(o);
  expect_consistent(r);
  EXPECT_EQ(r.completed, 50u) << summary(r);
  std::vector<RequestRecord> recs = r.records;
  std::sort(recs.begin(), recs.end(), [](auto& a, auto& b) { return a.id < b.id; });
  for (const RequestRecord& rec : recs) {
    const auto intended = 10ms * static_cast<std::int64_t>(rec.id - 1);
    EXPECT_EQ(rec.intended, intended);
    if (intended < 200ms) {
      EXPECT_GE(rec.latency, 200ms - intended) << "id " << rec.id;
      EXPECT_LE(rec.latency, 200ms - intended + 100ms) << "id " << rec.id;
    }
  }
  // A closed-loop view would report one slow request; here a fifth of the run was slow.
  EXPECT_GE(r.latency.percentile(0.8), 10'000'000u);
}

TEST_F(LoadGenerator, ClosedLoopTimeoutIsBoundedByTheRequestTimeout) {
  bgw::sim::UpstreamSpec spec{.name = "stall"};
  spec.rules.push_back({.scope = bgw::sim::RuleScope::request,
                        .script = {bgw::sim::ReadRequest{}, bgw::sim::Stall{}}});
  auto& up = make(spec);
  LoadOptions o = to(up);
  o.connections = 3;
  o.duration = 50ms;
  o.request_timeout = 100ms;
  const auto started = bgw::sim::Clock::now();
  const LoadResult r = run(o);
  expect_consistent(r);
  EXPECT_EQ(r.sent, 3u) << summary(r);
  EXPECT_EQ(count(r, Outcome::timeout), 3u);
  for (const RequestRecord& rec : r.records) {
    EXPECT_GE(rec.latency, 100ms);
    EXPECT_LE(rec.latency, 100ms + 100ms);
  }
  EXPECT_LT(bgw::sim::Clock::now() - started, 600ms);
}

TEST_F(LoadGenerator, RefusedPortGivesRefused) {
  auto& up = make(lower("refuse"));
  LoadOptions o = to(up);
  o.connections = 2;
  o.duration = 1s;
  o.max_requests = 50;
  const LoadResult r = run(o);
  expect_consistent(r);
  EXPECT_EQ(r.sent, 50u);
  EXPECT_EQ(count(r, Outcome::refused), 50u) << summary(r);
  EXPECT_EQ(r.failed, 50u);
  EXPECT_EQ(r.connects, 0u);
}

TEST_F(LoadGenerator, BlackholeGivesConnectTimeout) {
  auto& up = make(lower("blackhole"));
  LoadOptions o = to(up);
  o.connections = 1;
  o.duration = 10s;  // one request, however late a loaded machine starts the coroutine
  o.max_requests = 1;
  o.request_timeout = 100ms;
  const LoadResult r = run(o);
  expect_consistent(r);
  EXPECT_EQ(r.sent, 1u);
  EXPECT_EQ(count(r, Outcome::connect_timeout), 1u) << summary(r);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_GE(r.records[0].latency, 100ms);
}

struct FailureCase {
  std::string fault;
  Outcome outcome;
  int status = 0;  ///< expected status (0: none)
};

void PrintTo(const FailureCase& c, std::ostream* os) {
  *os << c.fault;
}

class LoadFailures : public LoadGenerator, public testing::WithParamInterface<FailureCase> {};

TEST_P(LoadFailures, EachRequestEndsAsExpected) {
  const FailureCase& c = GetParam();
  auto& up = make(lower(c.fault));
  LoadOptions o = to(up);
  o.connections = 2;
  o.duration = 2s;
  o.max_requests = 20;
  o.request_timeout = 1s;
  const LoadResult r = run(o);
  expect_consistent(r);
  EXPECT_EQ(r.sent, 20u);
  EXPECT_EQ(count(r, c.outcome), 20u) << summary(r);
  for (const RequestRecord& rec : r.records) {
    EXPECT_EQ(rec.status, c.status) << "id " << rec.id;
    EXPECT_TRUE(rec.failed());
  }
  EXPECT_EQ(r.failed, 20u);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, LoadFailures,
    testing::Values(FailureCase{"reset_after_request", Outcome::reset},
                    FailureCase{"reset_on_accept", Outcome::reset},
                    FailureCase{"reset_mid_headers", Outcome::reset},
                    FailureCase{"reset_mid_body", Outcome::reset, 200},
                    FailureCase{"close_after_request", Outcome::closed},
                    FailureCase{"close_mid_body", Outcome::closed, 200},
                    FailureCase{"garbage_status", Outcome::invalid},
                    FailureCase{"http09_body", Outcome::invalid},
                    FailureCase{"conflicting_content_length", Outcome::invalid, 200},
                    FailureCase{"bad_chunk_size_first", Outcome::invalid, 200},
                    FailureCase{"header_no_colon", Outcome::invalid, 200},
                    FailureCase{"status_5xx", Outcome::response, 503}),
    [](const testing::TestParamInfo<FailureCase>& i) { return i.param.fault; });

TEST_F(LoadGenerator, ConnectionCloseMeansANewConnectionPerRequest) {
  auto& up = make({.name = "up", .response = {.close = true}});
  LoadOptions o = to(up);
  o.connections = 2;
  o.max_requests = 30;
  const LoadResult r = run(o);
  expect_consistent(r);
  EXPECT_EQ(r.completed, 30u) << summary(r);
  EXPECT_EQ(r.connects, 30u);
  EXPECT_EQ(up.journal().connections(), 30u);
}

TEST_F(LoadGenerator, ChunkedAndReadUntilCloseBodiesAreResponses) {
  auto& chunked =
      make({.name = "chunked",
            .response = {.body = std::string(5000, 'x'), .chunked = true, .chunk_size = 700}});
  bgw::sim::UpstreamSpec until_close{.name = "until_close"};
  until_close.rules.push_back(
      {.scope = bgw::sim::RuleScope::request,
       .script = {bgw::sim::ReadRequest{}, bgw::sim::Write{"HTTP/1.1 200 OK\r\n\r\nhello"},
                  bgw::sim::Close{}}});
  auto& close = make(until_close);
  for (auto* up : {&chunked, &close}) {
    SCOPED_TRACE(up->name());
    LoadOptions o = to(*up);
    o.connections = 2;
    o.max_requests = 40;
    const LoadResult r = run(o);
    expect_consistent(r);
    EXPECT_EQ(r.completed, 40u) << summary(r);
    EXPECT_EQ(r.failed, 0u);
    EXPECT_EQ(r.connects, up == &close ? 40u : 2u);
  }
}

TEST_F(LoadGenerator, LargeBodiesAndHeadRequests) {
  auto& up = make({.name = "big", .response = {.body = bgw::sim::pattern_body(300'000)}});
  LoadOptions o = to(up);
  o.connections = 2;
  o.max_requests = 20;
  EXPECT_EQ(run(o).completed, 20u);
  // The simulator answers every method alike; a HEAD response is written out by hand: the
  // head of the large response, no body, and the connection stays open.
  bgw::sim::UpstreamSpec head_only{.name = "head"};
  head_only.rules.push_back(
      {.scope = bgw::sim::RuleScope::request,
       .script = {bgw::sim::ReadRequest{},
                  bgw::sim::Write{"HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n"}}});
  o.port = make(head_only).port();
  o.method = "HEAD";
  const LoadResult head = run(o);
  expect_consistent(head);
  EXPECT_EQ(head.completed, 20u) << summary(head);
  EXPECT_EQ(head.connects, 2u) << "no body to wait for: the connections carry on";
}

TEST_F(LoadGenerator, ProgressIsReportedWhileItRuns) {
  auto& up = make({.name = "up", .journal = bgw::sim::JournalLevel::counters});
  LoadOptions o = to(up);
  o.connections = 2;
  o.duration = 300ms;
  o.progress_every = 50ms;
  std::vector<bgw::load::Progress> seen;
  const LoadResult r = run(o, [&](const bgw::load::Progress& p) { seen.push_back(p); });
  expect_consistent(r);
  ASSERT_GE(seen.size(), 3u);
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GT(seen[i].at, seen[i - 1].at);
    EXPECT_GE(seen[i].sent, seen[i - 1].sent);
    EXPECT_GE(seen[i].completed, seen[i - 1].completed);
  }
  EXPECT_GT(seen.back().completed, 0u);
  EXPECT_GT(seen.back().p99_ns_last_interval, 0u);
  EXPECT_LE(seen.back().completed, r.completed);
}

TEST_F(LoadGenerator, CancellingEndsTheRunEarlyWithWhatWasMeasured) {
  auto& up = make({.name = "up", .journal = bgw::sim::JournalLevel::counters});
  LoadOptions o = to(up);
  o.connections = 4;
  o.duration = 30s;
  o.progress_every = 20ms;
  boost::asio::cancellation_signal cancel;
  std::optional<LoadResult> result;
  const auto started = bgw::sim::Clock::now();
  boost::asio::co_spawn(
      io_,
      bgw::load::run_load(o,
                          [&](const bgw::load::Progress& p) {
                            if (p.completed > 100)
                              cancel.emit(boost::asio::cancellation_type::terminal);
                          }),
      boost::asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, LoadResult r) {
        EXPECT_FALSE(e);
        result = std::move(r);
      }));
  ASSERT_TRUE(run_until(
      io_, [&] { return result.has_value(); }, 5s, "the cancelled run"));
  EXPECT_LT(bgw::sim::Clock::now() - started, 3s);
  expect_consistent(*result);
  EXPECT_GT(result->completed, 100u);
}

TEST_F(LoadGenerator, BadOptionsThrowBeforeAnyTraffic) {
  LoadOptions o;
  o.port = 9;
  o.host = "10.0.0.1";
  EXPECT_THROW(run(o), std::invalid_argument);
  o.host = "example.com";
  EXPECT_THROW(run(o), std::invalid_argument);
  o.host = "127.0.0.1";
  o.connections = 0;
  EXPECT_THROW(run(o), std::invalid_argument);
  o.connections = 1;
  o.rate = -1;
  EXPECT_THROW(run(o), std::invalid_argument);
}

}  // namespace
