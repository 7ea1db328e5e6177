// Adds up what every request of a load run ended with: totals, the bucket of its intended send
// time (status counts, outcomes, latency histogram), the bounded list of records, and the
// histogram of the current progress interval. One call per request, no allocation in the
// steady state. No Asio.
#pragma once

#include <cstdint>
#include <functional>

#include "harness/load/load_result.hpp"

namespace bgw::load {

struct LoadOptions;

class Recorder {
 public:
  Recorder(const LoadOptions& options, Clock::time_point start, bool track_interval);

  /// `intended` and `end` are absolute; the record stores offsets from the start.
  void record(std::uint64_t id, Clock::time_point intended, Clock::time_point end, int status,
              Outcome outcome, std::uint16_t connection);

  /// Figures so far, with the p99 of the requests recorded since the previous call.
  Progress progress(Clock::time_point now, std::uint64_t started);

  const LoadResult& result() const noexcept { return result_; }
  /// The final result: elapsed time, connection count and the merged latency histogram.
  LoadResult finish(Clock::time_point end, std::uint64_t connects);

 private:
  Bucket& bucket_for(std::chrono::nanoseconds offset);

  LoadResult result_;
  std::size_t max_records_;
  const std::function<void(const RequestRecord&)>* on_record_;
  bool buckets_;
  bool track_interval_;
  Histogram interval_;
  // Almost every response has the status of the one before it: skip the map lookup then.
  std::size_t last_bucket_ = SIZE_MAX;
  int last_status_ = -1;
  std::uint64_t* last_status_count_ = nullptr;
};

}  // namespace bgw::load
