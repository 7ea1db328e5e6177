// The live status line `badgateway bench` keeps on stderr while the load runs: elapsed time,
// responses per second over the last interval, failures so far and the last interval's p99,
// rewritten in place on a terminal.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "harness/bench/bench_data.hpp"

namespace bgw::bench {

class ProgressLine {
 public:
  /// `enabled` false (not a terminal): update() and clear() print nothing.
  ProgressLine(std::ostream& out, Nanos duration, bool enabled)
      : out_(out), duration_(duration), enabled_(enabled) {}

  void update(const load::Progress& p);
  /// Erase the line, so the summary starts on a clean one.
  void clear();

  /// The text of one update, without the carriage return (for tests).
  static std::string format(const load::Progress& p, Nanos duration, double rps);

 private:
  std::ostream& out_;
  Nanos duration_;
  bool enabled_;
  Nanos last_at_{};
  std::uint64_t last_completed_ = 0;
  bool shown_ = false;
};

}  // namespace bgw::bench
