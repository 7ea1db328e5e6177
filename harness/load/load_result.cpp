#include "load_result.hpp"

#include <algorithm>

namespace bgw::load {

const char* to_string(Outcome o) noexcept {
  switch (o) {
    case Outcome::response:
      return "response";
    case Outcome::refused:
      return "refused";
    case Outcome::connect_timeout:
      return "connect_timeout";
    case Outcome::reset:
      return "reset";
    case Outcome::closed:
      return "closed";
    case Outcome::timeout:
      return "timeout";
    case Outcome::invalid:
      return "invalid";
  }
  return "unknown";
}

void merge_into(LoadResult& into, const LoadResult& from) {
  into.elapsed = std::max(into.elapsed, from.elapsed);
  if (into.bucket_width == std::chrono::nanoseconds{}) into.bucket_width = from.bucket_width;
  into.sent += from.sent;
  into.completed += from.completed;
  into.failed += from.failed;
  into.connects += from.connects;
  into.latency.merge(from.latency);
  if (into.buckets.size() < from.buckets.size()) {
    const std::size_t old = into.buckets.size();
    into.buckets.resize(from.buckets.size());
    for (std::size_t i = old; i < into.buckets.size(); ++i)
      into.buckets[i].start = from.buckets[i].start;
  }
  for (std::size_t i = 0; i < from.buckets.size(); ++i) {
    Bucket& b = into.buckets[i];
    const Bucket& f = from.buckets[i];
    b.sent += f.sent;
    b.failed += f.failed;
    for (const auto& [status, n] : f.statuses) b.statuses[status] += n;
    for (std::size_t k = 0; k < outcome_count; ++k) b.outcomes[k] += f.outcomes[k];
    b.latency.merge(f.latency);
  }
  into.records.insert(into.records.end(), from.records.begin(), from.records.end());
  into.records_truncated = into.records_truncated || from.records_truncated;
}

}  // namespace bgw::load
