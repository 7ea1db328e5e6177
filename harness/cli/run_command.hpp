// `badgateway run`: scenarios against a proxy, with live progress, reports and exit codes.
#pragma once

#include <string>
#include <vector>

namespace bgw::cli {

/// Parses the arguments after "run" and runs. Returns the exit code: 0 all pass or xfail,
/// 1 a failure or an xpass, 2 usage or scenario error, 3 harness error, 130 interrupted.
int run_command(const std::vector<std::string>& args);

/// The usage text of `run` (also part of `badgateway --help`).
const char* run_usage();

/// Where the shipped adapters are: $BGW_PROXIES_DIR, the source tree next to the build tree,
/// an installed share/badgateway/proxies, or ./proxies.
std::string find_proxies_dir();

}  // namespace bgw::cli
