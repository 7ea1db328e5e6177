// A latency histogram in the HDR style: log-linear buckets with a fixed relative precision, so
// recording is a few arithmetic operations and no allocation, and percentiles from 1 us to
// minutes keep about 1% precision. Mergeable, so per-bucket histograms add up to the total.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace bgw::load {

/// Values are nanoseconds. Values beyond the top bucket (~2^40 ns, about 18 minutes) are
/// clamped into it and still counted; max() keeps the exact largest value.
class Histogram {
 public:
  void record(std::uint64_t ns) noexcept;
  void merge(const Histogram& other) noexcept;
  void reset() noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t min() const noexcept;  ///< 0 when empty
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept;
  /// The smallest recorded bucket value v with at least q*count values <= v (q in [0, 1]);
  /// reported as the bucket's upper edge, so never below the true percentile. 0 when empty.
  std::uint64_t percentile(double q) const noexcept;

  /// The buckets that hold values, as (index, count), and a histogram rebuilt from them: how a
  /// histogram travels in a report (bench agents write theirs; `bench merge` adds them up).
  /// restore() returns false, leaving the histogram empty, for an index out of range.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> nonzero() const;
  long double sum() const noexcept { return sum_; }
  bool restore(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& buckets,
               std::uint64_t min, std::uint64_t max, long double sum) noexcept;

  /// Sub-bucket bits: 2^7 = 128 linear steps per power of two, i.e. < 0.8% relative error.
  static constexpr int sub_bits = 7;
  static constexpr int top_power = 40;
  static constexpr std::size_t bucket_count = (top_power + 1) << sub_bits;

  /// The rank percentile(q) looks for among `count` values: ceil(q * count), within [1, count].
  static std::uint64_t rank_for(double q, std::uint64_t count) noexcept;
  /// The upper edge of the bucket `ns` falls in (what percentile() reports for it).
  static std::uint64_t bucket_upper_edge(std::uint64_t ns) noexcept;

 private:
  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace bgw::load
