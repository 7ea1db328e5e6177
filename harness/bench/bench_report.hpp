// One bench run as reported: what ran (scenario, proxy, settings), what it measured
// (BenchMetrics) and what went wrong around it. The console, JSON and HTML writers read this.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/bench/bench_config.hpp"
#include "harness/bench/failover_metrics.hpp"

namespace bgw::bench {

/// One of N load agents sharing a run (`bench --agent I/N --start-at T`; docs/distributed.md).
struct AgentRole {
  unsigned index = 1;  ///< 1-based
  unsigned count = 1;
  std::chrono::system_clock::time_point start_at;  ///< t = 0 of the load and the timeline
};

struct BenchReport {
  std::string scenario;  ///< the scenario's name
  std::string file;
  std::string description;
  std::string proxy;  ///< adapter name, or the --proxy-url
  std::string proxy_version;
  std::chrono::system_clock::time_point started;
  BenchConfig config;
  BenchMetrics metrics;
  std::string proxy_exit;             ///< set when the proxy died during the load
  std::vector<std::string> warnings;  ///< events after the load, truncated records, ...
  std::string run_dir;                ///< kept run directory (config, logs, journal), or ""
  bool interrupted = false;
  std::optional<AgentRole> agent;        ///< this report is one agent's part
  std::vector<std::string> merged_from;  ///< `bench merge`: the agents' report files
};

/// The summary `badgateway bench` prints: totals, errors, latency steady vs failover, each
/// event's detection and recovery, per-upstream counts and duplicate deliveries.
void write_console(const BenchReport& report, std::ostream& out);

/// Schema `badgateway.bench/1` (docs/bench.md).
void write_json(const BenchReport& report, std::ostream& out);

/// A self-contained HTML page: an inline SVG timeline (requests per bucket stacked by status
/// class and errors, the p99 line, events as labelled vertical lines) and the metric tables.
/// No script, stylesheet or font is fetched: it opens offline. All text is escaped.
void write_html(const BenchReport& report, std::ostream& out);

/// "0.41ms", "12.3ms", "1.204s": latencies and offsets for people.
std::string human(Nanos d);

}  // namespace bgw::bench
