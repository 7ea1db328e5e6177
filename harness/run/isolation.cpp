#include "isolation.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <random>

#include "simulator/run_identity.hpp"

namespace bgw::run {
namespace {

std::atomic<unsigned> g_identities{0};

std::string step_text(const Exchange& x) {
  return "step " + std::to_string(x.step + 1) + " (" + x.request + ", repeat " +
         std::to_string(x.repeat + 1) + ")";
}

}  // namespace

std::string new_run_identity(const std::string& scenario) {
  thread_local std::mt19937 rng(std::random_device{}());
  char salt[9];
  std::snprintf(salt, sizeof salt, "%08x", static_cast<unsigned>(rng()));
  return scenario + "/" + std::to_string(::getpid()) + "." + std::to_string(++g_identities) + "." +
         salt;
}

std::vector<std::string> foreign_evidence(
    const std::vector<Exchange>& exchanges,
    const std::map<std::string, std::vector<sim::Event>>& journals) {
  std::vector<std::string> out;
  for (const auto& [name, events] : journals) {
    for (const sim::Event& e : events) {
      if (e.kind == sim::EventKind::foreign_request)
        out.push_back("upstream " + name + " received another run's request (connection " +
                      std::to_string(e.connection) + "): " + e.detail);
    }
  }
  for (const Exchange& x : exchanges) {
    if (const auto owner = x.observation.header(sim::foreign_header))
      out.push_back(step_text(x) + " was answered by an upstream of run " + std::string(*owner) +
                    " (" + std::string(sim::foreign_header) + "), not through this run's proxy");
  }
  return out;
}

void apply_isolation(ScenarioResult& r, const std::vector<std::string>& evidence) {
  if (evidence.empty()) return;
  CheckResult c;
  c.kind = "isolation";
  c.subject = "this run's traffic";
  c.passed = false;
  c.expected = "no request or response of another run";
  for (const std::string& e : evidence) c.observed += (c.observed.empty() ? "" : "; ") + e;
  c.why = "parallel runs must not exchange traffic: a verdict on mixed traffic means nothing";
  r.checks.push_back(std::move(c));
  r.verdict = Verdict::error;
  r.reason = "traffic crossed between parallel runs: " + evidence.front() +
             (evidence.size() > 1 ? " (+" + std::to_string(evidence.size() - 1) + " more)" : "");
}

}  // namespace bgw::run
