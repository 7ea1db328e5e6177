// Durations ("250ms", "2s") and sizes ("64KiB") as users write them, parsed strictly.
// Shared by the fault catalogue's string parameters, the CLI and the scenario loader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "script.hpp"

namespace bgw::sim {

/// "250ms", "2s", "1.5s", "100us", "1m", "2h", "0s"; a unit is required. nullopt when malformed.
std::optional<Duration> parse_duration(std::string_view text);

/// "1024", "64KiB", "2MiB", "10kB" (kB = 1000, KiB = 1024). nullopt when malformed.
std::optional<std::uint64_t> parse_size(std::string_view text);

/// The shortest exact spelling: 250ms, 2s, 1500us, 1h, 0s.
std::string format_duration(Duration d);

/// Milliseconds with three decimals, for reports: "1000.142".
std::string format_ms(Duration d);

/// Milliseconds to the microsecond, as a number: the times of journals and reports.
double ms_value(Duration d);

}  // namespace bgw::sim
