// The values command-line options take, parsed strictly (the whole text, range-checked), and
// the one range each option has in every command that takes it (run, matrix, bench, load).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "simulator/script.hpp"

namespace bgw::cli {

struct NumberRange {
  double min = 0;
  double max = 0;
  bool whole = false;  ///< integers only
};

struct DurationRange {
  sim::Duration min{};
  sim::Duration max{};
  bool above_min = false;  ///< min itself excluded ("above 0")
};

namespace ranges {
using namespace std::chrono_literals;
inline constexpr NumberRange jobs{1, 64, true};                // -j, --jobs
inline constexpr NumberRange timeout_scale{0.01, 100, false};  // --timeout-scale
inline constexpr NumberRange repeat{1, 1000, true};            // --repeat
inline constexpr NumberRange connections{1, 10000, true};      // -c, --connections
inline constexpr NumberRange rate{0, 1e6, false};              // -R, --rate (0: closed loop)
inline constexpr NumberRange max_requests{1, 1e15, true};      // --max-requests
inline constexpr NumberRange threads{1, 256, true};            // -t, --threads (load, bench, serve)
// Benchmarks run for hours: memory does not grow with the run (docs/performance.md).
inline constexpr DurationRange duration{0s, 24h, true};        // -d, --duration
inline constexpr DurationRange warmup{0s, 1h, false};          // --warmup
inline constexpr DurationRange request_timeout{0s, 1h, true};  // --timeout, --request-timeout
}  // namespace ranges

/// "a whole number from 1 to 64", "a number from 0.01 to 100".
std::string describe(const NumberRange& range);

/// "a duration above 0 and up to 1h (such as 10s or 500ms)".
std::string describe(const DurationRange& range);

/// Plain decimal digits with at most one '.', nothing else (no sign, spaces, exponent, hex,
/// "inf"), within `range`. nullopt otherwise.
std::optional<double> parse_number(std::string_view text, const NumberRange& range);

/// A duration as scenario files write them ("10s", "500ms", "1h"; sim::parse_duration) within
/// `range`. nullopt otherwise.
std::optional<sim::Duration> parse_duration_in(std::string_view text, const DurationRange& range);

}  // namespace bgw::cli
