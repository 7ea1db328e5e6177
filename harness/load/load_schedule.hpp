// Which request a free connection sends next, and when it was meant to go. Closed loop: the
// next id, now. Open loop: request i (0-based) is meant for start + i / rate, whichever
// connection is free to take it; a late one keeps its intended time, so the latency it is
// charged includes the wait (no coordinated omission). No Asio, no clock of its own.
#pragma once

#include <cstdint>
#include <optional>

#include "harness/load/load_result.hpp"

namespace bgw::load {

struct LoadOptions;

struct Ticket {
  std::uint64_t id = 0;  ///< 1-based; the X-Bgw-Request value
  Clock::time_point intended;
};

class Schedule {
 public:
  Schedule(const LoadOptions& options, Clock::time_point start);

  /// The next request for a connection that is free at `now`; nullopt once the run sends no
  /// more (duration over, max_requests reached, or stop()).
  std::optional<Ticket> next(Clock::time_point now) noexcept;
  /// No more tickets.
  void stop() noexcept { stopped_ = true; }

  bool open_loop() const noexcept { return interval_ns_ > 0; }
  std::uint64_t issued() const noexcept { return issued_; }
  /// Open loop: how many requests the whole run schedules.
  std::uint64_t planned() const noexcept { return planned_; }
  Clock::time_point start() const noexcept { return start_; }
  Clock::time_point end_of_sending() const noexcept { return end_; }

 private:
  /// The run-wide 0-based index of this schedule's request `i`.
  std::uint64_t global(std::uint64_t i) const noexcept;

  Clock::time_point start_;
  Clock::time_point end_;
  double interval_ns_ = 0;  ///< open loop: 1e9 / rate
  std::uint64_t planned_ = 0;
  std::uint64_t max_requests_ = 0;
  std::uint64_t issued_ = 0;
  unsigned stride_ = 1;
  unsigned offset_ = 0;
  bool stopped_ = false;
};

}  // namespace bgw::load
