// The wall-clock instant N load agents and `serve` share as t = 0 (`--start-at`): an ISO 8601
// UTC time, "2026-12-04T08:00:00Z" (fractions of a second allowed), or Unix seconds,
// "1796371200.5". Machines that run agents keep their clocks in step (NTP); the run's t = 0 is
// only as shared as their clocks are.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace bgw::cli {

std::optional<std::chrono::system_clock::time_point> parse_start_at(std::string_view text);

}  // namespace bgw::cli
