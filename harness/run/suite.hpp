// Running a list of scenarios against one proxy, N at a time: the loop shared by `badgateway
// run` (one proxy) and `badgateway matrix` (one proxy after another). Each scenario runs on its
// own thread with its own io_context (runner.hpp); results are handed to the caller's thread as
// they finish, for live progress, and come back in scenario order.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/proxy/adapter.hpp"
#include "harness/run/result.hpp"
#include "harness/run/runner.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::run {

/// Called on the calling thread, once per finished scenario, in completion order: `done` counts
/// results so far (1-based), `index` is the scenario's position in the input.
using SuiteProgress = std::function<void(std::size_t done, std::size_t total, std::size_t index,
                                         const ScenarioResult& result)>;

/// Run `scenarios` against `adapter` (null with options.proxy_url), `jobs` at a time, each
/// `repeat` times. Once interrupted() no further scenario starts. The result has one entry per
/// run: entry k * scenarios.size() + i is run k of scenario i (the whole suite runs once, then
/// again, so a scenario's repeats meet different neighbours and moments); an entry is empty
/// when that run never started (interrupted). `index` in the progress callback is that entry.
std::vector<std::optional<ScenarioResult>> run_suite(
    const std::vector<scenario::Scenario>& scenarios, const proxy::Adapter* adapter,
    const std::string& version, const RunOptions& options, int jobs,
    const SuiteProgress& progress = {}, int repeat = 1);

/// The runs of run_suite(..., repeat) as one result per scenario that ran at least once, in
/// scenario order: the result of the run kept_run() picks, with `runs` holding every run's
/// verdict when repeat > 1.
std::vector<ScenarioResult> group_repeats(std::vector<std::optional<ScenarioResult>> runs,
                                          std::size_t scenarios, int repeat);

}  // namespace bgw::run
