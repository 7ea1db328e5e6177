// `badgateway run`: scenarios against a proxy, with live progress, reports and exit codes.
// Also the pieces `badgateway matrix` shares with it: scenario loading, option values, and
// where the shipped adapters are.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "harness/cli/data_dirs.hpp"
#include "harness/run/runner.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::cli {

/// Parses the arguments after "run" and runs. Returns the exit code: 0 all pass or xfail,
/// 1 a failure or an xpass, 2 usage or scenario error, 3 harness error, 4 flaky (--repeat),
/// 77 the proxy is not installed, 130 interrupted.
int run_command(const std::vector<std::string>& args);

/// The usage text of `run`; `--proxy` lists the adapters find_proxies_dir() holds.
std::string run_usage();

/// The adapter names in `proxies_dir` (each *.toml's stem), sorted, comma-separated, wrapped
/// for a usage text column: "apache2, caddy, envoy, ..." ("none found in DIR" when empty).
std::string shipped_adapter_list(const std::string& proxies_dir);

/// `--proxy-url URL` for run and bench: client::parse_loopback_url for a proxy origin.
/// nullopt, with `error` set, when the URL is not http://<loopback>:PORT.
std::optional<run::ProxyUrl> parse_proxy_url_option(const std::string& text, std::string& error);

/// Every scenario under `paths` (directories: every *.toml, recursively) whose name matches
/// `filter` (a glob; empty: all), in file order. All must load, or nothing runs: problems go to
/// `err` as diagnostics and the result is empty (exit code 2). `command` names the caller in
/// messages ("run", "matrix").
std::optional<std::vector<scenario::Scenario>> load_scenarios(const std::vector<std::string>& paths,
                                                              const std::string& filter,
                                                              const std::string& command,
                                                              std::ostream& err);

}  // namespace bgw::cli
