#include "run_matrix.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <ostream>

#include "harness/run/interrupt.hpp"
#include "harness/run/suite.hpp"

namespace bgw::matrix {
namespace {

std::string seconds(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", std::chrono::duration<double>(d).count());
  return buf;
}

// The runner reports a scenario cut short by Ctrl-C as an error "interrupted"; in a matrix that
// is a skip (the proxy was not judged, and the harness did not break either).
bool cut_by_interrupt(const run::ScenarioResult& r) {
  return run::interrupted() && r.verdict == run::Verdict::error && r.reason == "interrupted";
}

std::string padded(std::string s, std::size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

}  // namespace

void order_by_group(std::vector<scenario::Scenario>& scenarios) {
  const auto rows = rows_for(scenarios);
  std::vector<std::size_t> order(scenarios.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return rows[a].group < rows[b].group; });
  std::vector<scenario::Scenario> sorted;
  sorted.reserve(scenarios.size());
  for (const std::size_t i : order) sorted.push_back(std::move(scenarios[i]));
  scenarios = std::move(sorted);
}

Matrix run_matrix(const std::vector<scenario::Scenario>& scenarios,
                  const std::vector<ProxyPlan>& proxies, const MatrixOptions& options,
                  std::ostream& progress) {
  Matrix m;
  m.rows = rows_for(scenarios);
  m.generated = std::chrono::system_clock::now();
  m.command_line = options.command_line;
  const auto t0 = std::chrono::steady_clock::now();
  progress << "badgateway matrix: " << scenarios.size() << " scenario"
           << (scenarios.size() == 1 ? "" : "s") << " x " << proxies.size() << " prox"
           << (proxies.size() == 1 ? "y" : "ies") << ", -j " << options.jobs << "\n";
  progress.flush();

  for (std::size_t p = 0; p < proxies.size(); ++p) {
    const ProxyPlan& plan = proxies[p];
    ProxyColumn col;
    col.name = plan.name;
    col.version = plan.version;
    col.adapter_path = plan.adapter_path;
    col.skip_reason = plan.skip_reason;
    if (col.skip_reason.empty() && run::interrupted()) col.skip_reason = "not run: interrupted";
    const std::string label = "[" + std::to_string(p + 1) + "/" + std::to_string(proxies.size()) +
                              "] " + col.name + (col.version.empty() ? "" : " " + col.version);
    if (!col.skip_reason.empty() || !plan.adapter) {
      if (col.skip_reason.empty()) col.skip_reason = "the adapter does not load";
      progress << label << ": skip (" << col.skip_reason << ")\n";
      progress.flush();
      for (const auto& row : m.rows)
        col.results.push_back(skipped_result(row, col, col.skip_reason));
      m.columns.push_back(std::move(col));
      continue;
    }

    progress << label << ": " << scenarios.size() << " scenarios\n";
    progress.flush();
    const auto c0 = std::chrono::steady_clock::now();
    const std::string name = col.name;
    auto results = run::run_suite(
        scenarios, &*plan.adapter, plan.version, options.run, options.jobs,
        [&](std::size_t done, std::size_t total, std::size_t, const run::ScenarioResult& r) {
          const Cell c = cut_by_interrupt(r) ? Cell::skip : classify(r);
          progress << "  [" << name << " " << done << "/" << total << "] "
                   << padded(to_string(c), 6) << " " << padded(r.name, 34) << " "
                   << seconds(r.elapsed);
          if (!r.reason.empty()) progress << "  " << r.reason.substr(0, r.reason.find('\n'));
          progress << "\n";
          progress.flush();
        });
    col.elapsed = std::chrono::steady_clock::now() - c0;
    for (std::size_t s = 0; s < results.size(); ++s) {
      if (results[s]) {
        if (cut_by_interrupt(*results[s])) {
          results[s]->verdict = run::Verdict::skip;
          results[s]->reason = "interrupted while running";
          m.interrupted = true;
        }
        col.results.push_back(std::move(*results[s]));
      } else {
        m.interrupted = true;
        col.results.push_back(skipped_result(m.rows[s], col, "not run: interrupted"));
      }
    }
    m.columns.push_back(std::move(col));
  }
  if (run::interrupted()) m.interrupted = true;
  m.elapsed = std::chrono::steady_clock::now() - t0;
  return m;
}

}  // namespace bgw::matrix
