#include "load_recorder.hpp"

#include <algorithm>

#include "load_generator.hpp"

namespace bgw::load {

Recorder::Recorder(const LoadOptions& options, Clock::time_point start, bool track_interval)
    : max_records_(options.max_records),
      on_record_(options.on_record ? &options.on_record : nullptr),
      buckets_(options.buckets),
      track_interval_(track_interval) {
  result_.start = start;
  result_.bucket_width = options.bucket > std::chrono::nanoseconds::zero()
                             ? options.bucket
                             : std::chrono::nanoseconds(std::chrono::milliseconds(100));
  // Every intended time lies within the duration: size the buckets once.
  const auto n = !buckets_ ? 0
                           : std::max<std::int64_t>(
                                 1, (options.duration.count() + result_.bucket_width.count() - 1) /
                                        result_.bucket_width.count());
  result_.buckets.resize(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < result_.buckets.size(); ++i)
    result_.buckets[i].start = result_.bucket_width * static_cast<std::int64_t>(i);
  // A guess that saves the first few reallocations; the vector still grows as needed.
  result_.records.reserve(std::min<std::size_t>(max_records_, 1u << 18));
}

Bucket& Recorder::bucket_for(std::chrono::nanoseconds offset) {
  const auto i = static_cast<std::size_t>(std::max<std::int64_t>(0, offset.count()) /
                                          result_.bucket_width.count());
  if (i >= result_.buckets.size()) {
    const std::size_t old = result_.buckets.size();
    result_.buckets.resize(i + 1);
    for (std::size_t k = old; k <= i; ++k)
      result_.buckets[k].start = result_.bucket_width * static_cast<std::int64_t>(k);
    last_bucket_ = SIZE_MAX;  // the map nodes moved with their buckets
  }
  if (i != last_bucket_) {
    last_bucket_ = i;
    last_status_ = -1;
  }
  return result_.buckets[i];
}

void Recorder::record(std::uint64_t id, Clock::time_point intended, Clock::time_point end,
                      int status, Outcome outcome, std::uint16_t connection) {
  RequestRecord r;
  r.id = id;
  r.intended = intended - result_.start;
  r.latency = std::max(std::chrono::nanoseconds::zero(), end - intended);
  r.status = status;
  r.outcome = outcome;
  r.connection = connection;
  const bool failed = r.failed();
  const auto latency = static_cast<std::uint64_t>(r.latency.count());

  ++result_.sent;
  if (outcome == Outcome::response) ++result_.completed;
  if (failed) ++result_.failed;

  if (buckets_) {
    Bucket& b = bucket_for(r.intended);
    ++b.sent;
    if (failed) ++b.failed;
    ++b.outcomes[static_cast<std::size_t>(outcome)];
    if (outcome == Outcome::response) {
      if (status != last_status_) {
        last_status_ = status;
        last_status_count_ = &b.statuses[status];
      }
      ++*last_status_count_;
    }
    b.latency.record(latency);
  } else {
    result_.latency.record(latency);
  }
  if (track_interval_) interval_.record(latency);

  if (on_record_) (*on_record_)(r);
  if (result_.records.size() < max_records_)
    result_.records.push_back(r);
  else if (max_records_ > 0)
    result_.records_truncated = true;
}

Progress Recorder::progress(Clock::time_point now, std::uint64_t started) {
  Progress p;
  p.at = now - result_.start;
  p.sent = started;
  p.completed = result_.completed;
  p.failed = result_.failed;
  p.p99_ns_last_interval = interval_.percentile(0.99);
  interval_.reset();
  return p;
}

LoadResult Recorder::finish(Clock::time_point end, std::uint64_t connects) {
  result_.elapsed = end - result_.start;
  result_.connects = connects;
  if (buckets_) {
    result_.latency.reset();
    for (const Bucket& b : result_.buckets) result_.latency.merge(b.latency);
  }
  last_bucket_ = SIZE_MAX;
  last_status_ = -1;
  return std::move(result_);
}

}  // namespace bgw::load
