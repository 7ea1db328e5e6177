// What running scenarios produced, as plain data for the reporters: a verdict per scenario,
// every check with what was expected and what was observed, the observations and the upstream
// journals (the two sides of the wire), and where the artifacts are.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgw_version.hpp"
#include "harness/client/observation.hpp"
#include "harness/proxy/adapter.hpp"
#include "harness/run/shard.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::run {

/// pass: every `must` check held. fail: a `must` check failed, or the proxy crashed or hung.
/// xfail: every failure is a known deviation of the adapter. xpass: a known deviation did not
/// happen (the adapter's list is stale). error: the harness or the setup broke. skip: the proxy
/// is not installed or a requirement is unmet.
enum class Verdict : std::uint8_t { pass, fail, xfail, xpass, error, skip };

const char* to_string(Verdict v);

/// One check of one expectation, judged.
struct CheckResult {
  std::string kind;     ///< "status", "within", "not_before", "body", "body_equals",
                        ///< "connection", "header", "connections", "requests",
                        ///< "non_idempotent_once", "proxy_alive", "isolation"
  std::string subject;  ///< what it was about: "step 2 (GET /x)", "upstream a", "header X-Y"
  bool passed = false;
  scenario::Severity severity = scenario::Severity::must;
  std::string expected;      ///< "502 or 503", "within 1.5s", "truncated"
  std::string observed;      ///< "200", "after 2.013s", "complete (100 of 100 bytes)"
  std::string why;           ///< the expectation's why
  scenario::Location where;  ///< where the expectation was written
  std::optional<proxy::Deviation> deviation;  ///< a failure explained by a known deviation
};

/// One request sent by a step (a step sends `repeat` of them).
struct Exchange {
  std::size_t step = 0;       ///< 0-based step index
  int repeat = 0;             ///< 0-based repetition within the step
  std::string request;        ///< the request line, for reports ("GET /x")
  std::string request_bytes;  ///< exactly what was sent
  client::Observation observation;
  std::chrono::steady_clock::duration started_at{};  ///< from the start of the steps
};

struct ScenarioResult {
  std::string name;
  std::string file;
  std::string description;
  std::vector<std::string> tags;
  std::string proxy;  ///< adapter name ("" with --proxy-url)
  std::string proxy_version;
  Verdict verdict = Verdict::error;
  std::string reason;  ///< one line: why fail / error / skip / xfail / xpass
  /// A skip because the adapter's program is not installed: nothing of the proxy was tested.
  bool proxy_missing = false;
  std::vector<CheckResult> checks;
  std::vector<Exchange> exchanges;
  std::string upstream_journal;  ///< every upstream's journal as JSON lines (proxy<->upstream)
  std::string proxy_log_tail;    ///< the end of the proxy's stderr/error log, when relevant
  std::string run_dir;           ///< kept on failure or with --keep-artifacts; empty otherwise
  std::chrono::steady_clock::duration elapsed{};
  std::chrono::steady_clock::duration waits{};  ///< intentional waits (pauses, timeline)
  /// `--repeat N`: the verdict of each run, in order (empty: it ran once). The other fields are
  /// one run's, the one kept_run() picks; `verdict` is that run's.
  std::vector<Verdict> runs;

  /// The runs' verdicts differ: the scenario is flaky, neither passed nor failed.
  bool flaky() const;
  std::size_t must_failed() const;
  std::size_t should_failed() const;
};

/// The exit code of a run that tested nothing because the proxy is not installed: 77 is what
/// CTest's SKIP_RETURN_CODE and Automake's test driver take for "skipped", so a suite whose proxy
/// is missing shows as skipped there, never as passed.
inline constexpr int exit_proxy_missing = 77;

/// The exit code of a run with `--repeat` where some scenario's verdict changed between runs and
/// nothing failed consistently: not a pass (something is unstable) and not a failure (no
/// verdict held), so CI can tell the two apart (docs/ci.md).
inline constexpr int exit_flaky = 4;

/// Of the verdicts of a scenario's repeated runs, the index of the run to report in full: the
/// first fail, xpass or error (the evidence worth reading), else the first run.
std::size_t kept_run(const std::vector<Verdict>& runs);

struct RunReport {
  std::string badgateway_version = std::string(bgw::version);  ///< of the badgateway that ran
  std::string proxy;
  std::string proxy_version;
  std::vector<ScenarioResult> results;
  std::chrono::system_clock::time_point started;
  std::chrono::steady_clock::duration elapsed{};
  bool interrupted = false;    ///< SIGINT/SIGTERM stopped the run before every scenario ran
  std::optional<Shard> shard;  ///< `--shard I/N`: the report holds that shard only
  int repeat = 1;              ///< `--repeat N`: every scenario ran N times

  /// Scenarios with verdict `v`, flaky ones excepted.
  std::size_t count(Verdict v) const;
  std::size_t count_flaky() const;
  /// True when a scenario was skipped because the proxy's program is not installed.
  bool proxy_missing() const;
  /// 130 interrupted, else 3 any harness error, else 1 any fail/xpass, else 4 (exit_flaky) any
  /// flaky scenario, else 77 (exit_proxy_missing) when the proxy's program is not installed,
  /// else 0 (all pass/xfail, and skips for unmet requirements): what `badgateway run` exits
  /// with. Flaky scenarios count only as flaky.
  int exit_code() const;
};

}  // namespace bgw::run
