// Running one scenario under load against one proxy: start the upstreams, launch the proxy from
// its adapter (as `badgateway run` does), put the load on it while the timeline fires (t = 0 of
// the timeline is the start of the load), stop everything, then read the journals and derive
// the metrics. Ctrl-C (run::interrupted()) ends the load early with what was measured.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "harness/bench/bench_report.hpp"
#include "harness/load/load_result.hpp"
#include "harness/proxy/adapter.hpp"
#include "harness/run/runner.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::bench {

struct BenchOptions {
  BenchOverrides overrides;
  std::filesystem::path
      runs_root;  ///< relative: to the current directory; empty: $TMPDIR/badgateway/runs
  bool keep_artifacts = false;  ///< keep the run directory (kept anyway when the proxy died)
  double timeout_scale = 1.0;   ///< multiplies the proxy's readiness timeout
  std::optional<run::ProxyUrl> proxy_url;  ///< a proxy started outside (upstream ports pinned)
  /// Run as one of N load agents: no upstreams and no proxy here (`badgateway serve` owns the
  /// upstreams and the timeline, started at the same `start_at`), 1/N of the connections and
  /// every N-th request of the schedule; the JSON report carries what `bench merge` needs.
  std::optional<AgentRole> agent;
  bool allow_remote_proxy = false;  ///< an agent's proxy URL may be off loopback
  /// Live figures while the load runs (on the run's thread, about every 250ms).
  std::function<void(const load::Progress&)> progress;
};

struct BenchOutcome {
  BenchReport report;  ///< with the metrics derived
  std::string error;   ///< a setup failure: nothing was measured (then report is partial)
  std::string proxy_log_tail;
  bool ok() const { return error.empty(); }
};

/// Run `scenario` against `adapter` (null with a proxy URL). Never throws for what the proxy
/// does; setup failures come back in `error`.
BenchOutcome run_bench(const scenario::Scenario& scenario, const proxy::Adapter* adapter,
                       const std::string& version, const BenchOptions& options);

}  // namespace bgw::bench
