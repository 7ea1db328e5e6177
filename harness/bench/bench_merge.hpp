// `badgateway bench merge`: the reports of N load agents that loaded one proxy from the same
// wall-clock start (`bench --agent I/N --start-at T`) become the one report of the run. Counts,
// errors and latency histograms add up exactly; the timeline's failures are each agent's,
// attributed against the same schedule, so they add up too (first failure: the earliest,
// last: the latest). Two figures are bounds rather than sums: a bucket's p99 is the worst
// agent's, and the failover latency is of the requests each agent saw in flight during the
// windows its own failures drew. docs/distributed.md.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/bench/bench_report.hpp"

namespace bgw::bench {

struct MergedReport {
  BenchReport report;
  std::vector<std::string> errors;  ///< nothing merged when not empty: "a.json: ..."
};

/// `files`: (name, JSON text) of each agent's report.
MergedReport merge_agent_reports(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace bgw::bench
