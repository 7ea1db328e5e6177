#include "load_schedule.hpp"

#include <algorithm>
#include <cmath>

#include "load_generator.hpp"

namespace bgw::load {

Schedule::Schedule(const LoadOptions& options, Clock::time_point start)
    : start_(start),
      end_(start + options.duration),
      max_requests_(options.max_requests),
      stride_(std::max(1u, options.id_stride)),
      offset_(options.id_offset) {
  if (options.rate > 0) {
    interval_ns_ = 1e9 / options.rate;
    // Requests i with i * interval < duration. The epsilon keeps an exact multiple (1 s at
    // 100/s) from gaining a request through rounding.
    const double n = static_cast<double>(options.duration.count()) / interval_ns_;
    planned_ = n > 0 ? static_cast<std::uint64_t>(std::ceil(n - 1e-9)) : 0;
    if (max_requests_ > 0 && planned_ > max_requests_) planned_ = max_requests_;
  }
}

std::uint64_t Schedule::global(std::uint64_t i) const noexcept {
  return i * stride_ + offset_;
}

std::optional<Ticket> Schedule::next(Clock::time_point now) noexcept {
  if (stopped_) return std::nullopt;
  if (interval_ns_ > 0) {
    const std::uint64_t g = global(issued_);
    if (g >= planned_) return std::nullopt;
    // From the index, not by adding intervals: no drift over millions of requests.
    const auto offset = std::chrono::nanoseconds(
        static_cast<std::int64_t>(std::llround(static_cast<double>(g) * interval_ns_)));
    ++issued_;
    return Ticket{g + 1, start_ + offset};
  }
  const std::uint64_t g = global(issued_);
  if (now >= end_ || (max_requests_ > 0 && g >= max_requests_)) return std::nullopt;
  ++issued_;
  return Ticket{g + 1, now};
}

}  // namespace bgw::load
