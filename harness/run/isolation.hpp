// The second line of isolation between parallel runs (the first: each run's own loopback
// address, proxy/loopback_lease.hpp). Every request the client sends carries its run's identity
// (X-Bgw-Run, simulator/run_identity.hpp); an upstream that receives another run's request
// journals it as foreign and answers with a marked 421 (X-Bgw-Foreign). Either trace in a run
// means traffic crossed between runs, so its verdict cannot be trusted: `error`, never `pass`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "harness/run/result.hpp"
#include "simulator/journal.hpp"

namespace bgw::run {

/// A fresh identity for one scenario run, unique across processes: "<scenario>/<pid>.<n>.<hex>".
std::string new_run_identity(const std::string& scenario);

/// One line per trace of crossed traffic: a foreign request in this run's journals, or a
/// response marked by another run's upstream that this run's client received. Empty: none.
std::vector<std::string> foreign_evidence(
    const std::vector<Exchange>& exchanges,
    const std::map<std::string, std::vector<sim::Event>>& journals);

/// When `evidence` is not empty: a failed MUST check "isolation" naming it, and the verdict
/// `error` with the reason "traffic crossed between parallel runs: ...". Whatever the other
/// checks said: they judged traffic that was not (only) this run's.
void apply_isolation(ScenarioResult& result, const std::vector<std::string>& evidence);

}  // namespace bgw::run
