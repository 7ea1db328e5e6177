// Human output of a run: a live progress line per scenario, the evidence for every failure
// (the checks, both sides of the wire, the proxy's log), and a summary whose last line is
// "N passed, N failed, N skipped".
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

#include "harness/run/result.hpp"

namespace bgw::run {

class ConsoleReport {
 public:
  ConsoleReport(std::ostream& out, bool color, bool verbose)
      : out_(out), color_(color), verbose_(verbose) {}
  /// `repeat` > 1: every scenario runs that many times, and each run gets a progress line.
  void start(std::size_t total, const std::string& proxy, const std::string& version,
             int repeat = 1);
  void scenario_done(std::size_t index, std::size_t total, const ScenarioResult& r);
  void finish(const RunReport& report);

 private:
  std::ostream& out_;
  bool color_;
  bool verbose_;
};

/// JUnit XML: one testsuite per run, one testcase per scenario; fail/xpass as <failure>, error
/// as <error>, skip as <skipped>. A flaky scenario (--repeat) passes, with the evidence of its
/// failing run as <flakyFailure> (or <flakyError>), as Maven Surefire reports a test that
/// passed on a rerun, and properties "verdict" = "flaky" and "runs" = "pass,fail,pass". Bytes
/// that XML 1.0 cannot carry are escaped as \xNN text.
void write_junit(const RunReport& report, std::ostream& out);

/// JSON report, schema "badgateway.run/2" (docs/report-json.md).
void write_json(const RunReport& report, std::ostream& out);

}  // namespace bgw::run
