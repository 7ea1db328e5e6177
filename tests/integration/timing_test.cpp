// Timed faults are never early and not much late: stalls, drips and the idle delay before a FIN,
// measured by the raw client on loopback and cross-checked against the journal's requested vs
// actual durations. Bounds: at least the requested time; at most requested + max(20 ms, 10 %).
#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/fault_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::client::Ending;
using bgw::client::RawResult;
using bgw::sim::Duration;
using bgw::sim::EventKind;
using namespace bgw::test;

std::string summary(std::vector<Duration> samples) {
  std::sort(samples.begin(), samples.end());
  std::ostringstream out;
  out << samples.size() << " samples: min " << ms(samples.front()) << "ms, median "
      << ms(samples[samples.size() / 2]) << "ms, max " << ms(samples.back()) << "ms";
  return out.str();
}

using Timing = UpstreamTest;

TEST_F(Timing, StallBeforeHeadersIsNeverEarlyAcrossThirtySamples) {
  constexpr Duration stall = 50ms;
  constexpr int n = 30;
  auto& up = make(lower("stall_before_headers", {{"duration", stall}}));
  std::vector<Duration> first_bytes;
  for (int i = 0; i < n; ++i) {
    const RawResult r = exchange(io_, up.port(), kGetClose, 1s);
    ASSERT_EQ(r.ending, Ending::eof) << "sample " << i << ": " << describe(r);
    ASSERT_EQ(r.received, kOk) << "sample " << i << ": " << describe(r);
    first_bytes.push_back(r.first_byte);
  }
  const std::string stats = summary(first_bytes);
  const auto [lo, hi] = std::minmax_element(first_bytes.begin(), first_bytes.end());
  EXPECT_GE(*lo, stall) << "a stall ended early; " << stats;
  EXPECT_LE(*hi, upper_bound(stall)) << "a stall overshot by more than max(20ms, 10%); " << stats;

  // The journal agrees: every stall step asked for 50 ms and took at least that.
  ASSERT_TRUE(run_until(
      io_, [&] { return up.journal().count(EventKind::closed) == n; }, 2s,
      "every connection closed"));
  const auto steps = events_of(up.journal(), EventKind::step);
  ASSERT_EQ(steps.size(), static_cast<std::size_t>(n));
  std::vector<Duration> actual;
  for (const auto& e : steps) {
    EXPECT_EQ(e.detail, "stall");
    EXPECT_EQ(e.requested, stall);
    actual.push_back(e.actual);
  }
  const std::string journal_stats = summary(actual);
  EXPECT_GE(*std::min_element(actual.begin(), actual.end()), stall) << journal_stats;
  EXPECT_LE(*std::max_element(actual.begin(), actual.end()), upper_bound(stall)) << journal_stats;
  std::cout << "[ timing   ] client first byte: " << stats << "\n"
            << "[ timing   ] journal stall actual: " << journal_stats << "\n";
}

TEST_F(Timing, DripHeadersSpreadsOverPiecesMinusOneIntervals) {
  constexpr Duration interval = 10ms;
  // The default response's head is 38 bytes: 38 one-byte pieces, 37 intervals between them.
  ASSERT_EQ(kOkHead.size(), 38u);
  const Duration requested = interval * static_cast<long>(kOkHead.size() - 1);
  auto& up = make(lower("drip_headers", {{"chunk", 1L}, {"interval", interval}}));
  const RawResult r = exchange(io_, up.port(), kGetClose, 2s);
  ASSERT_EQ(r.ending, Ending::eof) << describe(r);
  ASSERT_EQ(r.received, kOk) << describe(r);
  // Never early, counted from the request (the drip's anchor comes after it arrived); a late
  // first piece could shrink the spread between arrivals, so the spread bounds only from above.
  ASSERT_FALSE(r.arrivals.empty()) << describe(r);
  EXPECT_GE(r.arrivals.back().at, requested) << describe(r);
  EXPECT_LE(arrival_spread(r), upper_bound(requested)) << describe(r);
  // One byte every 10 ms: the client reads them one by one (at most the last piece and the body
  // arrive together).
  EXPECT_GE(r.arrivals.size(), kOkHead.size() - 1) << describe(r);

  ASSERT_TRUE(run_until(
      io_, [&] { return up.journal().count(EventKind::closed) == 1; }, 2s, "connection closed"));
  const auto steps = events_of(up.journal(), EventKind::step);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].detail, "drip");
  EXPECT_EQ(steps[0].bytes, kOkHead.size());
  EXPECT_EQ(steps[0].requested, requested);
  EXPECT_GE(steps[0].actual, steps[0].requested) << "actual " << ms(steps[0].actual) << "ms";
  EXPECT_LE(steps[0].actual, upper_bound(requested)) << "actual " << ms(steps[0].actual) << "ms";
  // Each piece is its own write.
  EXPECT_EQ(up.journal().count(EventKind::wrote), kOkHead.size() + 1);
}

TEST_F(Timing, CloseAfterResponseIdleDelaysTheFin) {
  constexpr Duration idle = 100ms;
  auto& up = make(lower("close_after_response", {{"idle", idle}}));
  const RawResult r = exchange(io_, up.port(), kGet, 2s);
  ASSERT_EQ(r.ending, Ending::eof) << describe(r);
  ASSERT_EQ(r.received, kOk) << describe(r);
  const Duration response_at = arrival_of(r, kOk.size() - 1);
  const Duration gap = r.total - response_at;
  EXPECT_GE(gap, idle) << "EOF " << ms(gap) << "ms after the response; " << describe(r);
  EXPECT_LE(gap, upper_bound(idle))
      << "EOF " << ms(gap) << "ms after the response; " << describe(r);

  ASSERT_TRUE(run_until(
      io_, [&] { return up.journal().count(EventKind::closed) == 1; }, 2s, "connection closed"));
  const auto steps = events_of(up.journal(), EventKind::step);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].detail, "delay");
  EXPECT_EQ(steps[0].requested, idle);
  EXPECT_GE(steps[0].actual, idle);
  EXPECT_EQ(closed_detail(up.journal(), 1), "fin");
}

TEST_F(Timing, StallAfterHeadersDelaysOnlyTheBody) {
  constexpr Duration stall = 100ms;
  auto& up = make(lower("stall_after_headers", {{"duration", stall}}));
  const RawResult r = exchange(io_, up.port(), kGetClose, 2s);
  ASSERT_EQ(r.ending, Ending::eof) << describe(r);
  ASSERT_EQ(r.received, kOk) << describe(r);
  EXPECT_LT(arrival_of(r, 0), stall / 2) << describe(r);
  EXPECT_GE(arrival_of(r, kOkHead.size()), stall) << describe(r);
  EXPECT_LE(arrival_of(r, kOkHead.size()), upper_bound(stall)) << describe(r);
}

}  // namespace
