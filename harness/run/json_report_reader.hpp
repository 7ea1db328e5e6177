// Reading a JSON report (`badgateway run --json`, docs/report-json.md) back into a RunReport, for
// `badgateway merge`: every field the writer writes comes back, so writing the result again
// gives the same report (durations to the writer's precision).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "harness/run/result.hpp"

namespace bgw::run {

struct ReportRead {
  std::optional<RunReport> report;
  std::string error;  ///< why not, when report is empty ("scenarios[3].verdict: ...")
};

/// Parses `text`, a badgateway.run/1 or /2 report. A /1 report's scenarios ran once.
ReportRead read_json_report(std::string_view text);

}  // namespace bgw::run
