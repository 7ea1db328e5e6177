// Running the matrix: the proxies one after another (so they never compete for the machine and
// timings stay comparable), the scenarios within a proxy `jobs` at a time, progress on a stream
// as each result arrives. A skipped proxy costs nothing; Ctrl-C stops starting new work, and
// the cells that never ran say so.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "harness/matrix/matrix.hpp"
#include "harness/matrix/proxy_plan.hpp"
#include "harness/run/runner.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::matrix {

struct MatrixOptions {
  run::RunOptions run;
  int jobs = 2;
  std::string command_line;
};

/// Stable-sort scenarios by their row group, so each group's rows are together.
void order_by_group(std::vector<scenario::Scenario>& scenarios);

Matrix run_matrix(const std::vector<scenario::Scenario>& scenarios,
                  const std::vector<ProxyPlan>& proxies, const MatrixOptions& options,
                  std::ostream& progress);

}  // namespace bgw::matrix
