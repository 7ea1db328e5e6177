// The bench's metric derivation on hand-built data: which event a failure belongs to, time to
// detect, error windows, recovery after a restart, latency in steady state versus around the
// failover, per-upstream counts and duplicate deliveries from journal deliveries, buckets, and
// the bookkeeping checks. No sockets: BenchData is plain data.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/bench/failover_metrics.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::bench::BenchData;
using bgw::bench::Delivery;
using bgw::bench::derive_metrics;
using bgw::bench::Nanos;
using bgw::bench::TimelineMark;
using bgw::load::Outcome;
using bgw::load::RequestRecord;

RequestRecord rec(std::uint64_t id, Nanos intended, Nanos latency, int status,
                  Outcome outcome = Outcome::response) {
  RequestRecord r;
  r.id = id;
  r.intended = intended;
  r.latency = latency;
  r.status = outcome == Outcome::response ? status : 0;
  r.outcome = outcome;
  return r;
}

TimelineMark mark(std::string upstream, std::string action, Nanos at) {
  TimelineMark m;
  m.upstream = std::move(upstream);
  m.action = action;
  m.at = at;
  m.scheduled = at;
  m.disruptive = bgw::bench::is_disruptive(action);
  return m;
}

// Totals consistent with the records, as the load generator reports them.
void finish(BenchData& d, Nanos elapsed) {
  d.load.elapsed = elapsed;
  d.load.sent = d.load.records.size();
  d.load.completed = 0;
  d.load.failed = 0;
  for (const auto& r : d.load.records) {
    d.load.completed += r.outcome == Outcome::response;
    d.load.failed += r.failed();
  }
}

TEST(BenchMetrics, FailuresBelongToTheLatestDisruptiveEventBeforeTheyEnded) {
  BenchData d;
  d.upstreams = {"a", "b"};
  d.events = {mark("a", "crash", 1000ms), mark("a", "restart", 2000ms), mark("b", "crash", 3000ms)};
  d.load.records = {
      rec(1, 400ms, 100ms, 0, Outcome::reset),     // ends at 500ms: before anything broke
      rec(2, 990ms, 20ms, 0, Outcome::reset),      // in flight at the crash, ends at 1010ms
      rec(3, 1040ms, 10ms, 502),                   // 1050ms
      rec(4, 1100ms, 100ms, 0, Outcome::refused),  // 1200ms
      rec(5, 2050ms, 50ms, 503),  // 2100ms: after the restart, still the crash's (recovery
                                  // events do not take failures)
      rec(6, 3001ms, 4ms, 0, Outcome::timeout),  // 3005ms: b's crash
      rec(7, 1500ms, 1ms, 200),                  // a success
  };
  finish(d, 4s);
  const auto m = derive_metrics(d);
  ASSERT_EQ(m.events.size(), 3u);
  const auto& crash_a = m.events[0];
  EXPECT_EQ(crash_a.failed, 4u);
  EXPECT_EQ(crash_a.first_failure, Nanos(1010ms));
  EXPECT_EQ(crash_a.last_failure, Nanos(2100ms));
  EXPECT_EQ(crash_a.time_to_detect, Nanos(1100ms));
  EXPECT_EQ(crash_a.error_window, Nanos(1090ms));
  EXPECT_THAT(crash_a.errors,
              testing::ElementsAre(testing::Pair("http_502", 1u), testing::Pair("http_503", 1u),
                                   testing::Pair("refused", 1u), testing::Pair("reset", 1u)));
  EXPECT_EQ(m.events[1].failed, 0u);  // a recovery event
  EXPECT_FALSE(m.events[1].time_to_detect);
  const auto& crash_b = m.events[2];
  EXPECT_EQ(crash_b.failed, 1u);
  EXPECT_EQ(crash_b.time_to_detect, Nanos(5ms));
  EXPECT_EQ(crash_b.error_window, Nanos(0));
  // Every failure by kind, the baseline one included.
  EXPECT_EQ(m.totals.errors.at("reset"), 2u);
  EXPECT_EQ(m.totals.failed, 6u);
  EXPECT_EQ(m.totals.transport_errors, 4u);
  EXPECT_EQ(m.totals.responses, 3u);
}

TEST(BenchMetrics, AnEventWithoutFailuresHasNoDetectionTimeButStillAFailoverWindow) {
  BenchData d;
  d.upstreams = {"a"};
  d.events = {mark("a", "crash", 1s)};
  d.load.records = {rec(1, 100ms, 1ms, 200), rec(2, 1200ms, 1ms, 200)};
  finish(d, 2s);
  bgw::bench::MetricsOptions o;
  o.margin = 200ms;
  const auto m = derive_metrics(d, o);
  EXPECT_EQ(m.events[0].failed, 0u);
  EXPECT_FALSE(m.events[0].time_to_detect);
  EXPECT_FALSE(m.events[0].error_window);
  ASSERT_EQ(m.failover_windows.size(), 1u);
  EXPECT_EQ(m.failover_windows[0].first, Nanos(800ms));
  EXPECT_EQ(m.failover_windows[0].second, Nanos(1200ms));
}

TEST(BenchMetrics, SimultaneousEventsGiveTheirFailuresToTheFirstListed) {
  BenchData d;
  d.upstreams = {"a", "b"};
  d.events = {mark("a", "refuse", 1s), mark("b", "refuse", 1s)};
  d.load.records = {rec(1, 1100ms, 1ms, 0, Outcome::refused)};
  finish(d, 2s);
  const auto m = derive_metrics(d);
  EXPECT_EQ(m.events[0].failed, 1u);
  EXPECT_EQ(m.events[1].failed, 0u);
}

TEST(BenchMetrics, TimeToRecoverIsTheFirstGoodRequestTheUpstreamReadAfterTheRestart) {
  BenchData d;
  d.upstreams = {"a", "b"};
  d.events = {mark("a", "crash", 1s), mark("a", "restart", 2s)};
  d.load.records = {
      rec(1, 500ms, 1ms, 200), rec(2, 2100ms, 1ms, 502),  // read by a, but failed
      rec(3, 2200ms, 1ms, 200),                           // read by b
      rec(4, 2300ms, 1ms, 200),                           // read by a: recovered
  };
  d.deliveries = {
      Delivery{.upstream = 0, .id = 1, .at = 500ms},
      Delivery{.upstream = 0, .id = 0, .at = 2050ms},  // a health check: no id
      Delivery{.upstream = 0, .id = 2, .at = 2100ms},
      Delivery{.upstream = 1, .id = 3, .at = 2200ms},
      Delivery{.upstream = 0, .id = 4, .at = 2300ms},
  };
  finish(d, 3s);
  const auto m = derive_metrics(d);
  ASSERT_EQ(m.events.size(), 2u);
  EXPECT_EQ(m.events[1].time_to_recover, Nanos(300ms));
  EXPECT_FALSE(m.events[0].time_to_recover);  // crashes get a detection time instead
  EXPECT_EQ(m.upstreams[0].requests, 4u);
  EXPECT_EQ(m.upstreams[0].unidentified, 1u);
  EXPECT_EQ(m.upstreams[0].served, 2u);  // ids 1 and 4
  EXPECT_EQ(m.upstreams[1].served, 1u);
  EXPECT_EQ(m.bookkeeping.failed_after_delivery, 1u);  // id 2
  EXPECT_EQ(m.bookkeeping.served_without_delivery, 0u);
}

TEST(BenchMetrics, ARestartNeverServedAgainHasNoRecoveryTime) {
  BenchData d;
  d.upstreams = {"a"};
  d.events = {mark("a", "crash", 1s), mark("a", "restart", 2s)};
  d.load.records = {rec(1, 2500ms, 1ms, 502)};
  d.deliveries = {Delivery{.upstream = 0, .id = 1, .at = 2500ms}};
  finish(d, 3s);
  EXPECT_FALSE(derive_metrics(d).events[1].time_to_recover);
}

TEST(BenchMetrics, DuplicateDeliveriesAcrossAndWithinUpstreams) {
  BenchData d;
  d.upstreams = {"primary", "backup"};
  d.load.records = {rec(7, 0ms, 2ms, 200), rec(8, 1ms, 2ms, 200), rec(9, 2ms, 2ms, 200),
                    rec(10, 3ms, 2ms, 200)};
  d.deliveries = {
      Delivery{.upstream = 0, .id = 7, .at = 0ms}, Delivery{.upstream = 1, .id = 7, .at = 1ms},
      Delivery{.upstream = 0, .id = 8, .at = 1ms}, Delivery{.upstream = 0, .id = 8, .at = 2ms},
      Delivery{.upstream = 0, .id = 8, .at = 3ms}, Delivery{.upstream = 1, .id = 9, .at = 2ms},
  };
  finish(d, 10ms);
  const auto m = derive_metrics(d);
  EXPECT_EQ(m.duplicates.requests, 2u);
  EXPECT_EQ(m.duplicates.across_upstreams, 1u);
  EXPECT_EQ(m.duplicates.same_upstream, 1u);
  EXPECT_EQ(m.duplicates.extra_deliveries, 3u);
  ASSERT_EQ(m.duplicates.examples.size(), 2u);
  EXPECT_EQ(m.duplicates.examples[0].id, 7u);
  EXPECT_THAT(m.duplicates.examples[0].upstreams, testing::ElementsAre("primary", "backup"));
  EXPECT_THAT(m.duplicates.examples[1].upstreams,
              testing::ElementsAre("primary", "primary", "primary"));
  // The last delivery served the request.
  EXPECT_EQ(m.upstreams[0].served, 1u);  // 8
  EXPECT_EQ(m.upstreams[1].served, 2u);  // 7, 9
  EXPECT_EQ(m.upstreams[0].requests, 4u);
  EXPECT_EQ(m.upstreams[1].requests, 2u);
  // Request 10 got a 200 that no upstream read: the bookkeeping says so.
  EXPECT_EQ(m.bookkeeping.served_without_delivery, 1u);
}

TEST(BenchMetrics, SteadyStateLatencyIsBeforeTheFirstEventAfterTheWarmup) {
  BenchData d;
  d.upstreams = {"a"};
  d.events = {mark("a", "crash", 2s)};
  for (int i = 0; i < 100; ++i)  // 1ms .. 100ms, all ending before 1.2s
    d.load.records.push_back(rec(static_cast<std::uint64_t>(i + 1), 1s, Nanos(1ms) * (i + 1), 200));
  d.load.records.push_back(rec(200, 100ms, 900ms, 200));  // inside the warmup: left out
  // Around the crash: one in flight across it (sent before the window, 1.9s), one failure.
  d.load.records.push_back(rec(300, 1400ms, 700ms, 200));
  d.load.records.push_back(rec(301, 2000ms, 300ms, 0, Outcome::reset));
  finish(d, 3s);
  bgw::bench::MetricsOptions o;
  o.warmup = 500ms;
  o.margin = 100ms;
  const auto m = derive_metrics(d, o);
  EXPECT_EQ(m.steady.count, 100u);
  EXPECT_EQ(m.steady.p50, Nanos(50ms));
  EXPECT_EQ(m.steady.p99, Nanos(99ms));
  EXPECT_EQ(m.steady.max, Nanos(100ms));
  EXPECT_EQ(m.steady.failed, 0u);
  // Window: [2s - 100ms, 2.3s + 100ms]; 300 (1.4s..2.1s) overlaps it, 301 is in it.
  ASSERT_EQ(m.failover_windows.size(), 1u);
  EXPECT_EQ(m.failover_windows[0].first, Nanos(1900ms));
  EXPECT_EQ(m.failover_windows[0].second, Nanos(2400ms));
  EXPECT_EQ(m.failover.count, 2u);
  EXPECT_EQ(m.failover.failed, 1u);
  EXPECT_EQ(m.failover.max, Nanos(700ms));
  EXPECT_EQ(m.all.count, 103u);
}

TEST(BenchMetrics, WithoutEventsTheWholeRunAfterTheWarmupIsSteady) {
  BenchData d;
  d.upstreams = {"a"};
  d.load.records = {rec(1, 0ms, 5ms, 200), rec(2, 600ms, 7ms, 200)};
  finish(d, 1s);
  bgw::bench::MetricsOptions o;
  o.warmup = 500ms;
  const auto m = derive_metrics(d, o);
  EXPECT_EQ(m.steady.count, 1u);
  EXPECT_EQ(m.failover.count, 0u);
  EXPECT_TRUE(m.failover_windows.empty());
}

TEST(BenchMetrics, OverlappingFailoverWindowsMerge) {
  BenchData d;
  d.upstreams = {"a", "b"};
  d.events = {mark("a", "crash", 1s), mark("b", "crash", 1200ms), mark("a", "refuse", 3s)};
  finish(d, 4s);
  bgw::bench::MetricsOptions o;
  o.margin = 300ms;
  const auto m = derive_metrics(d, o);
  ASSERT_EQ(m.failover_windows.size(), 2u);
  EXPECT_EQ(m.failover_windows[0], std::make_pair(Nanos(700ms), Nanos(1500ms)));
  EXPECT_EQ(m.failover_windows[1], std::make_pair(Nanos(2700ms), Nanos(3300ms)));
}

TEST(BenchMetrics, BucketsCountRequestsByTheirEndAndStatusClass) {
  BenchData d;
  d.upstreams = {"a"};
  d.load.records = {
      rec(1, 0ms, 10ms, 200),
      rec(2, 20ms, 10ms, 301),
      rec(3, 50ms, 60ms, 404),
      rec(4, 150ms, 10ms, 503),
      rec(5, 150ms, 20ms, 0, Outcome::closed),
      rec(6, 90ms, 150ms, 200),  // sent in bucket 0, ends in bucket 2
  };
  finish(d, 300ms);
  const auto m = derive_metrics(d);  // 100ms buckets
  ASSERT_EQ(m.buckets.size(), 3u);
  EXPECT_EQ(m.buckets[0].ended, 2u);
  EXPECT_EQ(m.buckets[0].s2xx, 1u);
  EXPECT_EQ(m.buckets[0].s3xx, 1u);
  EXPECT_EQ(m.buckets[1].s4xx, 1u);
  EXPECT_EQ(m.buckets[1].s5xx, 1u);
  EXPECT_EQ(m.buckets[1].errors, 1u);
  EXPECT_EQ(m.buckets[1].p99, Nanos(60ms));
  EXPECT_EQ(m.buckets[2].start, Nanos(200ms));
  EXPECT_EQ(m.buckets[2].s2xx, 1u);
  EXPECT_EQ(m.buckets[2].p99, Nanos(150ms));
  std::uint64_t ended = 0;
  for (const auto& b : m.buckets) ended += b.ended;
  EXPECT_EQ(ended, m.totals.sent);
}

TEST(BenchMetrics, BookkeepingNoticesWhenSentDoesNotAddUp) {
  BenchData d;
  d.upstreams = {"a"};
  d.load.records = {rec(1, 0ms, 1ms, 200), rec(2, 0ms, 1ms, 0, Outcome::refused)};
  finish(d, 1s);
  EXPECT_TRUE(derive_metrics(d).bookkeeping.sent_matches);
  d.load.sent = 3;  // one request counted but never recorded
  EXPECT_FALSE(derive_metrics(d).bookkeeping.sent_matches);
}

TEST(BenchMetrics, TruncatedRecordsFallBackToTheBucketsForTotals) {
  BenchData d;
  d.upstreams = {"a"};
  d.load.records = {rec(1, 0ms, 1ms, 200)};
  d.load.records_truncated = true;
  d.load.sent = 4;
  d.load.completed = 3;
  d.load.failed = 2;
  bgw::load::Bucket b;
  b.sent = 4;
  b.statuses = {{200, 2}, {502, 1}};
  b.outcomes[static_cast<std::size_t>(Outcome::response)] = 3;
  b.outcomes[static_cast<std::size_t>(Outcome::reset)] = 1;
  d.load.buckets.push_back(b);
  d.load.elapsed = 1s;
  const auto m = derive_metrics(d);
  EXPECT_EQ(m.totals.transport_errors, 1u);
  EXPECT_EQ(m.totals.statuses.at(200), 2u);
  EXPECT_EQ(m.totals.errors.at("http_502"), 1u);
  EXPECT_EQ(m.totals.errors.at("reset"), 1u);
  EXPECT_TRUE(m.bookkeeping.sent_matches);
}

TEST(BenchMetrics, PercentileIsNearestRank) {
  using bgw::bench::percentile;
  EXPECT_EQ(percentile({}, 0.5), Nanos(0));
  const std::vector<Nanos> one{Nanos(7)};
  EXPECT_EQ(percentile(one, 0.0), Nanos(7));
  EXPECT_EQ(percentile(one, 1.0), Nanos(7));
  std::vector<Nanos> v;
  for (int i = 1; i <= 10; ++i) v.emplace_back(i);
  EXPECT_EQ(percentile(v, 0.5), Nanos(5));
  EXPECT_EQ(percentile(v, 0.99), Nanos(10));
  EXPECT_EQ(percentile(v, 0.1), Nanos(1));
  EXPECT_EQ(percentile(v, 0.11), Nanos(2));
}

TEST(BenchMetrics, ErrorKindsNameTheOutcomeOrTheStatus) {
  EXPECT_EQ(bgw::bench::error_kind(rec(1, 0ms, 0ms, 0, Outcome::connect_timeout)),
            "connect_timeout");
  EXPECT_EQ(bgw::bench::error_kind(rec(1, 0ms, 0ms, 504)), "http_504");
}

}  // namespace
