// `badgateway run`: scenarios against a proxy, with live progress, reports and exit codes.
// Also the pieces `badgateway matrix` shares with it: scenario loading, option values, and
// where the shipped adapters are.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario/scenario.hpp"

namespace bgw::cli {

/// Parses the arguments after "run" and runs. Returns the exit code: 0 all pass or xfail,
/// 1 a failure or an xpass, 2 usage or scenario error, 3 harness error, 130 interrupted.
int run_command(const std::vector<std::string>& args);

/// The usage text of `run` (also part of `badgateway --help`).
const char* run_usage();

/// Where the shipped adapters are: $BGW_PROXIES_DIR, the source tree next to the build tree,
/// an installed share/badgateway/proxies, or ./proxies.
std::string find_proxies_dir();

/// Every scenario under `paths` (directories: every *.toml, recursively) whose name matches
/// `filter` (a glob; empty: all), in file order. All must load, or nothing runs: problems go to
/// `err` as diagnostics and the result is empty (exit code 2). `command` names the caller in
/// messages ("run", "matrix").
std::optional<std::vector<scenario::Scenario>> load_scenarios(const std::vector<std::string>& paths,
                                                              const std::string& filter,
                                                              const std::string& command,
                                                              std::ostream& err);

/// `-j N`: 1 to 64. False (and `out` unchanged) otherwise.
bool parse_jobs(const std::string& text, int& out);

/// `--timeout-scale X`: a number above 0, at most 100. False (and `out` unchanged) otherwise.
bool parse_timeout_scale(const std::string& text, double& out);

}  // namespace bgw::cli
