#include "load_schedule.hpp"

#include <cmath>

#include "load_generator.hpp"

namespace bgw::load {

Schedule::Schedule(const LoadOptions& options, Clock::time_point start)
    : start_(start), end_(start + options.duration), max_requests_(options.max_requests) {
  if (options.rate > 0) {
    interval_ns_ = 1e9 / options.rate;
    // Requests i with i * interval < duration. The epsilon keeps an exact multiple (1 s at
    // 100/s) from gaining a request through rounding.
    const double n = static_cast<double>(options.duration.count()) / interval_ns_;
    planned_ = n > 0 ? static_cast<std::uint64_t>(std::ceil(n - 1e-9)) : 0;
    if (max_requests_ > 0 && planned_ > max_requests_) planned_ = max_requests_;
  }
}

std::optional<Ticket> Schedule::next(Clock::time_point now) noexcept {
  if (stopped_) return std::nullopt;
  if (interval_ns_ > 0) {
    if (issued_ >= planned_) return std::nullopt;
    // From the index, not by adding intervals: no drift over millions of requests.
    const auto offset = std::chrono::nanoseconds(
        static_cast<std::int64_t>(std::llround(static_cast<double>(issued_) * interval_ns_)));
    ++issued_;
    return Ticket{issued_, start_ + offset};
  }
  if (now >= end_ || (max_requests_ > 0 && issued_ >= max_requests_)) return std::nullopt;
  ++issued_;
  return Ticket{issued_, now};
}

}  // namespace bgw::load
