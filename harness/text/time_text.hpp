// Wall-clock times as reports print them.
#pragma once

#include <chrono>
#include <string>

namespace bgw::text {

/// "2026-11-24T16:53:00Z": ISO 8601, UTC, whole seconds (JSON, JUnit and the HTML reports).
std::string iso8601_utc(std::chrono::system_clock::time_point t);

}  // namespace bgw::text
