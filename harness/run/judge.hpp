// Judging a run: every expectation of the scenario checked against the client's Observations and
// the upstreams' journals, then a verdict with the adapter's known deviations applied. Pure code,
// no I/O, so every rule is unit-testable on synthetic data.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "harness/proxy/adapter.hpp"
#include "harness/run/result.hpp"
#include "harness/scenario/scenario.hpp"
#include "simulator/journal.hpp"

namespace bgw::run {

/// Check every step expectation against each response of its step, and every upstream
/// expectation against the journals. Timing: `within` and `not_before` compare the time from
/// the end of the send to the response being complete by its framing, or, when it never was, to
/// the end of the exchange (EOF, RST or the client deadline).
std::vector<CheckResult> evaluate(const scenario::Scenario& scenario, const std::string& proxy,
                                  const std::vector<Exchange>& exchanges,
                                  const std::map<std::string, std::vector<sim::Event>>& journals);

struct Decision {
  Verdict verdict = Verdict::pass;
  std::string reason;
};

/// fail: a MUST check failed that no deviation covers (SHOULD too when `strict`). xfail: every
/// such failure is covered by a known deviation of this proxy (attached to the check). xpass: a
/// deviation applies to this scenario but covers no failure. pass otherwise; SHOULD failures
/// are then reported in the reason ("1 SHOULD deviation").
Decision decide(std::vector<CheckResult>& checks, const std::string& scenario,
                const std::vector<proxy::Deviation>& deviations, const std::string& version,
                bool strict);

}  // namespace bgw::run
