// The bench's metric derivation on hand-built data: which event a failure belongs to, time to
// detect, error windows, recovery after a restart, latency in steady state versus around the
// failover, per-upstream counts and duplicate deliveries from journal deliveries, buckets, and
// the bookkeeping checks. No sockets: BenchData is plain data.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/bench/failover_fold.hpp"
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
  // Percentiles come from a histogram: never below the true value, less than 0.8 % above.
  EXPECT_GE(m.steady.p50, Nanos(50ms));
  EXPECT_LT(m.steady.p50, Nanos(50ms) * 1008 / 1000);
  EXPECT_GE(m.steady.p99, Nanos(99ms));
  EXPECT_LT(m.steady.p99, Nanos(99ms) * 1008 / 1000);
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

// The runner folds live: records arrive as requests end (in no particular order within the
// horizon), reads as the upstreams journal them, and journaled actions are placed when they
// run. The outcome must be the replay's, which the tests above pin down.
TEST(BenchMetrics, FoldingLiveGivesWhatTheReplayGives) {
  BenchData d;
  d.upstreams = {"a", "b"};
  d.events = {mark("a", "crash", 1000ms), mark("a", "restart", 2000ms),
              mark("b", "set_fault", 2500ms)};
  for (std::uint64_t i = 1; i <= 3000; ++i) {
    const Nanos sent = Nanos(1ms) * static_cast<Nanos::rep>(i);
    const bool down = sent >= 1000ms && sent < 2050ms && i % 3 == 0;
    d.load.records.push_back(down ? rec(i, sent, 2ms, 502) : rec(i, sent, 1ms + Nanos(i % 7), 200));
    d.deliveries.push_back(Delivery{.upstream = i % 3 == 0 ? 0u : 1u, .id = i, .at = sent});
    if (i % 500 == 0)  // a retry read twice
      d.deliveries.push_back(Delivery{.upstream = 1, .id = i, .at = sent + 1ms});
  }
  finish(d, 3100ms);
  bgw::bench::MetricsOptions o;
  o.margin = 100ms;
  o.warmup = 200ms;
  const auto replay = derive_metrics(d, o);

  std::vector<TimelineMark> marks = d.events;
  for (auto& m : marks) m.at = Nanos{};  // unknown until they run
  bgw::bench::FailoverFold fold(bgw::bench::FailoverFold::Setup{
      .upstreams = d.upstreams, .marks = marks, .placed = false, .options = o});
  std::size_t next_record = 0, next_read = 0;
  std::size_t most_held = 0;
  for (Nanos now = 0ms; now <= 3200ms; now += 10ms) {
    if (now == 1000ms) fold.ran("a", "crash", 1000ms);
    if (now == 2000ms) fold.ran("a", "restart", 2000ms);
    while (next_read < d.deliveries.size() && d.deliveries[next_read].at <= now)
      fold.add_delivery(d.deliveries[next_read++]);
    // Each 10 ms batch arrives reversed: order within the horizon does not matter.
    std::vector<bgw::load::RequestRecord> batch;
    while (next_record < d.load.records.size() &&
           d.load.records[next_record].intended + d.load.records[next_record].latency <= now)
      batch.push_back(d.load.records[next_record++]);
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) fold.add_record(*it);
    fold.advance(now);
    most_held = std::max(most_held, fold.held());
  }
  const auto live = fold.finish(bgw::bench::FailoverFold::LoadTotals{
      .sent = d.load.sent, .connects = 0, .elapsed = d.load.elapsed});
  // Held: about the horizon's worth of requests (margin + slack = 350 ms at 1 per ms) and of
  // reads still waiting for their request, not the run's 3,000.
  EXPECT_LT(most_held, 1200u);

  ASSERT_EQ(live.events.size(), replay.events.size());
  for (std::size_t i = 0; i < live.events.size(); ++i) {
    const auto& a = live.events[i];
    const auto& b = replay.events[i];
    EXPECT_EQ(a.mark.action, b.mark.action);
    EXPECT_EQ(a.mark.at, b.mark.at);
    EXPECT_EQ(a.failed, b.failed) << a.mark.action;
    EXPECT_EQ(a.first_failure, b.first_failure);
    EXPECT_EQ(a.last_failure, b.last_failure);
    EXPECT_EQ(a.errors, b.errors);
    EXPECT_EQ(a.time_to_recover, b.time_to_recover);
  }
  EXPECT_GT(replay.events[0].failed, 300u);
  EXPECT_TRUE(replay.events[1].time_to_recover);
  EXPECT_EQ(live.failover_windows, replay.failover_windows);
  EXPECT_EQ(live.all.count, replay.all.count);
  EXPECT_EQ(live.all.p99, replay.all.p99);
  EXPECT_EQ(live.steady.count, replay.steady.count);
  EXPECT_EQ(live.steady.p50, replay.steady.p50);
  EXPECT_EQ(live.failover.count, replay.failover.count);
  EXPECT_EQ(live.failover.failed, replay.failover.failed);
  EXPECT_GT(replay.failover.count, 1000u);
  EXPECT_EQ(live.totals.statuses, replay.totals.statuses);
  EXPECT_EQ(live.duplicates.requests, replay.duplicates.requests);
  EXPECT_EQ(live.duplicates.requests, 6u);
  EXPECT_EQ(live.duplicates.examples.size(), 6u);
  for (std::size_t u = 0; u < 2; ++u) {
    EXPECT_EQ(live.upstreams[u].requests, replay.upstreams[u].requests);
    EXPECT_EQ(live.upstreams[u].served, replay.upstreams[u].served);
  }
  ASSERT_EQ(live.buckets.size(), replay.buckets.size());
  for (std::size_t i = 0; i < live.buckets.size(); ++i) {
    EXPECT_EQ(live.buckets[i].ended, replay.buckets[i].ended);
    EXPECT_EQ(live.buckets[i].p99, replay.buckets[i].p99);
  }
  EXPECT_TRUE(live.bookkeeping.sent_matches);
  EXPECT_EQ(live.bookkeeping.served_without_delivery, 0u);
}

// A long run at a steady rate: what the fold holds stays at the horizon's worth of requests
// however many have gone through.
TEST(BenchMetrics, WhatTheFoldHoldsDoesNotGrowWithTheRun) {
  bgw::bench::MetricsOptions o;
  o.margin = 100ms;
  bgw::bench::FailoverFold fold(bgw::bench::FailoverFold::Setup{
      .upstreams = {"a"}, .marks = {mark("a", "crash", 5s)}, .placed = false, .options = o});
  std::uint64_t id = 0;
  std::size_t held_at_10s = 0, held_at_end = 0;
  for (Nanos now = 0ms; now <= 20s; now += 10ms) {  // 100 requests per 10 ms: 200,000
    if (now == 5s) fold.ran("a", "crash", now);
    for (int k = 0; k < 100; ++k) {
      ++id;
      fold.add_delivery(Delivery{.upstream = 0, .id = id, .at = now});
      fold.add_record(rec(id, now, 1ms, id % 50 == 0 && now > 5s ? 502 : 200));
    }
    fold.advance(now);
    if (now == 10s) held_at_10s = fold.held();
    if (now == 20s) held_at_end = fold.held();
  }
  EXPECT_GT(held_at_10s, 0u);
  EXPECT_LT(held_at_10s, 10'000u);
  EXPECT_LE(held_at_end, held_at_10s + 100);
  const auto m = fold.finish(bgw::bench::FailoverFold::LoadTotals{.sent = id, .elapsed = 20s});
  EXPECT_EQ(m.totals.sent, 200'100u);
  EXPECT_TRUE(m.bookkeeping.sent_matches);
  EXPECT_EQ(m.upstreams[0].served, m.totals.statuses.at(200));
  EXPECT_EQ(m.events[0].failed, m.totals.statuses.at(502));
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
