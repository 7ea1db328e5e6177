// The load generator's latency histogram against a sorted-vector oracle: exact counts, min, max
// and mean; percentiles never below the true value and at most 1/128 above it; merging is the
// same as recording everything into one.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "harness/load/histogram.hpp"

namespace {

using bgw::load::Histogram;

constexpr double kQuantiles[] = {0,   0.0001, 0.001, 0.01,  0.1,   0.25,   0.5, 0.75,
                                 0.9, 0.95,   0.99,  0.995, 0.999, 0.9999, 1.0};

// Latencies as a load test sees them: mostly around a millisecond, a long tail up to seconds,
// and a few tiny values (the exact range below 256 ns).
std::vector<std::uint64_t> latencies(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> body(std::log(1e6), 0.8);  // ~1 ms
  std::uniform_real_distribution<double> exponent(0, std::log(60e9));
  std::uniform_int_distribution<std::uint64_t> tiny(0, 300);
  std::uniform_int_distribution<int> pick(0, 99);
  std::vector<std::uint64_t> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int p = pick(rng);
    if (p < 2)
      v.push_back(tiny(rng));
    else if (p < 10)
      v.push_back(static_cast<std::uint64_t>(std::exp(exponent(rng))));
    else
      v.push_back(static_cast<std::uint64_t>(body(rng)));
  }
  return v;
}

// The value percentile(q) reports must cover: the rank-th smallest value.
std::uint64_t oracle(const std::vector<std::uint64_t>& sorted, double q) {
  return sorted[Histogram::rank_for(q, sorted.size()) - 1];
}

void expect_within_bound(const Histogram& h, const std::vector<std::uint64_t>& sorted) {
  for (const double q : kQuantiles) {
    const std::uint64_t truth = oracle(sorted, q);
    const std::uint64_t got = h.percentile(q);
    EXPECT_GE(got, truth) << "q=" << q;
    // Bucket width is below 1/128 of the value; below 256 ns every value is its own bucket.
    EXPECT_LE(got, truth + truth / 128) << "q=" << q << " truth=" << truth;
  }
}

TEST(Histogram, EmptyReportsZeros) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.percentile(0.5), 0u);
  EXPECT_EQ(h.percentile(1.0), 0u);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 0; i < 256; ++i) {
    h.record(i);
    v.push_back(i);
  }
  for (const double q : kQuantiles) EXPECT_EQ(h.percentile(q), oracle(v, q)) << "q=" << q;
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 255u);
  EXPECT_DOUBLE_EQ(h.mean(), 127.5);
}

TEST(Histogram, RandomDataMatchesSortedOracleWithinRelativeError) {
  for (const std::uint64_t seed : {1u, 2u, 3u, 42u, 2026u}) {
    SCOPED_TRACE(seed);
    std::vector<std::uint64_t> v = latencies(seed, 100'000);
    Histogram h;
    long double sum = 0;
    for (const auto x : v) {
      h.record(x);
      sum += x;
    }
    std::sort(v.begin(), v.end());
    EXPECT_EQ(h.count(), v.size());
    EXPECT_EQ(h.min(), v.front());
    EXPECT_EQ(h.max(), v.back());
    EXPECT_NEAR(h.mean(), static_cast<double>(sum / v.size()), 1e-6 * h.mean());
    expect_within_bound(h, v);
  }
}

TEST(Histogram, FewValuesAndEveryRank) {
  // With few values every rank is its own answer: check each one.
  std::vector<std::uint64_t> v = latencies(7, 37);
  Histogram h;
  for (const auto x : v) h.record(x);
  std::sort(v.begin(), v.end());
  for (std::size_t k = 1; k <= v.size(); ++k) {
    const double q = static_cast<double>(k) / static_cast<double>(v.size());
    const std::uint64_t got = h.percentile(q);
    EXPECT_GE(got, oracle(v, q)) << k;
    EXPECT_LE(got, oracle(v, q) + oracle(v, q) / 128) << k;
  }
}

TEST(Histogram, PercentilesNeverDecreaseAndEndAtTheExactMax) {
  const std::vector<std::uint64_t> v = latencies(11, 20'000);
  Histogram h;
  for (const auto x : v) h.record(x);
  std::uint64_t previous = 0;
  for (int i = 0; i <= 1000; ++i) {
    const std::uint64_t p = h.percentile(i / 1000.0);
    EXPECT_GE(p, previous) << i;
    previous = p;
  }
  EXPECT_EQ(h.percentile(1.0), h.max());
  EXPECT_EQ(h.percentile(2.0), h.max()) << "q above 1 is the max";
  EXPECT_LE(h.percentile(0.0), h.bucket_upper_edge(h.min()));
}

TEST(Histogram, MergeEqualsRecordingEverythingIntoOne) {
  const std::vector<std::uint64_t> v = latencies(5, 50'000);
  Histogram all;
  std::vector<Histogram> parts(7);
  for (std::size_t i = 0; i < v.size(); ++i) {
    all.record(v[i]);
    parts[i % parts.size()].record(v[i]);
  }
  Histogram merged;
  merged.merge(Histogram{});  // merging an empty one changes nothing
  for (const auto& p : parts) merged.merge(p);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_NEAR(merged.mean(), all.mean(), 1e-9 * all.mean());
  for (int i = 0; i <= 1000; ++i)
    EXPECT_EQ(merged.percentile(i / 1000.0), all.percentile(i / 1000.0));
  std::vector<std::uint64_t> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  expect_within_bound(merged, sorted);
}

TEST(Histogram, HugeValuesAreClampedButCountedAndMaxIsExact) {
  Histogram h;
  const std::uint64_t huge = std::uint64_t{1} << 50;  // 13 days in ns
  h.record(1000);
  h.record(huge);
  h.record(UINT64_MAX);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.max(), UINT64_MAX);
  EXPECT_EQ(h.percentile(1.0), UINT64_MAX);
  // The clamped values share the top bucket, whose edge is below them: reported as the max.
  EXPECT_EQ(h.percentile(0.5), UINT64_MAX);
  EXPECT_LE(h.percentile(0.33), 1000u + 1000u / 128);
}

TEST(Histogram, ResetEmptiesIt) {
  Histogram h;
  for (const auto x : latencies(3, 1000)) h.record(x);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.percentile(0.99), 0u);
  h.record(5000);
  EXPECT_EQ(h.min(), 5000u);
  EXPECT_EQ(h.percentile(0.5), 5000u) << "capped at the exact max";
}

TEST(Histogram, BucketEdgesCoverTheValueWithinOnePart128) {
  std::mt19937_64 rng(9);
  std::uniform_int_distribution<int> bits(0, 41);
  for (int i = 0; i < 100'000; ++i) {
    const std::uint64_t v = rng() >> (64 - bits(rng) - 1) >> 1;
    const std::uint64_t edge = Histogram::bucket_upper_edge(v);
    ASSERT_GE(edge, v);
    ASSERT_LE(edge - v, v / 128) << v;
    // The edge is in the same bucket as v, and the next value starts the next bucket.
    ASSERT_EQ(Histogram::bucket_upper_edge(edge), edge) << v;
    if (edge < (std::uint64_t{1} << 41) - 1) {
      ASSERT_GT(Histogram::bucket_upper_edge(edge + 1), edge);
    }
  }
}

TEST(Histogram, RankRule) {
  EXPECT_EQ(Histogram::rank_for(0.5, 10), 5u);
  EXPECT_EQ(Histogram::rank_for(0.51, 10), 6u);
  EXPECT_EQ(Histogram::rank_for(0.0, 10), 1u);
  EXPECT_EQ(Histogram::rank_for(1.0, 10), 10u);
  EXPECT_EQ(Histogram::rank_for(0.999, 1), 1u);
  EXPECT_EQ(Histogram::rank_for(std::nan(""), 10), 1u);
}

}  // namespace
