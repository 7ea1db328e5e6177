#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace bgw::load {
namespace {

// Layout: values below 2^sub_bits are their own bucket (exact). Above, a value with its leading
// one at bit p (p >= sub_bits) keeps its top sub_bits + 1 bits: bucket width 2^(p - sub_bits),
// i.e. under 1/128 of the value. Powers follow each other without gaps, so the index is
// monotonic in the value and percentiles are a cumulative walk.
constexpr int kSub = Histogram::sub_bits;
constexpr std::uint64_t kLinear = std::uint64_t{1} << kSub;  // 128
// Largest value with its own bucket: everything at or above 2^(top_power + 1) is clamped here.
constexpr std::uint64_t kTopValue = (std::uint64_t{1} << (Histogram::top_power + 1)) - 1;

constexpr std::size_t index_of(std::uint64_t v) noexcept {
  if (v < kLinear) return static_cast<std::size_t>(v);
  if (v > kTopValue) v = kTopValue;
  const int p = std::bit_width(v) - 1;  // >= kSub
  const int shift = p - kSub;
  // (v >> shift) is in [128, 256); power p starts at index (p - kSub + 1) * 128 - 128 + 128.
  return static_cast<std::size_t>(shift) * kLinear + static_cast<std::size_t>(v >> shift);
}

// The largest value that maps to bucket `i` (its upper edge).
constexpr std::uint64_t upper_edge(std::size_t i) noexcept {
  if (i < 2 * kLinear) return i;
  const int shift = static_cast<int>(i / kLinear) - 1;
  const std::uint64_t mantissa = i % kLinear + kLinear;  // [128, 256)
  return ((mantissa + 1) << shift) - 1;
}

static_assert(index_of(kTopValue) < Histogram::bucket_count);
static_assert(index_of(127) == 127 && index_of(128) == 128 && index_of(255) == 255);
static_assert(index_of(256) == 256 && index_of(257) == 256 && index_of(258) == 257);
static_assert(upper_edge(index_of(256)) == 257 && upper_edge(index_of(1000)) >= 1000);
static_assert(upper_edge(index_of(kTopValue)) == kTopValue);

}  // namespace

void Histogram::record(std::uint64_t ns) noexcept {
  ++counts_[index_of(ns)];
  ++count_;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
  sum_ += static_cast<long double>(ns);
}

void Histogram::merge(const Histogram& other) noexcept {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void Histogram::reset() noexcept {
  counts_.fill(0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

std::uint64_t Histogram::min() const noexcept {
  return count_ == 0 ? 0 : min_;
}

double Histogram::mean() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t Histogram::percentile(double q) const noexcept {
  if (count_ == 0) return 0;
  const std::uint64_t rank = rank_for(q, count_);
  std::uint64_t seen = 0;
  // Walk only up to the bucket of max_: nothing is recorded above it.
  const std::size_t last = index_of(max_);
  for (std::size_t i = 0; i <= last; ++i) {
    seen += counts_[i];
    // The upper edge can lie above the largest value recorded; max_ is exact and never below
    // the true percentile, so cap there. The top bucket also holds clamped values, which lie
    // above its edge: there, only max_ is safe.
    if (seen >= rank) return i == last && max_ > kTopValue ? max_ : std::min(upper_edge(i), max_);
  }
  return max_;
}

std::vector<std::pair<std::uint32_t, std::uint64_t>> Histogram::nonzero() const {
  std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
  if (count_ == 0) return out;
  const std::size_t last = index_of(max_);
  for (std::size_t i = 0; i <= last; ++i)
    if (counts_[i] != 0) out.emplace_back(static_cast<std::uint32_t>(i), counts_[i]);
  return out;
}

bool Histogram::restore(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& buckets,
                        std::uint64_t min, std::uint64_t max, long double sum) noexcept {
  reset();
  for (const auto& [i, n] : buckets) {
    if (i >= bucket_count) {
      reset();
      return false;
    }
    counts_[i] += n;
    count_ += n;
  }
  if (count_ > 0) {
    min_ = min;
    max_ = max;
    sum_ = sum;
  }
  return true;
}

std::uint64_t Histogram::rank_for(double q, std::uint64_t count) noexcept {
  if (!(q > 0)) return 1;  // also NaN
  if (q >= 1) return count;
  const auto r = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count)));
  return std::clamp<std::uint64_t>(r, 1, count);
}

std::uint64_t Histogram::bucket_upper_edge(std::uint64_t ns) noexcept {
  return upper_edge(index_of(ns));
}

}  // namespace bgw::load
